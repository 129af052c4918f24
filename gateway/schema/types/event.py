"""The `Event` type and its converter from Sentry's JSON.

One `Event` mirrors Sentry's full event serialization
(``src/sentry/api/serializers/models/event.py``, SENTRY_API.md section 4):
``EventSerializer`` plus the error/default and transaction additions, plus what
the detail endpoint's ``IssueEventSerializer`` adds (``release``,
``userReport``, ``sdkUpdates``, ``resolvedWith``) and the neighbours
(``nextEventID``, ``previousEventID``).

Each field declares the Sentry key it reads and which serializers send it
(`gateway.schema.mapping.declare`); `gateway.schema.mapping.events` reads the
three forms an event comes in (a simple list item, a full one, the detail
endpoint's answer) so that a field never changes its value with what else a
query selects. Nothing here raises on odd upstream data: a value of the wrong
type is null, an unreadable entry is an `UnknownEntry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Set as AbstractSet
from types import MappingProxyType
from typing import Any, Optional

import strawberry

from gateway.schema.mapping.declare import WHOLE, each, first_present, nested, sentry_field
from gateway.schema.mapping.events import Origin, fields_served, read_event
from gateway.schema.mapping.readers import (
    identifier,
    identifier_or_empty,
    integer,
    json_list,
    nullable_string_list,
    number,
    objects_in_list,
    string,
    string_list,
    tag_objects,
)
from gateway.schema.types.entries import EventEntry, entries_from_json
from gateway.schema.types.node import InvalidGlobalId, Node, decode_global_id, encode_global_id
from gateway.schema.types.scalars import JSON, DateTime
from gateway.sentry.filters import EventFilters
from gateway.sentry.ids import SPECIAL_EVENT_IDS, validate_event_id, validate_issue_id

__all__ = [
    "Event",
    "EventUser",
    "UserGeo",
    "EventSdk",
    "EventTag",
    "EventError",
    "EventAttachment",
    "GroupingConfig",
    "Origin",
    "SIMPLE_FIELD_KEYS",
    "DETAIL_ONLY_FIELDS",
    "event_from_json",
    "refetch_event",
]


@strawberry.type(
    description="Where the user was, as Sentry derived it from the IP address (the user's "
    "`geo`). Typed fields are null when Sentry did not send them."
)
class UserGeo:
    countryCode: Optional[str] = sentry_field(
        "country_code", string, description="`country_code`: two-letter ISO 3166 country code."
    )
    city: Optional[str] = sentry_field("city", string, description="The city name.")
    region: Optional[str] = sentry_field(
        "region", string, description="The region name (Sentry sends the country name here, e.g. `United States`)."
    )
    subdivision: Optional[str] = sentry_field(
        "subdivision", string, description="The country subdivision (state, province ...)."
    )
    raw: Optional[JSON] = sentry_field(
        WHOLE, description="The whole `geo` object as Sentry sent it (snake_case keys), including keys not typed here."
    )


@strawberry.type(
    description="The user affected by the event (Sentry's user interface). Sentry sends every "
    "key, with null values where unknown."
)
class EventUser:
    id: Optional[str] = sentry_field(
        "id", identifier, description="The application's own id for the user (not a Sentry id); null if not sent."
    )
    email: Optional[str] = sentry_field("email", string, description="The user's email address; null if not sent.")
    username: Optional[str] = sentry_field("username", string, description="The user's username; null if not sent.")
    ipAddress: Optional[str] = sentry_field(
        "ip_address", string, description="`ip_address`: the user's IP address; null if not sent."
    )
    name: Optional[str] = sentry_field("name", string, description="The user's display name; null if not sent.")
    geo: Optional[UserGeo] = sentry_field(
        "geo",
        nested(UserGeo),
        description="Location derived from the IP address; null when Sentry has none (and in events from before 2020).",
    )
    data: Optional[JSON] = sentry_field(
        "data", description="Any other user attributes the SDK sent; null or `{}` when none."
    )


@strawberry.type(description="The SDK that sent the event.")
class EventSdk:
    name: Optional[str] = sentry_field(
        "name", string, description="The SDK's name (e.g. `sentry.python`, `sentry.javascript.browser`)."
    )
    version: Optional[str] = sentry_field("version", string, description="The SDK's version.")
    upstream: Optional[JSON] = sentry_field(
        "upstream",
        description="Only in responses of about 2020 and earlier: the newest release of the "
        "SDK (`{name, url, isNewer}`), as sent; null otherwise.",
    )


@strawberry.type(description="One tag of the event.")
class EventTag:
    key: str = sentry_field(
        "key",
        description="The tag key, with Sentry's internal `sentry:` prefix removed (e.g. "
        "`release`, `environment`, `browser.name`).",
    )
    value: Optional[str] = sentry_field("value", string, description="The tag value; null if Sentry sent no string.")
    query: Optional[str] = sentry_field(
        "query",
        string,
        description='For `user` tags only, the search query that finds the user (e.g. `user.id:"1"`); null otherwise.',
    )


@strawberry.type(description="A problem Sentry met while processing the event.")
class EventError:
    type: Optional[str] = sentry_field(
        "type", string, description="The error's kind (e.g. `js_no_source`, `fetch_generic_error`)."
    )
    message: Optional[str] = sentry_field("message", string, description="Human-readable description of the error.")
    data: Optional[JSON] = sentry_field(
        "data",
        description="Details of the error (the stored error minus `type`, snake_case keys), as sent; null when none.",
    )


@strawberry.type(
    description="A file attached to the event (Sentry's EventAttachment serialization); here "
    "the minidump of a native crash."
)
class EventAttachment:
    id: Optional[strawberry.ID] = sentry_field(
        "id", identifier, description="Sentry's attachment id; null if not sent."
    )
    eventId: Optional[str] = sentry_field(
        "event_id", string, description="`event_id`: the event the attachment belongs to."
    )
    type: Optional[str] = sentry_field("type", string, description="The attachment type (e.g. `event.minidump`).")
    name: Optional[str] = sentry_field(
        "name",
        string,
        description="The file name. If Sentry sent a bare string instead of an object (the "
        "published spec types `crashFile` as a string), it is here and the other fields are null.",
    )
    mimetype: Optional[str] = sentry_field("mimetype", string, description="The file's MIME type.")
    dateCreated: Optional[DateTime] = sentry_field("dateCreated", string, description="When Sentry stored the file.")
    size: Optional[int] = sentry_field(
        "size", integer, description="Size in bytes; null if not sent or above 2147483647."
    )
    headers: Optional[JSON] = sentry_field("headers", description="The stored HTTP-style headers, as sent.")
    sha1: Optional[str] = sentry_field("sha1", string, description="SHA-1 of the content, hex.")


def crash_file(value: Any) -> EventAttachment | None:
    """The crash file's attachment; older Sentry sent only its name, as a string."""
    return _attachment({"name": value} if type(value) is str else value)


