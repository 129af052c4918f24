"""The embedded Sentry-compatible upstream: demo data behind Sentry's wire format.

The gateway talks to it in demo mode (``httpx.ASGITransport(app=create_demo_app())``),
tests run it in-process or under uvicorn, and ``python -m gateway.demo`` serves it.
It is standalone: nothing here imports the gateway.

Public API::

    DEMO_ORG_SLUG, DEMO_ORG_ID, DEMO_PROJECT_SLUG, DEMO_PROJECT_ID, DEMO_TOKEN
    DemoStore, DemoIssue, DemoEvent       # the data model (gateway.demo.store)
    build_demo_store(now=None, *, clock=None)   # deterministic data (gateway.demo.data)
    create_demo_app(store=None, *, url_prefix="https://sentry.io", faults=False, fault_seed=0,
                    brownout=False)         # app.state.brownout: unscoped routes answer 410
    gateway.demo.issues.add_many_issues(store, n)   # n small issues (ids 100...) for batching
    RequestRecord, reset_requests         # app.state.requests and its reset
    Fault, FaultPlan, ConnectionDropped   # fault injection (gateway.demo.faults)
"""

from .app import RequestRecord, create_demo_app, reset_requests
from .auth import TOKENS
from .data import BURST_ISSUE_ID, ISSUE_COUNTS, LEGACY_ISSUE_ID, OLD_ISSUE_ID, PRIVATE_ISSUE_ID, build_demo_store
from .faults import ConnectionDropped, Fault, FaultPlan
from .store import (
    DEMO_ORG_ID,
    DEMO_ORG_SLUG,
    DEMO_PROJECT_ID,
    DEMO_PROJECT_SLUG,
    DEMO_TOKEN,
    DemoEvent,
    DemoIssue,
    DemoStore,
    short_id_for,
)

__all__ = [
    "DEMO_ORG_ID",
    "DEMO_ORG_SLUG",
    "DEMO_PROJECT_ID",
    "DEMO_PROJECT_SLUG",
    "DEMO_TOKEN",
    "TOKENS",
    "ConnectionDropped",
    "Fault",
    "FaultPlan",
    "ISSUE_COUNTS",
    "BURST_ISSUE_ID",
    "LEGACY_ISSUE_ID",
    "OLD_ISSUE_ID",
    "PRIVATE_ISSUE_ID",
    "DemoEvent",
    "DemoIssue",
    "DemoStore",
    "RequestRecord",
    "build_demo_store",
    "create_demo_app",
    "reset_requests",
    "short_id_for",
]
