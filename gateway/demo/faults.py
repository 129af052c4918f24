"""Fault injection for the demo upstream: off by default, controlled from loopback only.

``create_demo_app(faults=True)`` puts a `FaultPlan` on ``app.state.faults``; tests add
`Fault`\\ s to it directly, other processes through the control endpoint. A fault is
considered only for the two event endpoints and only **after authentication** (a bad
token still gets its 401), at the point where Sentry's rate limiter runs: before the
scope check, the method check and the issue lookup. Faults are tried in the order
added; the first whose ``path_contains`` matches and whose ``probability`` draw
succeeds is applied, and its ``times`` counts down (``None``: until cleared). One
fault per request; ``delay`` seconds of latency come first for every kind.

What each kind looks like to an httpx client, over a real server (uvicorn) and
through ``httpx.ASGITransport`` (default ``raise_app_exceptions=True``):

============== ================================================================
``latency``    the normal answer, ``delay`` seconds late. httpx's timeouts do
               not apply through ASGITransport, only over a socket (ReadTimeout).
``status``     that status. 500: Sentry's ``{"detail":"Internal Error",
               "errorId":"<32 hex>"}``; 502/503/504 (any 5xx but 500): an HTML
               page as a proxy would send; 429: same as ``rate_limit``; other
               4xx: ``{"detail": "<reason phrase>"}``.
``rate_limit`` 429, Sentry's exact body (``orjson.dumps`` of the detail), served as
               ``text/html; charset=utf-8`` as Django's bare ``HttpResponse`` does,
               with the five ``X-Sentry-Rate-Limit-*`` headers (Remaining 0,
               Reset now + ``reset_in``, ConcurrentRemaining 0) and no
               ``Retry-After`` unless ``retry_after`` is set.
``malformed``  200, ``application/json``, an HTML body: ``json.loads`` fails.
``wrong_shape`` 200 valid JSON of the wrong shape: ``{"events":[]}`` for the list,
               ``[]`` for the detail.
``truncated``  the normal answer's status and headers, ``Content-Length`` of the
               whole body, then only its first half. uvicorn: the connection is
               closed; httpx raises ``httpx.RemoteProtocolError`` ("peer closed
               connection without sending complete message body ...") while
               reading the body (at ``client.get``, or at ``aread()`` with
               ``stream=True``: the headers did arrive). ASGITransport: the
               response completes with the short body; no exception, but
               ``len(response.content) < int(response.headers["content-length"])``
               and ``response.json()`` raises ``json.JSONDecodeError``.
``drop``       no response at all. uvicorn: the connection is closed before any
               byte; httpx raises ``httpx.RemoteProtocolError`` ("Server
               disconnected without sending a response.") from ``send``.
               ASGITransport: the app raises `ConnectionDropped`, a subclass of
               ``httpx.RemoteProtocolError`` with that same message, which the
               transport re-raises from ``send`` (with
               ``raise_app_exceptions=False`` it becomes a bare 500 instead).
============== ================================================================

The connection is closed through the transport of uvicorn's request cycle (the
``send`` callable uvicorn hands the app is a bound method of it); a server without
one is treated like ASGITransport.

**Rate-limit headers on normal answers.** Sentry's rate-limit middleware adds
``X-Sentry-Rate-Limit-Remaining/-Limit/-Reset/-ConcurrentRemaining/-ConcurrentLimit``
to every answer of an endpoint it limits: on sentry.io always the detail endpoint
(``enforce_rate_limit = True``). The demo sends them on every answer of the detail
endpoint after authentication, and on the list endpoint too when faults are enabled
(`RateLimitHeaders`): a fixed one-second window per (token, endpoint); Limit 15;
Remaining = 15 minus the requests in the current window, this one included, never
below 0; Reset = the next whole second (epoch); ConcurrentLimit 3;
ConcurrentRemaining = 3 minus the requests of that token and endpoint in flight,
this one included. Nothing is enforced: only a ``rate_limit`` fault answers 429.
Synthetic fault answers other than the 429 carry none of these headers.

**Control endpoint** (only when faults are enabled and the client address is
loopback, 127.0.0.0/8 or ::1; otherwise the path is an ordinary unknown route, 404):
``POST /_demo/faults`` with ``{"faults": [{...Fault fields...}], "seed": 7}``
(``seed`` optional: reseeds the plan's RNG) adds; ``DELETE /_demo/faults`` clears;
``GET /_demo/faults`` lists. Each answers 200 with
``{"faults": [...remaining faults...], "hits": n, "seed": s}``; a bad body is a 400
``{"detail": "..."}``. Control requests are not written to ``app.state.requests``.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal, get_args

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .params import internal_error
from .serializers import dumps

__all__ = [
    "CONTROL_PATH",
    "ConnectionDropped",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "RATE_LIMIT",
    "CONCURRENT_LIMIT",
    "RATE_LIMIT_BODY",
    "RateLimitHeaders",
    "is_loopback",
]

FaultKind = Literal["latency", "status", "rate_limit", "malformed", "truncated", "drop", "wrong_shape"]
KINDS: tuple[str, ...] = get_args(FaultKind)

CONTROL_PATH = "/_demo/faults"
RATE_LIMIT = 15  # the detail endpoint's limit: 15 requests per second
RATE_WINDOW = 1
CONCURRENT_LIMIT = 3
RATE_LIMIT_BODY = dumps(
    {
        "detail": "You are attempting to use this endpoint too frequently. "
        f"Limit is {RATE_LIMIT} requests in {RATE_WINDOW} seconds"
    }
)
MALFORMED_BODY = (
    b"<!DOCTYPE html>\n<html><head><title>Sentry</title></head>"
    b"<body><h1>We're sorry, Sentry is down for maintenance</h1></body></html>\n"
)
DROPPED_MESSAGE = "Server disconnected without sending a response."
# Where the outer app leaves the server-connection closer for the endpoint (see `closer_for`).
CLOSE_CONNECTION_KEY = "gateway.demo.close_connection"


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the app for a ``drop`` fault when it cannot close a real connection.

    It is what httpx raises when a server closes the connection without answering,
    so a client behind ``httpx.ASGITransport`` sees the same exception type and text.
    """

    def __init__(self) -> None:
        super().__init__(DROPPED_MESSAGE)


