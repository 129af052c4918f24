"""The `Event` type and its converter from Sentry's JSON.

One `Event` mirrors Sentry's full event serialization
(``src/sentry/api/serializers/models/event.py``, SENTRY_API.md section 4):
``EventSerializer`` plus the error/default and transaction additions, plus what
the detail endpoint's ``IssueEventSerializer`` adds (``release``,
``userReport``, ``sdkUpdates``, ``resolvedWith``) and the neighbours
(``nextEventID``, ``previousEventID``).

The same event reaches the gateway in three forms, named by ``origin``:

``"simple"``
    an item of the list endpoint without ``full`` (``SimpleEventSerializer``):
    only the keys in `SIMPLE_FIELD_KEYS`, ``event.type`` instead of ``type``,
    tags in stored order, ``message`` unresolved;
``"full"``
    an item of the list endpoint with ``full=true`` (``EventSerializer``);
``"detail"``
    the answer of ``.../events/{event_id}/`` (``IssueEventSerializer``).

`event_from_json` makes a field's value independent of the form it was read
from, so a field never changes its value with what else a query selects:

* ``type`` is read from ``event.type`` when the key is there (the simple
  serializer's name), else from ``type``.
* ``simple``: tags are sorted by key
  (stable, by key only), as the full serializer sorts them; every field that
  is not in `SIMPLE_FIELD_KEYS` is null (or ``[]`` for non-null lists), since
  the simple serializer either lacks it or (``message``) means something else.
  A "simple" item that is really a full serialization (Sentry answers a direct
  hit, a ``query`` that is a bare event id, with the full serializer whatever
  ``full`` says) is recognised by its ``type``/``entries`` keys and read as full.
* ``simple`` and ``full``: the detail-only fields are null even if present.
* every origin: transaction events have ``dateCreated``, ``culprit`` and
  ``crashFile`` null (the full serializer omits them for transactions).

Nothing here raises on odd upstream data: a value of the wrong type is null,
an unreadable entry is an `UnknownEntry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Set as AbstractSet
from types import MappingProxyType
from typing import Any, Literal, Optional

import strawberry

from gateway.schema._convert import (
    identifier,
    integer,
    json_list,
    mapping,
    nullable_string_list,
    number,
    string,
    string_list,
)
from gateway.schema.entries import EventEntry, entry_from_json
from gateway.schema.node import InvalidGlobalId, Node, decode_global_id, encode_global_id
from gateway.sentry.filters import EventFilters
from gateway.sentry.ids import SPECIAL_EVENT_IDS, validate_event_id, validate_issue_id
from gateway.schema.scalars import JSON, DateTime

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

Origin = Literal["simple", "full", "detail"]

SIMPLE_FIELD_KEYS: Mapping[str, str] = MappingProxyType(
    {
        "id": "eventID",  # the global id is derived from groupID (else the issue id) and eventID
        "sentryID": "id",
        "eventID": "eventID",
        "groupID": "groupID",
        "projectID": "projectID",
        "title": "title",
        "location": "location",
        "culprit": "culprit",
        "user": "user",
        "tags": "tags",
        "platform": "platform",
        "dateCreated": "dateCreated",
        "crashFile": "crashFile",
        "metadata": "metadata",
        "type": "event.type",
    }
)
"""`Event` field -> the JSON key it reads in a simple (``full=false``) list item.

