"""The demo's data model: one organization, one project, a few issues and their events.

Each `DemoEvent` holds its payload in the shape of Sentry's full ``EventSerializer``
(tags in *stored* order; the serializers derive the simple, full and detail views),
the detail-only extras (``release``, ``userReport``, ``sdkUpdates``, ``resolvedWith``),
the raw ``event.message`` the simple serializer prints, and an internal timestamp
``ts`` that drives ordering and the date window.

Ordering: newest first by ``ts``; ties (several issues have events sharing a
timestamp on purpose) are broken by ``eventID``, descending, so the order is total and
identical in every process. Sentry leaves the tie order unspecified.

Everything is deterministic given the anchor (see `gateway.demo.data`); the only wall
clock read is `DemoStore.now()`, which the date window uses, and it can be replaced
with the ``clock`` argument.
"""

from __future__ import annotations

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

    def resort(self) -> None:
        self.events.sort(key=DemoEvent.sort_key, reverse=True)


class DemoStore:
    """All demo issues and events. Mutable: `add_events` ingests new events."""

    def __init__(
        self,
        issues: Iterable[DemoIssue] = (),
        *,
        anchor: datetime | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.anchor = anchor or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        self._clock = clock or (lambda: datetime.now(UTC))
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
        """A snapshot of the issue's events, newest first (no filter, no window)."""
        with self._lock:
            return list(self.issues[issue_id].events)

    def event_ids(self, issue_id: str) -> list[str]:
        """Event ids newest first, in the default order, no filters, ignoring the window."""
        return [event.event_id for event in self.events(issue_id)]

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
            issue.resort()
            self.issues[issue.issue_id] = issue
            self._environments = None
        return issue

    def add_events(self, issue_id: str, count: int, *, at: datetime | None = None) -> list[str]:
        """Ingest ``count`` new synthetic events and return their ids, newest first.

        Without ``at`` they land "now" and are strictly newer than every stored event
        (1 microsecond apart, the newest 1 microsecond before the current clock, so a
        default window ending "now", which excludes its end, shows them even under a
        frozen clock). With ``at`` the first lands exactly at ``at`` and the others 1
        microsecond later each.
        """
        with self._lock:
            issue = self.issues[issue_id]
            if issue.factory is None:
                raise ValueError(f"issue {issue_id} cannot ingest synthetic events")
            step = timedelta(microseconds=1)
            if at is None:
                base = self.now() - step * count
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
            issue.resort()
            self._environments = None
        return [event.event_id for event in reversed(new)]


def __getattr__(name: str) -> Any:
    # `build_demo_store` lives in `gateway.demo.data` (it needs the generators, which
    # need this module); importing it from here keeps working.
    if name == "build_demo_store":
        from .data import build_demo_store

        return build_demo_store
    raise AttributeError(name)
