"""A hostile upstream on loopback, met where a user meets it: a GraphQL query.

Each answer below once hurt the gateway (issue 13: memory of gigabytes, a
quadratic parse, a 500, a reply carrying megabytes of upstream text). Now each
is a coded GraphQL error on the field that needed it, with HTTP 200, while the
rest of the answer still resolves and the process's memory stays flat.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta, timezone
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.demo import DEMO_TOKEN
from gateway.settings import load_settings

pytestmark = pytest.mark.anyio

#: The gateway's cap on an answer's body in these tests.
CAP = 2_000_000

#: `other` needs no upstream call: it must resolve whatever the upstream does.
QUERY = '{ issue(id: "2") { events(first: 5) { nodes { eventID context } } } other: issue(id: "3") { issueId } }'

Answer = Callable[[str, asyncio.StreamWriter], Awaitable[None]]


def _events(count: int, **extra: Any) -> list[dict[str, Any]]:
    # An hour old, in whole seconds as list items carry it: inside any default window.
    created = (datetime.now(timezone.utc) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        {"eventID": uuid.uuid4().hex, "id": str(i), "dateCreated": created, "context": {}, **extra}
        for i in range(count)
    ]


def _head(status: int, headers: dict[str, str] | None = None, length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status} X", "Content-Type: application/json"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def plain(status: int, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    async def answer(path: str, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(status, headers, len(body)) + body)

    return answer


async def _benign(path: str, writer: asyncio.StreamWriter) -> None:
    listing = path.partition("?")[0].endswith("/events/")
    events = _events(1)
    await plain(200, json.dumps(events if listing else events[0]).encode())(path, writer)


def gzip_bomb(decoded_mib: int) -> bytes:
    """A gzip body of `decoded_mib` MiB of zeros, about 1,000 times smaller.

    Built from one compressed MiB repeated (a full flush makes each the same
    bytes); the trailer's checksum is not the body's, which a reader only
    finds after inflating it all.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    mib = bytes(1 << 20)
    first = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first + repeated * (decoded_mib - 1) + compressor.flush()


@asynccontextmanager
async def hostile(answer: Answer) -> AsyncIterator[str]:
    """A loopback server giving `answer` for issue 2, a well-formed answer for
    any other issue; its base URL."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1")
                await (answer if "/issues/2/" in path else _benign)(path, writer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        server.close()


async def ask(base: str, query: str = QUERY, **env: str) -> dict[str, Any]:
    """`query` through the gateway (its lifespan running) pointed at `base`."""
    settings = load_settings(
        {
            "SENTRY_BASE_URL": base,
            "SENTRY_AUTH_TOKEN": DEMO_TOKEN,
            "SENTRY_MAX_RETRIES": "0",
            "GATEWAY_UPSTREAM_MAX_BYTES": str(CAP),
            "GATEWAY_ACCESS_LOG": "0",
            **env,
        }
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http,
    ):
        response = await http.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text[:500]
    return response.json()


def the_error(body: dict[str, Any], code: str) -> str:
    """The one error's message, after checking its code and that `other` still resolved."""
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code, error
    assert body["data"]["other"]["issueId"] == "3"
    return str(error["message"])


def peak_rss_kib() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


async def test_a_gzip_bomb_is_refused_and_memory_stays_flat() -> None:
    bomb = gzip_bomb(1024)  # 1 GiB decoded, ~1 MB sent
    before = peak_rss_kib()
    async with hostile(plain(200, bomb, {"Content-Encoding": "gzip"})) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "over the size cap" in message
    assert peak_rss_kib() - before < 64 * 1024  # KiB: far below the gigabyte it inflates to


async def test_two_content_codings_are_refused() -> None:
    body = json.dumps(_events(3)).encode()
    for _ in range(2):
        compressor = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        body = compressor.compress(body) + compressor.flush()
    async with hostile(plain(200, body, {"Content-Encoding": "gzip, gzip"})) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "2 content codings" in message