_attachment = nested(EventAttachment)


@strawberry.type(description="The grouping configuration Sentry used to group the event into its issue.")
class GroupingConfig:
    id: Optional[str] = sentry_field(
        "id", string, description="The grouping strategy (e.g. `newstyle:2023-01-11`, `legacy:2019-03-12`)."
    )
    enhancements: Optional[str] = sentry_field(
        "enhancements", string, description="The encoded stack-trace grouping enhancements; null when not sent."
    )


_DETAIL = " Detail endpoint only: null when the event came from the list endpoint."


@strawberry.federation.type(
    keys=["id"],
    description="One Sentry event of an issue, as Sentry's full event serializer describes it "
    "(plus the detail endpoint's extras). Missing keys are null; list fields that Sentry "
    "always sends are `[]` when missing. A federation entity keyed by `id`.",
)
class Event(Node):
    @classmethod
    async def resolve_reference(cls, info: strawberry.Info, **representation: Any) -> Event:
        """Federation: the event for ``{__typename: "Event", id}``, via the request's loaders."""
        return await refetch_event(info.context, str(representation.get("id", "")))

    sentryID: Optional[str] = sentry_field(
        "id",
        identifier,
        description="Sentry's `id` key: equal to eventID today; a database row id in responses from 2020 and earlier.",
    )
    eventID: str = sentry_field(
        "eventID",
        identifier_or_empty,
        description='The event id: 32 lowercase hex characters (`""` if Sentry sent none).',
    )
    groupID: Optional[str] = sentry_field(
        "groupID",
        identifier,
        description="The id of the issue (group) the event belongs to; null for events without one.",
    )
    projectID: Optional[str] = sentry_field("projectID", identifier, description="The id of the event's project.")
    size: Optional[int] = sentry_field(
        "size", integer, served="full", description="Size of the stored event in bytes; null if not sent."
    )
    entries: list[EventEntry] = sentry_field(
        "entries",
        entries_from_json,
        served="full",
        description="The event's interfaces (exception, stack trace, message, request, "
        "breadcrumbs ...), in Sentry's display order; `[]` when none.",
    )
    dist: Optional[str] = sentry_field(
        "dist", string, served="full", description="The distribution (build variant) of the release; null when not set."
    )
    message: Optional[str] = sentry_field(
        "message",
        string,
        served="full",
        description="The event's message: the formatted log message, else the message template, "
        'else the raw message; may be `""`.',
    )
    title: Optional[str] = sentry_field(
        "title", string, description="The event's title as Sentry computes it (e.g. `ValueError: bad input`)."
    )
    location: Optional[str] = sentry_field(
        "location", string, description="Where the event happened (usually a file name); null if unknown."
    )
    user: Optional[EventUser] = sentry_field(
        "user", nested(EventUser), description="The affected user; null when the event has none."
    )
    contexts: Optional[JSON] = sentry_field(
        "contexts",
        served="full",
        description="The event's contexts (`os`, `browser`, `runtime`, `trace` ...), keyed by "
        "alias, each with its `type`; `{}` when there are none. Numbers longer than 15 digits "
        "are strings.",
    )
    sdk: Optional[EventSdk] = sentry_field(
        "sdk", nested(EventSdk), served="full", description="The SDK that sent the event; null if unknown."
    )
    context: Optional[JSON] = sentry_field(
        "context", served="full", description="The event's additional data (the SDK's `extra`); `{}` when none."
    )
    packages: Optional[JSON] = sentry_field(
        "packages",
        served="full",
        description="Loaded packages and their versions (the SDK's `modules`); `{}` when none.",
    )
    type: Optional[str] = sentry_field(
        first_present("event.type", "type"),
        string,
        description="The event type: `default`, `error`, `csp`, `nel`, `hpkp`, `expectct`, "
        "`expectstaple`, `transaction`, `generic` or `feedback`.",
    )
    metadata: Optional[JSON] = sentry_field(
        "metadata",
        description="Sentry's summary of the event used for the issue's title (snake_case keys "
        "such as `type`, `value`, `filename`, `function`, `title`).",
    )
    tags: list[EventTag] = sentry_field(
        "tags", each(EventTag, tag_objects), description="The event's tags, sorted by key; `[]` when none."
    )
    platform: Optional[str] = sentry_field(
        "platform",
        string,
        description="The platform of the SDK (`python`, `javascript`, `native` ...); null if unknown.",
    )
    dateCreated: Optional[DateTime] = sentry_field(
        "dateCreated",
        string,
        transactions=False,
        description="When the event happened (its timestamp), as Sentry sent it. Its "
        "precision depends on where the event was read: an item of `Issue.events` carries "
        "whole seconds (Sentry's list endpoint takes it from its search index, which stores "
        "seconds), while `Issue.event`, `latestEvent`, `oldestEvent`, `recommendedEvent` and "
        "`node` (Sentry's detail endpoint) carry microseconds. So the same event can read "
        "`12:00:05Z` in a list and `12:00:05.731204Z` in detail. Null for transaction "
        "events, which have `startTimestamp` / `endTimestamp` instead.",
    )
    dateReceived: Optional[DateTime] = sentry_field(
        "dateReceived", string, served="full", description="When Sentry received the event; null if unknown."
    )
    errors: list[EventError] = sentry_field(
        "errors",
        each(EventError, objects_in_list),
        served="full",
        description="Problems Sentry met while processing the event (Sentry hides some kinds); `[]` when none.",
    )
    occurrence: Optional[JSON] = sentry_field(
        "occurrence",
        served="full",
        description="Issue-platform events (performance, feedback ...): the occurrence that "
        "made the issue, keys camelCased recursively; null for error events.",
    )
    meta: Optional[JSON] = sentry_field(
        "_meta",
        served="full",
        description="Sentry's `_meta`: why values were scrubbed or trimmed, keyed like the "
        "event (`entries` by entry index); mostly nulls and `{}`.",
    )
    crashFile: Optional[EventAttachment] = sentry_field(
        "crashFile",
        crash_file,
        transactions=False,
        description="Native events: the minidump attachment; null otherwise and for transaction events.",
    )
    culprit: Optional[str] = sentry_field(
        "culprit",
        string,
        transactions=False,
        description="The function or transaction most likely responsible; null if unknown and for transaction events.",
    )
    fingerprints: Optional[list[str]] = sentry_field(
        "fingerprints",
        string_list,
        served="full",
        description="The hashes that grouped the event into its issue (error and default "
        "events); null for transaction events and when not sent.",
    )
    groupingConfig: Optional[GroupingConfig] = sentry_field(
        "groupingConfig",
        nested(GroupingConfig),
        served="full",
        description="The grouping configuration used (error and default events); null otherwise.",
    )
    startTimestamp: Optional[float] = sentry_field(
        "startTimestamp",
        number,
        served="full",
        description="Transaction events: start time in seconds since the Unix epoch; null otherwise.",
    )
    endTimestamp: Optional[float] = sentry_field(
        "endTimestamp",
        number,
        served="full",
        description="Transaction events: end time in seconds since the Unix epoch; null otherwise.",
    )
    measurements: Optional[JSON] = sentry_field(
        "measurements",
        served="full",
        description="Transaction events: measurements such as web vitals (`{name: {value, unit}}`); null otherwise.",
    )
    breakdowns: Optional[JSON] = sentry_field(
        "breakdowns", served="full", description="Transaction events: span operation breakdowns; null otherwise."
    )
    release: Optional[JSON] = sentry_field(
        "release",
        served="detail",
        description="The event's release: the full release serialization, or `{version}` when "
        "Sentry has no release record; null when the event has no release." + _DETAIL,
    )
    userReport: Optional[JSON] = sentry_field(
        "userReport", served="detail", description="The user feedback attached to the event; null when none." + _DETAIL
    )
    sdkUpdates: Optional[list[JSON]] = sentry_field(
        "sdkUpdates",
        json_list,
        served="detail",
        description="Suggested SDK updates, as Sentry sends them; `[]` when none." + _DETAIL,
    )
    resolvedWith: Optional[list[Optional[str]]] = sentry_field(
        "resolvedWith",
        nullable_string_list,
        served="detail",
        description="How the issue was resolved, as Sentry sends it; items may be null (e.g. `[null]`)." + _DETAIL,
    )
    nextEventID: Optional[str] = sentry_field(
        "nextEventID",
        string,
        served="detail",
        description="The id of the next (newer) event of the issue under the same filters; null "
        "when this is the newest." + _DETAIL,
    )
    previousEventID: Optional[str] = sentry_field(
        "previousEventID",
        string,
        served="detail",
        description="The id of the previous (older) event of the issue under the same filters; "
        "null when this is the oldest." + _DETAIL,
    )


