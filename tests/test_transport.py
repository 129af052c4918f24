"""`AiohttpWire` behaves as `HttpxWire` over httpx's own transport, over a real socket.

Both carry the same `SentryClient` calls to the demo upstream served by
uvicorn on loopback, with the demo's faults, and must give the same outcome:
the same page (events, Link cursors, byte-exact headers), or the same
exception with the same message.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.demo import DEMO_TOKEN, create_demo_app
from gateway.demo.faults import Fault
from gateway.sentry.client import SentryClient
from gateway.sentry.filters import EventFilters
from gateway.sentry.transport import AiohttpWire
from gateway.sentry.wire import HttpxWire

from .servers import serve_in_thread

pytestmark = pytest.mark.anyio
TOKEN = f"Bearer {DEMO_TOKEN}"


_APPS: dict[str, Any] = {}


def _demo_requests(base: str) -> list[Any]:
    return _APPS[base].state.requests


@pytest.fixture(scope="module")
def upstream() -> Iterator[tuple[str, Any]]:
    app = create_demo_app(faults=True)
    base, stop = serve_in_thread(app)
    _APPS[base] = app
    yield base, app.state.faults
    stop()


def transports() -> list[tuple[str, Any]]:
    return [("httpx", lambda: HttpxWire(httpx.AsyncHTTPTransport(retries=0))), ("aiohttp", AiohttpWire)]


async def outcome(base: str, call: str, faults: Any, fault: Fault | None, timeout: float = 5.0) -> list[Any]:
    """What each transport gives for the same call and fault: [(name, result or error)]."""
    results = []
    for name, make in transports():
        faults.clear()
        if fault is not None:
            faults.add(fault)
        transport = make()
        async with transport:
            client = SentryClient(transport, base_url=base, max_retries=0, timeout=timeout)
            try:
                if call == "page":
                    page = await client.list_issue_events(TOKEN, "2", per_page=7, cursor="0:7:0")
                    result: Any = ("page", [e["eventID"] for e in page.events], page.links)
                elif call == "event":
                    result = ("event", (await client.get_issue_event(TOKEN, "3", "latest"))["eventID"])
                elif call == "missing":
                    result = ("page", (await client.list_issue_events(TOKEN, "999999")).events)
                else:
                    result = ("page", (await client.list_issue_events("Bearer wrong", "2")).events)
            except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
                result = (type(exc).__name__, str(exc), getattr(exc, "status", None))
        results.append((name, result))
    faults.clear()
    return results


CASES = [
    ("page", None),
    ("event", None),
    ("missing", None),
    ("unauthorized", None),
    ("page", Fault(kind="status", status=502)),
    ("page", Fault(kind="status", status=500)),
    ("page", Fault(kind="rate_limit")),
    ("page", Fault(kind="malformed")),
    ("page", Fault(kind="wrong_shape")),
    ("page", Fault(kind="truncated")),
    ("event", Fault(kind="truncated")),
    ("page", Fault(kind="drop", times=None)),  # every attempt dropped
]


@pytest.mark.parametrize(("call", "fault"), CASES, ids=[f"{c}-{f.kind if f else 'ok'}-{f.status if f else ''}" for c, f in CASES])
async def test_both_transports_give_the_same_outcome(upstream: tuple[str, Any], call: str, fault: Fault | None) -> None:
    base, faults = upstream
    (_, reference), (_, aiohttp_result) = await outcome(base, call, faults, fault)
    assert aiohttp_result == reference
    if fault is None and call in ("page", "event"):
        assert reference[0] == call and reference[1]  # a real answer, not two equal failures


async def test_one_dropped_connection_is_retried_once_by_aiohttp(upstream: tuple[str, Any]) -> None:
    """The one difference: aiohttp resends an idempotent request once when the server
    closes the connection without answering (RFC 9112, 9.3.1); httpx's transport leaves
    that to the client's own retries (SENTRY_MAX_RETRIES, here 0)."""
    base, faults = upstream
    results = dict(await outcome(base, "page", faults, Fault(kind="drop", times=1)))
    assert results["httpx"][0] == "UpstreamUnavailable"
    assert results["aiohttp"][0] == "page" and results["aiohttp"][1]