@dataclass
class Fault:
    """One fault to inject; see the module docstring for what each kind answers."""

    kind: FaultKind
    status: int = 500
    delay: float = 0.0
    times: int | None = 1
    path_contains: str | None = None
    probability: float = 1.0
    reset_in: int = 30
    retry_after: int | None = None
    concurrent_limit: int = CONCURRENT_LIMIT

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}")
        if not 400 <= self.status <= 599:
            raise ValueError("status must be within 400..599")
        if not self.delay >= 0:
            raise ValueError("delay must be >= 0")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 or null")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be within 0..1")
        if self.reset_in < 0:
            raise ValueError("reset_in must be >= 0")
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError("retry_after must be >= 0 or null")
        if self.concurrent_limit < 1:
            raise ValueError("concurrent_limit must be >= 1")

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """A fault from the control endpoint's JSON; ``ValueError`` says what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError("each fault must be an object")
        fields = {field.name: field for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise ValueError(f"unknown fault field(s): {', '.join(map(str, unknown))}")
        if "kind" not in data:
            raise ValueError("a fault needs a kind")
        expected: dict[str, tuple[type, ...]] = {
            "kind": (str,),
            "status": (int,),
            "delay": (int, float),
            "times": (int, type(None)),
            "path_contains": (str, type(None)),
            "probability": (int, float),
            "reset_in": (int,),
            "retry_after": (int, type(None)),
            "concurrent_limit": (int,),
        }
        for name, value in data.items():
            if isinstance(value, bool) or not isinstance(value, expected[name]):
                raise ValueError(f"bad value for {name}: {value!r}")
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class FaultPlan:
    """The faults of one demo app, in the order added, and how often they hit.

    ``seed`` seeds the `random.Random` behind ``probability``: the same plan and the
    same request sequence give the same hits. `clear` returns the plan to its fresh
    state (no faults, ``hits`` 0, RNG reseeded).
    """

    def __init__(self, seed: int = 0, *, clock: Callable[[], float] = time.time) -> None:
        self.seed = seed
        self.clock = clock
        self.rng = random.Random(seed)
        self.hits = 0
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Append a copy of ``fault`` (its ``times`` counts down on the copy)."""
        self._faults.append(dataclasses.replace(fault))

    def clear(self) -> None:
        self._faults.clear()
        self.hits = 0
        self.rng = random.Random(self.seed)

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)

    @property
    def faults(self) -> list[Fault]:
        """The faults still armed, ``times`` as remaining (copies)."""
        return [dataclasses.replace(fault) for fault in self._faults]

    def take(self, path: str) -> Fault | None:
        """The fault to apply to a request for ``path``, counting it down; else None."""
        for index, fault in enumerate(self._faults):
            if fault.path_contains is not None and fault.path_contains not in path:
                continue
            if fault.probability < 1.0 and self.rng.random() >= fault.probability:
                continue
            applied = dataclasses.replace(fault)
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    del self._faults[index]
            self.hits += 1
            return applied
        return None

    def listing(self) -> dict[str, Any]:
        return {"faults": [fault.to_json() for fault in self._faults], "hits": self.hits, "seed": self.seed}


