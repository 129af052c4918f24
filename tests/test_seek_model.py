"""Model-based tests of exact paging (`gateway.schema.paging.seek`) against a hostile Sentry.

A client grows one list from a first page (forward or backward), extending it
at either end with the edge cursors it holds, while events are stored late
anywhere (also inside seconds already read, and between the calls of one page)
and deleted. The guarantee checked at every step and at the end:

* no event appears twice, and the list is in the gateway's order, which
  refines Sentry's (newer seconds first);
* every event that existed when the traversal began and still exists at the
  end appears (once both ends report no more pages);
* ``hasNextPage`` / ``hasPreviousPage`` are exact whenever the list did not
  change while that page was read;
* where exactness is impossible (a second holding more than 100 events, read
  while Sentry reorders it), the page says so instead of staying silent.
"""

from __future__ import annotations

import asyncio
import calendar
import datetime as dt
import random
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gateway.schema.paging.seek import Mark, SeekPage, Slice, row_from_event, seek_backward, seek_forward

from .sentry_model import SentryListModel

WINDOW = (1_000, 2_000)


@dataclass
class Plan:
    seed: int
    events: int
    spread: int  # seconds the initial events are spread over (small: many ties)
    burst: int  # extra events in one second (0: none)
    pages: list[int]
    start_backward: bool
    ties: str
    changes_per_page: int
    changes_inside_pages: bool
    deletions: bool


plans = st.builds(
    Plan,
    seed=st.integers(0, 2**32),
    events=st.integers(0, 200),
    spread=st.sampled_from([1, 3, 10, 40, 200, 999]),
    burst=st.sampled_from([0, 0, 0, 15, 99, 101, 150]),
    pages=st.lists(st.sampled_from([1, 3, 10, 25, 37, 50, 99, 100]), min_size=1, max_size=5),
    start_backward=st.booleans(),
    ties=st.sampled_from(["on_change", "per_query"]),
    changes_per_page=st.integers(0, 4),
    changes_inside_pages=st.booleans(),
    deletions=st.booleans(),
)


def _populate(model: SentryListModel, rng: random.Random, plan: Plan) -> None:
    lo, hi = WINDOW
    top = min(hi - 1, lo + plan.spread)
    for _ in range(plan.events):
        model.events[model.new_id(rng)] = rng.randrange(lo, top + 1)
    if plan.burst:
        second = rng.randrange(lo, top + 1)
        for _ in range(plan.burst):
            model.events[model.new_id(rng)] = second


