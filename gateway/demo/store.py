"""The demo's data model: one organization, one project, a few issues and their events.

Each `DemoEvent` holds its payload in the shape of Sentry's full ``EventSerializer``
(tags in *stored* order; the serializers derive the simple, full and detail views),
the detail-only extras (``release``, ``userReport``, ``sdkUpdates``, ``resolvedWith``),
the raw ``event.message`` the simple serializer prints, and an internal timestamp
``ts`` that drives ordering and the date window.

Ordering, as hostile as Sentry's (facts doc, section 1 "Ordering" and section 8):
newest first by the **whole second** of ``ts`` only; events of one second have no
defined order. Here they are ordered by a hash of their id salted with the issue's
``tie_salt``, which is redrawn whenever the issue changes (an event stored or
deleted), or before every query with ``ties="per_query"``. The old value-cursor
issue (``paginator="value"``) keeps the old eventstore order, ``(ts, eventID)``.

Events can be stored late (``add_events(at=...)`` with a time in the past: inside
ranges a client has already read) and deleted (`delete_events`), by tests, by the
soak, and over HTTP through ``/_demo/events`` (`gateway.demo.control`).

Everything is deterministic given the anchor (see `gateway.demo.data`); the only wall
clock read is `DemoStore.now()`, which the date window uses, and it can be replaced
with the ``clock`` argument.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from .dates import to_ms

__all__ = [
    "DEMO_ORG_SLUG",
    "DEMO_ORG_ID",
    "DEMO_PROJECT_SLUG",
    "DEMO_PROJECT_ID",
    "DEMO_TOKEN",
    "DemoEvent",
    "DemoIssue",
    "DemoStore",
    "short_id_for",
]

DEMO_ORG_SLUG = "demo"
DEMO_ORG_ID = "1"
DEMO_PROJECT_SLUG = "demo"
DEMO_PROJECT_ID = "2"
DEMO_TOKEN = "sntryu_demo"

EventFactory = Callable[[int, datetime], "DemoEvent"]


def short_id_for(issue_id: str) -> str:
    """``DEMO-<n>`` for issue ``n`` (the project slug, upper-cased, as Sentry does)."""
    return f"{DEMO_PROJECT_SLUG.upper()}-{issue_id}"


@dataclass(eq=False)
class DemoEvent:
    """One stored event. Treat `payload` as immutable: serializers share it."""

    issue_id: str
    ts: datetime
    payload: dict[str, Any]
    raw_message: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    # Values only the simple serializer prints for events whose full payload lacks them
    # (transactions: ``dateCreated`` and ``culprit``).
    simple_extra: dict[str, Any] = field(default_factory=dict)
    #: List items carry ``dateCreated`` in whole seconds (False: the old value-cursor
    #: issue, whose 2018-era list kept the stored precision).
    whole_second_dates: bool = True
    # Lazily filled JSON caches (see `gateway.demo.serializers`).
    json_cache: dict[str, bytes] = field(default_factory=dict, repr=False)

    @property
    def event_id(self) -> str:
        event_id: str = self.payload["eventID"]
        return event_id

    @property
    def row_id(self) -> str:
        """The ``id`` field: the event id, or an old database row id in 2018-2020 captures."""
        return str(self.payload.get("id", self.event_id))

    @property
    def key_ms(self) -> int:
        """The legacy value-cursor key: ``ts`` in whole milliseconds."""
        return to_ms(self.ts)

    @property
    def tags(self) -> list[dict[str, Any]]:
        return self.payload.get("tags") or []

    def tag(self, key: str) -> str | None:
        for tag in self.tags:
            if tag.get("key") == key:
                return tag.get("value")
        return None

    @property
    def environment(self) -> str | None:
        return self.tag("environment")

    @property
    def entry_types(self) -> list[str]:
        return [entry.get("type") for entry in self.payload.get("entries") or []]

    def sort_key(self) -> tuple[datetime, str]:
        return (self.ts, self.event_id)

    @property
    def second(self) -> int:
        """The whole second Sentry's events dataset stores (``DateTime``) and orders by."""
        return int(self.ts.timestamp() // 1)


@dataclass(eq=False)
class DemoIssue:
    """An issue (group) and its events, newest first."""

    issue_id: str
    title: str
    paginator: Literal["offset", "value"] = "offset"
    private: bool = False
    factory: EventFactory | None = None
    events: list[DemoEvent] = field(default_factory=list)
    next_seq: int = 0
    #: Salt of the order among events of one second; redrawn on every change.
    tie_salt: int = 0

    def resort(self) -> None:
        """Newest second first; within a second, the order `tie_salt` draws."""
        if self.paginator == "value":
            self.events.sort(key=DemoEvent.sort_key, reverse=True)
            return
        salt = str(self.tie_salt).encode()
        self.events.sort(
            key=lambda event: (
                -event.second,
                hashlib.blake2b(salt + event.event_id.encode(), digest_size=8).digest(),
            )
        )


class DemoStore:
    """All demo issues and events. Mutable: `add_events` ingests new events."""

    def __init__(
        self,
        issues: Iterable[DemoIssue] = (),
        *,
        anchor: datetime | None = None,
        clock: Callable[[], datetime] | None = None,
        ties: Literal["on_change", "per_query"] = "on_change",
    ) -> None:
        self.anchor = anchor or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self._clock = clock or (lambda: datetime.now(UTC))
        #: ``"on_change"``: ties reordered whenever an issue changes; ``"per_query"``:
        #: before every read, as Sentry's ClickHouse may (the harshest setting).
        self.ties = ties
        self._salts = 0
        self._lock = threading.RLock()
        self.issues: dict[str, DemoIssue] = {}
        self._environments: set[str] | None = None
        for issue in issues:
            self.add_issue(issue)

    # -- reading -------------------------------------------------------------------

    def now(self) -> datetime:
        """The request-time clock (wall clock unless a ``clock`` was given)."""
        return self._clock()

    def issue(self, issue_id: str) -> DemoIssue | None:
        return self.issues.get(issue_id)

    def events(self, issue_id: str) -> list[DemoEvent]:
        """A snapshot of the issue's events, newest first (no filter, no window).

        With ``ties="per_query"`` every call draws a new order among events of one second.
        """
        with self._lock:
            issue = self.issues[issue_id]
            if self.ties == "per_query" and issue.paginator != "value":
                self._reshuffle(issue)
            return list(issue.events)

    def _reshuffle(self, issue: DemoIssue) -> None:
        self._salts += 1
        issue.tie_salt = self._salts
        issue.resort()

    def event_ids(self, issue_id: str) -> list[str]:
        """Event ids newest first, in the default order, no filters, ignoring the window."""
        return [event.event_id for event in self.events(issue_id)]

    def gateway_order(self, issue_id: str) -> list[str]:
        """Event ids in the order a client sees through the gateway (no filter, no window).

        Sentry's order with its ties broken by event id, descending: the total order
        the gateway pages over (`gateway.schema.paging.seek`). The old value-cursor issue is
        listed in Sentry's own order, which was total.
        """
        with self._lock:
            issue = self.issues[issue_id]
            if issue.paginator == "value":
                return [event.event_id for event in issue.events]
            return [event.event_id for event in sorted(issue.events, key=lambda e: (e.second, e.event_id), reverse=True)]

    def environments(self) -> set[str]:
        """Environment names that exist in the organization ("" when some event has none)."""
        with self._lock:
            if self._environments is None:
                self._environments = {
                    event.environment or ""
                    for issue in self.issues.values()
                    for event in issue.events
                }
            return self._environments

    # -- writing -------------------------------------------------------------------

    def add_issue(self, issue: DemoIssue) -> DemoIssue:
        with self._lock:
            self._salts += 1
            issue.tie_salt = self._salts
            issue.resort()
            self.issues[issue.issue_id] = issue
            self._environments = None
        return issue

    def add_events(self, issue_id: str, count: int, *, at: datetime | None = None) -> list[str]:
        """Ingest ``count`` new synthetic events and return their ids, newest first.

        Without ``at`` they land in the last whole second before now (Sentry lists no
        event of the current second yet), 1 microsecond apart and newer than every
        stored event. With
        ``at`` the first lands exactly at ``at`` and the others 1 microsecond later
        each: an ``at`` in the past stores them late, inside ranges already read
        (ingestion delay: seconds; an offline client: hours or days), usually in the
        same whole second as events already there. Either way the order among the
        events of one second is redrawn.
        """
        with self._lock:
            issue = self.issues[issue_id]
            if issue.factory is None:
                raise ValueError(f"issue {issue_id} cannot ingest synthetic events")
            step = timedelta(microseconds=1)
            if at is None:
                # The last whole second before now: Sentry does not list the current one yet.
                base = self.now().replace(microsecond=0) - timedelta(seconds=1)
                if issue.events:
                    base = max(base, max(e.ts for e in issue.events) + step)
            else:
                base = at
            new: list[DemoEvent] = []
            for i in range(count):
                event = issue.factory(issue.next_seq, base + step * i)
                issue.next_seq += 1
                new.append(event)
            issue.events.extend(new)
            self._reshuffle(issue)
            self._environments = None
        return [event.event_id for event in reversed(new)]

    def delete_events(self, issue_id: str, event_ids: Iterable[str]) -> list[str]:
        """Delete events (a deletion, merge or reprocessing in Sentry); returns the ids removed."""
        wanted = {event_id.lower() for event_id in event_ids}
        with self._lock:
            issue = self.issues[issue_id]
            removed = [event.event_id for event in issue.events if event.event_id in wanted]
            if removed:
                issue.events = [event for event in issue.events if event.event_id not in wanted]
                self._reshuffle(issue)
                self._environments = None
        return removed


def __getattr__(name: str) -> Any:
    # `build_demo_store` lives in `gateway.demo.data` (it needs the generators, which
    # need this module); importing it from here keeps working.
    if name == "build_demo_store":
        from .data import build_demo_store

        return build_demo_store
    raise AttributeError(name)
