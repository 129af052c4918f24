"""The connection to a real Sentry: HTTP/1.1 GETs over pooled keep-alive connections.

`SentryClient` only ever sends a GET with a handful of headers and reads the
whole answer, so its connection to Sentry does exactly that and no more:
``asyncio`` connections (TLS included), requests written as bytes, and
answers parsed by llhttp through ``httptools`` (the parser uvicorn serves
with). On the bench machine a small page's round trip costs ~120 µs this
way, ~200 µs through aiohttp and ~530 µs through httpx's own transport
(``bench/RESULTS.md``); the upstream call is the largest share of a small
query's time. ``GATEWAY_UPSTREAM_TRANSPORT=httpx`` goes back to httpx's
transport (through `gateway.sentry.wire.HttpxWire`).

What it keeps exactly as the httpx wire does (``tests/test_transport.py``
runs both over a real socket, with every fault of the demo upstream):

* the URL goes out as given, byte for byte; ``Host`` and the given headers
  are all that is sent; redirects are not followed;
* ``gzip`` and ``deflate`` bodies are decoded as httpx decodes them; a body
  that does not match its Content-Encoding, or is cut short, is
  `WireTruncated`;
* failures are the same `WireError`\\ s: `WireTimeout` (connecting, or no
  byte for `timeout` seconds while an answer is awaited), `WireConnectionError`
  before an answer, `WireTruncated` after its headers;
* certificates are checked against the authorities httpx trusts: certifi's,
  or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set.

One difference: a request that finds its kept-alive connection closed by the
server before any byte of an answer is sent once more on a new connection
(RFC 9112, 9.3.1: the server may close an idle connection at any time, and a
GET is idempotent); httpx leaves that to the client's retries.

Idle connections are reused for up to 15 s, at most 20 per origin (httpx's
transport: 5 s, 20).
"""

from __future__ import annotations

import asyncio
import ssl
import time
import zlib
from functools import lru_cache
from urllib.parse import urlsplit

import httptools
import httpx

from .wire import (
    CONNECT_FAILED,
    EXCHANGE_FAILED,
    Wire,
    WireConnectionError,
    WireError,
    WireResponse,
    WireTimeout,
    WireTruncated,
    decode_content,
    join_headers,
)

__all__ = ["Http1Wire"]

#: (scheme, host, port): where a pooled connection goes.
Origin = tuple[str, str, int]


