"""``/readyz``: whether this replica can serve queries against Sentry right now.

Liveness (``/healthz``) says the process answers; readiness says a load
balancer should send it traffic. In demo mode the upstream is in-process, so
the gateway is always ready. Otherwise, at most once every
``GATEWAY_READINESS_CACHE`` seconds however often probes arrive, two checks:

1. reachable: an unauthenticated ``GET {SENTRY_BASE_URL}/api/0/``; any answer
   below 500 means the network path works (a 5xx, a timeout or a refused
   connection is not ready);
2. credential: when ``SENTRY_AUTH_TOKEN`` is set,
   ``GET /api/0/organizations/{org}/issues/?group=0&project=-1`` with the
   token. That is the issue index asked for no issue: Sentry checks the token
   (401), its event scope (403) and the organization (404) before it looks
   anything up, and answers ``[]`` when all three are right, without running
   a search. A 401, 403 or 404 is not ready, with the reason.

The organization is ``SENTRY_ORG``; without it, the one the gateway would
discover for the token (`gateway.sentry.organizations`: the only one
``GET /api/0/organizations/`` lists), checked the same way, and the JSON
says which (``organizationSource``: ``SENTRY_ORG`` or ``discovered``). When
nothing is discovered (the token may not list organizations, or lists none
or several) the gateway uses the unscoped routes: ready, the credential not
checked, and the reason says to set SENTRY_ORG; a token Sentry refuses (401)
is not ready.

Without a token, callers bring their own credentials: the gateway is ready
when Sentry is reachable, and the JSON says the credential was not checked.
`startup_line` runs the same checks once for ``serve``'s start-up log line;
it never stops start-up.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.sentry.instrumented import failure_reason
from gateway.sentry.client import loads
from gateway.sentry.errors import BEARER_FORM
from gateway.sentry.organizations import single_organization
from gateway.sentry.upstream import Upstream, UpstreamHTTPError, UpstreamResponse

__all__ = ["Readiness", "ReadinessResult", "startup_line"]

PROBE_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class ReadinessResult:
    """The outcome of the checks: ready or not, one line why, and each check's details."""

    ready: bool
    reason: str
    checks: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "status": "ready" if self.ready else "unavailable",
            "upstream": self.reason,
            "checks": self.checks,
        }


