"""The framework floor for the `small` workload: what strawberry alone costs.

Two ASGI apps, each the least a strawberry gateway can be (strawberry's own
ASGI view on Starlette, one resolver, no extensions, limits, logging or
metrics):

* ``FLOOR=strawberry``: the resolver returns ten events made in memory;
* ``FLOOR=strawberry+httpx``: the resolver first makes the one upstream call
  the gateway makes for `small` (`bench/upstream.py`'s simple page of 17
  events, through one pooled httpx client) and decodes it with orjson.

Served by ``python -m uvicorn floor_app:app`` (uvloop and httptools, as the
gateway); `bench/floor.py` runs and measures them beside the gateway.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import orjson
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry.asgi import GraphQL

UPSTREAM = os.environ.get("FLOOR_UPSTREAM", "")
CLIENT = httpx.AsyncClient(base_url=UPSTREAM, limits=httpx.Limits(max_connections=8)) if UPSTREAM else None


@strawberry.type
class Event:
    eventID: str
    title: str | None
    dateCreated: str | None


async def _upstream_events() -> list[dict[str, Any]]:
    assert CLIENT is not None
    response = await CLIENT.get("/api/0/issues/2/events/", params={"per_page": "17"})
    items: list[dict[str, Any]] = orjson.loads(response.content)
    return items[:10]


@strawberry.type
class Query:
    @strawberry.field
    async def events(self) -> list[Event]:
        if os.environ.get("FLOOR") == "strawberry+httpx":
            items = await _upstream_events()
        else:
            items = [{"eventID": f"{i:032x}", "title": "t", "dateCreated": "2026-01-01T00:00:00Z"} for i in range(10)]
        return [Event(eventID=i["eventID"], title=i.get("title"), dateCreated=i.get("dateCreated")) for i in items]


app = Starlette(routes=[Route("/graphql", GraphQL(strawberry.Schema(Query)))])
