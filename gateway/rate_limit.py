"""Per-caller request rates, as ASGI middleware in front of ``/graphql``.

Off by default. ``GATEWAY_RATE_LIMIT_PER_CREDENTIAL=120/60`` lets each
credential (by its fingerprint, as the loaders key it; callers without an
``Authorization`` header share the gateway's own) make 120 requests in any 60
seconds, in bursts of up to 120; ``GATEWAY_RATE_LIMIT_PER_ADDRESS`` does the
same per client address (uvicorn's ``--proxy-headers`` decides whether that is
the peer or the ``X-Forwarded-For`` client). A request over either limit is
answered HTTP 429 with a ``Retry-After`` header and a GraphQL error coded
``RATE_LIMITED`` with ``extensions.retryAfter`` (whole seconds), before any
work is done for it.

Each limit is a token bucket per key, kept in an LRU of at most
`MAX_CALLERS` keys: memory stays bounded however many credentials or
addresses appear, and a forgotten caller only gets a full bucket back.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from cachetools import LRUCache
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.observability.graphql_view import note_codes
from gateway.refusal import send_refusal
from gateway.sentry.credentials import credential_fingerprint

__all__ = ["MAX_CALLERS", "RateLimit", "TokenBuckets"]

#: Callers whose buckets are kept, per limit.
MAX_CALLERS = 65_536


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """`requests` per `seconds` for each key, in bursts of up to `requests`."""

    def __init__(self, requests: int, seconds: float, *, max_keys: int = MAX_CALLERS) -> None:
        self.capacity = float(requests)
        self.rate = requests / seconds
        self._buckets: LRUCache[str, _Bucket] = LRUCache(maxsize=max_keys)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one request for `key`: 0 when allowed, else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


class RateLimit:
    """ASGI middleware applying `TokenBuckets` per credential and per address to `path`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_credential: tuple[int, float] | None,
        per_address: tuple[int, float] | None,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.path = path
        self.credentials = None if per_credential is None else TokenBuckets(*per_credential)
        self.addresses = None if per_address is None else TokenBuckets(*per_address)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        wait = 0.0
        if self.addresses is not None:
            client = scope.get("client")
            wait = self.addresses.take(client[0] if client else "unknown")
        if not wait and self.credentials is not None:
            authorization = None
            for name, value in scope.get("headers", ()):
                if name == b"authorization":
                    authorization = value.decode("latin-1")
                    break
            wait = self.credentials.take(credential_fingerprint(authorization))
        if not wait:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        note_codes(["RATE_LIMITED"])
        await send_refusal(
            send,
            429,
            f"Too many requests from this caller; retry in {retry_after} s.",
            code="RATE_LIMITED",
            extensions={"retryAfter": retry_after},
            headers=[(b"retry-after", str(retry_after).encode())],
        )
