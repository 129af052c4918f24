"""``/_demo/events``: store events late and delete them over HTTP (loopback callers only).

The soak, the interop tests and anyone exploring the demo use it to make the list
change under a client the way Sentry's does (facts doc, section 8):

* ``POST {"issueId": "2", "count": 3, "ageSeconds": 30}`` stores 3 events 30 s in
  the past (ingestion delay; hours or days for an offline client), or at ``"at"``
  (ISO 8601); answers ``{"eventIds": [...]}``, newest first;
* ``DELETE {"issueId": "2", "eventIds": [...]}`` deletes them; answers ``{"deleted": [...]}``;
* ``POST {"ties": "per_query" | "on_change"}`` says when the order among events of one
  second is redrawn (`DemoStore`).

Enabled with the fault injection (``demo-upstream --faults``, ``create_demo_app(faults=True)``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from .store import DemoStore

__all__ = ["EVENTS_PATH", "is_events_path", "events_control"]

EVENTS_PATH = "/_demo/events"
_MAX_COUNT = 10_000


def is_events_path(path: str) -> bool:
    return path in (EVENTS_PATH, EVENTS_PATH + "/")


async def events_control(store: DemoStore, scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    try:
        payload = json.loads(await request.body() or b"{}")
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        body = _apply(store, request.method, payload)
        response = JSONResponse(body)
    except (ValueError, KeyError, TypeError) as exc:
        response = JSONResponse({"detail": str(exc)}, status_code=400)
    await response(scope, receive, send)


def _apply(store: DemoStore, method: str, payload: dict[str, Any]) -> dict[str, Any]:
    if method == "POST" and set(payload) == {"ties"}:
        if payload["ties"] not in ("on_change", "per_query"):
            raise ValueError('"ties" must be "on_change" or "per_query"')
        store.ties = payload["ties"]
        return {"ties": store.ties}
    issue_id = str(payload.get("issueId", ""))
    if store.issue(issue_id) is None:
        raise ValueError(f"no demo issue {issue_id!r}")
    if method == "POST":
        count = payload.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= _MAX_COUNT:
            raise ValueError(f'"count" must be an integer from 1 to {_MAX_COUNT}')
        at: datetime | None = None
        if "at" in payload:
            at = datetime.fromisoformat(str(payload["at"]).replace("Z", "+00:00"))
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
        elif "ageSeconds" in payload:
            age = payload["ageSeconds"]
            if not isinstance(age, (int, float)) or isinstance(age, bool) or not 0 <= age <= 90 * 86400:
                raise ValueError('"ageSeconds" must be a number of seconds from 0 to 90 days')
            at = store.now() - timedelta(seconds=age)
        return {"eventIds": store.add_events(issue_id, count, at=at)}
    if method == "DELETE":
        ids = payload.get("eventIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise ValueError('"eventIds" must be a list of event ids')
        return {"deleted": store.delete_events(issue_id, ids)}
    raise ValueError("use POST or DELETE")
