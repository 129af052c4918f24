"""The connection to a real Sentry: a `Wire` over aiohttp's connection pool.

Measured on this project's bench machine (``bench/RESULTS.md``): a GET of a
small page costs ~600 µs of CPU through httpx's default transport (httpcore
on anyio) and ~150 µs through aiohttp, and the upstream call is the largest
share of a small query's cost. ``GATEWAY_UPSTREAM_TRANSPORT=httpx`` goes back
to httpx's transport (through `gateway.sentry.wire.HttpxWire`).

What it keeps exactly as the httpx wire does (``tests/test_transport.py``):

* the URL goes out as given, byte for byte (no re-normalisation by yarl),
  with the given headers; redirects are not followed;
* ``gzip`` and ``deflate`` bodies are decoded as httpx decodes them (aiohttp's
  own decoder refuses some of them before the status is known); a body that
  does not match its Content-Encoding is `WireTruncated`, like one cut short;
* failures are the same `WireError`\\ s: `WireTimeout` (connect or read),
  `WireConnectionError` before a response, `WireTruncated` after one;
* certificates are checked against certifi's authorities, as httpx does.

One difference: aiohttp resends an idempotent request once when a kept-alive
connection closes without answering (RFC 9112, 9.3.1); httpx leaves that to
the client's retries.

Idle connections are kept 15 s (httpx's transport: 5 s, at most 20 idle).
"""

from __future__ import annotations

import asyncio
import ssl
import zlib

import aiohttp
import certifi
import yarl

from .wire import (
    CONNECT_FAILED,
    EXCHANGE_FAILED,
    Wire,
    WireConnectionError,
    WireResponse,
    WireTimeout,
    WireTruncated,
    decode_content,
    join_headers,
)

__all__ = ["AiohttpWire"]


class AiohttpWire(Wire):
    """A `Wire` that sends requests with one `aiohttp.ClientSession`."""

    def __init__(self, *, max_connections: int = 100, keepalive_seconds: float = 15.0) -> None:
        self._max_connections = max_connections
        self._keepalive_seconds = keepalive_seconds
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}
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
            # bodies are decoded as httpx decodes them (`decode_content`)
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None),
        )
        return self._session

    def _timeout(self, seconds: float) -> aiohttp.ClientTimeout:
        # No bound on waiting for a pooled connection (httpx's "pool"): the
        # SentryClient bounds each attempt as a whole.
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            if len(self._timeouts) > 64:  # deadlines make many values: keep a few
                self._timeouts.clear()
            timeout = self._timeouts[seconds] = aiohttp.ClientTimeout(
                total=None, sock_connect=seconds, sock_read=seconds
            )
        return timeout

    async def get(self, url: str, headers: dict[str, str], timeout: float) -> WireResponse:
        if self._closed:  # e.g. a loader task still retrying after shutdown: no new session
            raise WireConnectionError(CONNECT_FAILED)
        session = self._session or self._open()
        try:
            response = await session.get(
                # as given: yarl would otherwise normalise %3A, %2C ...
                yarl.URL(url, encoded=True),
                headers=headers,
                allow_redirects=False,
                timeout=self._timeout(timeout),
            )
        except (aiohttp.ServerTimeoutError, aiohttp.ConnectionTimeoutError, asyncio.TimeoutError) as exc:
            raise WireTimeout(type(exc).__name__) from None
        except (aiohttp.ClientConnectorError, aiohttp.InvalidURL):
            raise WireConnectionError(CONNECT_FAILED) from None
        except (aiohttp.ClientError, OSError):
            # disconnected, invalid status line or headers, reset ...
            raise WireConnectionError(EXCHANGE_FAILED) from None
        try:
            content = await response.read()
        except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
            raise WireTimeout(type(exc).__name__) from None
        except (aiohttp.ClientError, OSError):  # cut off, reset
            raise WireTruncated(response.status) from None
        finally:
            response.release()
        headers = join_headers(response.raw_headers)
        try:
            content = decode_content(content, headers.get("content-encoding"))
        except zlib.error:
            raise WireTruncated(response.status) from None
        return WireResponse(response.status, headers, content)

    async def aclose(self) -> None:
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None
