"""Exact paging over Sentry's live, offset-paged event list: positions by value.

Why offsets are not positions (facts doc, section 8): Sentry orders an issue's
events by ``-timestamp`` in whole seconds with no order among events of one
second, re-runs the query for every page, and stores events late, anywhere in
the list. An offset therefore points at a different event from one call to the
next. This module never keeps an offset between calls. It pages over a total
order of its own that refines Sentry's, ``(second, eventID)`` descending
(``eventID`` breaks ties, as Sentry's old eventstore did), and remembers an
edge by its place in that order, a `Mark`. Each page is asked for relative to
that place with what the endpoint offers: whole-second ``start`` (inclusive)
and ``end`` (exclusive), ``per_page`` up to 100, and offsets used only inside
one call's snapshot:

* forward (``first`` after a mark): ``end`` = the mark's second + 1, offset 0;
  the events of the mark's second that come at or before it are skipped by
  value. Events stored above the mark cannot enter the answer; a deleted one
  cannot shift it. One call when the page does not end inside a second (the
  common case), two when it does: an event can be placed only once every event
  of its second is known, since the tie order is ours, not Sentry's.
* backward (``last`` before a mark, or the oldest events): ``start`` = the
  mark's second; the oldest events of that range are at the bottom of Sentry's
  list, found by offset probes (`locate_end`) whose answers are trusted only
  within one call. A mark carries its rank (events above it when it was
  placed) so the next backward page usually lands on the bottom in one call.
* a second holding more than 100 events cannot be read in one call; it is
  walked by offsets within that second alone, checked for repeats and
  confirmed by reading its first offset again. Sentry may reorder such a
  second between the calls; then the walk is retried, and if it never reads
  consistently the page says so (`SeekPage.inexact`).

Everything here is pure apart from the injected `Fetch`, so hypothesis can run
it against a hostile model of Sentry's list (tests/test_seek_model.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.sentry.errors import BadUpstreamResponse

from gateway.schema.paging.pagination import MAX_PAGE_SIZE, Mark, locate_end

__all__ = [
    "Fetch",
    "Mark",
    "Placed",
    "Row",
    "SeekPage",
    "Slice",
    "page_calls",
    "row_from_event",
    "seek_backward",
    "seek_forward",
]

#: Calls one page may spend before the upstream is declared to be misbehaving.
MAX_CALLS_PER_PAGE = 150
#: Full walks of one oversized second before it is reported as inexact.
SECOND_WALK_ATTEMPTS = 3
#: Events asked for beyond what a page needs, so that a page ending inside a
#: burst of events sharing one second usually still sees the next older second
#: and needs no second call: a few list items cost less than a round trip.
SLACK = 5


def _slack(want: int) -> int:
    return SLACK + want // 4


def page_calls(size: int, *, skip: int = 0) -> int:
    """The calls `seek_forward` (or `seek_backward`, mirrored) spends on a page of
    `size` events that does not reach the end of its range and whose edge no burst
    of one second straddles: the common case, which `gateway.schema.execution.cost` counts
    before running.

    While more events follow, an answer's last second (the oldest forward, the
    newest backward) is never complete, so one call of ``per_page`` rows places
    at most ``per_page - 1`` of them, less the `skip` events of the cursor's own
    second it reads again (at least 1 after a cursor; `before` always is one
    backward); the page needs ``size + 1`` (the extra one says whether another
    page exists). Where that does not fit Sentry's ``per_page`` of 100
    (``first: 100`` or 99; 98 after a cursor), a second call reads on.
    """
    want = size + 1
    per_page = min(MAX_PAGE_SIZE, want + skip + _slack(want))
    return 1 if want + skip <= per_page - 1 else 2


Key = tuple[int, str]


@dataclass(frozen=True, slots=True)
class Row:
    """One list item with its place in the order."""

    second: int
    event_id: str
    event: dict[str, Any]
    full: bool

    @property
    def key(self) -> Key:
        return (self.second, self.event_id)


@dataclass(frozen=True, slots=True)
class Slice:
    """One upstream answer: rows in Sentry's order and whether more follow."""

    rows: list[Row]
    more: bool


#: ``fetch(lo, hi, offset, per_page, probe)``: events with ``lo <= second < hi``
#: from `offset`, newest first. ``probe=True`` asks for the cheap serializer
#: (only positions are needed); otherwise the serializer the selection needs.
Fetch = Callable[[int, int, int, int, bool], Awaitable[Slice]]


@dataclass(slots=True)
class Placed:
    """A row placed in a page, with the hints its cursor carries."""

    row: Row
    mark: Mark