class RateLimitHeaders:
    """Deterministic ``X-Sentry-Rate-Limit-*`` values for normal answers (never enforced)."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}
        self._in_flight: dict[tuple[str, str], int] = {}

    def begin(self, caller: str, endpoint: str) -> dict[str, str]:
        """Count a request in; the headers its answer carries. Pair with `end`."""
        key = (caller, endpoint)
        window = int(self.clock()) // RATE_WINDOW * RATE_WINDOW
        start, count = self._windows.get(key, (window, 0))
        count = count + 1 if start == window else 1
        self._windows[key] = (window, count)
        in_flight = self._in_flight[key] = self._in_flight.get(key, 0) + 1
        return rate_limit_headers(
            remaining=max(0, RATE_LIMIT - count),
            reset=window + RATE_WINDOW,
            concurrent_remaining=max(0, CONCURRENT_LIMIT - in_flight),
            concurrent_limit=CONCURRENT_LIMIT,
        )

    def end(self, caller: str, endpoint: str) -> None:
        key = (caller, endpoint)
        left = self._in_flight.get(key, 1) - 1
        if left > 0:
            self._in_flight[key] = left
        else:
            self._in_flight.pop(key, None)


def rate_limit_headers(
    *, remaining: int, reset: int, concurrent_remaining: int, concurrent_limit: int
) -> dict[str, str]:
    """The five headers in the order Sentry's ``RatelimitMiddleware.process_response`` sets them."""
    return {
        "X-Sentry-Rate-Limit-Remaining": str(remaining),
        "X-Sentry-Rate-Limit-Limit": str(RATE_LIMIT),
        "X-Sentry-Rate-Limit-Reset": str(reset),
        "X-Sentry-Rate-Limit-ConcurrentRemaining": str(concurrent_remaining),
        "X-Sentry-Rate-Limit-ConcurrentLimit": str(concurrent_limit),
    }


