"""Issue 4: a performance issue ("N+1 Query") whose events are transactions.

A transaction event's full view has ``type: "transaction"``, no ``dateCreated``,
``culprit``, ``fingerprints``, ``crashFile`` or ``groupingConfig``, but
``startTimestamp``/``endTimestamp`` (float epoch seconds), ``measurements``,
``breakdowns`` and an ``occurrence`` whose keys are camelCase all the way down
(``evidenceData.parentSpanIds`` ...). The simple view still prints ``dateCreated``
(the end timestamp) and ``culprit`` (the transaction name), as Sentry's
``SimpleEventSerializer`` does.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from . import entries as E
from .dates import format_dt
from .fixtures import full_defaults
from .serializers import sort_entries
from .store import DEMO_PROJECT_ID, DemoEvent
from .synthetic import event_id_for, fingerprint, rng_for, user_for, user_tags

__all__ = ["TRANSACTION", "transaction_event"]

TRANSACTION = "/api/orders/"
_QUERY = "SELECT order_items.* FROM order_items WHERE order_items.order_id = %s"


def transaction_event(issue_id: str, seq: int, ts: datetime) -> DemoEvent:
    """One transaction of the N+1 issue; ``ts`` is its end time."""
    rng = rng_for(issue_id, seq)
    event_id = event_id_for(issue_id, seq)
    duration = round(rng.uniform(0.4, 2.4), 6)
    end = ts.timestamp()
    start = end - duration
    trace_id = hashlib.md5(f"trace:{issue_id}:{seq}".encode()).hexdigest()
    root_span = f"{rng.getrandbits(64):016x}"
    repeats = rng.randint(6, 14)
    spans = [
        {
            "trace_id": trace_id,
            "span_id": f"{rng.getrandbits(64):016x}",
            "parent_span_id": root_span,
            "op": "db",
            "description": "SELECT orders.id, orders.total FROM orders WHERE orders.customer_id = %s",
            "start_timestamp": round(start + 0.01, 6),
            "timestamp": round(start + 0.03, 6),
            "same_process_as_parent": True,
            "hash": "7bd0a3c1e2f45d6a",
            "exclusive_time": 20.0,
            "data": {"db.system": "postgresql"},
        }
    ]
    offender_ids = []
    for k in range(repeats):
        span_id = f"{rng.getrandbits(64):016x}"
        offender_ids.append(span_id)
        spans.append(
            {
                "trace_id": trace_id,
                "span_id": span_id,
                "parent_span_id": root_span,
                "op": "db",
                "description": _QUERY,
                "start_timestamp": round(start + 0.04 + k * 0.02, 6),
                "timestamp": round(start + 0.055 + k * 0.02, 6),
                "same_process_as_parent": True,
                "hash": "c3a9e1f0b2d4e6f8",
                "exclusive_time": 15.0,
                "data": {"db.system": "postgresql"},
            }
        )
    environment = "production" if seq % 4 else "staging"
    uid = rng.randint(1, 40)
    entries = sort_entries(
        [
            E.spans_entry(spans),
            E.request_entry(
                url=f"https://api.example.com{TRANSACTION}",
                method="GET",
                query=[["customer", str(uid)]],
                headers=[["Accept", "application/json"], ["Host", "api.example.com"]],
            ),
            E.breadcrumbs_entry(
                [
                    E.breadcrumb(
                        timestamp=format_dt(ts - timedelta(seconds=duration)),
                        category="query",
                        message=_QUERY,
                        data={"db.system": "postgresql"},
                    )
                ]
            ),
        ]
    )
    occurrence_id = hashlib.md5(f"occurrence:{issue_id}:{seq}".encode()).hexdigest()
    payload = full_defaults(event_id, "transaction")
    payload.update(
        groupID=issue_id,
        projectID=DEMO_PROJECT_ID,
        size=rng.randint(3000, 9000),
        entries=entries,
        message="",
        title="N+1 Query",
        location=TRANSACTION,
        user=user_for(uid),
        contexts={
            "trace": {
                "trace_id": trace_id,
                "span_id": root_span,
                "op": "http.server",
                "status": "ok",
                "exclusive_time": round(duration * 1000 * 0.2, 3),
                "type": "trace",
            },
            "runtime": {"name": "CPython", "version": "3.12.3", "type": "runtime"},
        },
        sdk={"name": "sentry.python.django", "version": "2.18.0"},
        metadata={"title": "N+1 Query", "location": TRANSACTION, "value": _QUERY},
        tags=[
            {"key": "environment", "value": environment},
            {"key": "transaction", "value": TRANSACTION},
            {"key": "level", "value": "info"},
            {"key": "http.method", "value": "GET"},
            {"key": "http.status_code", "value": "200"},
            *user_tags(uid),
            {"key": "release", "value": "backend@1.5.1"},
        ],
        platform="python",
        dateReceived=format_dt(ts + timedelta(milliseconds=700)),
        occurrence={
            "id": occurrence_id,
            "projectId": int(DEMO_PROJECT_ID),
            "eventId": event_id,
            "fingerprint": [fingerprint(issue_id)],
            "issueTitle": "N+1 Query",
            "subtitle": _QUERY,
            "resourceId": None,
            "evidenceData": {
                "transactionName": TRANSACTION,
                "op": "db",
                "parentSpanIds": [root_span],
                "parentSpan": f"http.server - {TRANSACTION}",
                "causeSpanIds": [spans[0]["span_id"]],
                "offenderSpanIds": offender_ids,
                "numRepeatingSpans": str(repeats),
                "repeatingSpans": f"db - {_QUERY}",
                "repeatingSpansCompact": _QUERY,
            },
            "evidenceDisplay": [
                {"name": "Offending Spans", "value": f"db - {_QUERY}", "important": True},
                {"name": "Transaction Name", "value": TRANSACTION, "important": False},
            ],
            "type": 1006,
            "detectionTime": round(end + 2.5, 6),
            "level": "info",
            "culprit": TRANSACTION,
            "initialIssuePriority": 50,
            "assignee": None,
        },
        startTimestamp=round(start, 6),
        endTimestamp=round(end, 6),
        measurements={"app_start_cold": {"value": round(rng.uniform(900, 1800), 3), "unit": "millisecond"}}
        if seq % 5 == 0
        else {},
        breakdowns={
            "span_ops": {
                "ops.db": {"value": round(15.0 * repeats + 20.0, 3), "unit": "millisecond"},
                "ops.http": {"value": round(rng.uniform(0, 80), 3), "unit": "millisecond"},
                "total.time": {"value": round(duration * 1000, 3), "unit": "millisecond"},
            }
        },
    )
    return DemoEvent(
        issue_id=issue_id,
        ts=ts,
        payload=payload,
        raw_message="",
        detail={"release": {"version": "backend@1.5.1"}, "sdkUpdates": [], "resolvedWith": []},
        simple_extra={"dateCreated": format_dt(ts), "culprit": TRANSACTION},
    )
