"""Answer only the host names the gateway is configured for (DNS rebinding).

A page on ``evil.example`` can make its own name resolve to 127.0.0.1 and then
read a gateway on the user's machine as same-origin: every request it sends
carries ``Host: evil.example``. Starlette's `TrustedHostMiddleware` refuses
hosts that are not in `Settings.allowed_hosts` (default: ``localhost``,
``127.0.0.1``, ``[::1]``); this wrapper only turns its plain-text refusal into
the gateway's coded JSON error, with a message the operator can act on, and
leaves the probes and the scrape (``/healthz``, ``/readyz``, ``/metrics``)
outside the check: orchestrators address pods by IP, and those paths carry no
data and use no caller's credential.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.refusal import send_refusal

__all__ = ["AllowedHosts"]

logger = logging.getLogger("gateway")

#: Paths answered whatever the Host (liveness, readiness, metrics).
UNCHECKED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

#: Longest Host value quoted back in a message or a log line.
_QUOTED = 100


class AllowedHosts:
    """ASGI middleware: `TrustedHostMiddleware` with a coded refusal."""

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str]) -> None:
        self.app = app
        self.allow_any = "*" in allowed_hosts
        self.guard = TrustedHostMiddleware(self._allowed, allowed_hosts=list(allowed_hosts), www_redirect=False)
        self._warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] != "http" or scope.get("path") in UNCHECKED_PATHS:
            await self.app(scope, receive, send)
            return
        check = _HostCheck(send)
        scope["gateway.host_check"] = check
        await self.guard(scope, receive, _discard)  # the guard's own plain-text refusal
        if not check.passed:
            await self._refuse(scope, send)

    async def _allowed(self, scope: Scope, receive: Receive, send: Send) -> None:
        check = scope["gateway.host_check"]
        check.passed = True
        await self.app(scope, receive, check.send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        host = _host(scope)
        if not self._warned:
            self._warned = True
            logger.warning(
                "Refused a request for host %r: not in GATEWAY_ALLOWED_HOSTS. If clients reach "
                "the gateway under that name, add it (comma-separated); further refusals are "
                "not logged.",
                host[:_QUOTED],
            )
        await send_refusal(
            send,
            400,
            f"This gateway does not answer for the host {host[:_QUOTED]!r}. "
            "Call it under one of its configured names (GATEWAY_ALLOWED_HOSTS).",
        )


class _HostCheck:
    """One request's way through the guard: whether it passed, and its real `send`."""

    __slots__ = ("passed", "send")

    def __init__(self, send: Send) -> None:
        self.passed = False
        self.send = send


async def _discard(message: Message) -> None:
    return None


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"host":
            return bytes(value).decode("latin-1")
    return ""
