"""`Http1Wire` behaves as `HttpxWire` over httpx's own transport, over a real socket.

Both carry the same `SentryClient` calls to the demo upstream served by
uvicorn on loopback, with the demo's faults, and must give the same outcome:
the same page (events, Link cursors, byte-exact headers), or the same
exception with the same message.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from gateway.demo import DEMO_TOKEN, create_demo_app
from gateway.demo.faults import Fault
from gateway.sentry.client import SentryClient
from gateway.sentry.filters import EventFilters
from gateway.sentry.transport import Http1Wire
from gateway.sentry.wire import HttpxWire, WireConnectionError

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
    return [("httpx", lambda: HttpxWire(httpx.AsyncHTTPTransport(retries=0))), ("http1", Http1Wire)]


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
    ("page", Fault(kind="drop", times=1)),  # a new connection dropped once
]


@pytest.mark.parametrize(("call", "fault"), CASES, ids=[f"{c}-{f.kind if f else 'ok'}-{f.status if f else ''}" for c, f in CASES])
async def test_both_transports_give_the_same_outcome(upstream: tuple[str, Any], call: str, fault: Fault | None) -> None:
    base, faults = upstream
    (_, reference), (_, http1_result) = await outcome(base, call, faults, fault)
    assert http1_result == reference
    if fault is None and call in ("page", "event"):
        assert reference[0] == call and reference[1]  # a real answer, not two equal failures


async def test_a_kept_alive_connection_closed_before_answering_is_retried_once_by_http1(
    upstream: tuple[str, Any],
) -> None:
    """The one difference: Http1Wire resends a GET once when the server closes a kept-alive
    connection without answering (RFC 9112, 9.3.1: a server may close an idle connection
    at any time); httpx's transport leaves that to the client's own retries
    (SENTRY_MAX_RETRIES, here 0). A new connection closed that way fails on both (see CASES)."""
    base, faults = upstream
    results = []
    for name, make in transports():
        faults.clear()
        async with make() as wire:
            client = SentryClient(wire, base_url=base, max_retries=0)
            await client.list_issue_events(TOKEN, "2", per_page=3)  # leaves a kept-alive connection
            faults.add(Fault(kind="drop", times=1))
            try:
                page = await client.list_issue_events(TOKEN, "2", per_page=3)
                results.append((name, [e["eventID"] for e in page.events]))
            except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
                results.append((name, type(exc).__name__))
    faults.clear()
    assert results[0] == ("httpx", "UpstreamUnavailable")
    assert results[1][0] == "http1" and len(results[1][1]) == 3


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
    transport = Http1Wire()
    async with transport:
        client = SentryClient(transport, base_url=base)
        for _ in range(5):
            await client.list_issue_events(TOKEN, "2", per_page=5)
        (idle,) = transport._idle.values()
        assert len(idle) == 1  # one idle, kept-alive connection


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
    (_, reference), (_, http1_result) = results
    assert reference[0] == "page" and reference[1]
    assert http1_result == reference


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
        (_, reference), (_, http1_result) = await outcome(base, "page", _NoFaults(), None)
    finally:
        stop()
    assert reference[0] == expected
    assert http1_result == reference


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
    httpx_headers, http1_headers = seen
    assert (b"authorization", TOKEN.encode()) in httpx_headers
    assert (b"user-agent", b"gw/1") in httpx_headers
    assert (b"accept-encoding", b"gzip, deflate") in httpx_headers
    # httpx always says "Connection: keep-alive" (HTTP/1.1's default, so Http1Wire leaves it out)
    assert [h for h in httpx_headers if h[0] != b"connection"] == http1_headers


# Answers no well-behaved server gives, written byte for byte by a bare socket server.

RAW_ANSWERS = {
    "body-until-close": (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[]", True),
    "http-1.0": (b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[]", True),
    "interim-100": (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]", False),
    "chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n1\r\n]\r\n0\r\n\r\n", False),
    "not-http": (b"SMTP ready\r\n\r\n", True),
    "cut-mid-body": (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[{\"eventID\": ", True),
    "cut-mid-headers": (b"HTTP/1.1 200 OK\r\nContent-Len", True),
    "stalls-after-headers": (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n[", False),
    "bad-status": (b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n[]", True),
}


async def _serve_raw(answer: bytes, close: bool, *, one_byte_at_a_time: bool = False) -> tuple[str, Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if not head:
                    break
                pieces = [answer[i : i + 1] for i in range(len(answer))] if one_byte_at_a_time else [answer]
                for piece in pieces:
                    writer.write(piece)
                    await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if close:
                writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}", server


@pytest.mark.parametrize("name", sorted(RAW_ANSWERS))
async def test_raw_answers_give_the_same_outcome(name: str) -> None:
    answer, close = RAW_ANSWERS[name]
    base, server = await _serve_raw(answer, close)
    async with server:
        results = await outcome(base, "page", _NoFaults(), None, timeout=0.5)
        server.close()
    (_, reference), (_, http1_result) = results
    assert http1_result == reference, name
    expected = {
        "body-until-close": "page", "http-1.0": "page", "interim-100": "page", "chunked": "page",
        "not-http": "UpstreamUnavailable", "cut-mid-body": "BadUpstreamResponse",
        "cut-mid-headers": "UpstreamUnavailable", "stalls-after-headers": "UpstreamTimeout",
        "bad-status": "UpstreamUnavailable",
    }  # fmt: skip
    assert reference[0] == expected[name], reference


async def test_an_answer_in_one_byte_pieces_reads_the_same() -> None:
    body = b'[{"eventID": "abc", "x": 1}]'
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(body)
        + b'Link: <x>; rel="next"; results="false"; cursor="0:5:0"\r\n\r\n'
        + body
    )
    base, server = await _serve_raw(answer, False, one_byte_at_a_time=True)
    async with server:
        (_, reference), (_, http1_result) = await outcome(base, "page", _NoFaults(), None)
        server.close()
    assert reference[0] == "page" and reference[1] == ["abc"]
    assert http1_result == reference


async def test_connections_at_most_max_connections_at_once() -> None:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(0.05)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, Http1Wire(max_connections=2) as wire:
        answers = await asyncio.gather(*(wire.get(f"{base}/x?{i}", {}, 2) for i in range(6)))
        server.close()
    assert [a.content for a in answers] == [b"[]"] * 6
    assert connections == 2  # six requests, never more than two connections


@pytest.fixture(scope="module")
def tls_upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The demo upstream over https, with a certificate from a test authority."""
    import trustme

    authority = trustme.CA()
    pem = tmp_path_factory.mktemp("tls") / "server.pem"
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
    authority_pem = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(authority_pem))
    authority.pem_path = str(authority_pem)  # type: ignore[attr-defined]
    base, stop = serve_in_thread(create_demo_app(), ssl_certfile=str(pem), ssl_keyfile=str(pem))
    yield base, authority
    stop()


