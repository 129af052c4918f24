"""Issue 1: every shared fixture event, payload values kept exactly as captured.

One demo event per fixture event: the 2018 seed's list item, the two OpenAPI list
items, the 2020 docs list item, each detail fixture (OpenAPI current and 2024-10, the
sentry-mcp capture, both 2020 open-source captures) and one event built around the
SYNTHESIZED threads entry. Their keys and values are untouched (dates, ids, tags with
``"_meta": null``, ``_meta``, entry order, a ``user`` without ``geo``...); only keys a
fixture lacks are filled with the serializer's null/empty default. ``event.type`` of
the list items becomes ``type`` in the stored (full) shape, and the detail-only
``release``/``userReport``/``sdkUpdates``/``resolvedWith`` are kept as detail extras.
``nextEventID``/``previousEventID`` are *not* kept: the demo computes them.

Quirks, on purpose:

* **Received time.** The fixtures' dates are years old, so the 90-day default window
  would hide them all. For windowing and ordering each gets an internal timestamp in
  the last day before the anchor, in the order of their ``dateCreated`` (file order on
  ties), while the payload keeps the original ``dateCreated``. A ``start``/``end`` of
  2018 therefore does *not* find the seed event.
* **Shared ids.** The fixtures' ``groupID`` values are kept (not "1"); their ``id`` may
  be a 2018-2020 row id ("1", "3419") that differs from ``eventID``. Two pairs of
  fixtures share an ``eventID`` (the OpenAPI list items; the OpenAPI and 2024-10
  detail examples): a detail lookup by that id returns the newer of the two, and a
  direct-hit search for it finds two events, so no direct hit happens.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from . import entries as E
from .serializers import sort_entries
from .store import DEMO_PROJECT_ID, DemoEvent

__all__ = [
    "FIXTURES_DIR",
    "FIXTURE_FILES",
    "SEED_LINK",
    "load_fixture",
    "fixture_events",
    "full_defaults",
]

FIXTURES_DIR = Path(__file__).parent / "fixtures"

# (file, dateCreated order tie-break is this order)
FIXTURE_FILES = (
    "seed-list-issue-events-2018.json",
    "sentry-docs-2020-generated-list-issue-events.json",
    "openapi-legacy-2024-10-issue-event-latest-oldest.json",
    "openapi-retrieve-issue-event.json",
    "glitchtip-oss-sentry-2020-issue-event-latest-js-error-with-context.json",
    "openapi-list-issue-events.json",
    "openapi-legacy-2024-10-list-issue-events.json",
    "glitchtip-oss-sentry-2020-issue-event-latest-python-logging.json",
    "sentry-mcp-mocks-issue-event-detail.json",
)
THREADS_FIXTURE = "SYNTHESIZED-threads-entry-shape-from-source.json"
THREADS_EVENT_DATE = "2025-06-02T09:30:00Z"
_COMPUTED_KEYS = ("nextEventID", "previousEventID")
_DETAIL_KEYS = ("release", "userReport", "sdkUpdates", "resolvedWith")


@cache
def _read(name: str) -> str:
    return (FIXTURES_DIR / name).read_text(encoding="utf-8")


def load_fixture(name: str) -> Any:
    """A fresh parsed copy of one fixture file."""
    return json.loads(_read(name))


def seed_link() -> str:
    return _read("seed-list-issue-events-2018.link.txt").strip()


SEED_LINK = seed_link()


def full_defaults(event_id: str, event_type: str) -> dict[str, Any]:
    """The full serializer's null/empty value of every key, in Sentry's key order."""
    defaults: dict[str, Any] = {
        "id": event_id,
        "groupID": None,
        "eventID": event_id,
        "projectID": DEMO_PROJECT_ID,
        "size": None,
        "entries": [],
        "dist": None,
        "message": "",
        "title": "",
        "location": None,
        "user": None,
        "contexts": {},
        "sdk": None,
        "context": {},
        "packages": {},
        "type": event_type,
        "metadata": {},
        "tags": [],
        "platform": None,
        "dateReceived": None,
        "errors": [],
        "occurrence": None,
        "_meta": {
            "entries": {},
            "message": None,
            "user": None,
            "contexts": None,
            "sdk": None,
            "context": None,
            "packages": None,
            "tags": {},
        },
    }
    if event_type != "transaction":
        defaults.update(
            crashFile=None, culprit=None, dateCreated=None, fingerprints=[], groupingConfig=None
        )
    return defaults


def _to_stored(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fixture item -> (full payload, detail extras); fixture keys and values untouched."""
    payload: dict[str, Any] = {}
    for key, value in item.items():
        if key in _COMPUTED_KEYS or key in _DETAIL_KEYS:
            continue
        payload["type" if key == "event.type" else key] = value
    for key, value in full_defaults(item["eventID"], payload.get("type", "default")).items():
        payload.setdefault(key, value)
    detail = {key: item[key] for key in _DETAIL_KEYS if key in item}
    return payload, detail


