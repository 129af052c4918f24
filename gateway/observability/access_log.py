"""One JSON access-log line per request, a request id, and the request metrics.

`AccessLog` is the outermost middleware. It takes the caller's
``X-Request-ID`` when it is sane (1-128 of ``A-Z a-z 0-9 . _ : -``), else
makes one, returns it in the response's ``X-Request-ID`` header, and logs to
the ``gateway.access`` logger at INFO::

    {"request_id":"...","method":"POST","path":"/graphql","operation":"Latest",
     "status":200,"duration_ms":12.3,"upstream_calls":2,"outcome":"ok","codes":[]}

A request whose calls to Sentry failed also has ``upstream_failures``: for
each (the first five), the host, the endpoint kind, and the status or the
reason there was none (``{"host":"sentry.example","endpoint":"list",
"error":"connection refused"}``).

Never logged: headers (so no token), the query string, the query or its
variables. Every field is bounded: the caller chooses the path and the
operation name (clipped to `MAX_FIELD` characters, marked with a trailing
``…``) and may cause many error codes (at most `MAX_CODES` kept). GraphQL
requests also feed the request metrics.
"""

from __future__ import annotations

import logging
import os
import re
import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import tracing
from .context import Observation, reset_observation, set_observation
from .metrics import observe_graphql_request

__all__ = ["AccessLog", "request_id_from"]

access_logger = logging.getLogger("gateway.access")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

#: Longest caller-chosen text (path, operation name) written into a log line.
MAX_FIELD = 256
#: Most distinct error codes written into a log line.
MAX_CODES = 16


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_FIELD:
        return text
    return text[: MAX_FIELD - 1] + "…"


def _header(scope: Scope, name: bytes) -> str | None:
    """A request header's value (ASGI gives lower-case names), as Starlette's `Headers` reads it."""
    for key, value in scope.get("headers", ()):
        if key == name:
            text: str = value.decode("latin-1")
            return text
    return None


def request_id_from(value: str | None) -> str:
    """The caller's request id if it is sane, else a fresh one (128 random bits, hex)."""
    if value is not None and _SANE_ID.match(value):
        return value
    return os.urandom(16).hex()


class AccessLog:
    def __init__(
        self,
        app: ASGIApp,
        *,
        log: bool = True,
        metrics: bool = True,
        graphql_path: str = "/graphql",
    ) -> None:
        self.app = app
        self.log = log
        self.metrics = metrics
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(_header(scope, b"x-request-id"))
        request_id_header = (b"x-request-id", request_id.encode("latin-1"))
        path = scope.get("path", "")
        observation = Observation(request_id)
        if path == self.graphql_path and scope.get("method") == "POST":
            observation.graphql = True
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"]
                headers.append(request_id_header)
                message["headers"] = headers
            await send(message)

        token = set_observation(observation)
        start = time.perf_counter()
        try:
            with tracing.span(f"{scope.get('method')} {_clip(path)}", **{"gateway.request_id": request_id}) as span:  # type: ignore[arg-type]
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    if span is not None:
                        span.update_name(f"graphql {observation.operation or _clip(path)}")
                        span.set_attribute("http.response.status_code", status)
                        span.set_attribute("gateway.outcome", observation.outcome)
        except Exception:
            status = 500
            observation.add_codes(["INTERNAL_SERVER_ERROR"])
            raise
        finally:
            reset_observation(token)
            seconds = time.perf_counter() - start
            if not observation.codes and status >= 400:
                observation.add_codes([f"HTTP_{status}"])
            if self.metrics and observation.graphql:
                observe_graphql_request(
                    observation.operation, observation.outcome, seconds, observation.upstream_calls
                )
            if self.log and access_logger.isEnabledFor(logging.INFO):
                record = {
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "path": _clip(path),
                    "operation": _clip(observation.operation),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "upstream_calls": observation.upstream_calls,
                    "outcome": observation.outcome,
                    "codes": [code[:64] for code in observation.codes[:MAX_CODES]],
                }
                if observation.upstream_failures:
                    record["upstream_failures"] = observation.upstream_failures
                access_logger.info(orjson.dumps(record).decode(), extra={"access": record})
