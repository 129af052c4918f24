"""Upstream calls per page of `Issue.events`, forward and backward, in-process.

Walks demo issues through the gateway's GraphQL API (ASGI, no sockets) and
counts the list calls the demo upstream receives per page. Calls, not time: the
number is the same on any machine, and a real Sentry answers each in tens to
hundreds of milliseconds.

    python bench/paging_calls.py                 # the table for bench/RESULTS.md
    python bench/paging_calls.py --churn         # events stored late / deleted between pages

Also runs against an older checkout of the gateway (its demo and app factory
have the same names), which is how the "before" rows were produced.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path.cwd()))

from gateway.app import create_app  # noqa: E402
from gateway.demo import create_demo_app  # noqa: E402
from gateway.settings import load_settings  # noqa: E402

PAGE = """
query Page($issue: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  issue(id: $issue) {
    events(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { eventID } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def walk(issue: str, size: int, forward: bool, churn: bool) -> tuple[int, list[int], int]:
    """(events listed, calls per page, pages) of one whole walk."""
    demo = create_demo_app()
    app = create_app(load_settings({"GATEWAY_DEMO": "1"}), transport=httpx.ASGITransport(app=demo))
    store = demo.state.store
    per_page: list[int] = []
    listed = 0
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
            cursor = None
            for step in range(1000):
                variables: dict[str, Any] = {"issue": issue}
                if forward:
                    variables.update(first=size, after=cursor)
                else:
                    variables.update(last=size, before=cursor)
                before_calls = len(demo.state.requests)
                body = (await http.post("/graphql", json={"query": PAGE, "variables": variables})).json()
                per_page.append(len(demo.state.requests) - before_calls)
                conn = body["data"]["issue"]["events"]
                listed += len(conn["edges"])
                info = conn["pageInfo"]
                more = info["hasNextPage"] if forward else info["hasPreviousPage"]
                if not more:
                    break
                cursor = info["endCursor"] if forward else info["startCursor"]
                if churn and hasattr(store, "delete_events"):
                    events = store.events(issue)
                    store.add_events(issue, 1, at=events[len(events) // 2].ts)
                    store.add_events(issue, 1, at=store.now() - timedelta(hours=3))
    return listed, per_page, len(per_page)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--churn", action="store_true", help="store events late between pages")
    args = parser.parse_args()
    print("| issue | direction | page size | pages | events | calls per page: mean / max | first page |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for issue in ("2", "8"):
        for forward in (True, False):
            for size in (10, 25, 50, 100):
                listed, calls, pages = await walk(issue, size, forward, args.churn)
                print(
                    f"| {issue} | {'forward' if forward else 'backward'} | {size} | {pages} | {listed} "
                    f"| {statistics.mean(calls):.2f} / {max(calls)} | {calls[0]} |"
                )


if __name__ == "__main__":
    asyncio.run(main())
