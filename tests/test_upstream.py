"""`Upstream`, the gateway's one httpx client to Sentry, over a real socket.

`SentryClient` calls reach the demo upstream served by uvicorn on loopback,
with the demo's faults, and odd or broken answers from bare socket servers;
each gives a page or a typed exception with a clear message. The hostile
answers (bombs, endless bodies, oversized pages and headers) are in
``tests/test_hostile_upstream.py``.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.demo import DEMO_TOKEN, create_demo_app
from gateway.demo.faults import Fault
from gateway.sentry.client import SentryClient
from gateway.sentry.filters import EventFilters
from gateway.sentry.upstream import Upstream

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


async def outcome(base: str, call: str, faults: Any, fault: Fault | None, timeout: float = 5.0) -> Any:
    """What one call gives through a fresh `Upstream`: the result or (error, message, status)."""
    faults.clear()
    if fault is not None:
        faults.add(fault)
    try:
        async with Upstream() as upstream:
            client = SentryClient(upstream, base_url=base, max_retries=0, timeout=timeout)
            try:
                if call == "page":
                    page = await client.list_issue_events(TOKEN, "2", per_page=7, cursor="0:7:0")
                    return ("page", [e["eventID"] for e in page.events], page.links)
                if call == "event":
                    return ("event", (await client.get_issue_event(TOKEN, "3", "latest"))["eventID"])
                if call == "missing":
                    return ("page", (await client.list_issue_events(TOKEN, "999999")).events)
                return ("page", (await client.list_issue_events("Bearer wrong", "2")).events)
            except Exception as exc:  # noqa: BLE001 - the outcome is what is compared
                return (type(exc).__name__, str(exc), getattr(exc, "status", None))
    finally:
        faults.clear()


CASES = [
    ("page", None, "page"),
    ("event", None, "event"),
    ("missing", None, "NotFound"),
    ("unauthorized", None, "Unauthenticated"),
    ("page", Fault(kind="status", status=502), "UpstreamUnavailable"),
    ("page", Fault(kind="status", status=500), "UpstreamUnavailable"),
    ("page", Fault(kind="rate_limit"), "RateLimited"),
    ("page", Fault(kind="malformed"), "BadUpstreamResponse"),
    ("page", Fault(kind="wrong_shape"), "BadUpstreamResponse"),
    ("page", Fault(kind="truncated"), "BadUpstreamResponse"),
    ("event", Fault(kind="truncated"), "BadUpstreamResponse"),
    ("page", Fault(kind="drop", times=None), "UpstreamUnavailable"),  # every attempt dropped
]


@pytest.mark.parametrize(("call", "fault", "expected"), CASES, ids=[f"{c}-{f.kind if f else 'ok'}-{f.status if f else ''}" for c, f, _ in CASES])
async def test_each_fault_of_the_demo_gives_its_outcome(upstream: tuple[str, Any], call: str, fault: Fault | None, expected: str) -> None:
    base, faults = upstream
    result = await outcome(base, call, faults, fault)
    assert result[0] == expected, result
    if expected in ("page", "event") and call in ("page", "event"):
        assert result[1]  # a real answer
    if fault is not None and fault.kind == "truncated":
        assert "cut off" in result[1]


async def test_a_slow_answer_is_a_timeout(upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    result = await outcome(base, "page", faults, Fault(kind="latency", delay=1.0), timeout=0.3)
    assert result[0] == "UpstreamTimeout"


async def test_a_closed_port_is_upstream_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: refused
        result = await outcome(f"http://127.0.0.1:{port}", "page", _NoFaults(), None)
    assert result[0] == "UpstreamUnavailable" and "could not connect" in result[1]


async def test_connections_are_kept_alive_and_reused() -> None:
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    async with server, Upstream() as transport:
        client = SentryClient(transport, base_url=base)
        for _ in range(5):
            await client.list_issue_events(TOKEN, "2", per_page=5)
        server.close()
    assert connections == 1


async def test_the_query_string_goes_out_byte_for_byte(upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    faults.clear()
    demo_requests = _demo_requests(base)
    async with Upstream() as transport:
        client = SentryClient(transport, base_url=base)
        before = len(demo_requests)
        await client.list_issue_events(
            TOKEN, "2", per_page=3, filters=EventFilters(query="user.email:a@b.c url:/x/y,z", environment=("prod",))
        )
    (received,) = [r.query_string for r in demo_requests[before:]]
    assert received == "query=user.email%3Aa%40b.c+url%3A%2Fx%2Fy%2Cz&environment=prod&per_page=3"


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


async def test_gzip_answers_are_decoded(gzip_upstream: str, upstream: tuple[str, Any]) -> None:
    base, faults = upstream
    plain = await outcome(base, "page", faults, None)
    gzipped = await outcome(gzip_upstream, "page", _NoFaults(), None)
    assert gzipped[0] == "page" and gzipped[1:] == plain[1:]


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
        ([(b"content-encoding", b"br")], b"[]", "BadUpstreamResponse"),  # never asked for
        ([(b"content-encoding", b"identity")], b"[]", "page"),
        ([(b"link", b'<x>; rel="previous"; results="false"; cursor="0:0:1"'), (b"link", b"<y>")], b"[]", "page"),
    ],
    ids=["bad-gzip", "bad-deflate", "brotli", "identity", "link-twice"],
)
async def test_odd_answers(headers: list[tuple[bytes, bytes]], body: bytes, expected: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await _raw_answer(scope, receive, send, headers=[(b"content-type", b"application/json"), *headers], body=body)

    base, stop = serve_in_thread(app)
    try:
        result = await outcome(base, "page", _NoFaults(), None)
    finally:
        stop()
    assert result[0] == expected, result


async def test_exactly_the_clients_headers_go_out() -> None:
    seen: list[list[tuple[bytes, bytes]]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(sorted((name.lower(), value) for name, value in scope["headers"]))
        await _raw_answer(
            scope, receive, send, headers=[(b"content-type", b"application/json"), (b"set-cookie", b"s=alice; Path=/")], body=b"[]"
        )

    base, stop = serve_in_thread(app)
    try:
        async with Upstream() as transport:
            client = SentryClient(transport, base_url=base, user_agent="gw/1")
            await client.list_issue_events(TOKEN, "2")
            await client.list_issue_events("Bearer bob", "2")
    finally:
        stop()
    port = base.rsplit(":", 1)[1]
    assert seen[0] == sorted(
        [
            (b"accept", b"application/json"),
            (b"accept-encoding", b"gzip, deflate"),
            (b"authorization", TOKEN.encode()),
            (b"host", f"127.0.0.1:{port}".encode()),
            (b"user-agent", b"gw/1"),
        ]
    )
    assert (b"authorization", b"Bearer bob") in seen[1] and not [h for h in seen[1] if h[0] == b"cookie"]


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
    # httpcore reads at most 100 KiB of status line and headers (h11's incomplete-event cap)
    "huge-header": (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 2_000_000 + b"\r\nContent-Length: 2\r\n\r\n[]", True),
    # never followed: it could carry the caller's credential to another host
    "redirect": (b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/steal\r\nContent-Length: 2\r\n\r\n[]", True),
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
async def test_raw_answers(name: str) -> None:
    answer, close = RAW_ANSWERS[name]
    base, server = await _serve_raw(answer, close)
    async with server:
        result = await outcome(base, "page", _NoFaults(), None, timeout=0.5)
        server.close()
    expected = {
        "body-until-close": "page", "http-1.0": "page", "interim-100": "page", "chunked": "page",
        "not-http": "UpstreamUnavailable", "cut-mid-body": "BadUpstreamResponse",
        "cut-mid-headers": "UpstreamUnavailable", "stalls-after-headers": "UpstreamTimeout",
        "bad-status": "UpstreamUnavailable", "redirect": "BadUpstreamResponse",
        "huge-header": "UpstreamUnavailable",
    }  # fmt: skip
    assert result[0] == expected[name], result


async def test_an_answer_in_one_byte_pieces_reads_the_same() -> None:
    body = b'[{"eventID": "abc", "x": 1}]'
    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n" % len(body)
        + b'Link: <x>; rel="next"; results="false"; cursor="0:5:0"\r\n\r\n'
        + body
    )
    base, server = await _serve_raw(answer, False, one_byte_at_a_time=True)
    async with server:
        result = await outcome(base, "page", _NoFaults(), None)
        server.close()
    assert result[0] == "page" and result[1] == ["abc"]
    assert result[2].next is not None and str(result[2].next.cursor) == "0:5:0"


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
    async with server, Upstream(max_connections=2) as upstream:
        answers = await asyncio.gather(*(upstream.get(f"{base}/x?{i}", {}, 2) for i in range(6)))
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


async def test_https_checks_certificates(tls_upstream: tuple[str, Any]) -> None:
    base, _authority = tls_upstream
    assert base.startswith("https://")
    # An authority certifi does not know: refused, never answered.
    result = await outcome(base, "page", _NoFaults(), None)
    assert result[0] == "UpstreamUnavailable"


# Misbehaving servers, one connection each.


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


async def test_a_reset_during_a_body_that_runs_to_the_close_is_a_truncated_answer() -> None:
    async def script(n: int, writer: asyncio.StreamWriter) -> str:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[{\"eventID\": \"a\"}")
        await writer.drain()
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
        return "close"

    base, server, _requests = await _serve_script(script)
    async with server:
        result = await outcome(base, "page", _NoFaults(), None)
        server.close()
    assert result[0] == "BadUpstreamResponse" and "cut off" in result[1]


async def test_ssl_cert_file_is_trusted(tls_upstream: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A self-hosted Sentry's own authority, named as httpx reads it (``SSL_CERT_FILE``)."""
    base, authority = tls_upstream
    monkeypatch.setenv("SSL_CERT_FILE", authority.pem_path)
    result = await outcome(base, "page", _NoFaults(), None)
    assert result[0] == "page" and len(result[1]) == 7


async def test_ssl_cert_dir_is_trusted(tls_upstream: tuple[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """``SSL_CERT_DIR``: a directory of authorities under their OpenSSL hash names."""
    import shutil
    import subprocess

    base, authority = tls_upstream
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to name a certificate by its hash")
    command = ["openssl", "x509", "-hash", "-noout", "-in", authority.pem_path]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, check=True)
    digest = done.stdout.strip()
    shutil.copy(authority.pem_path, tmp_path / f"{digest}.0")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    result = await outcome(base, "page", _NoFaults(), None)
    assert result[0] == "page" and len(result[1]) == 7


async def test_http2_offered_falls_back_to_http1_where_the_server_has_only_that(
    tls_upstream: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``GATEWAY_UPSTREAM_HTTP2=1`` offers h2 by ALPN; uvicorn answers in HTTP/1.1, as many proxies in front of Sentry do."""
    pytest.importorskip("h2")
    base, authority = tls_upstream
    monkeypatch.setenv("SSL_CERT_FILE", authority.pem_path)
    async with Upstream(http2=True) as upstream:
        page = await SentryClient(upstream, base_url=base).list_issue_events(TOKEN, "2", per_page=3)
    assert len(page.events) == 3