SIMPLE_FIELD_KEYS: Mapping[str, str] = MappingProxyType(
    {"id": "eventID"}  # the global id: groupID (else the issue id) and eventID
    | {name: mapped.json_key for name, mapped in fields_served(Event, "all").items() if mapped.json_key}
)
"""`Event` field -> the JSON key it reads in a simple (``full=false``) list item.

Exactly the fields declared ``served="all"``: their value is the same whether
read from a simple item or a full one. Any other selected field needs
``full=true`` or the detail endpoint. Note: ``projectID``, ``location``,
``culprit``, ``crashFile`` and ``metadata`` are missing from simple items of
older Sentry versions; a simple item without the key reads as null.
"""

DETAIL_ONLY_FIELDS: frozenset[str] = frozenset(fields_served(Event, "detail"))
"""`Event` fields only the detail endpoint provides; null for the other origins."""


def event_from_json(
    data: Mapping[str, Any],
    *,
    issue_id: str,
    origin: Origin,
    fields: AbstractSet[str] | None = None,
) -> Event:
    """An `Event` from one of Sentry's event serializations (`gateway.schema.mapping.events`).

    ``issue_id`` is the issue the event was fetched through (it goes into the
    global id); ``origin`` says which serializer produced ``data``; ``fields``,
    when given, names the fields the query reads (the others stay empty).
    Never raises.
    """
    event = read_event(Event, data, origin=origin, fields=fields)
    if fields is None or "id" in fields:
        get = data.get if type(data) is dict or isinstance(data, Mapping) else {}.get
        key = f"{canonical_issue_id(get('groupID'), issue_id)}:{identifier_or_empty(get('eventID'))}"
        event.id = strawberry.ID(encode_global_id("Event", key))
    return event