class Readiness:
    def __init__(
        self,
        *,
        demo: bool,
        cache_seconds: float = 5.0,
        timeout: float = PROBE_TIMEOUT_SECONDS,
        org: str | None = None,
        token: str | None = None,
    ) -> None:
        self.demo = demo
        self.cache_seconds = cache_seconds
        self.timeout = timeout
        self.org = org
        self._token = token
        self._upstream: Upstream | None = None
        self._headers: dict[str, str] = {}
        self._base_url = ""
        self._checked_at: float | None = None
        self._result = ReadinessResult(False, "not checked")
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
        result = await self.result()
        return result.ready, result.reason

    async def result(self) -> ReadinessResult:
        if self._upstream is None:
            return ReadinessResult(False, "not started")
        if self.demo:
            return ReadinessResult(True, "embedded demo upstream", {"mode": "demo"})
        async with self._lock:
            now = time.monotonic()
            if self._checked_at is None or now - self._checked_at >= self.cache_seconds:
                self._result = await self._probe()
                self._checked_at = time.monotonic()
            return self._result

    async def _get(self, path: str, headers: dict[str, str]) -> UpstreamResponse | str:
        """The answer, or why there was none."""
        assert self._upstream is not None
        try:
            async with asyncio.timeout(self.timeout):
                return await self._upstream.get(f"{self._base_url}{path}", headers, self.timeout)
        except TimeoutError:
            return f"no answer within {self.timeout:g} s"
        except UpstreamHTTPError as exc:
            return failure_reason(exc)

    async def _probe(self) -> ReadinessResult:
        checks: dict[str, Any] = {}
        answer = await self._get("/api/0/", self._headers)
        if isinstance(answer, str):
            checks["reachable"] = {"ok": False, "reason": answer}
            return ReadinessResult(False, f"Sentry unreachable at {self._base_url} ({answer})", checks)
        if answer.status_code >= 500:
            checks["reachable"] = {"ok": False, "upstreamStatus": answer.status_code}
            return ReadinessResult(False, f"Sentry answered {answer.status_code}", checks)
        checks["reachable"] = {"ok": True, "upstreamStatus": answer.status_code}
        if self._token is None:
            checks["credential"] = {
                "ok": None,
                "reason": "SENTRY_AUTH_TOKEN is unset: not checked; only callers that send "
                f"{BEARER_FORM} can query",
            }
            return ReadinessResult(True, "Sentry is reachable; no SENTRY_AUTH_TOKEN to check", checks)
        org, source = self.org, "SENTRY_ORG"
        if org is None:
            discovered = await self._discover_org()
            if not isinstance(discovered, str):
                ok, reason, status = discovered
                checks["credential"] = {"ok": ok, "reason": reason}
                if status is not None:
                    checks["credential"]["upstreamStatus"] = status
                return ReadinessResult(ok is not False, reason, checks)
            org, source = discovered, "discovered"
        ok, reason, status = await self._check_credential(org, source)
        checks["credential"] = {"ok": ok, "organization": org, "organizationSource": source, "reason": reason}
        if status is not None:
            checks["credential"]["upstreamStatus"] = status
        return ReadinessResult(ok, reason, checks)

    def _authorized(self) -> dict[str, str]:
        return {**self._headers, "Authorization": f"Bearer {self._token}"}

    async def _discover_org(self) -> str | tuple[bool | None, str, int | None]:
        """The organization the gateway discovers for the token, or (ok, reason, status)
        when there is none: ok None (not checked, ready) or False (not ready)."""
        answer = await self._get("/api/0/organizations/?per_page=2", self._authorized())
        if isinstance(answer, str):
            return False, f"could not list SENTRY_AUTH_TOKEN's organizations (SENTRY_ORG is unset): {answer}", None
        status = answer.status_code
        detail = _detail(answer)
        said = f" (Sentry: {detail!r})" if detail else ""
        unscoped = (
            "not checked; the gateway uses Sentry's deprecated unscoped routes for it. Set "
            "SENTRY_ORG to your organization's slug to check the token and use the organization routes"
        )
        if status == 200:
            body = _json(answer)
            if isinstance(body, list):
                slug = single_organization([item for item in body if isinstance(item, dict)])
                if slug is not None:
                    return slug
                count = "no" if not body else "several"
                return None, f"SENTRY_ORG is unset and SENTRY_AUTH_TOKEN lists {count} organizations: {unscoped}", status
            return False, "Sentry's list of organizations was not a JSON list (SENTRY_ORG is unset)", status
        if status == 401:
            return False, (
                f"Sentry refused SENTRY_AUTH_TOKEN{said}: it may be mistyped, expired or revoked"
            ), status
        if status in (400, 403, 404):  # the gateway's discovery decides the same: no organization
            return None, (
                f"SENTRY_ORG is unset and SENTRY_AUTH_TOKEN may not list organizations{said} (org:read "
                f"finds its organization): {unscoped}"
            ), status
        if status == 429:
            return True, "Sentry rate-limited the organization listing; the token was accepted", status
        if status >= 500:
            return False, f"Sentry answered {status} listing SENTRY_AUTH_TOKEN's organizations", status
        return False, f"Sentry answered an unexpected {status} listing the token's organizations{said}", status

    async def _check_credential(self, slug: str, source: str) -> tuple[bool, str, int | None]:
        path = f"/api/0/organizations/{quote(slug, safe='')}/issues/?group=0&project=-1"
        answer = await self._get(path, self._authorized())
        org = repr(slug)
        if source != "SENTRY_ORG":
            org += " (discovered: SENTRY_ORG is unset, and it is the only organization the token lists)"
        if isinstance(answer, str):
            return False, f"could not check SENTRY_AUTH_TOKEN against organization {org}: {answer}", None
        status = answer.status_code
        detail = _detail(answer)
        said = f" (Sentry: {detail!r})" if detail else ""
        if status == 200:
            return True, f"SENTRY_AUTH_TOKEN can read issues of organization {org}", status
        if status == 401:
            return False, (
                f"Sentry refused SENTRY_AUTH_TOKEN{said}: it may be mistyped, expired or revoked, "
                f"or belong to another organization than {org}"
            ), status
        if status == 403:
            return False, (
                f"SENTRY_AUTH_TOKEN may not read issues of organization {org}{said}: it needs the "
                "event:read scope"
            ), status
        if status == 404:
            return False, (
                f"organization {org} was not found{said}: check SENTRY_ORG (the slug in your "
                "Sentry URLs) and SENTRY_BASE_URL (https://de.sentry.io for the EU region)"
            ), status
        if status == 429:
            return True, f"Sentry rate-limited the check for organization {org}; the token was accepted", status
        if status >= 500:
            return False, f"Sentry answered {status} checking organization {org}", status
        return False, f"Sentry answered an unexpected {status} checking organization {org}{said}", status

    async def endpoint(self, request: Request) -> JSONResponse:
        result = await self.result()
        return JSONResponse(
            result.body(),
            status_code=200 if result.ready else 503,
            headers={"Cache-Control": "no-store"},
        )


def _json(response: UpstreamResponse) -> Any:
    """The body as JSON, or None when it is not JSON."""
    try:
        return loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


def _detail(response: UpstreamResponse) -> str | None:
    body = _json(response)
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        detail = detail.get("message")
    return detail[:200] if isinstance(detail, str) and detail else None


async def startup_line(readiness: Readiness, upstream: Upstream, base_url: str) -> str:
    """The one line ``serve`` logs at start-up: the readiness checks, run once."""
    async with upstream:
        readiness.bind(upstream, base_url)
        result = await readiness.result()
    state = "ready" if result.ready else "NOT READY"
    return f"Sentry at {base_url}: {state}: {result.reason}"
