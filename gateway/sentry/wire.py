"""The one HTTP operation the REST client needs: GET a URL, get the whole answer.

`SentryClient` sends nothing but GETs with a handful of headers and reads
every body whole, so its connection to Sentry is this small interface, not
httpx's transport interface. Building an `httpx.Request` and an
`httpx.Response` around every call (URL parsing, header normalisation, a
byte stream to drain) cost ~120 µs per call on the bench machine, as much as
the round trip itself for a small page (``bench/RESULTS.md``).

Two implementations:

* `gateway.sentry.transport.Http1Wire`: the network, in production;
* `HttpxWire`: any `httpx.AsyncBaseTransport` (the in-process demo upstream
  through ``httpx.ASGITransport``, ``httpx.MockTransport`` in tests, and
  httpx's own network transport with ``GATEWAY_UPSTREAM_TRANSPORT=httpx``).

Both give the same outcomes for the same answers (``tests/test_transport.py``
runs them side by side over a real socket): a `WireResponse`, or one of the
three `WireError`\\ s.
"""

from __future__ import annotations

import abc
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

import httpx

__all__ = [
    "HttpxWire",
    "Wire",
    "WireConnectionError",
    "WireError",
    "WireResponse",
    "WireTimeout",
    "WireTruncated",
    "as_wire",
    "CONNECT_FAILED",
    "EXCHANGE_FAILED",
    "decode_content",
    "join_headers",
]


@dataclass(frozen=True, slots=True)
class WireResponse:
    """A whole answer: status, headers and the body with its Content-Encoding undone.

    `headers` maps lower-case names to values; a header sent twice reads as
    its values joined by ``", "`` (as ``httpx.Headers.get`` reads it, and as
    RFC 9110 5.3 allows a recipient to combine them).
    """

    status_code: int
    headers: dict[str, str]
    content: bytes


class WireError(Exception):
    """No usable answer arrived. Messages never hold the URL's host or query."""


class WireTimeout(WireError):
    """Connecting, or reading the answer, took longer than the timeout."""


class WireConnectionError(WireError):
    """No answer: refused, reset, dropped, or bytes that are not HTTP.

    The message is one of the two below, whichever wire is used.
    """


#: `WireConnectionError` messages: no connection, or no answer on one.
CONNECT_FAILED = "could not connect"
EXCHANGE_FAILED = "the connection failed before an answer"


class WireTruncated(WireError):
    """The status and headers arrived, then no readable body: cut off, or a
    Content-Encoding the body does not match."""

    def __init__(self, status: int | None) -> None:
        super().__init__(f"body of a {status} answer cut off or undecodable")
        #: None when not even the status is known (an httpx transport that
        #: decodes the body before handing the response over, as a mock does).
        self.status = status


class Wire(abc.ABC):
    """Sends GETs to Sentry over pooled connections."""

    @abc.abstractmethod
    async def get(self, url: str, headers: dict[str, str], timeout: float) -> WireResponse:
        """GET `url` (already percent-encoded) with `headers`, as sent.

        `timeout` bounds connecting and each read; redirects are not
        followed. Raises a `WireError` when no usable answer arrives.
        """

    async def aclose(self) -> None:
        """Close the pooled connections."""

    async def __aenter__(self) -> Wire:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()


def join_headers(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Raw header pairs as `WireResponse.headers` holds them (latin-1, as httpx decodes)."""
    headers: dict[str, str] = {}
    for name, value in raw:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        previous = headers.get(key)
        headers[key] = text if previous is None else f"{previous}, {text}"
    return headers


def decode_content(body: bytes, content_encoding: str | None) -> bytes:
    """Undo ``gzip`` and ``deflate`` (zlib-wrapped or raw), as httpx does.

    Codings are undone last first; others (``identity``, or one we never
    asked for) are left alone, as httpx leaves them. A body that is not what
    its coding says raises `zlib.error`; one cut short decodes as far as it goes.
    """
    if not content_encoding:
        return body
    for coding in reversed(content_encoding.split(",")):
        coding = coding.strip().lower()
        if coding == "gzip":
            decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":
            decompressor = zlib.decompressobj()
            try:
                body = decompressor.decompress(body) + decompressor.flush()
                continue
            except zlib.error:  # raw deflate, without the zlib wrapper
                decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
        else:
            continue
        body = decompressor.decompress(body) + decompressor.flush()
    return body


def as_wire(connection: Wire | httpx.AsyncBaseTransport) -> Wire:
    """`connection` itself if it is a `Wire`, else an httpx transport wrapped in `HttpxWire`."""
    return connection if isinstance(connection, Wire) else HttpxWire(connection)


class HttpxWire(Wire):
    """A `Wire` over any httpx transport (network, ASGI app, or mock)."""

    def __init__(self, transport: httpx.AsyncBaseTransport) -> None:
        self.transport = transport

    async def get(self, url: str, headers: dict[str, str], timeout: float) -> WireResponse:
        request = httpx.Request(
            "GET", url, headers=headers, extensions={"timeout": httpx.Timeout(timeout).as_dict()}
        )
        try:
            response = await self.transport.handle_async_request(request)
        except httpx.TimeoutException as exc:
            raise WireTimeout(type(exc).__name__) from None
        except httpx.ConnectError:
            raise WireConnectionError(CONNECT_FAILED) from None
        except httpx.TransportError:  # reset, protocol garbage, proxy ...
            raise WireConnectionError(EXCHANGE_FAILED) from None
        except httpx.DecodingError:
            raise WireTruncated(None) from None
        response.request = request
        try:
            content = await response.aread()
        except httpx.TimeoutException as exc:
            raise WireTimeout(type(exc).__name__) from None
        except (httpx.TransportError, httpx.DecodingError):
            raise WireTruncated(response.status_code) from None
        finally:
            await response.aclose()
        return WireResponse(response.status_code, join_headers(response.headers.raw), content)

    async def aclose(self) -> None:
        await self.transport.aclose()