async def test_https_checks_certificates_alike(tls_upstream: tuple[str, Any]) -> None:
    import ssl

    base, authority = tls_upstream
    assert base.startswith("https://")
    # An authority certifi does not know: refused by both, never answered.
    untrusted = await outcome(base, "page", _NoFaults(), None)
    assert [r[1][0] for r in untrusted] == ["UpstreamUnavailable", "UpstreamUnavailable"]
    # Trusted: the same page through both.
    context = ssl.create_default_context()
    authority.configure_trust(context)
    results = []
    for wire in (HttpxWire(httpx.AsyncHTTPTransport(verify=context, retries=0)), Http1Wire(ssl_context=context)):
        async with wire:
            page = await SentryClient(wire, base_url=base).list_issue_events(TOKEN, "2", per_page=3)
            results.append(([e["eventID"] for e in page.events], page.links))
    assert results[0] == results[1] and len(results[0][0]) == 3


# Misbehaving servers, one connection each: what Http1Wire must never do.


async def _serve_script(script: Any) -> tuple[str, Any, list[int]]:
    """A server running ``script(request_number, reader, writer)`` per request; counts requests."""
    requests: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                requests.append(1)
                if await script(len(requests), writer) == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", server, requests


async def test_bytes_after_an_answer_neither_change_it_nor_reach_the_next_request() -> None:
    async def script(n: int, writer: asyncio.StreamWriter) -> None:
        if n == 1:  # the answer, then a second answer nobody asked for, in one write
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nok"
                b"HTTP/1.1 500 Bad\r\nContent-Length: 0\r\nX-Injected: yes\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le"
            )
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo")
        await writer.drain()

    base, server, requests = await _serve_script(script)
    async with server, Http1Wire() as wire:
        first = await wire.get(f"{base}/x", {}, 2)
        assert (first.status_code, first.headers, first.content) == (200, {"content-length": "2", "x-a": "1"}, b"ok")
        second = await wire.get(f"{base}/x", {}, 2)  # on a new connection: the first one is not trusted
        assert (second.status_code, second.content) == (200, b"two")
        server.close()


