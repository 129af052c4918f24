"""Shared fixtures: the gateway as an ASGI app over the embedded demo upstream.

`gateway` runs the real app (lifespan included) in demo mode; the demo
upstream runs in-process behind httpx, so every test crosses the real REST
wire format. `Gateway.upstream` is the demo's request log, for counting calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from gateway.app import create_app
from gateway.demo import create_demo_app
from gateway.settings import load_settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Gateway:
    """A running gateway and the upstream it talks to."""

    def __init__(self, http: httpx.AsyncClient, demo_app: Any) -> None:
        self.http = http
        self.demo_app = demo_app

    @property
    def store(self) -> Any:
        return self.demo_app.state.store

    async def post(
        self, query: str, variables: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": dict(variables or {})}, headers=headers
        )
        assert response.headers["content-type"].startswith("application/json"), response.text
        return response.json()

    async def data(self, query: str, variables: Mapping[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """The `data` of a query that must succeed without errors."""
        body = await self.post(query, variables, **kw)
        assert "errors" not in body, body.get("errors")
        return body["data"]

    def upstream_calls(self) -> list[tuple[str, dict[str, list[str]]]]:
        """(path, query params) of every request the upstream received, in order."""
        calls = []
        for record in self.demo_app.state.requests:
            params: dict[str, list[str]] = {}
            for key, value in parse_qsl(record.query_string, keep_blank_values=True):
                params.setdefault(key, []).append(value)
            calls.append((record.path, params))
        return calls

    def reset_calls(self) -> None:
        self.demo_app.state.requests.clear()


async def start_gateway(env: Mapping[str, str] | None = None, *, faults: bool = False) -> tuple[Any, Any]:
    """An app over a fresh in-process demo upstream (demo mode unless env says otherwise)."""
    demo_app = create_demo_app(faults=faults)
    settings = load_settings(dict(env or {}))
    app = create_app(settings, transport=httpx.ASGITransport(app=demo_app))
    return app, demo_app


@pytest.fixture
async def gateway() -> AsyncIterator[Gateway]:
    async with running_gateway() as gw:
        yield gw


class running_gateway:
    """``async with running_gateway(env) as gw``: a gateway with its lifespan running."""

    def __init__(self, env: Mapping[str, str] | None = None, *, faults: bool = False) -> None:
        self.env = env
        self.faults = faults

    async def __aenter__(self) -> Gateway:
        app, demo_app = await start_gateway(self.env, faults=self.faults)
        self._lifespan = app.router.lifespan_context(app)
        await self._lifespan.__aenter__()
        self._http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")
        return Gateway(self._http, demo_app)

    async def __aexit__(self, *exc: Any) -> None:
        await self._http.aclose()
        await self._lifespan.__aexit__(*exc)
