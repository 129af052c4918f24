"""The HTTP surface as a client meets it: a real uvicorn on loopback, raw sockets where needed.

Each test is one of the red team's findings: header size, slowloris (headers
and body), DNS rebinding (Host), cross-site requests with the gateway's own
token, the federation SDL while introspection is off, log lines as long as a
caller likes, and a request body nested 2,000 deep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.demo import create_demo_app
from gateway.http_guard import guarded_protocol
from gateway.settings import load_settings

from .servers import serve_in_thread

MAX_HEADER_BYTES = 8_192
HEADER_TIMEOUT = 0.5
BODY_TIMEOUT = 0.5
#: How long past a deadline a test waits for the server to act, at most.
SLACK = 5.0

TYPENAME = {"query": "{ __typename }"}


@contextlib.contextmanager
def served(env: Mapping[str, str] | None = None) -> Iterator[tuple[str, Any]]:
    """The gateway under uvicorn with the guarded protocol; yields (base URL, demo upstream app).

    With ``SENTRY_BASE_URL`` in `env` it runs in Sentry mode against the demo
    upstream app in-process (so the gateway's own token is a real credential).
    """
    demo = create_demo_app()
    settings = load_settings({"GATEWAY_DEMO": "1", **(env or {})})
    app = create_app(settings, transport=httpx.ASGITransport(app=demo))
    protocol = guarded_protocol(
        max_header_bytes=MAX_HEADER_BYTES, header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT
    )
    base, stop = serve_in_thread(app, http=protocol, lifespan="on")
    try:
        yield base, demo
    finally:
        stop()


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=SLACK + 5)
    return sock


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- header size and timeouts


def test_headers_over_the_limit_are_refused_431_before_they_are_all_sent() -> None:
    with served() as (base, _demo):
        sock = _connect(base)
        sent = 0
        with sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ")
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(200 * 16):  # up to 200 MB, as in the report
                    sock.sendall(b"a" * 65536)
                    sent += 65536
            answer = _read_all(sock)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        body = json.loads(answer.partition(b"\r\n\r\n")[2])
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert sent < 50 * 1024 * 1024  # the server stopped reading long before 200 MB
        assert httpx.get(f"{base}/healthz").status_code == 200


def test_headers_within_the_limit_are_served() -> None:
    with served() as (base, _demo):
        response = httpx.get(f"{base}/healthz", headers={"X-Big": "a" * (MAX_HEADER_BYTES - 500)})
        assert response.status_code == 200


async def _slowloris(host: str, port: int, payload: list[bytes]) -> tuple[bytes, float]:
    """Send `payload` pieces 0.1 s apart (then keep trickling); (what came back, seconds until closed).

    The server's 408 may be lost to a TCP reset (bytes still arriving when it
    closes make its kernel reset the connection): then what came back is
    ``b"reset"``; either way the server ended the connection.
    """
    start = time.monotonic()
    reader, writer = await asyncio.open_connection(host, port)
    answer = b""

    async def trickle() -> None:
        with contextlib.suppress(ConnectionError):
            for piece in payload:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.1)
            while True:
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.1)

    sender = asyncio.create_task(trickle())
    try:
        answer = await asyncio.wait_for(reader.read(), HEADER_TIMEOUT + BODY_TIMEOUT + SLACK)
    except ConnectionResetError:
        answer = b"reset"
    finally:
        sender.cancel()
        writer.close()
    return answer, time.monotonic() - start


def test_slowloris_connections_are_closed_and_others_still_served() -> None:
    with served() as (base, _demo):
        host, port = base.removeprefix("http://").split(":")
        slow_headers = [b"GET /healthz HTTP/1.1\r\n", b"Host: localhost\r\n"] + [b"X-a: b\r\n"] * 100

        async def attack() -> tuple[list[tuple[bytes, float]], int]:
            attackers = [asyncio.create_task(_slowloris(host, int(port), slow_headers)) for _ in range(200)]
            await asyncio.sleep(0.2)
            async with httpx.AsyncClient() as client:
                status = (await client.get(f"{base}/healthz")).status_code
            return await asyncio.gather(*attackers), status

        results, status = asyncio.run(attack())
        assert status == 200
        for answer, seconds in results:
            assert answer.startswith(b"HTTP/1.1 408 ") or answer == b"reset", answer[:100]
            assert seconds < HEADER_TIMEOUT + SLACK
        assert any(answer.startswith(b"HTTP/1.1 408 ") for answer, _ in results)
        # And an idle connection that never sends a byte is closed too.
        with _connect(base) as sock:
            assert _read_all(sock).startswith(b"HTTP/1.1 408 ")


def test_a_body_that_trickles_in_is_cut_off() -> None:
    with served() as (base, _demo):
        host, port = base.removeprefix("http://").split(":")
        head = (
            b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\n\r\n"
        )
        answer, seconds = asyncio.run(_slowloris(host, int(port), [head, b'{"query": "']))
        assert answer.startswith(b"HTTP/1.1 408 ") or answer == b"reset", answer[:100]
        assert seconds < HEADER_TIMEOUT + BODY_TIMEOUT + SLACK
        assert httpx.post(f"{base}/graphql", json=TYPENAME).json()["data"] == {"__typename": "Query"}


def test_kept_alive_connections_serve_request_after_request() -> None:
    """The deadlines are per request: a connection used longer than them is fine."""
    with served() as (base, _demo), httpx.Client(base_url=base) as client:
        deadline = time.monotonic() + 2 * (HEADER_TIMEOUT + BODY_TIMEOUT)
        count = 0
        while time.monotonic() < deadline:
            assert client.post("/graphql", json=TYPENAME).status_code == 200
            count += 1
            time.sleep(0.05)
        assert count > 5


# --------------------------------------------------------------------------- Host


def test_only_the_allowed_hosts_are_answered() -> None:
    with served() as (base, _demo):
        port = base.rsplit(":", 1)[1]
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", "localhost"):
            response = httpx.post(f"{base}/graphql", json=TYPENAME, headers={"Host": host})
            assert response.status_code == 200, host
        rebound = httpx.post(f"{base}/graphql", json=TYPENAME, headers={"Host": f"evil.example:{port}"})
        assert rebound.status_code == 400
        error = rebound.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and "GATEWAY_ALLOWED_HOSTS" in error["message"]
        # Probes address pods by IP: they are answered whatever the Host.
        assert httpx.get(f"{base}/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200
    with served({"GATEWAY_ALLOWED_HOSTS": "gateway.example.com"}) as (base, _demo):
        assert httpx.post(f"{base}/graphql", json=TYPENAME, headers={"Host": "gateway.example.com"}).status_code == 200
        assert httpx.post(f"{base}/graphql", json=TYPENAME).status_code == 400  # 127.0.0.1 not listed


# --------------------------------------------------------------------------- CSRF

SENTRY_MODE = {"GATEWAY_DEMO": "0", "SENTRY_BASE_URL": "http://sentry.test", "SENTRY_AUTH_TOKEN": "sntryu_demo"}
EVENT_QUERY = '{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }'


def test_requests_a_browser_sends_without_preflight_never_use_the_gateway_token() -> None:
    with served(SENTRY_MODE) as (base, demo):
        url = f"{base}/graphql"
        refused = [
            httpx.get(url, params={"query": EVENT_QUERY}),
            httpx.get(url, params={"query": EVENT_QUERY}, headers={"Content-Type": "text/plain"}),
            httpx.post(url, content=json.dumps({"query": EVENT_QUERY}), headers={"Content-Type": "text/plain"}),
            httpx.post(url, data={"query": EVENT_QUERY}),  # application/x-www-form-urlencoded
            httpx.post(url, files={"query": (None, EVENT_QUERY)}),  # multipart/form-data
            httpx.post(url, content=json.dumps({"query": EVENT_QUERY})),  # no Content-Type at all
        ]
        for response in refused:
            assert response.status_code == 400, response.request
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert "apollo-require-preflight" in error["message"]
        assert demo.state.requests == []  # none reached Sentry

        allowed = [
            httpx.post(url, json={"query": EVENT_QUERY}),  # application/json: always preflighted
            httpx.get(url, params={"query": EVENT_QUERY}, headers={"apollo-require-preflight": "true"}),
            httpx.get(url, params={"query": EVENT_QUERY}, headers={"x-apollo-operation-name": "Latest"}),
            httpx.get(url, params={"query": EVENT_QUERY}, headers={"Authorization": "Bearer sntryu_demo"}),
            httpx.post(
                url,
                content=json.dumps({"query": EVENT_QUERY}),
                headers={"Content-Type": "text/plain", "Authorization": "Bearer sntryu_demo"},
            ),
        ]
        for response in allowed:
            assert response.status_code in (200, 400), response.request
            assert "errors" not in response.json() or response.status_code == 400
        assert [r.status_code for r in allowed[:4]] == [200, 200, 200, 200]
        # GraphiQL's page is no operation: a browser opens it with a plain GET.
        page = httpx.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_without_a_gateway_token_plain_gets_still_work() -> None:
    with served() as (base, _demo):  # demo mode: no credential of the gateway's own
        response = httpx.get(f"{base}/graphql", params={"query": "{ __typename }"})
        assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}


# --------------------------------------------------------------------------- _service


def test_the_federation_sdl_follows_introspection_unless_the_router_presents_its_secret() -> None:
    service = {"query": "{ _service { sdl } }"}
    with served({"GATEWAY_INTROSPECTION": "0", "GATEWAY_ROUTER_SECRET": "s3cret"}) as (base, _demo):
        url = f"{base}/graphql"
        for headers in ({}, {"X-Router-Secret": "wrong"}, {"X-Router-Secret": ""}):
            body = httpx.post(url, json=service, headers=headers).json()
            assert "data" not in body or body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            assert "GATEWAY_ROUTER_SECRET" in body["errors"][0]["message"]
        router = httpx.post(url, json=service, headers={"X-Router-Secret": "s3cret"}).json()
        assert "type Query" in router["data"]["_service"]["sdl"]
        # The secret opens `_service` only, not introspection.
        schema = httpx.post(url, json={"query": "{ __schema { types { name } } }"}, headers={"X-Router-Secret": "s3cret"})
        assert schema.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    with served({"GATEWAY_INTROSPECTION": "0"}) as (base, _demo):  # no secret configured
        body = httpx.post(f"{base}/graphql", json=service, headers={"X-Router-Secret": ""}).json()
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    with served() as (base, _demo):  # introspection on: anyone may read it
        assert "type Query" in httpx.post(f"{base}/graphql", json=service).json()["data"]["_service"]["sdl"]


# --------------------------------------------------------------------------- log fields, deep JSON


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_access_log_lines_stay_short_whatever_the_operation_name() -> None:
    log = logging.getLogger("gateway.access")
    lines = _Lines()
    log.addHandler(lines)
    level = log.level
    log.setLevel(logging.INFO)
    try:
        with served() as (base, _demo):
            name = "Q" * 400_000
            response = httpx.post(
                f"{base}/graphql", json={"query": f"query {name} {{ __typename }}", "operationName": name}, timeout=30
            )
            assert response.status_code in (200, 400)
            anonymous = httpx.post(f"{base}/graphql", json={"query": f"query {name} {{ __typename }}"}, timeout=30)
            assert anonymous.status_code in (200, 400)
            httpx.get(f"{base}/{'p' * 5000}")
    finally:
        log.removeHandler(lines)
        log.setLevel(level)
    assert len(lines.lines) == 3
    for line in lines.lines:
        assert len(line) < 2_000, line[:300]
    records = [json.loads(line) for line in lines.lines]
    assert records[0]["operation"].startswith("QQQ") and records[0]["operation"].endswith("…")
    assert records[2]["path"].startswith("/ppp") and records[2]["path"].endswith("…")


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_a_body_nested_thousands_deep_is_a_coded_400(depth: int) -> None:
    with served() as (base, _demo):
        for body in (b"[" * depth + b"]" * depth, b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * depth + b"]" * depth + b"}}"):
            response = httpx.post(f"{base}/graphql", content=body, headers={"Content-Type": "application/json"})
            assert response.status_code == 400
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT" and "nested" in error["message"]
        assert httpx.post(f"{base}/graphql", json=TYPENAME).status_code == 200


def test_pipelined_and_chunked_requests_pass_the_guard() -> None:
    """Requests that arrive in one packet, or a header split across many, are served as before."""
    with served() as (base, _demo):
        with _connect(base) as sock:
            one = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"
            sock.sendall(one * 3)
            received = b""
            while received.count(b"HTTP/1.1 200 ") < 3:
                chunk = sock.recv(65536)
                assert chunk, received
                received += chunk
        with _connect(base) as sock:
            body = json.dumps(TYPENAME).encode()
            request = (
                b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            for index in range(0, len(request), 7):  # a few bytes at a time, well within the deadlines
                sock.sendall(request[index : index + 7])
            answer = _read_all(sock)
            assert answer.startswith(b"HTTP/1.1 200 ") and b'"__typename":"Query"' in answer