async def test_a_reset_during_a_body_that_runs_to_the_close_is_a_truncated_answer() -> None:
    async def script(n: int, writer: asyncio.StreamWriter) -> str:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[{\"eventID\": \"a\"}")
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        return "close"

    base, server, _requests = await _serve_script(script)
    async with server:
        results = await outcome(base, "page", _NoFaults(), None)
        server.close()
    (_, reference), (_, http1_result) = results
    assert reference[0] == "BadUpstreamResponse" and "cut off" in reference[1]
    assert http1_result == reference


async def test_closing_the_wire_stops_requests_in_flight_from_reconnecting() -> None:
    async def script(n: int, writer: asyncio.StreamWriter) -> None:
        if n > 1:
            await asyncio.sleep(0.3)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")
        await writer.drain()

    base, server, requests = await _serve_script(script)
    async with server:
        wire = Http1Wire()
        await wire.get(f"{base}/x", {}, 2)  # leaves a kept-alive connection
        in_flight = asyncio.create_task(wire.get(f"{base}/x", {}, 2))
        await asyncio.sleep(0.1)
        await wire.aclose()
        with pytest.raises(WireConnectionError):
            await in_flight
        assert len(requests) == 2  # not sent a third time on a new connection
        server.close()


async def test_an_upgrade_nobody_asked_for_fails_the_request_quietly(caplog: pytest.LogCaptureFixture) -> None:
    async def script(n: int, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
        await writer.drain()

    base, server, requests = await _serve_script(script)
    async with server, Http1Wire() as wire:
        with pytest.raises(WireConnectionError):
            await wire.get(f"{base}/x", {}, 2)
        server.close()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_idle_connections_are_capped_per_origin(upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    faults.clear()
    faults.add(Fault(kind="latency", delay=0.05, times=None))
    try:
        async with Http1Wire(max_idle=3) as wire:
            client = SentryClient(wire, base_url=base)
            await asyncio.gather(*(client.list_issue_events(TOKEN, "2", per_page=2, cursor=f"0:{i}:0") for i in range(8)))
            (idle,) = wire._idle.values()
            assert len(idle) == 3 and all(connection.open for connection, _ in idle)
    finally:
        faults.clear()


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/x", "http://127.0.0.1:abc/x", "http://bücher.example/x", "ftp://h/x"])
async def test_urls_that_cannot_be_requested_are_wire_errors(url: str) -> None:
    async with Http1Wire() as wire:
        with pytest.raises(WireConnectionError):
            await wire.get(url, {}, 1)


async def test_ssl_cert_file_is_trusted_alike(tls_upstream: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A self-hosted Sentry's own authority, named as httpx reads it (``SSL_CERT_FILE``)."""
    base, authority = tls_upstream
    monkeypatch.setenv("SSL_CERT_FILE", authority.pem_path)
    results = await outcome(base, "page", _NoFaults(), None)
    (_, reference), (_, http1_result) = results
    assert reference[0] == "page" and len(reference[1]) == 7
    assert http1_result == reference
