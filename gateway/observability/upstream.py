"""An httpx transport that measures every call to Sentry (retries included).

It sits under the REST client, which needs no change for it: each attempt is
counted by endpoint kind and status, timed to the response headers, traced
when tracing is on, and added to the current request's `Observation`.
(Rate-limit headroom is observed by the client, which reads those headers anyway.)
"""

from __future__ import annotations

import time

import httpx

from . import tracing
from .context import current_observation
from .metrics import endpoint_kind, observe_upstream

__all__ = ["InstrumentedTransport"]


class InstrumentedTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        kind = endpoint_kind(request.url.path)
        observation = current_observation()
        if observation is not None:
            observation.upstream_calls += 1
        start = time.perf_counter()
        status = "cancelled"
        with tracing.span(f"GET sentry {kind}", client=True, **{"gateway.endpoint": kind}) as span:
            try:
                response = await self._inner.handle_async_request(request)
                status = str(response.status_code)
            except httpx.TimeoutException:
                status = "timeout"
                raise
            except Exception:
                status = "connection_error"
                raise
            finally:
                observe_upstream(kind, status, time.perf_counter() - start)
                if span is not None:
                    span.set_attribute("http.response.status_code_or_failure", status)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