@dataclass(slots=True)
class SeekPage:
    rows: list[Placed]
    has_next: bool
    has_previous: bool
    calls: int = 0
    #: Why this page may break the guarantee (empty when it cannot).
    inexact: list[str] = field(default_factory=list)


def row_from_event(event: dict[str, Any], *, full: bool) -> Row:
    """The row of a list item: its whole second and event id.

    List items carry ``dateCreated`` in whole seconds (transactions of the
    full serializer carry ``endTimestamp`` instead, which Sentry orders by).
    """
    event_id = event.get("eventID")
    if not isinstance(event_id, str) or not event_id:
        raise BadUpstreamResponse("Sentry sent a list item without an eventID")
    second = _second_of(event)
    if second is None:
        raise BadUpstreamResponse(
            f"Sentry sent event {event_id[:40]} without a usable dateCreated or endTimestamp, "
            "so it cannot be placed in the list"
        )
    return Row(second, event_id.lower(), event, full)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_SECOND = dt.timedelta(seconds=1)


def _second_of(event: dict[str, Any]) -> int | None:
    created = event.get("dateCreated")
    if isinstance(created, str):
        try:
            when = dt.datetime.fromisoformat(created)
        except ValueError:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        # Whole seconds since the epoch, floored, in integer arithmetic (what
        # ``calendar.timegm(when.utctimetuple())`` gives, several times faster:
        # this runs for every list item).
        return (when - _EPOCH) // _SECOND
    end = event.get("endTimestamp")
    if isinstance(end, (int, float)) and not isinstance(end, bool) and end == end:
        try:
            return int(end // 1)
        except (OverflowError, ValueError):
            return None
    return None


def _canonical(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: row.key, reverse=True)


class _Calls:
    """Counts one page's upstream calls and checks every answer's window."""

    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self.count = 0

    async def __call__(self, lo: int, hi: int, offset: int, per_page: int, probe: bool = False) -> Slice:
        if self.count >= MAX_CALLS_PER_PAGE:
            raise BadUpstreamResponse("Sentry's list kept changing while one page was read; try again")
        self.count += 1
        answer = await self._fetch(lo, hi, offset, per_page, probe)
        # (More items than per_page is refused by the client, for every caller.)
        for row in answer.rows:
            if not lo <= row.second < hi:
                raise BadUpstreamResponse(
                    f"Sentry sent an event outside the time window that was asked for (event {row.event_id[:32]})"
                )
        return answer


class _Range:
    """The part of the order a page may take rows from: strictly between two marks."""

    def __init__(self, upper: Mark | None, lower: Mark | None) -> None:
        self.upper = upper.key if upper is not None else None
        self.lower = lower.key if lower is not None else None

    def __contains__(self, row: Row) -> bool:
        key = row.key
        return (self.upper is None or key < self.upper) and (self.lower is None or key > self.lower)


def _marks(groups: dict[int, list[Row]], rows: Sequence[Row], first_rank: int, rank_step: int) -> list[Placed]:
    """Marks for `rows` (canonical order) given every event of their seconds."""
    placed = []
    for index, row in enumerate(rows):
        group = groups[row.second]
        k = next((i + 1 for i, other in enumerate(group) if other.event_id == row.event_id), 1)
        rank = first_rank + rank_step * index if first_rank >= 0 else -1
        placed.append(Placed(row, Mark(row.second, row.event_id, max(rank, -1), k, len(group))))
    return placed


async def _walk_second(calls: _Calls, second: int, inexact: list[str]) -> list[Row]:
    """Every event of one second holding more than a page: offsets within it alone.

    A walk of several calls is trusted only when nothing changed while it ran:
    no event came twice, and reading the first offset again gives the same
    events in the same order. Repeats alone miss a change that shortens the
    second (a deletion, after which Sentry may order the second anew): the
    next offset then skips an event and repeats none.
    """
    for _ in range(SECOND_WALK_ATTEMPTS):
        seen: dict[str, Row] = {}
        repeated = False
        offset = 0
        first: list[str] = []
        walked = 0
        while True:
            answer = await calls(second, second + 1, offset, MAX_PAGE_SIZE)
            walked += 1
            if offset == 0:
                first = [row.event_id for row in answer.rows]
            for row in answer.rows:
                if row.event_id in seen:
                    repeated = True
                seen[row.event_id] = row
            if not answer.more or not answer.rows:
                break
            offset += len(answer.rows)
        if repeated:
            continue
        if walked == 1:
            return list(seen.values())
        again = await calls(second, second + 1, 0, MAX_PAGE_SIZE)
        if [row.event_id for row in again.rows] == first:
            return list(seen.values())
    when = dt.datetime.fromtimestamp(second, dt.timezone.utc).isoformat().replace("+00:00", "Z")
    inexact.append(
        f"Second {when} holds more than {MAX_PAGE_SIZE} events and Sentry reordered them "
        "between the calls that read it: an event of that second may be missing or repeated."
    )
    return list(seen.values())


async def seek_forward(
    fetch: Fetch,
    window: tuple[int, int],
    first: int,
    *,
    after: Mark | None = None,
    before: Mark | None = None,
) -> SeekPage:
    """The `first` events after `after` (and before `before`), in the gateway's order."""
    calls = _Calls(fetch)
    inside = _Range(after, before)
    lo = max(window[0], before.second if before else window[0])
    hi = min(window[1], after.second + 1 if after else window[1])
    collected: list[Row] = []
    groups: dict[int, list[Row]] = {}
    inexact: list[str] = []
    skip = (after.k + 1) if after is not None else 0  # its second's events at or above it, roughly
    floor = 0
    if after is not None and after.m >= MAX_PAGE_SIZE and lo < hi:
        # `after` sits in a second larger than one answer: read that second first.
        _take(await _walk_second(calls, after.second, inexact), inside, collected, groups)
        hi, skip = after.second, 0
    while len(collected) <= first and lo < hi:
        want = first + 1 - len(collected)
        per_page = min(MAX_PAGE_SIZE, max(want + skip + _slack(want), floor))
        answer = await calls(lo, hi, 0, per_page)
        if not answer.more:
            _take(answer.rows, inside, collected, groups)
            break
        oldest = min(row.second for row in answer.rows)
        complete = [row for row in answer.rows if row.second > oldest]
        if not complete:  # the whole answer is one second
            if per_page < MAX_PAGE_SIZE:
                floor = MAX_PAGE_SIZE
                continue
            _take(await _walk_second(calls, oldest, inexact), inside, collected, groups)
            hi, skip, floor = oldest, 0, 0
            continue
        _take(complete, inside, collected, groups)
        # Next: the whole of the oldest second (at least what was seen of it) and more.
        hi, skip, floor = oldest + 1, len(answer.rows) - len(complete), 0
    page = collected[:first]
    first_rank = -1
    if after is None:
        first_rank = 0
    elif after.rank >= 0:
        first_rank = after.rank + 1
    return SeekPage(
        rows=_marks(groups, page, first_rank, 1),
        has_next=len(collected) > first,
        has_previous=after is not None,
        calls=calls.count,
        inexact=inexact,
    )


def _take(rows: Iterable[Row], inside: _Range, into: list[Row], groups: dict[int, list[Row]]) -> None:
    """Append complete seconds' rows (canonical order) that lie inside the range."""
    ordered = _canonical(rows)
    for row in ordered:
        groups.setdefault(row.second, []).append(row)
    into.extend(row for row in ordered if row in inside)


async def seek_backward(
    fetch: Fetch,
    window: tuple[int, int],
    last: int,
    *,
    before: Mark | None = None,
    after: Mark | None = None,
    needs_full: bool = False,
) -> SeekPage:
    """The `last` events before `before` (and after `after`): the ones nearest to `before`.

    Sentry lists newest first, so these sit at the bottom of the range
    ``[before's second, after's second + 1)``; `_bottom` finds that bottom.
    Each round takes the seconds the answer holds completely (all but its
    newest) and moves the range's floor up to that newest second.
    """
    calls = _Calls(fetch)
    inside = _Range(after, before)
    lo = max(window[0], before.second if before else window[0])
    hi = min(window[1], after.second + 1 if after else window[1])
    blocks: list[list[Row]] = []  # oldest block first; each block in canonical order
    groups: dict[int, list[Row]] = {}
    inexact: list[str] = []
    count = 0
    # The range's size from the mark's hints (None: unknown) and the rows at its
    # bottom that are not candidates (`before` and the events of its second under it).
    size: int | None = None
    if before is not None and after is None and before.rank >= 0:
        size = before.rank - (before.k - 1) + before.m
    skipped = (before.m - before.k + 1) if before is not None else 0
    floor = 0
    top_offset = 0  # offset (in [lo, hi)) of the newest row read so far
    if before is not None and before.m >= MAX_PAGE_SIZE and lo < hi:
        # `before` sits in a second larger than one answer: read that second first.
        count += _add_block(blocks, await _walk_second(calls, lo, inexact), inside, groups)
        if size is not None:
            size -= before.m
        lo, skipped = lo + 1, 0
    while count <= last and lo < hi:
        want = last + 1 - count
        need = min(MAX_PAGE_SIZE, max(want + skipped + _slack(want), floor))
        answer, offset = await _bottom(calls, lo, hi, size, need)
        if offset == 0:  # the answer holds all of [lo, hi)
            count += _add_block(blocks, answer.rows, inside, groups)
            top_offset = 0
            break
        newest = max(row.second for row in answer.rows)
        complete = [row for row in answer.rows if row.second < newest]
        seen_of_newest = len(answer.rows) - len(complete)
        if not complete:  # the whole answer is one second
            if len(answer.rows) < MAX_PAGE_SIZE:
                size, floor = offset + len(answer.rows), MAX_PAGE_SIZE
                continue
            whole = await _walk_second(calls, newest, inexact)
            count += _add_block(blocks, whole, inside, groups)
            above = offset - (len(whole) - len(answer.rows))  # the rest of [lo, hi), roughly
            lo, skipped, floor, top_offset = newest + 1, 0, 0, max(0, above)
            size = above if above > 0 else None
            continue
        count += _add_block(blocks, complete, inside, groups)
        top_offset = offset + seen_of_newest
        lo, size, skipped, floor = newest, top_offset, seen_of_newest, 0
    ordered = [row for block in reversed(blocks) for row in block]
    page = ordered[max(0, len(ordered) - last) :]
    first_rank = top_offset + len(ordered) - len(page) if after is None else -1
    if needs_full:
        page = await _in_full(calls, page, groups)
    return SeekPage(
        rows=_marks(groups, page, first_rank, 1),
        has_next=before is not None,
        has_previous=len(ordered) > len(page),
        calls=calls.count,
        inexact=inexact,
    )


def _add_block(blocks: list[list[Row]], rows: Iterable[Row], inside: _Range, groups: dict[int, list[Row]]) -> int:
    block: list[Row] = []
    _take(rows, inside, block, groups)
    blocks.append(block)
    return len(block)


async def _in_full(calls: _Calls, rows: list[Row], groups: dict[int, list[Row]]) -> list[Row]:
    """`rows` as the selection needs them: rows that probes read in the cheap
    serializer are read again, by value (their seconds, whole), in one call
    when they fit. A row deleted in between is left out."""
    missing = {row.event_id for row in rows if not row.full}
    if not missing:
        return rows
    seconds = {row.second for row in rows if row.event_id in missing}
    lo, hi = min(seconds), max(seconds) + 1
    expected = sum(len(group) for second, group in groups.items() if lo <= second < hi)
    per_page = min(MAX_PAGE_SIZE, expected + SLACK)
    found: dict[str, Row] = {}
    offset = 0
    while missing - found.keys():
        answer = await calls(lo, hi, offset, per_page)
        found.update((row.event_id, row) for row in answer.rows if row.event_id in missing)
        if not answer.more or not answer.rows:
            break
        offset += len(answer.rows)
    return [
        found.get(row.event_id, row) if row.event_id in missing else row
        for row in rows
        if row.event_id not in missing or row.event_id in found
    ]


async def _bottom(calls: _Calls, lo: int, hi: int, size: int | None, need: int) -> tuple[Slice, int]:
    """At least `need` of the oldest events of ``[lo, hi)`` (all, if fewer), from one answer.

    Returns that answer (it reaches the bottom: ``more`` is false) and the
    offset it starts at. Offsets are trusted only within one answer: with an
    estimate of the range's size one call usually lands on the bottom;
    otherwise, or when the list moved, the end is found again by probes
    (`locate_end`, cheap serializer), and the last probe serves when it holds
    enough. The page's call budget bounds the retries.
    """
    while True:
        if size is None:
            size, covering = await _locate(calls, lo, hi, need)
            if covering is not None:
                return covering
        offset = max(0, size - need)
        answer = await calls(lo, hi, offset, need)
        if not answer.more and (offset == 0 or len(answer.rows) >= need):
            return answer, offset
        # The range is smaller than thought (and now known) or larger (probe again).
        size = offset + len(answer.rows) if not answer.more and answer.rows else None


async def _locate(calls: _Calls, lo: int, hi: int, need: int) -> tuple[int, tuple[Slice, int] | None]:
    """The size of ``[lo, hi)`` by probes, and the bottom answer if a probe already holds it."""
    probes: dict[int, Slice] = {}

    async def probe(offset: int) -> tuple[int, bool]:
        if offset not in probes:
            probes[offset] = await calls(lo, hi, offset, MAX_PAGE_SIZE, True)
        return len(probes[offset].rows), probes[offset].more

    size = await locate_end(probe)
    offset = max(0, size - need)
    for start, answer in probes.items():
        if start <= offset and not answer.more and start + len(answer.rows) == size:
            return size, (Slice(answer.rows[offset - start :], more=False), offset)
    return size, None
