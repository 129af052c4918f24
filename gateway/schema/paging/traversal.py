"""Resolve one `Issue.events` page: GraphQL paging arguments -> Sentry calls.

The pure cursor rules live in `pagination`; the exact paging algorithm in
`seek`; this module spends upstream calls. Three strategies:

* value (today's Sentry, the default): positions by value, pages asked for
  with whole-second ``start``/``end`` relative to the cursor's place
  (`gateway.schema.paging.seek`), so events stored late or deleted never make an
  event repeat or vanish.
* offset (``sample=true``): Sentry orders by a hash of the event id, which no
  time bound can follow, so positions are offsets in the pinned window; a
  stored or deleted event can shift them (documented).
* page (older Sentry with value cursors, detected from its Link header): only
  cursors Sentry handed out are ever sent. Forward paging continues from the
  page that held the `after` event; backward paging walks the list from the
  start, which costs more calls but never trusts Sentry's old "previous" cursors.

All calls go through the request's loaders, so repeated pages are free.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, replace
from typing import Any

from gateway.sentry.filters import EventFilters
from gateway.sentry.links import PageLinks
from gateway.sentry.loaders import SentryLoaders

from gateway.schema.types.connection import EventConnection, EventEdge, PageInfo
from gateway.schema.types.event import event_from_json
from gateway.schema.paging.pagination import (
    MAX_PAGE_SIZE,
    CursorCodec,
    epoch_seconds,
    from_epoch_seconds,
    CursorError,
    CursorState,
    PagingError,
    Position,
    backward_span,
    check_date_range,
    connection_binding,
    forward_span,
    locate_end,
    pin_window,
    validate_page_size,
    window_filters,
)
from gateway.sentry.errors import BadUpstreamResponse

from gateway.schema.paging.seek import SeekPage, Slice, row_from_event, seek_backward, seek_forward

#: The most pages one walk over value cursors may fetch (100 events each):
#: beyond that an upstream that never stops saying "more" is refused.
MAX_WALK_PAGES = 100

__all__ = ["EventsQuery", "resolve_events"]


@dataclass(frozen=True, slots=True)
class EventsQuery:
    """Everything one `events(...)` field asks for."""

    issue_id: str
    filters: EventFilters
    first: int | None = None
    last: int | None = None
    after: str | None = None
    before: str | None = None
    full: bool = False
    #: JSON keys the selection reads from simple items; if an older Sentry's
    #: simple serializer lacks one, the page is fetched again in full.
    simple_keys: frozenset[str] = frozenset()
    #: `Event` fields the selection reads (None: all); the events are built
    #: for this selection only, so the others need not be converted.
    node_fields: frozenset[str] | None = None
    #: False when no cursor is selected: edges then carry an empty one.
    cursors: bool = True


@dataclass(frozen=True, slots=True)
class _Page:
    events: list[dict[str, Any]]
    links: PageLinks
    full: bool

    @property
    def more(self) -> bool:
        return bool(self.links.next and self.links.next.results)

    @property
    def value_cursors(self) -> bool:
        """True when Sentry pages this list with value cursors (older versions)."""
        return any(
            link is not None and not link.cursor.is_offset_cursor for link in (self.links.previous, self.links.next)
        )


@dataclass(slots=True)
class _Located:
    """An event and where it sits, before it becomes an edge."""

    event: dict[str, Any]
    position: Position
    full: bool


async def resolve_events(
    loaders: SentryLoaders,
    codec: CursorCodec,
    query: EventsQuery,
    now: dt.datetime,
    warnings: list[dict[str, Any]] | None = None,
) -> EventConnection:
    """One page of `query`, as a Relay connection.

    Where Sentry makes an exact page impossible (`seek.SeekPage.inexact`), a
    ``PAGING_INEXACT`` entry is appended to `warnings` (the response's
    ``extensions.pagingWarnings``): never silently.
    """
    traversal = _Traversal(loaders, codec, query, now)
    connection = await traversal.run()
    if traversal.inexact and warnings is not None:
        warnings.extend(
            {"code": "PAGING_INEXACT", "issueId": query.issue_id, "message": reason} for reason in traversal.inexact
        )
    return connection


class _OlderSentry(Exception):
    """The list answered with value cursors: an older Sentry, paged by its own cursors."""


class _Traversal:
    def __init__(self, loaders: SentryLoaders, codec: CursorCodec, query: EventsQuery, now: dt.datetime) -> None:
        validate_page_size(query.first, query.last)
        check_date_range(query.filters)
        self.loaders = loaders
        self.codec = codec
        self.query = query
        self.after = self._decode(query.after)
        self.before = self._decode(query.before)
        self.window = self._window(now)
        self.upstream_filters = window_filters(query.filters, self.window)
        self.inexact: list[str] = []
        #: The calls `seek` made: when it makes one again (to see whether Sentry's list
        #: changed, or to retry a walk), the request's loaders must not answer it.
        self._seek_calls: set[tuple[int, int, int, int, bool]] = set()

    @functools.cached_property
    def binding(self) -> str:
        """What the cursors of this connection are bound to (a digest: only when a cursor is read or written)."""
        return connection_binding(self.query.issue_id, self.query.filters)

    def _decode(self, cursor: str | None) -> CursorState | None:
        return None if cursor is None else self.codec.decode(cursor, binding=self.binding)

    def _window(self, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        states = [s for s in (self.after, self.before) if s is not None]
        if not states:
            return pin_window(self.query.filters, now)
        if len(states) == 2:
            if states[0].window != states[1].window:
                raise CursorError("`after` and `before` come from two different traversals.")
            if states[0].position.mode != states[1].position.mode:
                raise CursorError("`after` and `before` come from two different traversals.")
        return states[0].window

    # -- dispatch ------------------------------------------------------------

    async def run(self) -> EventConnection:
        cursors = [s for s in (self.after, self.before) if s is not None]
        mode = cursors[0].position.mode if cursors else ("offset" if self.query.filters.sample else "value")
        if mode == "value":
            try:
                return await self._value_page()
            except _OlderSentry:
                if cursors:
                    raise CursorError(
                        "Invalid cursor: Sentry now pages this list with value cursors; "
                        "start the traversal again without `after`/`before`."
                    ) from None
                mode = "page"
        if mode == "page":
            if self.query.first is not None:
                return await self._page_forward(self.query.first)
            return await self._page_backward(self.query.last or 0)
        if self.query.first is not None:
            return await self._offset_forward(self.query.first)
        return await self._offset_backward(self.query.last or 0)

    # -- value strategy (exact) ------------------------------------------------

    async def _value_page(self) -> EventConnection:
        window = (epoch_seconds(self.window[0]), epoch_seconds(self.window[1]))
        after = self.after.position.mark if self.after else None
        before = self.before.position.mark if self.before else None
        page: SeekPage
        if self.query.first is not None:
            page = await seek_forward(self._seek_fetch, window, self.query.first, after=after, before=before)
        else:
            page = await seek_backward(
                self._seek_fetch,
                window,
                self.query.last or 0,
                before=before,
                after=after,
                needs_full=self.query.full,
            )
        self.inexact.extend(page.inexact)
        located = [_Located(p.row.event, Position.at_mark(p.mark), p.row.full) for p in page.rows]
        return self._connection(located, has_next=page.has_next, has_previous=page.has_previous)

    async def _seek_fetch(self, lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
        """One call for `seek`: events with ``lo <= second < hi`` from `offset`."""
        filters = replace(self.upstream_filters, start=from_epoch_seconds(lo), end=from_epoch_seconds(hi))
        call = (lo, hi, offset, per_page, probe)
        fresh = call in self._seek_calls
        self._seek_calls.add(call)
        page = await self._fetch(
            _offset_cursor(offset),
            per_page,
            full=False if probe and self.query.full else None,
            filters=filters,
            fresh=fresh,
        )
        if page.value_cursors:
            raise _OlderSentry()
        rows = [row_from_event(event, full=page.full) for event in page.events]
        return Slice(rows, page.more and bool(rows))

    # -- offset strategy -----------------------------------------------------

    async def _offset_forward(self, first: int) -> EventConnection:
        after = self.after.position.offset if self.after else None
        before = self.before.position.offset if self.before else None
        span = forward_span(first, after, before)
        if span.size == 0:
            return self._connection([], has_next=False, has_previous=after is not None)
        page = await self._fetch(_offset_cursor(span.start), span.size)
        events = page.events[: span.size]  # an upstream that ignores per_page gives no more
        if span.start == 0 and page.value_cursors:
            # An older Sentry: these edges must point at its own page cursor.
            located = [_Located(e, Position.in_page(None, span.size, i), page.full) for i, e in enumerate(events)]
        else:
            located = [_Located(e, Position.at_offset(span.start + i), page.full) for i, e in enumerate(events)]
        if before is not None:
            has_next = span.stop < before
        else:
            has_next = page.more or len(page.events) > span.size
        return self._connection(located, has_next=has_next, has_previous=after is not None)

    async def _offset_backward(self, last: int) -> EventConnection:
        after = self.after.position.offset if self.after else None
        floor = 0 if after is None else after + 1
        if self.before is not None:
            before = self.before.position.offset
            assert before is not None
            span = backward_span(last, after, before)
            located = await self._offset_range(span.start, span.size)
            return self._connection(located, has_next=True, has_previous=span.start > floor)

        # Probes only count events, so they ask for the small simple serializer;
        # they are reused below when the selection needs nothing more.
        probe_full = False if self.query.full else None
        first_probe = await self._fetch(None, MAX_PAGE_SIZE, full=probe_full)
        if first_probe.value_cursors:
            return await self._page_backward(last)
        probes: dict[int, _Page] = {0: first_probe}

        async def probe(offset: int) -> tuple[int, bool]:
            if offset not in probes:
                probes[offset] = await self._fetch(_offset_cursor(offset), MAX_PAGE_SIZE, full=probe_full)
            return min(len(probes[offset].events), MAX_PAGE_SIZE), probes[offset].more

        total = await locate_end(probe)
        span = backward_span(last, after, total)
        covering = next(
            (
                (offset, page)
                for offset, page in probes.items()
                if offset <= span.start
                and offset + len(page.events) >= span.stop
                and (page.full or not self.query.full)
            ),
            None,
        )
        if covering is not None:
            offset, page = covering
            located = [
                _Located(page.events[p - offset], Position.at_offset(p), page.full)
                for p in range(span.start, span.stop)
            ]
        else:
            located = await self._offset_range(span.start, span.size)
        return self._connection(located, has_next=False, has_previous=span.start > floor)

    async def _offset_range(self, start: int, size: int) -> list[_Located]:
        if size == 0:
            return []
        page = await self._fetch(_offset_cursor(start), size)
        return [_Located(e, Position.at_offset(start + i), page.full) for i, e in enumerate(page.events[:size])]

    # -- page strategy (value cursors) ---------------------------------------

    async def _page_forward(self, first: int) -> EventConnection:
        stop_id = await self._event_id_at(self.before.position) if self.before else None
        if self.after is not None:
            pos = self.after.position
            cursor, size, skip = pos.page_cursor or None, pos.page_size or 1, (pos.index or 0) + 1
        else:
            cursor, size, skip = None, first, 0
        located: list[_Located] = []
        walk = _Walk()
        while True:
            walk.step(cursor)
            page = await self._fetch(cursor, size)
            for index in range(skip, len(page.events)):
                event = page.events[index]
                if stop_id is not None and event.get("eventID") == stop_id:
                    return self._page_connection(located, has_next=False)
                if len(located) == first:
                    return self._page_connection(located, has_next=True)
                located.append(_Located(event, Position.in_page(cursor, size, index), page.full))
            if not page.more or page.links.next is None:
                return self._page_connection(located, has_next=False)
            if len(located) == first and stop_id is None:
                return self._page_connection(located, has_next=True)
            if not page.events:
                raise _no_progress()
            needed = first - len(located) + (1 if stop_id is not None else 0)
            cursor, size, skip = str(page.links.next.cursor), max(1, min(MAX_PAGE_SIZE, needed)), 0

    async def _page_backward(self, last: int) -> EventConnection:
        """Walk from the newest event to `before` (or the end); keep the last `last`."""
        stop_id = await self._event_id_at(self.before.position) if self.before else None
        start_id = await self._event_id_at(self.after.position) if self.after else None
        seen: list[_Located] = []
        cursor: str | None = None
        reached_stop = False
        walk = _Walk()
        while not reached_stop:
            walk.step(cursor)
            page = await self._fetch(cursor, MAX_PAGE_SIZE)
            for index, event in enumerate(page.events):
                event_id = event.get("eventID")
                if stop_id is not None and event_id == stop_id:
                    reached_stop = True
                    break
                if start_id is not None and event_id == start_id:
                    seen.clear()  # only events after the `after` event count
                    continue
                seen.append(_Located(event, Position.in_page(cursor, MAX_PAGE_SIZE, index), page.full))
            if not page.more or page.links.next is None:
                break
            if not page.events:
                raise _no_progress()
            cursor = str(page.links.next.cursor)
        located = seen[-last:] if last else []
        return self._connection(located, has_next=self.before is not None, has_previous=len(seen) > len(located))

    def _page_connection(self, located: list[_Located], *, has_next: bool) -> EventConnection:
        return self._connection(located, has_next=has_next, has_previous=self.after is not None)

    async def _event_id_at(self, position: Position) -> str:
        page = await self._fetch(position.page_cursor or None, position.page_size or 1)
        index = position.index or 0
        if index >= len(page.events):
            raise PagingError("The event this cursor points to is no longer in the list.")
        return str(page.events[index].get("eventID"))

    # -- shared ----------------------------------------------------------------

    async def _fetch(
        self,
        cursor: str | None,
        per_page: int,
        *,
        full: bool | None = None,
        filters: EventFilters | None = None,
        fresh: bool = False,
    ) -> _Page:
        """One upstream page (through the loaders); `full` overrides the selection's need,
        `fresh` asks Sentry again even if this request already read that page."""
        query = self.query
        filters = filters or self.upstream_filters
        loaded = await self.loaders.page(
            query.issue_id,
            cursor=cursor,
            per_page=per_page,
            full=query.full if full is None else full,
            filters=filters,
            fresh=fresh,
        )
        if loaded.page.direct_hit and cursor is not None:
            # A direct hit ignores the cursor: its one event was the whole list.
            return _Page([], PageLinks(), loaded.full)
        if full is None and not loaded.full and _lacks_keys(loaded.page.events, query.simple_keys):
            loaded = await self.loaders.page(
                query.issue_id,
                cursor=cursor,
                per_page=per_page,
                full=True,
                filters=filters,
                fresh=fresh,
            )
        return _Page(loaded.page.events, loaded.page.links, loaded.full)

    def _connection(self, located: list[_Located], *, has_next: bool, has_previous: bool) -> EventConnection:
        edges = [
            EventEdge(
                cursor=self.codec.encode(CursorState(self.binding, self.window, item.position))
                if self.query.cursors
                else "",
                node=event_from_json(
                    item.event,
                    issue_id=self.query.issue_id,
                    origin="full" if item.full else "simple",
                    fields=self.query.node_fields,
                ),
            )
            for item in located
        ]
        return EventConnection(
            edges=edges,
            nodes=[edge.node for edge in edges],
            pageInfo=PageInfo(
                hasNextPage=has_next,
                hasPreviousPage=has_previous,
                startCursor=edges[0].cursor if edges else None,
                endCursor=edges[-1].cursor if edges else None,
            ),
        )


def _offset_cursor(start: int) -> str | None:
    """Sentry's cursor for the page starting at `start` (none for the first page)."""
    return None if start == 0 else f"0:{start}:0"


def _lacks_keys(events: list[dict[str, Any]], keys: frozenset[str]) -> bool:
    """True when an older Sentry's simple items lack a key the selection reads.

    Items that are already full serializations (they carry ``entries``) are
    not asked for again: what they lack, Sentry does not have.
    """
    return bool(keys) and any(key not in event for event in events if "entries" not in event for key in keys)


class _Walk:
    """Guards a walk over Sentry's own cursors against an upstream that never ends."""

    def __init__(self) -> None:
        self._seen: set[str | None] = set()

    def step(self, cursor: str | None) -> None:
        if cursor in self._seen or len(self._seen) >= MAX_WALK_PAGES:
            raise _no_progress()
        self._seen.add(cursor)


def _no_progress() -> BadUpstreamResponse:
    return BadUpstreamResponse("Sentry's paging did not advance (a repeated or empty page that claims more follow)")
