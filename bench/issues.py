"""The issue workloads (issue 14): upstream calls per query, and the gateway's time for them.

    python bench/issues.py              # 200 requests per workload
    python bench/issues.py --requests 50

Workloads:

* ``issue page``: issue fields + tag facets + the first 25 events + the latest event's
  exception, for issue 2 (320 events);
* ``many issues``: ``issues(ids:)`` with 50 ids (the demo's `add_many_issues`), title,
  status, count, lastSeen, assignee;
* ``many issues, no org``: 20 of those ids for a token that may not list organizations
  (``sntryu_events``): the detail route, 5 calls a second (50 would take ~10 s, the
  default request deadline).

The gateway runs in-process as ASGI (no HTTP server, no load tool) over the demo upstream,
also in-process, so the numbers are the gateway's and the demo's own work on one core, for
before/after comparisons; calls per query are counted in the demo's request log. The
GraphQL Mesh peer of `bench/run.py` is not measured here: its schema (one operation per
REST endpoint, from bench/mesh/openapi.json) has no issue endpoints, and no generic REST
mapping batches ``group`` ids across fields (it would make one call per issue).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gateway.app import create_app  # noqa: E402
from gateway.demo import create_demo_app  # noqa: E402
from gateway.demo.issues import add_many_issues  # noqa: E402
from gateway.settings import load_settings  # noqa: E402

ISSUE_PAGE = """query IssuePage($id: ID!) {
  issue(id: $id) {
    shortId title culprit level status count userCount firstSeen lastSeen
    project { slug } assignedTo { __typename }
    tags(limit: 5) { key name totalValues topValues { value count } }
    events(first: 25) { nodes { eventID dateCreated user { email } } pageInfo { hasNextPage endCursor } }
    latestEvent { entries { ... on ExceptionEntry { values { type value stacktrace { frames { filename function lineNo } } } } } }
  }
}"""
MANY_ISSUES = """query ManyIssues($ids: [ID!]!) {
  issues(ids: $ids) { issueId shortId title status count lastSeen assignedTo { __typename } }
}"""


async def measure(
    name: str, query: str, variables: dict[str, Any], token: str, requests: int, ids: int = 50
) -> dict[str, Any]:
    demo = create_demo_app()
    many = add_many_issues(demo.state.store, 50)
    if "ids" in variables:
        variables = {"ids": many[:ids]}
    settings = load_settings({"SENTRY_BASE_URL": "http://sentry.bench", "GATEWAY_ACCESS_LOG": "0"})
    app = create_app(settings, transport=httpx.ASGITransport(app=demo))
    headers = {"Authorization": f"Bearer {token}"}
    body = {"query": query, "variables": variables}
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as http:
            answer = (await http.post("/graphql", json=body, headers=headers)).json()  # warm: discovery
            assert "errors" not in answer, answer["errors"]
            times, calls = [], []
            for _ in range(requests):
                demo.state.requests.clear()
                started = time.perf_counter()
                response = await http.post("/graphql", json=body, headers=headers)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and "errors" not in response.json()
                calls.append(len(demo.state.requests))
    times.sort()
    return {
        "workload": name,
        "requests": requests,
        "upstream calls per query": statistics.mean(calls),
        "p50 ms": round(statistics.median(times), 2),
        "p90 ms": round(times[int(len(times) * 0.9) - 1], 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    results = [
        await measure("issue page", ISSUE_PAGE, {"id": "2"}, "sntryu_demo", args.requests),
        await measure("many issues (50 ids)", MANY_ISSUES, {"ids": []}, "sntryu_demo", args.requests),
        # 5 a second: each request takes seconds, so a few say enough.
        await measure("many issues, no org (20 ids, detail route)", MANY_ISSUES, {"ids": []}, "sntryu_events", 2, ids=20),
    ]
    for result in results:
        print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main())