async def test_a_slow_answer_is_a_timeout_on_both(upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    results = await outcome(base, "page", faults, Fault(kind="latency", delay=1.0), timeout=0.3)
    assert [r[1][0] for r in results] == ["UpstreamTimeout", "UpstreamTimeout"]


async def test_a_closed_port_is_upstream_unavailable_on_both() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: refused
        results = await outcome(f"http://127.0.0.1:{port}", "page", _NoFaults(), None)
    assert [r[1][0] for r in results] == ["UpstreamUnavailable", "UpstreamUnavailable"]


async def test_connections_are_reused(upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    faults.clear()
    transport = AiohttpWire()
    async with transport:
        client = SentryClient(transport, base_url=base)
        for _ in range(5):
            await client.list_issue_events(TOKEN, "2", per_page=5)
        connector = transport._session.connector  # type: ignore[union-attr]
        assert connector is not None and len(connector._conns) == 1  # one idle, kept-alive connection


async def test_the_query_string_goes_out_byte_for_byte_as_httpx_encodes_it(upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    faults.clear()
    demo_requests = _demo_requests(base)
    received = []
    for _name, make in transports():
        transport = make()
        async with transport:
            client = SentryClient(transport, base_url=base)
            before = len(demo_requests)
            await client.list_issue_events(
                TOKEN, "2", per_page=3, filters=EventFilters(query="user.email:a@b.c url:/x/y,z", environment=("prod",))
            )
            received.append([r.query_string for r in demo_requests[before:]])
    assert received[0] == received[1] and received[0]
    assert "%3A" in received[0][0] and "%40" in received[0][0] and "%2F" in received[0][0]


class _NoFaults:
    def clear(self) -> None:
        pass

    def add(self, fault: Fault) -> None:
        pass


@pytest.fixture(scope="module")
def gzip_upstream() -> Iterator[str]:
    """The demo upstream with every answer gzip-encoded, as Sentry behind nginx sends them."""
    from starlette.middleware.gzip import GZipMiddleware

    base, stop = serve_in_thread(GZipMiddleware(create_demo_app(), minimum_size=0))
    yield base
    stop()


async def test_gzip_answers_are_decoded_alike(gzip_upstream: str) -> None:
    results = await outcome(gzip_upstream, "page", _NoFaults(), None)
    (_, reference), (_, aiohttp_result) = results
    assert reference[0] == "page" and reference[1]
    assert aiohttp_result == reference


async def _raw_answer(scope: Any, receive: Any, send: Any, *, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ([(b"content-encoding", b"gzip")], b"[]", "BadUpstreamResponse"),  # not gzip at all
        ([(b"content-encoding", b"deflate")], b"[]", "BadUpstreamResponse"),
        ([(b"link", b'<x>; rel="previous"; results="false"; cursor="0:0:1"'), (b"link", b"<y>")], b"[]", "page"),
    ],
    ids=["bad-gzip", "bad-deflate", "link-twice"],
)
async def test_odd_answers_give_the_same_outcome(headers: list[tuple[bytes, bytes]], body: bytes, expected: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await _raw_answer(scope, receive, send, headers=[(b"content-type", b"application/json"), *headers], body=body)

    base, stop = serve_in_thread(app)
    try:
        (_, reference), (_, aiohttp_result) = await outcome(base, "page", _NoFaults(), None)
    finally:
        stop()
    assert reference[0] == expected
    assert aiohttp_result == reference


async def test_the_headers_go_out_alike() -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(sorted((name.lower(), value) for name, value in scope["headers"]))
        await _raw_answer(scope, receive, send, headers=[(b"content-type", b"application/json")], body=b"[]")

    base, stop = serve_in_thread(app)
    try:
        for _name, make in transports():
            async with make() as wire:
                client = SentryClient(wire, base_url=base, user_agent="gw/1")
                await client.list_issue_events(TOKEN, "2")
    finally:
        stop()
    httpx_headers, aiohttp_headers = seen
    assert (b"authorization", TOKEN.encode()) in httpx_headers
    assert (b"user-agent", b"gw/1") in httpx_headers
    assert (b"accept-encoding", b"gzip, deflate") in httpx_headers
    # httpx always says "Connection: keep-alive" (HTTP/1.1's default, so aiohttp leaves it out)
    assert [h for h in httpx_headers if h[0] != b"connection"] == aiohttp_headers
