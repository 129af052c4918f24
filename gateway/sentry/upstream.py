"""The one HTTP client to Sentry: an ``httpx.AsyncClient`` built once, with bounds.

httpx does the HTTP: pooled keep-alive connections, TLS checked against
certifi's authorities (or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR``), the proxy
variables ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` / ``NO_PROXY``
(``trust_env``), HTTP/2 when asked for and ``h2`` is installed. Redirects are
never followed (a redirect could carry the caller's credential elsewhere), and
cookies are never kept (one client serves every caller's credential).

What httpx does not do is bound what an upstream may send, so `Upstream.get`
reads every answer as a stream and refuses, with `BodyRefused`:

* a body, on the wire or decoded, larger than `max_body_bytes` (a declared
  ``Content-Length`` over it is refused before a byte is read);
* more than one content coding (``gzip, gzip`` turns 7 KB into gigabytes),
  or a coding the gateway never asked for;
* a compressed body cut short, or not what its coding says.

Decoding is done here with ``zlib`` and an output bound per step
(``decompress(data, max_length)``): httpx's own decoders inflate each
network read whole, and one 64 KB read of a gzip bomb is already ~64 MB.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Self

import httpx

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "BodyRefused",
    "ConnectionFailed",
    "HTTPTimeout",
    "Upstream",
    "UpstreamHTTPError",
    "UpstreamResponse",
]

#: Default cap on one answer's body, on the wire and decoded. A full page of
#: 100 events is 1-5 MB; Sentry keeps a single event under about 1 MB.
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024

#: The content codings the gateway asks for (``Accept-Encoding``) and undoes.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    """A whole answer: status, headers, and the body with its content coding undone.

    `headers` reads as ``httpx.Headers`` does: case-insensitive, a header sent
    twice reads as its values joined by ``", "``.
    """

    status_code: int
    headers: httpx.Headers
    content: bytes


class UpstreamHTTPError(Exception):
    """No usable answer arrived. Messages never hold the URL's host or query."""


class HTTPTimeout(UpstreamHTTPError):
    """Connecting, or reading the answer, took longer than the timeout."""


class ConnectionFailed(UpstreamHTTPError):
    """No answer: refused, reset, dropped, a proxy that failed, or bytes that are not HTTP."""