class Http1Wire(Wire):
    """A `Wire` that speaks HTTP/1.1 itself, over pooled keep-alive connections."""

    def __init__(
        self,
        *,
        max_connections: int = 100,
        max_idle: int = 20,
        keepalive_seconds: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._max_idle = max_idle
        self._keepalive_seconds = keepalive_seconds
        self._slots: asyncio.Semaphore | None = None  # made on first use, in the running loop
        self._idle: dict[Origin, list[tuple[_Connection, float]]] = {}
        self._busy: set[_Connection] = set()
        #: Certificate checks for https (default: as httpx's, `httpx.create_ssl_context`).
        self._ssl = ssl_context
        self._closed = False

    async def get(self, url: str, headers: dict[str, str], timeout: float) -> WireResponse:
        if self._closed:  # e.g. a loader task still retrying after shutdown
            raise WireConnectionError(CONNECT_FAILED)
        origin, host_header, target = _target(url)
        request = _request_bytes(target, host_header, headers)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_connections)
        async with self._slots:
            connection = self._pooled(origin)
            if connection is not None:
                try:
                    return await self._exchange(origin, connection, request, timeout)
                except _ClosedBeforeAnswer:
                    pass  # the server had closed the idle connection: once more, on a new one
            if self._closed:  # closed while this request waited or ran: no new connection
                raise WireConnectionError(CONNECT_FAILED)
            connection = await self._connect(origin, timeout)
            if self._closed:
                connection.close()
                raise WireConnectionError(CONNECT_FAILED)
            try:
                return await self._exchange(origin, connection, request, timeout)
            except _ClosedBeforeAnswer:
                raise WireConnectionError(EXCHANGE_FAILED) from None

    async def _exchange(
        self, origin: Origin, connection: _Connection, request: bytes, timeout: float
    ) -> WireResponse:
        self._busy.add(connection)
        reusable = False
        try:
            status, raw_headers, body, reusable = await connection.exchange(request, timeout)
        finally:
            self._busy.discard(connection)
            if reusable and connection.open and not self._closed:
                self._keep(origin, connection)
            else:
                connection.close()
        response_headers = join_headers(raw_headers)
        try:
            content = decode_content(body, response_headers.get("content-encoding"))
        except zlib.error:
            raise WireTruncated(status) from None
        return WireResponse(status, response_headers, content)

    def _keep(self, origin: Origin, connection: _Connection) -> None:
        """Pool an idle connection: at most `max_idle` per origin, none closed or stale."""
        now = time.monotonic()
        kept = []
        for other, since in self._idle.get(origin, ()):
            if other.open and now - since < self._keepalive_seconds:
                kept.append((other, since))
            else:
                other.close()
        if len(kept) >= self._max_idle:
            oldest, _since = kept.pop(0)
            oldest.close()
        kept.append((connection, now))
        self._idle[origin] = kept

    def _pooled(self, origin: Origin) -> _Connection | None:
        """The most recently used idle connection to `origin` still open and fresh."""
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            connection, since = idle.pop()
            if connection.open and now - since < self._keepalive_seconds:
                return connection
            connection.close()
        return None

    async def _connect(self, origin: Origin, timeout: float) -> _Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            # The authorities httpx's own transport trusts: certifi's, or
            # SSL_CERT_FILE / SSL_CERT_DIR when set (a self-hosted Sentry's own CA).
            context = self._ssl = self._ssl or httpx.create_ssl_context()
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                _, connection = await loop.create_connection(
                    _Connection, host, port, ssl=context, server_hostname=host if context else None
                )
        except TimeoutError:
            raise WireTimeout("connect") from None
        except (OSError, ssl.SSLError, ValueError):  # refused, unreachable, unknown host, bad certificate
            raise WireConnectionError(CONNECT_FAILED) from None
        return connection

    async def aclose(self) -> None:
        self._closed = True
        for idle in self._idle.values():
            for connection, _ in idle:
                connection.close()
        self._idle.clear()
        for connection in list(self._busy):
            connection.close()


class _ClosedBeforeAnswer(Exception):
    """The connection closed before any byte of an answer arrived."""


