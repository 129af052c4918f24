"""`Issue`: a Sentry issue, its own fields, its tag facets and its events.

An `Issue` starts as a lazy handle: `resolve_issue` looks at what the query
selects below it. Its own fields (`IssueFields`: title, status, count ...)
are loaded through the request's issue loader, which batches every issue of
the request into one call to Sentry's organization issue index; its event
fields and `tags` make their own calls; a query of `events` alone makes no
issue call at all. An unknown issue is ``NOT_FOUND``: on the issue itself when
its own fields were asked for, else on the event field that asked.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from strawberry import UNSET
from strawberry.types import Info

from gateway.sentry.errors import InvalidInput
from gateway.sentry.filters import EventFilters
from gateway.sentry.errors import NotFound
from gateway.sentry.ids import SPECIAL_EVENT_IDS, validate_event_id, validate_issue_id

from gateway.schema.types.connection import EventConnection
from gateway.schema.execution.context import RequestContext
from gateway.schema.types.event import SIMPLE_FIELD_KEYS, Event, canonical_issue_id, event_from_json
from gateway.schema.types.issue_fields import ISSUE_DATA_FIELDS, IssueFields, issue_fields_from_json
from gateway.schema.types.node import InvalidGlobalId, Node, decode_global_id, encode_global_id
from gateway.schema.mapping.declare import given_field
from gateway.schema.paging.pagination import PagingError, check_date_range
from gateway.schema.types.scalars import DateTime
from gateway.schema.execution.selection import child_field_names_on, connection_node_fields, selects_cursors
from gateway.schema.types.tags import TagFacet, tag_facets_from_json
from gateway.schema.paging.traversal import EventsQuery, resolve_events

QueryArg = Annotated[
    str | None,
    strawberry.argument(
        description="Sentry search syntax (e.g. `environment:production user.email:a@b.c`), "
        "as in Sentry's `query` parameter."
    ),
]
EnvironmentArg = Annotated[
    list[str] | None,
    strawberry.argument(description="Only events from these environments (any of them)."),
]
StartArg = Annotated[
    DateTime | None,
    strawberry.argument(description="Start of the time window; give it together with `end`."),
]
EndArg = Annotated[
    DateTime | None,
    strawberry.argument(description="End of the time window; give it together with `start`."),
]
StatsPeriodArg = Annotated[
    str | None,
    strawberry.argument(
        description="A window ending now, such as `24h`, `14d`, `2w` (units s, m, h, d, w; a bare "
        "number is seconds). Wins over `start`/`end`, as in Sentry."
    ),
]


async def numeric_issue_id(info: Info[RequestContext, None], issue_id: str) -> str:
    """Sentry's numeric id of the issue `issue_id` (a short id) names.

    From the issue's own JSON (its ``id``), through the request's batched issue
    loader: the same call as the existence check and the issue's own fields,
    so it is made once per request whatever else is selected.
    """
    data = await info.context.loaders.issue(issue_id)
    return canonical_issue_id(data.get("id") if isinstance(data, dict) else None, issue_id)


#: How latestEvent, oldestEvent and recommendedEvent answer "no event matches".
NULL_WHEN_NO_MATCH = (
    " Null when the issue exists but no event matches the filters (an unknown issue, or an "
    "unknown environment, is a NOT_FOUND error)."
)


def _given(value: Any) -> Any:
    """None for an argument the caller left out (arguments default to UNSET so the
    SDL reads `first: Int`, not `first: Int = null`)."""
    return None if value is UNSET else value


#: Bounds on the filter arguments, checked before any call: each ends up in a
#: URL, and an absurd one (a 500 KB `query`, a `statsPeriod` of 5,000 digits)
#: is a mistake or an attack, not a search. Sentry's own environment names
#: are at most 64 characters; its periods are a few digits and a unit.
MAX_QUERY_LENGTH = 4096
MAX_ENVIRONMENTS = 100
MAX_ENVIRONMENT_LENGTH = 64
MAX_STATS_PERIOD_LENGTH = 16


def _check_filter_sizes(query: str | None, environment: list[str] | None, statsPeriod: str | None) -> None:
    """Refuse filter arguments too long to be meant (`PagingError`: ``BAD_USER_INPUT``)."""
    if query is not None and len(query) > MAX_QUERY_LENGTH:
        raise PagingError(f"`query` is {len(query)} characters long; at most {MAX_QUERY_LENGTH} are accepted.")
    if environment is not None:
        if len(environment) > MAX_ENVIRONMENTS:
            raise PagingError(f"`environment` lists {len(environment)} names; at most {MAX_ENVIRONMENTS} are accepted.")
        if any(len(name) > MAX_ENVIRONMENT_LENGTH for name in environment):
            raise PagingError(
                f"An `environment` name is longer than {MAX_ENVIRONMENT_LENGTH} characters, "
                "which no Sentry environment is."
            )
    if statsPeriod is not None and len(statsPeriod) > MAX_STATS_PERIOD_LENGTH:
        raise PagingError(f"`statsPeriod` is {len(statsPeriod)} characters long; pass a period such as `24h` or `14d`.")


def _filters(
    query: str | None,
    environment: list[str] | None,
    start: object | None,
    end: object | None,
    statsPeriod: str | None,
    sample: bool = False,
) -> EventFilters:
    _check_filter_sizes(_given(query), _given(environment), _given(statsPeriod))
    filters = EventFilters(
        query=_given(query) or None,
        environment=tuple(_given(environment) or ()),
        start=_given(start),
        end=_given(end),
        stats_period=_given(statsPeriod) or None,
        sample=sample,
    )
    check_date_range(filters)
    return filters


#: The fields of `Issue` that call Sentry themselves (and report an unknown issue).
EVENT_FIELDS = frozenset({"events", "event", "latestEvent", "oldestEvent", "recommendedEvent"})
_CALLING_FIELDS = EVENT_FIELDS | {"tags"}
#: Types whose fragments apply to an `Issue` (itself, its interface, the federation union).
_ISSUE_TYPES = frozenset({"Issue", "Node", "_Entity"})


@strawberry.federation.type(
    keys=["issueId", "id"],
    description="A Sentry issue (a group of similar events): its own fields from Sentry's issue "
    "serializer, its tag facets, and its events. A federation entity keyed by `issueId` or `id`; "
    "many issues in one request are fetched in one call to Sentry's issue index.",
)
class Issue(Node, IssueFields):
    issueId: strawberry.ID = given_field(
        description="Sentry's issue id exactly as the caller gave it (in `issue(id:)`, a "
        "federation representation or the global id): numeric, or a short id such as `PROJ-1A` "
        "when the gateway is configured with an organization. Use `id` to tell issues apart: "
        "two `issueId`s (`PROJ-1A` and `42`) may name the same issue."
    )

    # Node's `id` field, resolved here: strawberry allows it, mypy's dataclass check does not.
    @strawberry.field(  # type: ignore[misc]
        description="Opaque global id of this issue; pass it to `Query.node(id:)` to refetch it. "
        "Built on Sentry's numeric issue id, so it is the same whether the issue was reached by "
        "numeric id or by short id (a short id costs one small call to learn the numeric id)."
    )
    async def id(self, info: Info[RequestContext, None]) -> strawberry.ID:
        issue_id = str(self.issueId)
        if not issue_id.isdigit():
            issue_id = await numeric_issue_id(info, issue_id)
        return strawberry.ID(encode_global_id("Issue", issue_id))

    @classmethod
    async def resolve_reference(cls, info: Info[RequestContext, None], **representation: object) -> Issue:
        """Federation: the issue for ``{issueId}`` or ``{id}``, through the batched loader."""
        if "issueId" in representation:
            return await resolve_issue(info, str(representation["issueId"]))
        type_name, key = decode_global_id(str(representation.get("id", "")))
        if type_name != "Issue":
            raise InvalidGlobalId(f"{representation.get('id')!r} is not the id of an Issue")
        return await resolve_issue(info, key)

    @classmethod
    def for_id(cls, issue_id: str, *, org_scoped: bool) -> Issue:
        """The issue with Sentry id `issue_id`, validated before any call."""
        validate_issue_id(issue_id, org_scoped=org_scoped)
        return cls(issueId=strawberry.ID(issue_id))  # type: ignore[call-arg]  # `id` is a resolver, not an init argument

    def with_fields(self, data: dict[str, Any]) -> Issue:
        """This issue with its own fields filled from Sentry's issue JSON."""
        return Issue(issueId=self.issueId, **issue_fields_from_json(data))

    @strawberry.field(
        description="Tag facets: the tag keys of the issue's events, each with its most frequent "
        "values (Sentry's `GET /issues/{id}/tags/`), sorted by key."
    )
    async def tags(
        self,
        info: Info[RequestContext, None],
        key: Annotated[
            str | None,
            strawberry.argument(description="Only this tag key (`user` and `sentry:user` both work, as in Sentry)."),
        ] = UNSET,
        limit: Annotated[
            int | None,
            strawberry.argument(description="Top values per key, 1 to 1000 (Sentry's default: 10, or 9 with `key`)."),
        ] = UNSET,
        environment: EnvironmentArg = UNSET,
    ) -> list[TagFacet]:
        wanted = _given(limit)
        if wanted is not None and not 1 <= wanted <= 1000:
            raise InvalidInput(f"limit must be between 1 and 1000, not {wanted}.")
        items = await info.context.loaders.tags(
            str(self.issueId), key=_given(key), limit=wanted, environment=tuple(_given(environment) or ())
        )
        return tag_facets_from_json(items)

    @strawberry.field(
        description="The issue's events, newest first, as a Relay connection over Sentry's "
        "`GET /issues/{id}/events/`. Pass exactly one of `first` or `last` (1 to 100). Sentry orders "
        "by whole seconds with no order among events of one second; this connection breaks those "
        "ties by `eventID`, descending, and its cursors hold an edge's place in that order (second "
        "and event id), not an offset: Sentry stores events late, anywhere in the list, so an "
        "offset points at another event from one call to the next. The guarantee, in both "
        "directions: every event that existed when you began paging and still exists appears exactly "
        "once, in that order; an event stored or deleted meanwhile never makes another repeat or "
        "vanish, and one stored meanwhile appears at most once. The time window is pinned, in whole "
        "seconds, on the first page. One limit: a second holding more than 100 events is read in "
        "several calls, and if Sentry reorders it between them the response says so in "
        "`extensions.pagingWarnings` (code `PAGING_INEXACT`). With `sample: true` Sentry's order is "
        "a hash, and cursors are offsets, without this guarantee."
    )
    async def events(
        self,
        info: Info[RequestContext, None],
        first: Annotated[
            int | None, strawberry.argument(description="Page forward: this many events (1-100).")
        ] = UNSET,
        after: Annotated[str | None, strawberry.argument(description="Page forward from this edge's cursor.")] = UNSET,
        last: Annotated[
            int | None,
            strawberry.argument(
                description="Page backward: this many events (1-100), the oldest ones when there is no `before`."
            ),
        ] = UNSET,
        before: Annotated[
            str | None, strawberry.argument(description="Page backward from this edge's cursor.")
        ] = UNSET,
        query: Annotated[
            str | None,
            strawberry.argument(
                description="Sentry search syntax (e.g. `environment:production user.email:a@b.c`), "
                "as in Sentry's `query` parameter. A bare event id finds that event directly."
            ),
        ] = UNSET,
        environment: EnvironmentArg = UNSET,
        start: StartArg = UNSET,
        end: EndArg = UNSET,
        statsPeriod: StatsPeriodArg = UNSET,
        sample: Annotated[
            bool | None,
            strawberry.argument(
                description="Sentry's deterministic pseudo-random order instead of newest first "
                "(null is the same as false)."
            ),
        ] = False,
    ) -> EventConnection:
        fields = connection_node_fields(info._raw_info) - {"__typename"}
        full = any(name not in SIMPLE_FIELD_KEYS for name in fields)
        simple_keys = frozenset(SIMPLE_FIELD_KEYS[name] for name in fields if name in SIMPLE_FIELD_KEYS)
        events_query = EventsQuery(
            issue_id=str(self.issueId),
            filters=_filters(query, environment, start, end, statsPeriod, bool(sample)),
            first=_given(first),
            last=_given(last),
            after=_given(after),
            before=_given(before),
            full=full,
            simple_keys=frozenset() if full else simple_keys,
            node_fields=frozenset(fields),
            cursors=selects_cursors(info._raw_info),
        )
        context = info.context
        return await resolve_events(context.loaders, context.codec, events_query, context.now, context.paging_warnings)

    @strawberry.field(
        description="One event of this issue by its event id (Sentry's event detail endpoint), "
        "with `nextEventID` and `previousEventID`."
    )
    async def event(
        self,
        info: Info[RequestContext, None],
        eventID: Annotated[str, strawberry.argument(description="The event id: 32 hex characters (dashes allowed).")],
    ) -> Event | None:
        validate_event_id(eventID, issue_id=str(self.issueId))
        return await self._detail(info, eventID, EventFilters())

    @strawberry.field(description="The newest event of the issue that matches the filters." + NULL_WHEN_NO_MATCH)
    async def latestEvent(
        self,
        info: Info[RequestContext, None],
        query: QueryArg = UNSET,
        environment: EnvironmentArg = UNSET,
        start: StartArg = UNSET,
        end: EndArg = UNSET,
        statsPeriod: StatsPeriodArg = UNSET,
    ) -> Event | None:
        return await self._detail(info, "latest", _filters(query, environment, start, end, statsPeriod))

    @strawberry.field(description="The oldest event of the issue that matches the filters." + NULL_WHEN_NO_MATCH)
    async def oldestEvent(
        self,
        info: Info[RequestContext, None],
        query: QueryArg = UNSET,
        environment: EnvironmentArg = UNSET,
        start: StartArg = UNSET,
        end: EndArg = UNSET,
        statsPeriod: StatsPeriodArg = UNSET,
    ) -> Event | None:
        return await self._detail(info, "oldest", _filters(query, environment, start, end, statsPeriod))

    @strawberry.field(
        description="The event Sentry recommends looking at first (most helpful data) among "
        "those that match the filters." + NULL_WHEN_NO_MATCH
    )
    async def recommendedEvent(
        self,
        info: Info[RequestContext, None],
        query: QueryArg = UNSET,
        environment: EnvironmentArg = UNSET,
        start: StartArg = UNSET,
        end: EndArg = UNSET,
        statsPeriod: StatsPeriodArg = UNSET,
    ) -> Event | None:
        return await self._detail(info, "recommended", _filters(query, environment, start, end, statsPeriod))

    async def _detail(self, info: Info[RequestContext, None], event_id: str, filters: EventFilters) -> Event | None:
        issue_id = str(self.issueId)
        try:
            data = await info.context.loaders.event(issue_id, event_id, filters)
        except NotFound as exc:
            # latest/oldest/recommended on an issue that exists, with no event
            # matching the filters: an answer ("none"), not a failure. Sentry
            # says so in its own words; an unknown issue stays NOT_FOUND.
            if event_id in SPECIAL_EVENT_IDS and exc.no_matching_event:
                return None
            raise
        return event_from_json(data, issue_id=issue_id, origin="detail")


async def resolve_issue(info: Info[RequestContext, None], issue_id: str) -> Issue:
    """The issue `issue_id`, with what the query selects below it loaded.

    Its own fields selected: the batched issue loader (an id Sentry does not
    answer makes this issue null with ``NOT_FOUND``). Else, when an event field
    or `tags` is selected, nothing here: those fields call Sentry and report an
    unknown issue themselves. Else (only `id`, `issueId`) one existence check:
    the batched issue loader when the organization is known, otherwise the
    smallest events page (the detail route is limited to 5 calls a second).
    """
    loaders = info.context.loaders
    issue = Issue.for_id(issue_id, org_scoped=loaders.org_scoped)
    names = child_field_names_on(info._raw_info, _ISSUE_TYPES)
    if names & ISSUE_DATA_FIELDS:
        return issue.with_fields(await loaders.issue(issue_id))
    if names & _CALLING_FIELDS:
        return issue
    if await loaders.organization() is not None:
        await loaders.issue(issue_id)
    else:
        await loaders.page(issue_id, cursor=None, per_page=1, full=False, filters=EventFilters())
    return issue
