"""An `Upstream` that measures every call to Sentry (retries included).

The REST client needs no change for it: each attempt is counted by endpoint
kind and status, timed until its body has arrived, traced when tracing is
on, and added to the current request's `Observation`. (Rate-limit headroom
is observed by the client, which reads those headers anyway.)
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from gateway.sentry.upstream import BodyRefused, HTTPTimeout, Upstream, UpstreamResponse

from . import tracing
from .context import current_observation
from .metrics import endpoint_kind, observe_upstream

__all__ = ["InstrumentedUpstream"]


class InstrumentedUpstream(Upstream):
    async def get(self, url: str, headers: Mapping[str, str], timeout: float) -> UpstreamResponse:
        kind = endpoint_kind(url.partition("?")[0])
        observation = current_observation()
        if observation is not None:
            observation.upstream_calls += 1
        start = time.perf_counter()
        status = "cancelled"
        with tracing.span(f"GET sentry {kind}", client=True, **{"gateway.endpoint": kind}) as span:
            try:
                response = await super().get(url, headers, timeout)
                status = str(response.status_code)
            except HTTPTimeout:
                status = "timeout"
                raise
            except BodyRefused as exc:  # an answer, refused
                status = str(exc.status or "connection_error")
                raise
            except Exception:
                status = "connection_error"
                raise
            finally:
                observe_upstream(kind, status, time.perf_counter() - start)
                if span is not None:
                    span.set_attribute("http.response.status_code_or_failure", status)
        return response
