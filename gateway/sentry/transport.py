"""The connection to a real Sentry: httpx's transport interface over aiohttp's connection pool.

httpx stays the client the gateway is written against (retries, timeouts,
the instrumented transport, tests against the in-process demo through
``httpx.ASGITransport``); only the wire work below it (connection pool,
HTTP/1.1 framing) is aiohttp's. Measured on this project's bench machine
(``bench/RESULTS.md``): a GET of a small page costs ~600 µs of CPU through
httpx's default transport (httpcore on anyio) and ~150 µs through aiohttp,
and the upstream call is the largest share of a small query's cost.

What the transport keeps exactly as httpx's own does:

* the request goes out as httpx built it (headers included); redirects are
  not followed (the client never follows them);
* the body arrives undecoded (``auto_decompress=False``): httpx decodes
  ``Content-Encoding`` itself, so a body that does not match its encoding is
  the same `httpx.DecodingError`;
* failures become httpx's exceptions: `httpx.ConnectError` and
  `httpx.ConnectTimeout` before a response, `httpx.ReadTimeout`, and
  `httpx.RemoteProtocolError` for a connection that drops mid-response (a
  body shorter than its ``Content-Length`` included);
* httpx's per-request ``connect`` and ``read`` timeouts apply (the client
  bounds each attempt as a whole anyway);
* certificates are checked against certifi's authorities, as httpx does;
* the URL goes out as httpx encoded it (no re-normalisation by yarl).

Idle connections are kept 15 s (httpx's transport: 5 s, at most 20 idle).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator

import aiohttp
import certifi
import httpx
import yarl

__all__ = ["AiohttpTransport"]


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An `httpx.AsyncBaseTransport` that sends requests with one `aiohttp.ClientSession`."""

    def __init__(self, *, max_connections: int = 100, keepalive_seconds: float = 15.0) -> None:
        self._max_connections = max_connections
        self._keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _open(self) -> aiohttp.ClientSession:
        # Created on first use: aiohttp binds a session to the running loop.
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            keepalive_timeout=self._keepalive_seconds,
            ttl_dns_cache=60,
            # the same certificate authorities as httpx's own transport (certifi)
            ssl=ssl.create_default_context(cafile=certifi.where()),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:  # e.g. a loader task still retrying after shutdown: no new session
            raise httpx.ConnectError("the transport is closed", request=request)
        session = self._session or self._open()
        timeouts = request.extensions.get("timeout", {})
        # No bound on waiting for a pooled connection (httpx's "pool"): the
        # SentryClient bounds each attempt as a whole.
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read")
        )
        body = await request.aread()
        try:
            headers = [(name.decode("ascii"), value.decode("utf-8")) for name, value in request.headers.raw]
        except UnicodeDecodeError as exc:  # aiohttp would re-encode them as UTF-8
            raise httpx.LocalProtocolError("header bytes that are not UTF-8", request=request) from exc
        try:
            response = await session.request(
                request.method,
                # as httpx encoded it: yarl would otherwise normalise %3A, %2C ...
                yarl.URL(str(request.url), encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
            )
        except (aiohttp.ConnectionTimeoutError, aiohttp.ServerTimeoutError) as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
            raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
        except asyncio.TimeoutError as exc:
            raise httpx.ReadTimeout("read timeout", request=request) from exc
        except aiohttp.ClientConnectorError as exc:
            raise httpx.ConnectError(str(exc), request=request) from exc
        except (aiohttp.ClientError, OSError) as exc:
            # disconnected, invalid status line or headers, reset ...
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=[(name, value) for name, value in response.raw_headers],
            stream=_ResponseStream(response, request),
            extensions={
                "http_version": f"HTTP/{response.version.major}.{response.version.minor}".encode(),
                "reason_phrase": (response.reason or "").encode(),
            },
            request=request,
        )

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None


class _ResponseStream(httpx.AsyncByteStream):
    """The body of an aiohttp response, as httpx reads it; the connection returns to the pool on close."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            # One piece: aiohttp gathers the body in C; the client reads it whole anyway.
            yield await self._response.read()
        except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
            raise httpx.ReadTimeout("read timeout", request=self._request) from exc
        except (aiohttp.ClientError, OSError) as exc:  # cut off: payload incomplete, reset
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=self._request) from exc

    async def aclose(self) -> None:
        self._response.release()
