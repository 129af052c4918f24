"""Sentry's rate-limit headers, and a concurrency limit learned from them.

Sentry's limiter (``src/sentry/middleware/ratelimit.py``) reports on every
response it runs for: ``X-Sentry-Rate-Limit-Limit/-Remaining/-Reset`` (reset
in epoch seconds) and ``-ConcurrentLimit/-ConcurrentRemaining``. The limit is
per caller identity, so the gateway keeps what it learns per credential
fingerprint: one caller's wide query must not trip the upstream's
concurrency limiter for that caller's other requests, and never affects
another caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass

__all__ = ["ConcurrencyLimiter", "RateLimitInfo", "parse_rate_limit_headers"]

#: 2**53: integers up to here survive every JSON reader.
_MAX_EXACT = 2**53

_HEADERS = {
    "limit": "x-sentry-rate-limit-limit",
    "remaining": "x-sentry-rate-limit-remaining",
    "reset": "x-sentry-rate-limit-reset",
    "concurrentLimit": "x-sentry-rate-limit-concurrentlimit",
    "concurrentRemaining": "x-sentry-rate-limit-concurrentremaining",
}


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """The limits Sentry last reported for one credential (any may be unknown)."""

    limit: int | None = None
    remaining: int | None = None
    reset: int | None = None
    concurrentLimit: int | None = None
    concurrentRemaining: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """The rate-limit headers of a response (lower-case names), or None when it has none.

    A header sent twice reads as unknown: its values, joined by ``", "``
    (as ``httpx.Headers`` reads them), are not a number; so does a negative
    or absurdly large one.
    """
    texts = {field: headers[header] for field, header in _HEADERS.items() if header in headers}
    if not texts:
        return None
    values: dict[str, int | None] = {}
    for field, text in texts.items():
        try:
            value: int | None = int(float(text[:32]))
        except (ValueError, OverflowError):  # not a number, nan, inf
            value = None
        # A count or an epoch second; anything else (negative, or past what a
        # JSON number carries exactly) is not a limit to follow or report.
        values[field] = value if value is not None and 0 <= value < _MAX_EXACT else None
    if all(value is None for value in values.values()):
        return None
    return RateLimitInfo(**values)


class ConcurrencyLimiter:
    """At most `limit` calls in flight; the limit can be lowered or raised while in use."""

    def __init__(self, limit: int) -> None:
        self._limit = max(1, limit)
        self._in_flight = 0
        self._waiting = 0
        self._changed = asyncio.Condition()

    async def learn(self, limit: int | None, ceiling: int) -> None:
        """Follow Sentry's reported concurrency limit, never above our own `ceiling`."""
        if limit is None or limit < 1:
            return
        new = min(limit, ceiling)
        if new != self._limit:
            async with self._changed:
                self._limit = new
                self._changed.notify_all()

    def slot(self) -> _Slot:
        """``async with limiter.slot():`` one call in flight (waiting for a free slot)."""
        return _Slot(self)

    async def _acquire(self) -> None:
        # Fast path, the common case: a free slot and nobody queued before us.
        # (One event loop thread: nothing runs between the check and the count.)
        if self._in_flight < self._limit and not self._waiting:
            self._in_flight += 1
            return
        async with self._changed:
            self._waiting += 1
            try:
                await self._changed.wait_for(lambda: self._in_flight < self._limit)
            except BaseException:
                # Cancelled (a deadline) perhaps just after being notified:
                # pass the wake-up on, or the next waiter sleeps by a free slot.
                if self._in_flight < self._limit:
                    self._changed.notify()
                raise
            finally:
                self._waiting -= 1
            self._in_flight += 1

    async def _release(self) -> None:
        self._in_flight -= 1
        if self._waiting:
            async with self._changed:
                self._changed.notify()


class _Slot:
    """One slot of a `ConcurrencyLimiter`, as an async context manager (a class:
    ``contextlib.asynccontextmanager`` costs a generator per upstream call)."""

    __slots__ = ("_limiter",)

    def __init__(self, limiter: ConcurrencyLimiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> None:
        await self._limiter._acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        await self._limiter._release()