def is_loopback(client: Any) -> bool:
    """Whether an ASGI ``scope["client"]`` is a loopback address (127.0.0.0/8, ::1)."""
    if not client:
        return False
    try:
        address = ipaddress.ip_address(str(client[0]).split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


# -- fault answers ------------------------------------------------------------------------


def closer_for(send: Send) -> Callable[[], Awaitable[None]] | None:
    """A coroutine closing the real connection behind uvicorn's ``send``, if there is one.

    The app stashes it in the scope under `CLOSE_CONNECTION_KEY` before its middleware
    wraps ``send``.
    """
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not callable(getattr(transport, "close", None)) or not hasattr(cycle, "disconnected"):
        return None

    async def close() -> None:
        transport.close()  # flushes what was written, then FIN
        for _ in range(200):  # let connection_lost mark the cycle, so uvicorn adds no 500
            if cycle.disconnected:
                return
            await anyio.sleep(0.005)

    return close


class _DroppedResponse(Response):
    """No answer: the connection closes (uvicorn) or `ConnectionDropped` is raised."""

    def __init__(self) -> None:
        super().__init__(b"", status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        close = scope.get(CLOSE_CONNECTION_KEY)
        if close is not None:
            await close()
            return
        scope["gateway.demo.dropped"] = True
        raise ConnectionDropped()


class _TruncatedResponse(Response):
    """``inner``'s status and headers, the full Content-Length, half the body."""

    def __init__(self, inner: Response) -> None:
        self.inner = inner
        super().__init__(b"", status_code=inner.status_code)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        full = bytes(self.inner.body)
        sent = full[: len(full) // 2]
        declared = max(len(full), len(sent) + 1)
        headers = [(k, v) for k, v in self.inner.raw_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(declared).encode("latin-1")))
        await send({"type": "http.response.start", "status": self.inner.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": sent, "more_body": True})
        close = scope.get(CLOSE_CONNECTION_KEY)
        if close is not None:
            await close()
            return
        # ASGITransport keeps the declared Content-Length and the short body.
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _proxy_page(status: int) -> bytes:
    title = f"{status} {_phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def rate_limited_response(fault: Fault, now: float) -> Response:
    headers = {"content-type": "text/html; charset=utf-8"}
    headers.update(
        rate_limit_headers(
            remaining=0,
            reset=int(now) + fault.reset_in,
            concurrent_remaining=0,
            concurrent_limit=fault.concurrent_limit,
        )
    )
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    return Response(RATE_LIMIT_BODY, status_code=429, headers=headers)


async def fault_response(
    fault: Fault, *, normal: Callable[[], Response], is_detail: bool, now: float
) -> tuple[Response, bool]:
    """The answer for a request ``fault`` hit: (response, whether it is the normal one)."""
    if fault.delay > 0:
        await anyio.sleep(fault.delay)
    kind = fault.kind
    if kind == "latency":
        return normal(), True
    if kind == "rate_limit" or (kind == "status" and fault.status == 429):
        return rate_limited_response(fault, now), False
    if kind == "status":
        if fault.status == 500:
            error = internal_error()
            return Response(dumps(error.body), 500, media_type="application/json"), False
        if fault.status >= 500:
            return Response(_proxy_page(fault.status), fault.status, media_type="text/html"), False
        return Response(dumps({"detail": _phrase(fault.status)}), fault.status, media_type="application/json"), False
    if kind == "malformed":
        return Response(MALFORMED_BODY, 200, media_type="application/json"), False
    if kind == "wrong_shape":
        return Response(b"[]" if is_detail else b'{"events":[]}', 200, media_type="application/json"), False
    if kind == "truncated":
        return _TruncatedResponse(normal()), False
    return _DroppedResponse(), False  # "drop"


# -- the control endpoint -----------------------------------------------------------------


def is_control_path(path: str) -> bool:
    return path in (CONTROL_PATH, CONTROL_PATH + "/")


async def control(plan: FaultPlan, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET``/``POST``/``DELETE /_demo/faults`` (the caller checked loopback)."""
    request = Request(scope, receive)
    method = request.method
    status = 200
    if method == "POST":
        try:
            payload = json.loads(await request.body())
            if not isinstance(payload, dict) or set(payload) - {"faults", "seed"}:
                raise ValueError('the body must be {"faults": [...], "seed": <int, optional>}')
            items = payload.get("faults", [])
            if not isinstance(items, list):
                raise ValueError('"faults" must be a list')
            seed = payload.get("seed")
            if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
                raise ValueError('"seed" must be an integer')
            new = [Fault.from_json(item) for item in items]
        except (ValueError, TypeError) as exc:  # json.JSONDecodeError is a ValueError
            body: Any = {"detail": str(exc)}
            status = 400
        else:
            if seed is not None:
                plan.reseed(seed)
            for fault in new:
                plan.add(fault)
            body = plan.listing()
    elif method == "DELETE":
        plan.clear()
        body = plan.listing()
    elif method in ("GET", "HEAD"):
        body = plan.listing()
    else:
        body = {"detail": f'Method "{method}" not allowed.'}
        status = 405
    headers = {"Allow": "GET, POST, DELETE, HEAD"} if status == 405 else None
    await Response(dumps(body), status, headers=headers, media_type="application/json")(scope, receive, send)