def _threads_event() -> dict[str, Any]:
    """A Java error event wrapped around the SYNTHESIZED threads entry (kept verbatim)."""
    threads = load_fixture(THREADS_FIXTURE)
    event_id = hashlib.md5(b"demo:fixtures:threads").hexdigest()
    main_frames = threads["data"]["values"][0]["stacktrace"]
    exc = E.exception_value(
        "java.lang.IllegalStateException",
        "Queue is closed",
        module="java.lang",
        thread_id=1,
        mechanism=E.mechanism(type="UncaughtExceptionHandler", handled=False),
        stacktrace=main_frames,
    )
    payload = full_defaults(event_id, "error")
    payload.update(
        groupID="1",
        title="IllegalStateException: Queue is closed",
        message="",
        location="Main.java",
        culprit="com.example.Main in main",
        platform="java",
        entries=sort_entries([threads, E.exception_entry([exc])]),
        metadata={
            "type": "IllegalStateException",
            "value": "Queue is closed",
            "filename": "Main.java",
            "function": "main",
            "in_app_frame_mix": "in-app-only",
        },
        tags=[
            {"key": "level", "value": "error"},
            {"key": "environment", "value": "production"},
            {"key": "handled", "value": "no"},
            {"key": "mechanism", "value": "UncaughtExceptionHandler"},
        ],
        contexts={"runtime": {"name": "OpenJDK", "version": "21.0.2", "type": "runtime"}},
        sdk={"name": "sentry.java", "version": "7.14.0"},
        dateCreated=THREADS_EVENT_DATE,
        dateReceived="2025-06-02T09:30:01.250000Z",
        fingerprints=["3f2b6d9c0e8a4a7b9c1d2e3f4a5b6c7d"],
        groupingConfig={"id": "newstyle:2023-01-11", "enhancements": "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ"},
        size=2210,
    )
    return payload


def _parse_fixture_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def fixture_events(anchor: datetime, issue_id: str = "1") -> list[DemoEvent]:
    """Issue 1's events, with internal timestamps spread over the day before ``anchor``."""
    stored: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for name in FIXTURE_FILES:
        data = load_fixture(name)
        for item in data if isinstance(data, list) else [data]:
            stored.append(_to_stored(item))
    stored.append((_threads_event(), {}))

    # order of dateCreated, file order on ties (sorted() is stable)
    ordered = sorted(stored, key=lambda pair: _parse_fixture_date(pair[0]["dateCreated"]))
    count = len(ordered)
    first = anchor - timedelta(hours=22)
    step = timedelta(hours=20) / max(count - 1, 1)
    return [
        DemoEvent(
            issue_id=issue_id,
            ts=first + step * i,
            payload=payload,
            raw_message=payload.get("message"),
            detail=detail,
        )
        for i, (payload, detail) in enumerate(ordered)
    ]