class BodyRefused(UpstreamHTTPError):
    """The status and headers arrived, then a body that is not read: too large,
    cut off, or not decodable as its Content-Encoding says."""

    def __init__(self, status: int | None, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _refusing_cookie_jar() -> CookieJar:
    """A jar that neither stores nor sends cookies: no caller sees another's session."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class Upstream:
    """GETs to Sentry over one ``httpx.AsyncClient``, answers read within bounds.

    With `transport` None the client builds httpx's own network transport
    and honours the proxy and certificate variables of the environment (httpx
    ignores them when a transport is given). A transport is given for the
    in-process demo (``httpx.ASGITransport``) and in tests
    (``httpx.MockTransport``).
    """

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        keepalive_expiry: float = 15.0,
        http2: bool = False,
    ) -> None:
        self.max_body_bytes = max_body_bytes
        self._client = httpx.AsyncClient(
            transport=transport,
            trust_env=True,
            follow_redirects=False,
            http2=http2,
            cookies=_refusing_cookie_jar(),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_keepalive_connections,
                keepalive_expiry=keepalive_expiry,
            ),
        )
        # httpx adds its own defaults (User-Agent, Accept-Encoding with br or
        # zstd when their packages are installed); callers send every header.
        self._client.headers.clear()

    @classmethod
    def of(cls, connection: Upstream | httpx.AsyncBaseTransport) -> Upstream:
        """`connection` itself, or an `Upstream` over the given httpx transport."""
        return connection if isinstance(connection, Upstream) else cls(connection)

    async def get(self, url: str, headers: Mapping[str, str], timeout: float) -> UpstreamResponse:
        """GET `url` (already percent-encoded) with exactly `headers`.

        `timeout` bounds connecting and each read. Raises an
        `UpstreamHTTPError` when no usable answer arrives.
        """
        if self._client.is_closed:  # shutting down: never reopen connections
            raise ConnectionFailed("the client to Sentry is closed")
        try:
            request = self._client.build_request("GET", url, headers=headers, timeout=timeout)
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise HTTPTimeout(type(exc).__name__) from None
        except httpx.ConnectError:
            raise ConnectionFailed("could not connect") from None
        except httpx.ProxyError:
            raise ConnectionFailed("the proxy refused or failed the connection") from None
        except httpx.TransportError:  # reset, protocol garbage, an unsupported scheme ...
            raise ConnectionFailed("the connection failed before an answer") from None
        except httpx.DecodingError:  # an in-memory answer, decoded as it was built
            raise BodyRefused(None, "the body is not what its Content-Encoding says") from None
        try:
            content = await self._read(response)
        finally:
            await response.aclose()
            # httpx's Response and its bound stream refer to each other; the stream of
            # an in-process transport holds the whole body, which would then wait for
            # a full collection. The response is read: let the body go with it.
            response.stream = httpx.ByteStream(b"")
        return UpstreamResponse(response.status_code, response.headers, content)

    async def _read(self, response: httpx.Response) -> bytes:
        """The whole body, decoded, or `BodyRefused` as soon as a bound is crossed."""
        status = response.status_code
        limit = self.max_body_bytes
        declared = response.headers.get("content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            raise BodyRefused(status, f"the body declares {declared.strip()} bytes, over the {limit}-byte cap")
        decoder = _decoder(status, response.headers.get_list("content-encoding", split_commas=True))
        if response.is_stream_consumed:
            # An answer built in memory (``httpx.MockTransport``): httpx has
            # read and decoded it already.
            if len(response.content) > limit:
                raise BodyRefused(status, f"the body is over the {limit}-byte cap")
            return response.content
        # One growing buffer, not a list of pieces: each piece is freed as soon
        # as it is copied in (the allocator reuses its place), and the buffer,
        # once large, is its own mapping that goes back to the system when freed.
        body = bytearray()
        try:
            await self._fill(body, response, decoder, limit)
        except BaseException:
            # The traceback keeps this frame alive until a full collection
            # runs; what was read so far must not live as long.
            body.clear()
            raise
        return bytes(body)

    @staticmethod
    async def _fill(body: bytearray, response: httpx.Response, decoder: _Inflater | None, limit: int) -> None:
        status = response.status_code
        raw_total = 0
        try:
            async for raw in response.aiter_raw():
                raw_total += len(raw)
                if raw_total > limit:
                    raise BodyRefused(status, f"the body is over the {limit}-byte cap")
                if decoder is None:
                    body += raw
                else:
                    decoder.feed(raw, body, limit)
            if decoder is not None:
                decoder.finish()
        except httpx.TimeoutException as exc:
            raise HTTPTimeout(type(exc).__name__) from None
        except httpx.TransportError:
            raise BodyRefused(status, "the body was cut off") from None

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()


def _decoder(status: int, codings: list[str]) -> _Inflater | None:
    """The one decoder the answer's ``Content-Encoding`` needs (None: identity)."""
    names = [name.strip().lower() for name in codings]
    names = [name for name in names if name and name != "identity"]
    if len(names) > 1:
        raise BodyRefused(status, f"the body has {len(names)} content codings; at most one is accepted")
    if not names:
        return None
    name = names[0]
    if name in ("gzip", "x-gzip"):
        return _Inflater(status, zlib.MAX_WBITS | 16)
    if name == "deflate":
        return _Inflater(status, zlib.MAX_WBITS, raw_fallback=True)
    raise BodyRefused(status, f"the body has a content coding never asked for: {name[:40]!r}")


#: The most one inflating step produces.
_STEP = 256 * 1024


class _Inflater:
    """gzip or deflate, undone with a bound on the output of every step."""

    def __init__(self, status: int, wbits: int, *, raw_fallback: bool = False) -> None:
        self._status = status
        self._zlib = zlib.decompressobj(wbits)
        # ``deflate`` is zlib-wrapped by the RFC, but servers send raw deflate
        # too (httpx reads both): the first two bytes, a zlib header or not, decide.
        self._undecided = raw_fallback
        self._head = b""
        self._started = False

    def feed(self, data: bytes, out: bytearray, limit: int) -> None:
        """Inflate `data` onto `out`; `BodyRefused` when `out` would pass `limit` bytes."""
        if self._undecided:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head, self._undecided = self._head, b"", False
            if not _is_zlib_header(data):
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        if data:
            self._started = True
        while data:
            # At most one step's output at a time: inflating one 64 KiB read of a
            # bomb whole would hold ~64 MiB (twice, while zlib's buffer is joined).
            room = limit - len(out)
            try:
                piece = self._zlib.decompress(data, min(room, _STEP) + 1)
            except zlib.error:
                raise BodyRefused(self._status, "the body is not what its Content-Encoding says") from None
            if len(piece) > room:
                raise BodyRefused(self._status, "the decoded body is over the size cap")
            out += piece
            data = self._zlib.unconsumed_tail

    def finish(self) -> None:
        """`BodyRefused` if the compressed stream stopped before its end."""
        if self._head or (self._started and not self._zlib.eof):
            raise BodyRefused(self._status, "the compressed body was cut off")


def _is_zlib_header(data: bytes) -> bool:
    """RFC 1950: method 8 (deflate) in the low bits of CMF, and CMF*256+FLG a multiple of 31."""
    return data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
