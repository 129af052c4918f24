"""The worker's pool of connections to Sentry: `GATEWAY_UPSTREAM_CONNECTIONS` bounds it.

A loopback upstream answers each events list after a pause, so the calls of
one fan-out query overlap, and counts the connections open at once. Calls
beyond the bound wait for a free connection and still answer.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from gateway.app import create_app
from gateway.demo import DEMO_TOKEN
from gateway.settings import SettingsError, load_settings

pytestmark = pytest.mark.anyio

ISSUES = range(2, 8)
FANOUT = "{ " + " ".join(f'i{n}: issue(id: "{n}") {{ events(first: 1) {{ nodes {{ eventID }} }} }}' for n in ISSUES) + " }"


class _Counting:
    """Open connections now, and the most seen at once."""

    def __init__(self) -> None:
        self.open = 0
        self.most = 0


@asynccontextmanager
async def slow_upstream(pause: float) -> AsyncIterator[tuple[str, _Counting]]:
    counting = _Counting()
    created = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counting.open += 1
        counting.most = max(counting.most, counting.open)
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(pause)
                body = json.dumps([{"eventID": uuid.uuid4().hex, "dateCreated": created}]).encode()
                head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            counting.open -= 1
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", counting
        server.close()


async def _fanout(base: str, **env: str) -> dict[str, object]:
    settings = load_settings(
        {
            "SENTRY_BASE_URL": base,
            "SENTRY_ORG": "bench",
            "SENTRY_AUTH_TOKEN": DEMO_TOKEN,
            "GATEWAY_ACCESS_LOG": "0",
            **env,
        }
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http,
    ):
        response = await http.post("/graphql", json={"query": FANOUT})
    assert response.status_code == 200, response.text[:500]
    return response.json()


@pytest.mark.parametrize("connections", [2, 4])
async def test_calls_beyond_the_pool_wait_for_a_connection(connections: int) -> None:
    async with slow_upstream(0.05) as (base, counting):
        body = await _fanout(base, GATEWAY_UPSTREAM_CONNECTIONS=str(connections))
    assert "errors" not in body, body
    assert all(len(body["data"][f"i{n}"]["events"]["nodes"]) == 1 for n in ISSUES)  # type: ignore[index]
    # Six overlapping calls (the request may run eight at once) share the pool.
    assert counting.most == connections


def test_the_pool_size_is_read_and_bounded() -> None:
    assert load_settings({}).upstream_connections == 8
    assert load_settings({"GATEWAY_UPSTREAM_CONNECTIONS": "32"}).upstream_connections == 32
    with pytest.raises(SettingsError, match="GATEWAY_UPSTREAM_CONNECTIONS"):
        load_settings({"GATEWAY_UPSTREAM_CONNECTIONS": "0"})