Exactly the fields whose value is the same whether read from a simple item or
a full one (after `event_from_json`'s corrections). Any other selected field
needs ``full=true`` or the detail endpoint. Note: ``projectID``, ``location``,
``culprit``, ``crashFile`` and ``metadata`` are missing from simple items of
older Sentry versions; a simple item without the key reads as null.
"""

DETAIL_ONLY_FIELDS: frozenset[str] = frozenset(
    {"release", "userReport", "sdkUpdates", "resolvedWith", "nextEventID", "previousEventID"}
)
"""`Event` fields only the detail endpoint provides; null for the other origins."""


@strawberry.type(
    description="Where the user was, as Sentry derived it from the IP address (the user's "
    "`geo`). Typed fields are null when Sentry did not send them."
)
class UserGeo:
    countryCode: Optional[str] = strawberry.field(
        description="`country_code`: two-letter ISO 3166 country code."
    )
    city: Optional[str] = strawberry.field(description="The city name.")
    region: Optional[str] = strawberry.field(
        description="The region name (Sentry sends the country name here, e.g. `United States`)."
    )
    subdivision: Optional[str] = strawberry.field(
        description="The country subdivision (state, province ...)."
    )
    raw: Optional[JSON] = strawberry.field(
        description="The whole `geo` object as Sentry sent it (snake_case keys), including "
        "keys not typed here."
    )


@strawberry.type(
    description="The user affected by the event (Sentry's user interface). Sentry sends every "
    "key, with null values where unknown."
)
class EventUser:
    id: Optional[str] = strawberry.field(
        description="The application's own id for the user (not a Sentry id); null if not sent."
    )
    email: Optional[str] = strawberry.field(description="The user's email address; null if not sent.")
    username: Optional[str] = strawberry.field(description="The user's username; null if not sent.")
    ipAddress: Optional[str] = strawberry.field(
        description="`ip_address`: the user's IP address; null if not sent."
    )
    name: Optional[str] = strawberry.field(description="The user's display name; null if not sent.")
    geo: Optional[UserGeo] = strawberry.field(
        description="Location derived from the IP address; null when Sentry has none (and in "
        "events from before 2020)."
    )
    data: Optional[JSON] = strawberry.field(
        description="Any other user attributes the SDK sent; null or `{}` when none."
    )


@strawberry.type(description="The SDK that sent the event.")
class EventSdk:
    name: Optional[str] = strawberry.field(
        description="The SDK's name (e.g. `sentry.python`, `sentry.javascript.browser`)."
    )
    version: Optional[str] = strawberry.field(description="The SDK's version.")
    upstream: Optional[JSON] = strawberry.field(
        description="Only in responses of about 2020 and earlier: the newest release of the "
        "SDK (`{name, url, isNewer}`), as sent; null otherwise."
    )


@strawberry.type(description="One tag of the event.")
class EventTag:
    key: str = strawberry.field(
        description="The tag key, with Sentry's internal `sentry:` prefix removed (e.g. "
        "`release`, `environment`, `browser.name`)."
    )
    value: Optional[str] = strawberry.field(description="The tag value; null if Sentry sent no string.")
    query: Optional[str] = strawberry.field(
        description="For `user` tags only, the search query that finds the user (e.g. "
        "`user.id:\"1\"`); null otherwise."
    )


@strawberry.type(description="A problem Sentry met while processing the event.")
class EventError:
    type: Optional[str] = strawberry.field(
        description="The error's kind (e.g. `js_no_source`, `fetch_generic_error`)."
    )
    message: Optional[str] = strawberry.field(description="Human-readable description of the error.")
    data: Optional[JSON] = strawberry.field(
        description="Details of the error (the stored error minus `type`, snake_case keys), as "
        "sent; null when none."
    )


@strawberry.type(
    description="A file attached to the event (Sentry's EventAttachment serialization); here "
    "the minidump of a native crash."
)
class EventAttachment:
    id: Optional[strawberry.ID] = strawberry.field(
        description="Sentry's attachment id; null if not sent."
    )
    eventId: Optional[str] = strawberry.field(
        description="`event_id`: the event the attachment belongs to."
    )
    type: Optional[str] = strawberry.field(
        description="The attachment type (e.g. `event.minidump`)."
    )
    name: Optional[str] = strawberry.field(
        description="The file name. If Sentry sent a bare string instead of an object (the "
        "published spec types `crashFile` as a string), it is here and the other fields are null."
    )
    mimetype: Optional[str] = strawberry.field(description="The file's MIME type.")
    dateCreated: Optional[DateTime] = strawberry.field(description="When Sentry stored the file.")
    size: Optional[int] = strawberry.field(
        description="Size in bytes; null if not sent or above 2147483647."
    )
    headers: Optional[JSON] = strawberry.field(description="The stored HTTP-style headers, as sent.")
    sha1: Optional[str] = strawberry.field(description="SHA-1 of the content, hex.")


@strawberry.type(description="The grouping configuration Sentry used to group the event into its issue.")
class GroupingConfig:
    id: Optional[str] = strawberry.field(
        description="The grouping strategy (e.g. `newstyle:2023-01-11`, `legacy:2019-03-12`)."
    )
    enhancements: Optional[str] = strawberry.field(
        description="The encoded stack-trace grouping enhancements; null when not sent."
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

    sentryID: Optional[str] = strawberry.field(
        description="Sentry's `id` key: equal to eventID today; a database row id in responses "
        "from 2020 and earlier."
    )
    eventID: str = strawberry.field(
        description="The event id: 32 lowercase hex characters (`\"\"` if Sentry sent none)."
    )
    groupID: Optional[str] = strawberry.field(
        description="The id of the issue (group) the event belongs to; null for events without one."
    )
    projectID: Optional[str] = strawberry.field(description="The id of the event's project.")
    size: Optional[int] = strawberry.field(
        description="Size of the stored event in bytes; null if not sent."
    )
    entries: list[EventEntry] = strawberry.field(
        description="The event's interfaces (exception, stack trace, message, request, "
        "breadcrumbs ...), in Sentry's display order; `[]` when none."
    )
    dist: Optional[str] = strawberry.field(
        description="The distribution (build variant) of the release; null when not set."
    )
    message: Optional[str] = strawberry.field(
        description="The event's message: the formatted log message, else the message template, "
        "else the raw message; may be `\"\"`."
    )
    title: Optional[str] = strawberry.field(
        description="The event's title as Sentry computes it (e.g. `ValueError: bad input`)."
    )
    location: Optional[str] = strawberry.field(
        description="Where the event happened (usually a file name); null if unknown."
    )
    user: Optional[EventUser] = strawberry.field(
        description="The affected user; null when the event has none."
    )
    contexts: Optional[JSON] = strawberry.field(
        description="The event's contexts (`os`, `browser`, `runtime`, `trace` ...), keyed by "
        "alias, each with its `type`; `{}` when there are none. Numbers longer than 15 digits "
        "are strings."
    )
    sdk: Optional[EventSdk] = strawberry.field(
        description="The SDK that sent the event; null if unknown."
    )
    context: Optional[JSON] = strawberry.field(
        description="The event's additional data (the SDK's `extra`); `{}` when none."
    )
    packages: Optional[JSON] = strawberry.field(
        description="Loaded packages and their versions (the SDK's `modules`); `{}` when none."
    )
    type: Optional[str] = strawberry.field(
        description="The event type: `default`, `error`, `csp`, `nel`, `hpkp`, `expectct`, "
        "`expectstaple`, `transaction`, `generic` or `feedback`."
    )
    metadata: Optional[JSON] = strawberry.field(
        description="Sentry's summary of the event used for the issue's title (snake_case keys "
        "such as `type`, `value`, `filename`, `function`, `title`)."
    )
    tags: list[EventTag] = strawberry.field(
        description="The event's tags, sorted by key; `[]` when none."
    )
    platform: Optional[str] = strawberry.field(
        description="The platform of the SDK (`python`, `javascript`, `native` ...); null if unknown."
    )
    dateCreated: Optional[DateTime] = strawberry.field(
        description="When the event happened (its timestamp), as Sentry sent it. Its "
        "precision depends on where the event was read: an item of `Issue.events` carries "
        "whole seconds (Sentry's list endpoint takes it from its search index, which stores "
        "seconds), while `Issue.event`, `latestEvent`, `oldestEvent`, `recommendedEvent` and "
        "`node` (Sentry's detail endpoint) carry microseconds. So the same event can read "
        "`12:00:05Z` in a list and `12:00:05.731204Z` in detail. Null for transaction "
        "events, which have `startTimestamp` / `endTimestamp` instead."
    )
    dateReceived: Optional[DateTime] = strawberry.field(
        description="When Sentry received the event; null if unknown."
    )
    errors: list[EventError] = strawberry.field(
        description="Problems Sentry met while processing the event (Sentry hides some kinds); "
        "`[]` when none."
    )
    occurrence: Optional[JSON] = strawberry.field(
        description="Issue-platform events (performance, feedback ...): the occurrence that "
        "made the issue, keys camelCased recursively; null for error events."
    )
    meta: Optional[JSON] = strawberry.field(
        description="Sentry's `_meta`: why values were scrubbed or trimmed, keyed like the "
        "event (`entries` by entry index); mostly nulls and `{}`."
    )
    crashFile: Optional[EventAttachment] = strawberry.field(
        description="Native events: the minidump attachment; null otherwise and for transaction "
        "events."
    )
    culprit: Optional[str] = strawberry.field(
        description="The function or transaction most likely responsible; null if unknown and "
        "for transaction events."
    )
    fingerprints: Optional[list[str]] = strawberry.field(
        description="The hashes that grouped the event into its issue (error and default "
        "events); null for transaction events and when not sent."
    )
    groupingConfig: Optional[GroupingConfig] = strawberry.field(
        description="The grouping configuration used (error and default events); null otherwise."
    )
    startTimestamp: Optional[float] = strawberry.field(
        description="Transaction events: start time in seconds since the Unix epoch; null "
        "otherwise."
    )
    endTimestamp: Optional[float] = strawberry.field(
        description="Transaction events: end time in seconds since the Unix epoch; null otherwise."
    )
    measurements: Optional[JSON] = strawberry.field(
        description="Transaction events: measurements such as web vitals (`{name: {value, "
        "unit}}`); null otherwise."
    )
    breakdowns: Optional[JSON] = strawberry.field(
        description="Transaction events: span operation breakdowns; null otherwise."
    )
    release: Optional[JSON] = strawberry.field(
        description="The event's release: the full release serialization, or `{version}` when "
        "Sentry has no release record; null when the event has no release." + _DETAIL
    )
    userReport: Optional[JSON] = strawberry.field(
        description="The user feedback attached to the event; null when none." + _DETAIL
    )
    sdkUpdates: Optional[list[JSON]] = strawberry.field(
        description="Suggested SDK updates, as Sentry sends them; `[]` when none." + _DETAIL
    )
    resolvedWith: Optional[list[Optional[str]]] = strawberry.field(
        description="How the issue was resolved, as Sentry sends it; items may be null (e.g. "
        "`[null]`)." + _DETAIL
    )
    nextEventID: Optional[str] = strawberry.field(
        description="The id of the next (newer) event of the issue under the same filters; null "
        "when this is the newest." + _DETAIL
    )
    previousEventID: Optional[str] = strawberry.field(
        description="The id of the previous (older) event of the issue under the same filters; "
        "null when this is the oldest." + _DETAIL
    )


# --- converters --------------------------------------------------------------------------


def _geo_from_json(value: Any) -> UserGeo | None:
    data = mapping(value)
    if data is None:
        return None
    return UserGeo(
        countryCode=string(data.get("country_code")),
        city=string(data.get("city")),
        region=string(data.get("region")),
        subdivision=string(data.get("subdivision")),
        raw=data,
    )


def _user_from_json(value: Any) -> EventUser | None:
    data = mapping(value)
    if data is None:
        return None
    return EventUser(
        id=identifier(data.get("id")),
        email=string(data.get("email")),
        username=string(data.get("username")),
        ipAddress=string(data.get("ip_address")),
        name=string(data.get("name")),
        geo=_geo_from_json(data.get("geo")),
        data=data.get("data"),
    )


def _sdk_from_json(value: Any) -> EventSdk | None:
    data = mapping(value)
    if data is None:
        return None
    return EventSdk(
        name=string(data.get("name")),
        version=string(data.get("version")),
        upstream=data.get("upstream"),
    )


def _tags_from_json(value: Any) -> list[EventTag]:
    """Tags with a string key; anything else in the list is skipped. `_meta` is ignored."""
    if not isinstance(value, list):
        return []
    return [
        EventTag(key=tag["key"], value=string(tag.get("value")), query=string(tag.get("query")))
        for tag in value
        if (type(tag) is dict or isinstance(tag, Mapping)) and type(tag.get("key")) is str
    ]


def _errors_from_json(value: Any) -> list[EventError]:
    if not isinstance(value, list):
        return []
    return [
        EventError(
            type=string(error.get("type")),
            message=string(error.get("message")),
            data=error.get("data"),
        )
        for error in value
        if type(error) is dict or isinstance(error, Mapping)
    ]


def _attachment_from_json(value: Any) -> EventAttachment | None:
    if type(value) is str:
        return EventAttachment(
            id=None, eventId=None, type=None, name=value, mimetype=None,
            dateCreated=None, size=None, headers=None, sha1=None,
        )  # fmt: skip
    data = mapping(value)
    if data is None:
        return None
    get = data.get
    return EventAttachment(
        id=identifier(get("id")),
        eventId=string(get("event_id")),
        type=string(get("type")),
        name=string(get("name")),
        mimetype=string(get("mimetype")),
        dateCreated=string(get("dateCreated")),
        size=integer(get("size")),
        headers=get("headers"),
        sha1=string(get("sha1")),
    )


def _grouping_config_from_json(value: Any) -> GroupingConfig | None:
    data = mapping(value)
    if data is None:
        return None
    return GroupingConfig(id=string(data.get("id")), enhancements=string(data.get("enhancements")))


def _entries_from_json(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return []
    return [entry_from_json(entry) for entry in value if entry is not None]


def event_from_json(
    data: Mapping[str, Any],
    *,
    issue_id: str,
    origin: Origin,
    fields: AbstractSet[str] | None = None,
) -> Event:
    """Build an `Event` from one of Sentry's event serializations (see the module docstring).

    ``issue_id`` is the issue the event was fetched through (it goes into the
    global id); ``origin`` says which serializer produced ``data``. Never raises.

    ``fields``, when given, names the `Event` fields the query reads; the
    others are left empty (null, ``[]``) instead of converted. Only for an
    `Event` that nothing else reads, such as the nodes of one connection: a
    page of 100 full events holds thousands of frames and breadcrumbs a list
    query never looks at, and even a small page's unread fields are most of
    its conversion.
    """
    is_object = type(data) is dict or isinstance(data, Mapping)
    source = _EventSource(data if is_object else {}, issue_id, origin)
    values = dict(_UNREAD)
    values["entries"], values["tags"], values["errors"] = [], [], []  # the non-null lists, never shared
    if fields is None:
        for name, read in _READERS.items():
            values[name] = read(source)
    else:
        for name in fields:
            reader = _READERS.get(name)
            if reader is not None:
                values[name] = reader(source)
    # `values` holds every field, so this is the instance Event(**values) makes,
    # without a 39-keyword call: that call cost more than converting a small
    # event's selected fields (2.8 of 4.9 µs per event). `values` becomes the
    # instance's own attribute dict, not copied into a fresh one.
    event = object.__new__(Event)
    event.__dict__ = values
    return event


class _EventSource:
    """One event's JSON with what every field reader needs to know about it."""

    __slots__ = ("data", "get", "issue_id", "simple", "detail", "event_id", "event_type", "transaction")

    def __init__(self, data: Mapping[str, Any], issue_id: str, origin: Origin) -> None:
        self.data = data
        self.get = get = data.get
        self.issue_id = issue_id
        if origin == "simple" and "event.type" not in data and ("type" in data or "entries" in data):
            origin = "full"  # a direct hit: Sentry used the full serializer despite full=false
        self.simple = origin == "simple"
        self.detail = origin == "detail"
        self.event_id = identifier(get("eventID")) or ""
        # the simple serializer's dotted key wins wherever it appears (lists read with origin
        # "detail" in tests, older servers); the full serializers send `type`
        self.event_type = string(get("event.type") if "event.type" in data else get("type"))
        self.transaction = self.event_type == "transaction"

    def full(self, key: str) -> Any:
        """A key only the full serializers have."""
        return None if self.simple else self.get(key)

    def only_detail(self, key: str) -> Any:
        return self.get(key) if self.detail else None


def canonical_issue_id(group_id: object, issue_id: str) -> str:
    """The numeric issue id an event belongs to: its ``groupID`` when Sentry sent one.

    Global ids are built on it, so an event reached through a short id
    (``PROJ-1A``) or through an issue merged into another has the same id as
    through the numeric id of the issue that holds it.
    """
    group = identifier(group_id)
    return group if group is not None and group.isdigit() else issue_id


def _tags(source: _EventSource) -> list[EventTag]:
    tags = _tags_from_json(source.get("tags"))
    if source.simple:
        tags.sort(key=lambda tag: tag.key)
    return tags


#: `Event` field -> how it is read from an `_EventSource`.
_READERS: dict[str, Callable[[_EventSource], Any]] = {
    "id": lambda s: encode_global_id("Event", f"{canonical_issue_id(s.get('groupID'), s.issue_id)}:{s.event_id}"),
    "sentryID": lambda s: identifier(s.get("id")),
    "eventID": lambda s: s.event_id,
    "groupID": lambda s: identifier(s.get("groupID")),
    "projectID": lambda s: identifier(s.get("projectID")),
    "size": lambda s: integer(s.full("size")),
    "entries": lambda s: _entries_from_json(s.full("entries")),
    "dist": lambda s: string(s.full("dist")),
    "message": lambda s: string(s.full("message")),
    "title": lambda s: string(s.get("title")),
    "location": lambda s: string(s.get("location")),
    "user": lambda s: _user_from_json(s.get("user")),
    "contexts": lambda s: s.full("contexts"),
    "sdk": lambda s: _sdk_from_json(s.full("sdk")),
    "context": lambda s: s.full("context"),
    "packages": lambda s: s.full("packages"),
    "type": lambda s: s.event_type,
    "metadata": lambda s: s.get("metadata"),
    "tags": _tags,
    "platform": lambda s: string(s.get("platform")),
    "dateCreated": lambda s: None if s.transaction else string(s.get("dateCreated")),
    "dateReceived": lambda s: string(s.full("dateReceived")),
    "errors": lambda s: _errors_from_json(s.full("errors")),
    "occurrence": lambda s: s.full("occurrence"),
    "meta": lambda s: s.full("_meta"),
    "crashFile": lambda s: None if s.transaction else _attachment_from_json(s.get("crashFile")),
    "culprit": lambda s: None if s.transaction else string(s.get("culprit")),
    "fingerprints": lambda s: string_list(s.full("fingerprints")),
    "groupingConfig": lambda s: _grouping_config_from_json(s.full("groupingConfig")),
    "startTimestamp": lambda s: number(s.full("startTimestamp")),
    "endTimestamp": lambda s: number(s.full("endTimestamp")),
    "measurements": lambda s: s.full("measurements"),
    "breakdowns": lambda s: s.full("breakdowns"),
    "release": lambda s: s.only_detail("release"),
    "userReport": lambda s: s.only_detail("userReport"),
    "sdkUpdates": lambda s: json_list(s.only_detail("sdkUpdates")),
    "resolvedWith": lambda s: nullable_string_list(s.only_detail("resolvedWith")),
    "nextEventID": lambda s: string(s.only_detail("nextEventID")),
    "previousEventID": lambda s: string(s.only_detail("previousEventID")),
}

#: What a field nobody reads holds: empty, of its type.
_UNREAD: dict[str, Any] = {name: None for name in _READERS} | {"eventID": "", "id": ""}


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
