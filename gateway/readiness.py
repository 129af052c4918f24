"""``/readyz``: whether this replica can reach its upstream right now.

Liveness (``/healthz``) says the process answers; readiness says a load
balancer should send it traffic. In demo mode the upstream is in-process, so
the gateway is always ready. Otherwise a cheap unauthenticated
``GET {SENTRY_BASE_URL}/api/0/`` is made, at most once every
``GATEWAY_READINESS_CACHE`` seconds however often probes arrive: any HTTP
answer below 500 means Sentry is reachable (a 401 still proves the network
path works); a 5xx, a timeout or a refused connection answer 503.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.sentry.upstream import Upstream, UpstreamHTTPError

__all__ = ["Readiness"]

PROBE_TIMEOUT_SECONDS = 2.0


class Readiness:
    def __init__(self, *, demo: bool, cache_seconds: float = 5.0, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
        self.demo = demo
        self.cache_seconds = cache_seconds
        self.timeout = timeout
        self._upstream: Upstream | None = None
        self._headers: dict[str, str] = {}
        self._base_url = ""
        self._checked_at: float | None = None
        self._result: tuple[bool, str] = (False, "not checked")
        self._lock = asyncio.Lock()

    def bind(self, upstream: Upstream | None, base_url: str, user_agent: str = "") -> None:
        """Use the app's client to Sentry (None at shutdown: not ready)."""
        self._upstream = upstream
        self._base_url = base_url.rstrip("/")
        self._headers = {"Accept": "application/json"}
        if user_agent:
            self._headers["User-Agent"] = user_agent
        self._checked_at = None

    async def check(self) -> tuple[bool, str]:
        if self._upstream is None:
            return False, "not started"
        if self.demo:
            return True, "embedded demo upstream"
        async with self._lock:
            now = time.monotonic()
            if self._checked_at is None or now - self._checked_at >= self.cache_seconds:
                self._result = await self._probe()
                self._checked_at = time.monotonic()
            return self._result

    async def _probe(self) -> tuple[bool, str]:
        assert self._upstream is not None
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._upstream.get(f"{self._base_url}/api/0/", self._headers, self.timeout)
        except (UpstreamHTTPError, TimeoutError) as exc:
            return False, f"Sentry unreachable ({type(exc).__name__})"
        if response.status_code >= 500:
            return False, f"Sentry answered {response.status_code}"
        return True, f"Sentry answered {response.status_code}"

    async def endpoint(self, request: Request) -> JSONResponse:
        ready, detail = await self.check()
        body: dict[str, Any] = {"status": "ready" if ready else "unavailable", "upstream": detail}
        return JSONResponse(body, status_code=200 if ready else 503, headers={"Cache-Control": "no-store"})