def canonical_issue_id(group_id: object, issue_id: str) -> str:
    """The numeric issue id an event belongs to: its ``groupID`` when Sentry sent one.

    Global ids are built on it, so an event reached through a short id
    (``PROJ-1A``) or through an issue merged into another has the same id as
    through the numeric id of the issue that holds it.
    """
    group = identifier(group_id)
    return group if group is not None and group.isdigit() else issue_id


async def refetch_event(context: Any, global_id: str) -> Event:
    """The event a global id names, from the detail endpoint (`node`, federation).

    Ids are checked before any call; the fetch goes through the request's
    loaders, so the same event asked for twice costs one call.
    """
    type_name, key = decode_global_id(global_id)
    issue_id, _, event_id = key.rpartition(":")
    if type_name != "Event" or not issue_id:
        raise InvalidGlobalId(f"{global_id!r} is not the id of an Event")
    loaders = context.loaders
    validate_issue_id(issue_id, org_scoped=loaders.org_scoped)
    if event_id in SPECIAL_EVENT_IDS:  # ids the gateway issues name one event, never "latest"
        raise InvalidGlobalId(f"{global_id!r} is not the id of an Event")
    validate_event_id(event_id)
    data = await loaders.event(issue_id, event_id, EventFilters())
    return event_from_json(data, issue_id=issue_id, origin="detail")