class _Client:
    """A client growing one list, and the checks of the guarantee."""

    def __init__(self, model: SentryListModel, rng: random.Random, plan: Plan) -> None:
        self.model = model
        self.rng = rng
        self.plan = plan
        self.marks: list[Mark] = []  # the list the client holds, newest first
        self.front_done = False
        self.end_done = False
        self.inexact = False
        self.initial = set(model.events)
        self.deleted: set[str] = set()
        self.biggest_second = 0

    async def fetch(self, lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
        if self.plan.changes_inside_pages and self.rng.random() < 0.25 and self.model.changes < 120:
            self.change()
        return self.model.query(lo, hi, offset, per_page)

    def change(self) -> None:
        before = set(self.model.events)
        self.model.random_change(self.rng, *WINDOW, deletions=self.plan.deletions)
        self.deleted |= before - set(self.model.events)

    def note_sizes(self) -> None:
        counts: dict[int, int] = {}
        for second in self.model.events.values():
            counts[second] = counts.get(second, 0) + 1
        self.biggest_second = max([self.biggest_second, *counts.values()])

    async def page(self, size: int, *, forward: bool) -> SeekPage:
        self.note_sizes()
        changes_before = self.model.changes
        if forward:
            after = self.marks[-1] if self.marks else None
            page = await seek_forward(self.fetch, WINDOW, size, after=after)
        else:
            before = self.marks[0] if self.marks else None
            page = await seek_backward(self.fetch, WINDOW, size, before=before)
        self.note_sizes()
        quiet = self.model.changes == changes_before
        if page.inexact:
            self.inexact = True
            assert self.biggest_second > 100, page.inexact
        new = [placed.mark for placed in page.rows]
        assert len(new) <= size
        keys = [mark.key for mark in new]
        assert keys == sorted(keys, reverse=True), "a page is not in the gateway's order"
        if forward:
            if self.marks:
                assert not keys or keys[0] < self.marks[-1].key
            self.marks.extend(new)
            more = page.has_next
            if quiet and not page.inexact:
                edge = self.marks[-1].key if self.marks else None
                exists = any(edge is None or key < edge for key in self.model.canonical(*WINDOW))
                assert more == exists, (more, exists)
                if len(new) < size:
                    assert not more
            self.end_done = not more
            if not self.marks:
                self.front_done = True
        else:
            if self.marks:
                assert not keys or keys[-1] > self.marks[0].key
            self.marks[:0] = new
            more = page.has_previous
            if quiet and not page.inexact:
                edge = self.marks[0].key if self.marks else None
                exists = any(edge is None or key > edge for key in self.model.canonical(*WINDOW))
                assert more == exists, (more, exists)
                if len(new) < size:
                    assert not more
            self.front_done = not more
            if not self.marks:
                self.end_done = True
        all_keys = [mark.key for mark in self.marks]
        assert len(set(all_keys)) == len(all_keys), "an event appeared twice"
        assert all_keys == sorted(all_keys, reverse=True)
        return page

    def check_complete(self) -> None:
        if self.inexact:
            return
        emitted = {mark.event_id for mark in self.marks}
        survivors = {
            event_id
            for event_id in self.initial - self.deleted
            if event_id in self.model.events and WINDOW[0] <= self.model.events[event_id] < WINDOW[1]
        }
        missing = survivors - emitted
        assert not missing, f"{len(missing)} events that existed throughout were never listed"


async def _traverse(plan: Plan) -> _Client:
    rng = random.Random(plan.seed)
    model = SentryListModel(ties=plan.ties)
    _populate(model, rng, plan)
    client = _Client(model, rng, plan)
    sizes = plan.pages
    forward = not plan.start_backward
    step = 0
    # Every page but the last places at least one event; arrivals add up to 120 inside pages
    # (see `fetch`) and `changes_per_page` after each of the first 25 pages. Twice that many
    # pages is a generous bound (seed 0, 288 events, 120 arrivals, pages of 1 took 402 pages:
    # a fixed bound of 400 failed a correct traversal).
    most_events = plan.events + plan.burst + 120 + 25 * plan.changes_per_page
    limit = 2 * (most_events // min(sizes) + 1) + 10
    while not (client.front_done and client.end_done):
        if step > limit:
            pytest.fail(f"the traversal did not end in {limit} pages")
        size = sizes[step % len(sizes)]
        await client.page(size, forward=forward)
        step += 1
        if step <= 25:  # arrivals stop at some point, so that the traversal can end
            for _ in range(plan.changes_per_page):
                client.change()
        # Go on at whichever end still has more; alternate when both do.
        if client.end_done and not client.front_done:
            forward = False
        elif client.front_done and not client.end_done:
            forward = True
        elif step % 3 == 0:
            forward = not forward
    client.check_complete()
    return client


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans)
@example(
    Plan(seed=0, events=138, spread=10, burst=150, pages=[1], start_backward=True, ties="on_change",
         changes_per_page=0, changes_inside_pages=True, deletions=False)
)  # fmt: skip
@example(
    Plan(seed=0, events=197, spread=999, burst=99, pages=[1], start_backward=False, ties="on_change",
         changes_per_page=3, changes_inside_pages=True, deletions=False)
)  # fmt: skip
@example(
    Plan(seed=1833, events=10, spread=10, burst=99, pages=[10, 1, 1, 1, 99], start_backward=True,
         ties="on_change", changes_per_page=0, changes_inside_pages=True, deletions=True)
)  # fmt: skip  (a deletion between the calls walking a 101-event second: an event skipped, none repeated)
def test_traversals_keep_the_guarantee(plan: Plan) -> None:
    asyncio.run(_traverse(plan))


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    events=st.integers(0, 200),
    spread=st.sampled_from([2, 10, 100]),
    size=st.integers(1, 100),
    forward=st.booleans(),
)
def test_pages_between_two_cursors_are_exactly_what_lies_between(
    seed: int, events: int, spread: int, size: int, forward: bool
) -> None:
    """``first``/``last`` with both ``after`` and ``before``: the events strictly between."""
    rng = random.Random(seed)
    model = SentryListModel(ties="per_query")
    for _ in range(events):
        model.events[model.new_id(rng)] = rng.randrange(WINDOW[0], WINDOW[0] + spread)
    order = model.canonical(*WINDOW)
    if len(order) < 2:
        return
    i, j = sorted(rng.sample(range(len(order)), 2))
    upper = Mark(order[i][0], order[i][1])
    lower = Mark(order[j][0], order[j][1])
    between = order[i + 1 : j]

    async def fetch(lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
        return model.query(lo, hi, offset, per_page)

    biggest = max(sum(1 for s in model.events.values() if s == second) for second in set(model.events.values()))
    if forward:
        page = asyncio.run(seek_forward(fetch, WINDOW, size, after=upper, before=lower))
    else:
        page = asyncio.run(seek_backward(fetch, WINDOW, size, before=lower, after=upper))
    if page.inexact:
        assert biggest > 100
        return
    if forward:
        assert [p.mark.key for p in page.rows] == between[:size]
        assert page.has_next == (len(between) > size)
    else:
        assert [p.mark.key for p in page.rows] == between[max(0, len(between) - size) :]
        assert page.has_previous == (len(between) > size)


def test_a_forward_page_that_ends_between_seconds_is_one_call() -> None:
    """The common case: distinct seconds at the page boundary, no second call."""
    model = SentryListModel()
    rng = random.Random(1)
    for second in range(1_000, 1_300):
        model.events[model.new_id(rng)] = second
    calls = []

    async def fetch(lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
        calls.append((lo, hi, offset, per_page))
        return model.query(lo, hi, offset, per_page)

    page = asyncio.run(seek_forward(fetch, WINDOW, 25))
    assert len(calls) == 1 and page.calls == 1
    page = asyncio.run(seek_forward(fetch, WINDOW, 25, after=page.rows[-1].mark))
    assert len(calls) == 2
    assert [p.mark.second for p in page.rows] == list(range(1_274, 1_249, -1))


def test_a_page_inside_a_busy_second_skips_what_was_read_by_value() -> None:
    """Sixty events in one second, pages of ten, ties reshuffled on every query."""
    model = SentryListModel(ties="per_query")
    rng = random.Random(2)
    ids = [model.new_id(rng) for _ in range(60)]
    for event_id in ids:
        model.events[event_id] = 1_500
    seen: list[str] = []
    after = None
    while True:
        async def fetch(lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
            return model.query(lo, hi, offset, per_page)

        page = asyncio.run(seek_forward(fetch, WINDOW, 10, after=after))
        seen += [p.mark.event_id for p in page.rows]
        if not page.has_next:
            break
        after = page.rows[-1].mark
    assert seen == sorted(ids, reverse=True)


def test_a_second_sentry_cannot_read_consistently_is_reported() -> None:
    """150 events in one second, reordered on every query: the page says it is inexact."""
    model = SentryListModel(ties="per_query")
    rng = random.Random(3)
    for _ in range(150):
        model.events[model.new_id(rng)] = 1_500

    async def fetch(lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
        return model.query(lo, hi, offset, per_page)

    page = asyncio.run(seek_forward(fetch, WINDOW, 10))
    assert page.inexact and "more than 100 events" in page.inexact[0]


def test_a_second_of_more_than_a_page_is_exact_while_sentry_keeps_its_order() -> None:
    model = SentryListModel(ties="on_change")
    rng = random.Random(4)
    for _ in range(150):
        model.events[model.new_id(rng)] = 1_500
    for second in range(1_400, 1_450):
        model.events[model.new_id(rng)] = second

    async def fetch(lo: int, hi: int, offset: int, per_page: int, probe: bool) -> Slice:
        return model.query(lo, hi, offset, per_page)

    keys: list[tuple[int, str]] = []
    after = None
    while True:
        page = asyncio.run(seek_forward(fetch, WINDOW, 40, after=after))
        assert not page.inexact
        keys += [p.mark.key for p in page.rows]
        if not page.has_next:
            break
        after = page.rows[-1].mark
    assert keys == model.canonical(*WINDOW)


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.one_of(st.none(), st.timezones(), st.just(dt.timezone(dt.timedelta(hours=-11, minutes=-30)))),
    )
)
def test_a_list_items_second_is_its_utc_second_floored(when: dt.datetime) -> None:
    """The row's second is the epoch second `calendar.timegm` gives for the
    timestamp read as UTC when it carries no offset, fractions dropped."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)
    expected = calendar.timegm(aware.utctimetuple())
    row = row_from_event({"eventID": "a" * 32, "dateCreated": when.isoformat()}, full=False)
    assert row.second == expected
