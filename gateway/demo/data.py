"""`build_demo_store`: the demo organization's issues, built deterministically.

The anchor is the start of the current UTC hour (or of the hour of ``now``), so every
worker process built within the same hour holds byte-identical data. Event times are
placed relative to the anchor with seeded RNGs; nothing else reads the clock.

==== ======================= ============================================================
id   events                  what it is for
==== ======================= ============================================================
1    10 (fixtures)           every shared fixture event verbatim (`gateway.demo.fixtures`)
2    320                     big application error: > 250 events, 3 pages of 100;
                             8 frames with context/vars, 20 breadcrumbs, request,
                             production/staging, 4 releases, user tags with ``query``,
                             python/node/javascript; events come in bursts that share
                             a whole second (1-6 events, one of 30), some straddling
                             desc positions 9/10, 24/25, 49/50 and 99/100
3    40                      every entry kind and optional shape (`gateway.demo.coverage`)
4    30                      performance issue of transactions (`gateway.demo.performance`)
5    150                     legacy issue paged with old value cursors
                             (``<ms>:<offset>:<is_prev>``); runs of 2-5 events share a
                             millisecond, one straddling positions 9/10, one 99/100
6    12                      private: only ``sntryu_bob`` and ``sntryu_demo`` may read it
7    15                      every event 101-130 days old: empty in the default window
8    230                     a burst: 130 events in one second (more than Sentry's
                             100 per page), the rest in small bursts around it
==== ======================= ============================================================
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal

from .coverage import COVERAGE_EVENT_COUNT, coverage_event
from .dates import to_ms
from .fixtures import fixture_events
from .performance import transaction_event
from .store import DemoEvent, DemoIssue, DemoStore
from .synthetic import (
    FIXTURE_ISSUE_SPEC,
    BURST_SPEC,
    LEGACY_SPEC,
    OLD_SPEC,
    PRIVATE_SPEC,
    RELEASES,
    app_error_event,
    basic_error_event,
)

__all__ = [
    "build_demo_store",
    "ISSUE_COUNTS",
    "LEGACY_ISSUE_ID",
    "PRIVATE_ISSUE_ID",
    "OLD_ISSUE_ID",
    "BURST_ISSUE_ID",
]

ISSUE_COUNTS = {"2": 320, "3": COVERAGE_EVENT_COUNT, "4": 30, "5": 150, "6": 12, "7": 15, "8": 230}
LEGACY_ISSUE_ID = "5"
PRIVATE_ISSUE_ID = "6"
OLD_ISSUE_ID = "7"
BURST_ISSUE_ID = "8"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _spread(
    issue_id: str,
    count: int,
    first: datetime,
    span: timedelta,
    ties: tuple[tuple[int, ...], ...] = (),
) -> list[datetime]:
    """``count`` times from ``first`` over ``span``, oldest first, with a little jitter.

    Every fourth time is on a whole second (no microseconds in its ``dateCreated``);
    each group in ``ties`` (oldest-first indexes) shares one timestamp.
    """
    rng = random.Random(f"demo:times:{issue_id}")
    step = span / count
    times = []
    for i in range(count):
        jitter = timedelta(microseconds=rng.randrange(int(step.total_seconds() * 0.15 * 1e6)))
        when = first + step * i + jitter
        if i % 4 == 0:
            when = when.replace(microsecond=0)
        times.append(when)
    for group in ties:
        for index in group[1:]:
            times[index] = times[group[0]]
    return times


def _bursts(
    issue_id: str,
    count: int,
    newest: datetime,
    span: timedelta,
    forced: dict[int, int],
) -> list[datetime]:
    """``count`` times, oldest first, in bursts of events sharing one whole second.

    Real issues look like this: a deploy or a retry loop sends several events within
    a second, and Sentry lists them in whole seconds with no order among them.
    ``forced`` maps a newest-first position to the length of a burst starting there
    (to make bursts straddle page boundaries); elsewhere bursts are 1-6 events long.
    Inside a burst the microseconds differ (the detail endpoint shows them).
    """
    rng = random.Random(f"demo:bursts:{issue_id}")
    step = span / count
    second = newest.replace(microsecond=0)
    desc: list[datetime] = []
    for length in _run_lengths(count, forced, rng, lengths=(1, 2, 3, 4, 6), weights=(55, 20, 12, 8, 5)):
        micros = sorted(rng.sample(range(1_000_000), length), reverse=True)
        desc.extend(second + timedelta(microseconds=m) for m in micros)
        gap = step * length * rng.uniform(0.5, 1.5)
        second = (second - max(gap, timedelta(seconds=1))).replace(microsecond=0)
    return list(reversed(desc))


def _run_lengths(
    count: int, forced: dict[int, int], rng: random.Random, *, lengths: tuple[int, ...], weights: tuple[int, ...]
) -> Iterator[int]:
    """Lengths of runs of equal timestamps covering ``count`` newest-first positions.

    ``forced`` maps a position to the length of the run starting there; other runs
    are drawn from `lengths` and cut short so as not to overrun a forced one.
    """
    position = 0
    while position < count:
        if position in forced:
            length = forced[position]
        else:
            length = rng.choices(lengths, weights=weights)[0]
            upcoming = [start for start in forced if start > position]
            if upcoming:
                length = min(length, min(upcoming) - position)
        length = min(length, count - position)
        yield length
        position += length


def _legacy_times(count: int, newest: datetime) -> list[datetime]:
    """Newest first, whole milliseconds, in runs of equal timestamps.

    Forced runs cover desc positions 8-11 (across the 10-item page boundary) and
    97-101 (across the 100-item boundary); elsewhere run lengths are 1-5.
    """
    rng = random.Random("demo:times:legacy")
    key = to_ms(newest)
    times: list[datetime] = []
    for length in _run_lengths(count, {8: 4, 97: 5}, rng, lengths=(1, 2, 3, 4, 5), weights=(10, 3, 2, 1, 1)):
        times.extend([_EPOCH + timedelta(milliseconds=key)] * length)
        key -= rng.randint(1, 600_000)
    return times


def _old_dates(event: DemoEvent) -> DemoEvent:
    event.whole_second_dates = False
    return event


def _issue(
    issue_id: str,
    title: str,
    factory: Callable[[int, datetime], DemoEvent],
    times: list[datetime],
    **kwargs: object,
) -> DemoIssue:
    """An issue whose event ``seq`` is built at ``times[seq]``; later events continue the sequence."""
    issue = DemoIssue(issue_id=issue_id, title=title, factory=factory, **kwargs)  # type: ignore[arg-type]
    issue.events = [factory(seq, when) for seq, when in enumerate(times)]
    issue.next_seq = len(times)
    return issue


def build_demo_store(
    now: datetime | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    ties: Literal["on_change", "per_query"] = "on_change",
) -> DemoStore:
    """Build the demo data. ``now`` only fixes the anchor; ``clock`` replaces request time;
    ``ties`` says when the order among events of one second is redrawn (`DemoStore`)."""
    anchor = (now or datetime.now(UTC)).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    day = timedelta(days=1)

    issue1 = DemoIssue(
        issue_id="1",
        title="Shared fixture events",
        factory=lambda seq, ts: basic_error_event("1", FIXTURE_ISSUE_SPEC, seq, ts),
        events=fixture_events(anchor),
    )

    n2 = ISSUE_COUNTS["2"]
    issue2 = _issue(
        "2",
        "ValueError: Failed to load user",
        lambda seq, ts: app_error_event(
            "2", seq, ts, release=RELEASES[min(len(RELEASES) - 1, seq * len(RELEASES) // n2)], anchor=anchor
        ),
        _bursts("2", n2, anchor - timedelta(hours=1), 14 * day - timedelta(hours=2), {8: 4, 22: 5, 47: 3, 60: 30, 98: 4}),
    )
    issue3 = _issue(
        "3",
        "Entry kinds coverage",
        lambda seq, ts: coverage_event("3", seq, ts),
        _spread("3", ISSUE_COUNTS["3"], anchor - 3 * day, 3 * day - timedelta(hours=1)),
    )
    issue4 = _issue(
        "4",
        "N+1 Query",
        lambda seq, ts: transaction_event("4", seq, ts),
        _spread("4", ISSUE_COUNTS["4"], anchor - 7 * day, 7 * day - timedelta(hours=1)),
    )
    legacy_desc = _legacy_times(ISSUE_COUNTS["5"], anchor - timedelta(minutes=30))
    issue5 = _issue(
        LEGACY_ISSUE_ID,
        "ConnectionResetError: [Errno 104] Connection reset by peer",
        lambda seq, ts: _old_dates(basic_error_event(LEGACY_ISSUE_ID, LEGACY_SPEC, seq, ts)),
        list(reversed(legacy_desc)),
        paginator="value",
    )
    issue6 = _issue(
        PRIVATE_ISSUE_ID,
        "PermissionError: payroll export denied",
        lambda seq, ts: basic_error_event(PRIVATE_ISSUE_ID, PRIVATE_SPEC, seq, ts),
        _spread("6", ISSUE_COUNTS["6"], anchor - 5 * day, 5 * day - timedelta(hours=1)),
        private=True,
    )
    issue7 = _issue(
        OLD_ISSUE_ID,
        "TimeoutError: upstream took longer than 30s",
        lambda seq, ts: basic_error_event(OLD_ISSUE_ID, OLD_SPEC, seq, ts),
        _spread("7", ISSUE_COUNTS["7"], anchor - 130 * day, 29 * day),
    )
    issue8 = _issue(
        BURST_ISSUE_ID,
        "RuntimeError: retry storm",
        lambda seq, ts: basic_error_event(BURST_ISSUE_ID, BURST_SPEC, seq, ts),
        _bursts(BURST_ISSUE_ID, ISSUE_COUNTS["8"], anchor - 2 * timedelta(hours=1), day, {40: 130}),
    )
    return DemoStore(
        [issue1, issue2, issue3, issue4, issue5, issue6, issue7, issue8], anchor=anchor, clock=clock, ties=ties
    )
