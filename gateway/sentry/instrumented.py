"""An `Upstream` that measures every call to Sentry (retries included).

The REST client needs no change for it: each attempt is counted by endpoint
kind and status, timed until its body has arrived, traced when tracing is
on, and added to the current request's `Observation`. (Rate-limit headroom
is observed by the client, which reads those headers anyway.)
"""

from __future__ import annotations

import socket
import ssl
import sys
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .upstream import BodyRefused, HTTPTimeout, Upstream, UpstreamResponse

from gateway.observability import tracing
from gateway.observability.context import current_observation
from gateway.observability.metrics import endpoint_kind, observe_upstream

__all__ = ["InstrumentedUpstream", "failure_reason"]


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
                if observation is not None and not status.startswith("2"):
                    observation.add_upstream_failure(_failure(url, kind, status, sys.exc_info()[1]))
                if span is not None:
                    span.set_attribute("http.response.status_code_or_failure", status)
        return response


def _failure(url: str, kind: str, status: str, exc: BaseException | None) -> dict[str, Any]:
    """What the access log says about a failed call: the host, and the status or why none came."""
    failure: dict[str, Any] = {"host": urlsplit(url).netloc.rpartition("@")[2], "endpoint": kind}
    if status.isdigit():
        failure["status"] = int(status)
    else:
        failure["error"] = failure_reason(exc) if exc is not None else status
    return failure


def failure_reason(exc: BaseException) -> str:
    """Why no answer came, in a few words: the OS's or TLS's reason found in the
    exception's chain (httpx keeps it as the context), else the message."""
    if isinstance(exc, HTTPTimeout):
        return f"timeout ({exc})"
    seen: set[int] = set()
    cause: BaseException | None = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return "host name not resolved"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not accepted: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    return str(exc) or type(exc).__name__