async def test_an_endless_body_is_refused_and_memory_stays_flat() -> None:
    sent = 0

    async def endless(path: str, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (65536, b"[" * 65536)
        while sent < 4 * 1024**3:  # stops at the client's close, or at 4 GiB
            writer.write(chunk)
            await writer.drain()
            sent += 65536

    before = peak_rss_kib()
    async with hostile(endless) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "over the" in message and "cap" in message
    assert sent < 64 * CAP  # the gateway hung up soon after the cap
    assert peak_rss_kib() - before < 64 * 1024


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    async def huge(path: str, writer: asyncio.StreamWriter) -> None:
        writer.write(_head(200, length=10 * 1024**3) + b"[")

    async with hostile(huge) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "declares 10737418240 bytes" in message


async def test_a_page_with_more_events_than_asked_is_refused() -> None:
    body = json.dumps(_events(101)).encode()  # per_page is at most 100
    async with hostile(plain(200, body)) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "101 events for per_page=" in message


async def test_json_nested_100000_deep_is_a_coded_error() -> None:
    body = b'[{"eventID": "%s", "context": {"x": %s}}]' % (uuid.uuid4().hex.encode(), b"[" * 100_000 + b"]" * 100_000)
    async with hostile(plain(200, body)) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "not valid JSON" in message


async def test_integers_beyond_64_bits_and_deep_data_reach_the_caller_exactly() -> None:
    """orjson writes neither (over 64 bits, over 254 levels); the answer must not be a 500."""
    deep: Any = "bottom"
    for _ in range(300):
        deep = [deep]
    events = _events(1)
    events[0]["context"] = {"big": 123456789012345678901234567890, "deep": deep}
    async with hostile(plain(200, json.dumps(events).encode())) as base:
        body = await ask(base)
    assert "errors" not in body, body["errors"]
    context = body["data"]["issue"]["events"]["nodes"][0]["context"]
    assert context["big"] == 123456789012345678901234567890
    assert json.dumps(context["deep"]) == json.dumps(deep)


async def test_a_retry_after_of_twenty_digits_is_a_bounded_rate_limit() -> None:
    answer = plain(429, b'{"detail": "slow down"}', {"Retry-After": "9" * 20})
    async with hostile(answer) as base:
        body = await ask(base)
    the_error(body, "RATE_LIMITED")
    assert body["errors"][0]["extensions"]["retryAfter"] == 86_400


async def test_a_megabytes_long_detail_reaches_the_caller_clipped() -> None:
    detail = "x" * 5_000_000
    async with hostile(plain(400, json.dumps({"detail": detail}).encode())) as base:
        message = the_error(await ask(base, GATEWAY_UPSTREAM_MAX_BYTES="20000000"), "BAD_USER_INPUT")
    assert 0 < len(message) <= 300 and message.endswith("…")


async def test_a_link_header_over_its_cap_is_refused() -> None:
    link = '<http://x/?cursor=0:5:0>; rel="next"; results="true"; cursor="0:5:0"' + ", <" * 30_000
    async with hostile(plain(200, json.dumps(_events(2)).encode(), {"Link": link})) as base:
        message = the_error(await ask(base), "UPSTREAM_BAD_RESPONSE")
    assert "Link header" in message


async def test_a_500_kb_query_filter_is_refused_before_any_call() -> None:
    calls = 0

    async def counting(path: str, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        await plain(200, b"[]")(path, writer)

    query = 'query($q: String) { issue(id: "2") { events(first: 5, query: $q) { nodes { eventID } } } other: issue(id: "3") { issueId } }'
    async with hostile(counting) as base:
        settings_env = {"SENTRY_BASE_URL": base}
        app = create_app(load_settings({**settings_env, "SENTRY_AUTH_TOKEN": DEMO_TOKEN}))
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http,
        ):
            response = await http.post("/graphql", json={"query": query, "variables": {"q": "a" * 500_000}})
    body = response.json()
    assert response.status_code == 200
    message = the_error(body, "BAD_USER_INPUT")
    assert "query" in message and ("4096" in message or "Shorten" in message)
    assert calls == 0


async def test_data_too_deep_for_any_json_writer_is_a_coded_answer_not_a_500() -> None:
    """1,000 levels: orjson reads them (up to 1,024) but writes only 254, the standard library
    hits the recursion limit. The whole answer becomes one coded error (HTTP 200)."""
    created = _events(1)[0]["dateCreated"].encode()
    body = b'[{"eventID": "%s", "dateCreated": "%s", "context": {"x": %s}}]' % (
        uuid.uuid4().hex.encode(), created, b"[" * 1000 + b"]" * 1000
    )
    async with hostile(plain(200, body)) as base:
        answer = await ask(base)
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE" and "nested too deeply" in error["message"]