class _Connection(asyncio.Protocol):
    """One connection: one request at a time, its answer parsed by llhttp."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[tuple[int, list[tuple[bytes, bytes]], bytes, bool]] | None = None
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._status: int | None = None  # set once the answer's headers are complete
        self._received = False  # any byte of the current answer
        self._length_known = False  # Content-Length or chunked: else the body ends with the connection
        self._timeout = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self.open = False

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self.open = True

    def data_received(self, data: bytes) -> None:
        if self._answer is None:  # bytes nobody asked for: the connection is unusable
            self.close()
            return
        self._received = True
        self._restart_timer()
        try:
            self._parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade):
            # not HTTP, or an upgrade (101) nobody asked for: the connection is done
            self._fail(self._broken())

    def eof_received(self) -> bool | None:
        self.open = False  # never handed out again, even before connection_lost
        return None  # close the transport; connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.open = False
        if self._answer is None or self._answer.done():
            return
        if exc is None and self._status is not None and not self._length_known:
            self._finish(keep_alive=False)  # the body ran until the connection closed
        elif not self._received:
            self._fail(_ClosedBeforeAnswer())
        else:
            self._fail(self._broken())  # reset mid-answer, or closed before its end

    # httptools callbacks

    def on_message_begin(self) -> None:
        if self._answer is None or self._answer.done():
            # A second answer to one request (bytes after the first): the
            # connection cannot be trusted with another request.
            self.open = False
            if self._transport is not None:
                self._transport.close()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length" or (lowered == b"transfer-encoding" and b"chunked" in value.lower()):
            self._length_known = True

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._answer is None or self._answer.done():
            return  # the end of an answer nobody asked for (see on_message_begin)
        if self._status is not None and self._status < 200:
            self._reset_message()  # an interim answer (100 Continue ...): the real one follows
            return
        self._finish(keep_alive=self._parser.should_keep_alive())

    # the exchange

    async def exchange(
        self, request: bytes, timeout: float
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, bool]:
        """Send `request`; its answer's (status, raw headers, body, whether the connection may be reused)."""
        assert self._transport is not None and self._answer is None
        self._reset_message()
        self._received = False
        self._answer = asyncio.get_running_loop().create_future()
        self._timeout = timeout
        self._restart_timer()
        try:
            self._transport.write(request)
            return await self._answer
        finally:
            self._answer = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def close(self) -> None:
        self.open = False
        if self._transport is not None:
            self._transport.close()

    def _reset_message(self) -> None:
        self._headers = []
        self._body = []
        self._status = None
        self._length_known = False

    def _finish(self, *, keep_alive: bool) -> None:
        if self._answer is not None and not self._answer.done():
            assert self._status is not None
            # The lists are handed over and replaced: bytes parsed after this
            # answer (see on_message_begin) must not change it.
            headers, body = self._headers, self._body
            self._headers, self._body = [], []
            self._answer.set_result((self._status, headers, b"".join(body), keep_alive and self.open))

    def _fail(self, error: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)
        self.close()

    def _broken(self) -> WireError:
        """The error for an answer that stopped making sense or stopped arriving."""
        if self._status is None:
            return WireConnectionError(EXCHANGE_FAILED)
        return WireTruncated(self._status)

    def _restart_timer(self) -> None:
        # A read timeout: no byte for `timeout` seconds while an answer is awaited.
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self._timeout, self._timed_out)

    def _timed_out(self) -> None:
        self._timer = None
        self._fail(WireTimeout("read"))


@lru_cache(maxsize=64)
def _origin(prefix: str) -> tuple[Origin, str]:
    """``scheme://netloc`` -> (origin, Host header value)."""
    parts = urlsplit(prefix)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise WireConnectionError(CONNECT_FAILED)
    default_port = 443 if scheme == "https" else 80
    try:
        port = parts.port or default_port
    except ValueError:  # not a number, or beyond 65535
        raise WireConnectionError(CONNECT_FAILED) from None
    host = parts.hostname
    shown = f"[{host}]" if ":" in host else host
    return (scheme, host, port), shown if port == default_port else f"{shown}:{port}"


def _target(url: str) -> tuple[Origin, str, str]:
    """(origin, Host header, request target) of an absolute, already encoded URL."""
    start = url.find("//") + 2
    slash = url.find("/", start)
    query = url.find("?", start)
    end = min(i for i in (slash, query, len(url)) if i != -1)
    origin, host_header = _origin(url[:end])
    target = url[end:] or "/"
    if target.startswith("?"):
        target = "/" + target
    return origin, host_header, target


def _request_bytes(target: str, host: str, headers: dict[str, str]) -> bytes:
    """The request's head, refusing (as httpx does) what would not be one line per header."""
    lines = [f"GET {target} HTTP/1.1\r\nHost: {host}\r\n"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or not name.isascii() or not value.isascii():
            raise WireConnectionError(EXCHANGE_FAILED)
        lines.append(f"{name}: {value}\r\n")
    lines.append("\r\n")
    try:
        return "".join(lines).encode("ascii")
    except UnicodeEncodeError:  # a URL that was not percent-encoded
        raise WireConnectionError(EXCHANGE_FAILED) from None
