"""The REST client: one method per Sentry endpoint, every outcome typed.

One `SentryClient` (over one `gateway.sentry.upstream.Upstream`, the process's
one ``httpx.AsyncClient``) serves the whole process. It knows nothing of GraphQL:
it validates ids, builds the URL (organization-scoped when an org is configured
or discovered for the credential, see `gateway.sentry.organizations`; unscoped
otherwise), sends the caller's credential unchanged, retries what is safe to
retry inside the request's deadline, and turns every answer that is not the
JSON expected into an exception from `gateway.sentry.errors`. Nothing the
upstream sends is trusted further than it must be: bodies are size-capped
(`Upstream`), pages hold at most the events asked for, JSON nested beyond what
Python can read is refused, and Sentry's ``detail`` text reaches a caller clipped.

Endpoint methods take ``org``: the organization to route through, or None for
the unscoped routes; left out, the configured one (`CONFIGURED`).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import email.utils
import json
import math
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import orjson
from cachetools import LRUCache

from gateway.observability.metrics import observe_rate_limit

from .errors import (
    BadRequest,
    BadUpstreamResponse,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    RouteGone,
    SentryError,
    Unauthenticated,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from .credentials import Credential
from .filters import EventFilters
from .ids import validate_event_id, validate_issue_id
from .links import PageLinks, parse_link_header
from .organizations import OrganizationDirectory
from .pacing import Pacer
from .ratelimits import ConcurrencyLimiter, RateLimitInfo, parse_rate_limit_headers
from .upstream import BodyRefused, ConnectionFailed, HTTPTimeout, Upstream, UpstreamResponse

__all__ = ["CONFIGURED", "NESTED_TOO_DEEPLY", "EventPage", "SentryClient", "loads"]


class _Configured(enum.Enum):
    ORG = "the configured organization"


#: An endpoint method's default ``org``: the one the client was configured with.
CONFIGURED = _Configured.ORG
OrgChoice = str | None | _Configured

#: Most ``group`` ids sent in one call to the organization issue index (the
#: sibling ``issues-stats`` endpoint documents "up to 100"; URLs stay short).
MAX_GROUP_IDS = 100

#: sentry.io's limit on the issue detail route: 5 per second per caller (1.1 s: slack
#: for the clocks and the network between here and Sentry).
ISSUE_DETAIL_RATE = (5, 1.1)

#: Statuses worth another attempt for an idempotent GET.
RETRYABLE_STATUSES = frozenset({502, 503, 504})

#: The longest URL sent to Sentry. nginx in front of Sentry answers 414 past
#: 8 KB of request line by default; httpx refuses URLs past 64 KB outright.
MAX_URL_LENGTH = 8192

#: Sentry's ``detail`` text is shown to the caller up to this many characters.
MAX_DETAIL_CHARS = 300

#: The longest wait a ``Retry-After`` may ask for (a day); beyond is noise.
MAX_RETRY_AFTER_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of the list endpoint: the raw event objects and the paging links."""

    events: list[dict[str, Any]]
    links: PageLinks
    direct_hit: bool = False


#: Credentials whose rate limits and concurrency limiter are remembered.
MAX_CREDENTIALS = 10_000


class SentryClient:
    """Sentry's issue-events endpoints over one shared `Upstream`.

    `connection` is an `Upstream` (the app builds one, with the network
    transport httpx builds from the environment) or any httpx transport,
    which gets an `Upstream` of its own (``httpx.ASGITransport`` for the
    in-process demo, ``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        connection: Upstream | httpx.AsyncBaseTransport,
        *,
        base_url: str,
        org: str | None = None,
        timeout: float = 10.0,
        max_retries: int = 2,
        max_concurrency_per_credential: int = 16,
        user_agent: str = "sentry-events-gateway",
        processes: int = 1,
        discover_org: bool = True,
    ) -> None:
        self._upstream = Upstream.of(connection)
        self._user_agent = user_agent
        #: Worker processes sharing each credential's limits (see `_share`).
        self._processes = max(1, processes)
        self._base_url = base_url.rstrip("/")
        self._org = org
        #: Without a configured org: each credential's organization, discovered.
        self.organizations = OrganizationDirectory() if org is None and discover_org else None
        self._detail_pacer = Pacer(*ISSUE_DETAIL_RATE)
        self._timeout = timeout
        self._max_retries = max_retries
        self._concurrency_ceiling = max_concurrency_per_credential
        # Per credential fingerprint: the limits Sentry last reported, and the
        # concurrency they allow. Only fingerprints are kept, never credentials,
        # and only the most recent `MAX_CREDENTIALS` (a forgotten one starts afresh).
        self._rate_limits: LRUCache[str, RateLimitInfo] = LRUCache(MAX_CREDENTIALS)
        self._limiters: LRUCache[str, ConcurrencyLimiter] = LRUCache(MAX_CREDENTIALS)

    def rate_limit(self, credential: Credential | str | None) -> RateLimitInfo | None:
        """The limits Sentry last reported for this credential, if it reported any."""
        return self._rate_limits.get(Credential.of(credential).fingerprint)

    def _limiter(self, fingerprint: str) -> ConcurrencyLimiter:
        limiter = self._limiters.get(fingerprint)
        if limiter is None:
            limiter = self._limiters[fingerprint] = ConcurrencyLimiter(self._concurrency_ceiling)
        return limiter

    @property
    def org_scoped(self) -> bool:
        """True when an organization is configured or may be discovered (short ids may work)."""
        return self._org is not None or self.organizations is not None

    async def organization(
        self, credential: Credential | str | None, *, deadline: float | None = None
    ) -> str | None:
        """The organization this credential's calls go through (None: the unscoped routes).

        The configured one, else the one `GET /api/0/organizations/` names when it
        lists exactly one (cached per credential fingerprint).
        """
        if self._org is not None or self.organizations is None:
            return self._org
        credential = Credential.of(credential)
        return await self.organizations.organization(
            credential.fingerprint,
            lambda: self.list_organizations(credential, per_page=2, deadline=deadline),
        )

    def issue_path(self, issue_id: str, org: OrgChoice = CONFIGURED) -> str:
        """The percent-encoded path of an issue, on the organization's route or the unscoped one."""
        if org is CONFIGURED:
            org = self._org
        validate_issue_id(issue_id, org_scoped=org is not None)
        issue = quote(issue_id, safe="")
        if org is not None:
            return f"/api/0/organizations/{quote(org, safe='')}/issues/{issue}"
        return f"/api/0/issues/{issue}"

    async def list_organizations(
        self,
        credential: Credential | str | None,
        *,
        per_page: int = 100,
        deadline: float | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /api/0/organizations/``: the first page of the credential's organizations.

        Needs ``org:read`` (403 otherwise). Items are trusted for ``id``, ``slug``
        and ``name`` only.
        """
        if not 1 <= per_page <= 100:
            raise ValueError("per_page must be between 1 and 100")
        path = "/api/0/organizations/"
        _, body = await self._get_json(credential, path, [("per_page", str(per_page))], deadline)
        return _list_of(body, _is_organization, path, "organizations")

    async def list_issue_events(
        self,
        credential: Credential | str | None,
        issue_id: str,
        *,
        cursor: str | None = None,
        per_page: int = 100,
        full: bool = False,
        filters: EventFilters = EventFilters(),
        deadline: float | None = None,
        org: OrgChoice = CONFIGURED,
    ) -> EventPage:
        """``GET .../issues/{issue_id}/events/``: one page, newest first."""
        if not 1 <= per_page <= 100:
            raise ValueError("per_page must be between 1 and 100")
        params: list[tuple[str, str]] = []
        if full:
            params.append(("full", "true"))
        params.extend(filters.to_params())
        params.append(("per_page", str(per_page)))
        if cursor:
            params.append(("cursor", cursor))
        path = f"{self.issue_path(issue_id, org)}/events/"
        with self._about(credential, issue_id, org=org):
            response, body = await self._get_json(credential, path, params, deadline)
        events = _list_of(body, _is_event, path, "events")
        if len(events) > per_page:
            raise BadUpstreamResponse(
                f"{path} answered {len(events)} events for per_page={per_page}; "
                "a page never holds more than was asked for"
            )
        try:
            links = parse_link_header(response.headers.get("link"))
        except ValueError as exc:
            raise BadUpstreamResponse(f"{path} answered an unusable Link header: {exc}") from None
        return EventPage(
            events=events,
            links=links,
            direct_hit=response.headers.get("x-sentry-direct-hit") == "1",
        )

    async def get_issue_event(
        self,
        credential: Credential | str | None,
        issue_id: str,
        event_id: str,
        *,
        filters: EventFilters = EventFilters(),
        deadline: float | None = None,
        org: OrgChoice = CONFIGURED,
    ) -> dict[str, Any]:
        """``GET .../issues/{issue_id}/events/{event_id}/`` (or latest/oldest/recommended)."""
        validate_event_id(event_id)
        path = f"{self.issue_path(issue_id, org)}/events/{quote(event_id, safe='')}/"
        with self._about(credential, issue_id, event_id, org=org):
            _, body = await self._get_json(credential, path, filters.to_params(), deadline)
        if not _is_event(body):
            raise BadUpstreamResponse(f"{path} did not answer with an event")
        event: dict[str, Any] = body
        return event

    @contextlib.contextmanager
    def _about(
        self,
        credential: Credential | str | None,
        issue_id: str | None,
        event_id: str | None = None,
        *,
        org: OrgChoice = CONFIGURED,
    ) -> Iterator[None]:
        """Name the issue, event and organization in any `SentryError` raised inside
        (no issue for a call about several: the caller names each, `SentryError.for_issue`)."""
        try:
            yield
        except SentryError as exc:
            exc.about(
                issue_id=issue_id,
                event_id=event_id,
                organization=self._org if org is CONFIGURED else org,
                credential_sent=Credential.of(credential).header is not None,
            )
            raise

    async def get_issue(
        self,
        credential: Credential | str | None,
        issue_id: str,
        *,
        deadline: float | None = None,
        org: OrgChoice = CONFIGURED,
    ) -> dict[str, Any]:
        """``GET .../issues/{issue_id}/``: one issue (sentry.io allows 5 per second per
        caller: calls are spaced to keep to it, across requests).

        Asks Sentry to leave out the detail-only ``stats``, ``tags`` and releases,
        which the gateway does not serve; the base keys stay.
        """
        path = f"{self.issue_path(issue_id, org)}/"
        params = [("collapse", "stats"), ("collapse", "tags"), ("collapse", "release")]
        credential = Credential.of(credential)
        with self._about(credential, issue_id, org=org):
            await self._detail_pacer.wait(credential.fingerprint, deadline, "the issue detail route")
            _, body = await self._get_json(credential, path, params, deadline)
        if not _is_issue(body):
            raise BadUpstreamResponse(f"{path} did not answer with an issue")
        issue: dict[str, Any] = body
        return issue

    async def list_issues_by_id(
        self,
        credential: Credential | str | None,
        org: str,
        group_ids: Sequence[str],
        *,
        deadline: float | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /api/0/organizations/{org}/issues/?group=1&group=2...``: many issues in one call.

        Ids Sentry will not show are silently missing, and the order is the
        database's: map the answer by ``id``. ``project=-1`` covers every project
        the caller may see (else only those it is a member of); no stats are
        computed (``groupStatsPeriod=``), ``lifetime``/``filtered`` are left out.
        """
        if not 1 <= len(group_ids) <= MAX_GROUP_IDS:
            raise ValueError(f"between 1 and {MAX_GROUP_IDS} group ids per call")
        for group_id in group_ids:
            if not group_id.isdigit():
                raise InvalidInput(f"Issue id {group_id[:80]!r} is not numeric")
        path = f"/api/0/organizations/{quote(org, safe='')}/issues/"
        params = [
            ("project", "-1"),
            ("groupStatsPeriod", ""),
            ("collapse", "lifetime"),
            ("collapse", "filtered"),
            *(("group", group_id) for group_id in group_ids),
        ]
        with self._about(credential, None, org=org):
            _, body = await self._get_json(credential, path, params, deadline)
        return _list_of(body, _is_issue, path, "issues")

    async def list_issue_tags(
        self,
        credential: Credential | str | None,
        issue_id: str,
        *,
        key: str | None = None,
        limit: int | None = None,
        environment: Sequence[str] = (),
        deadline: float | None = None,
        org: OrgChoice = CONFIGURED,
    ) -> list[dict[str, Any]]:
        """``GET .../issues/{issue_id}/tags/``: tag keys of the issue's events with top values."""
        params: list[tuple[str, str]] = []
        if key is not None:
            params.append(("key", key))
        if limit is not None:
            params.append(("limit", str(limit)))
        params.extend(("environment", name) for name in environment)
        path = f"{self.issue_path(issue_id, org)}/tags/"
        with self._about(credential, issue_id, org=org):
            _, body = await self._get_json(credential, path, params, deadline)
        return _list_of(body, _is_tag, path, "tags")

    async def _get_json(
        self,
        credential: Credential | str | None,
        path: str,
        params: Sequence[tuple[str, str]],
        deadline: float | None,
    ) -> tuple[UpstreamResponse, Any]:
        """GET with retries on connection errors and 502/503/504, inside `deadline`.

        `deadline` is a ``time.monotonic()`` instant; no attempt, and no
        backoff, runs past it.
        """
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": self._user_agent,
        }
        credential = Credential.of(credential)
        if credential.header:
            if not credential.header.isascii():
                # Sentry's tokens are ASCII; other bytes could not be sent as they came.
                raise Unauthenticated("The Authorization header must be ASCII text.", status=None)
            headers["Authorization"] = credential.header
        url = f"{self._base_url}{path}?{query_string(params)}" if params else self._base_url + path
        if len(url) > MAX_URL_LENGTH:
            raise InvalidInput(
                f"The filters make the request to Sentry {len(url)} characters long, more than the "
                f"{MAX_URL_LENGTH} it accepts. Shorten the query or list fewer environments."
            )
        fingerprint = credential.fingerprint
        limiter = self._limiter(fingerprint)
        attempt = 0
        while True:
            failure: SentryError
            pause: float | None = None
            try:
                timeout = self._attempt_timeout(deadline, path)
                # httpx bounds connecting and each read; this bounds the
                # whole attempt, the wait for a concurrency slot included.
                async with asyncio.timeout(timeout):
                    async with limiter.slot():
                        response = await self._upstream.get(url, headers, timeout)
            except (HTTPTimeout, TimeoutError):
                failure = UpstreamTimeout(f"Sentry did not answer {path} in time")
            except ConnectionFailed as exc:
                failure = UpstreamUnavailable(f"Could not reach Sentry for {path}: {exc}")
            except BodyRefused as exc:
                raise BadUpstreamResponse(
                    f"Sentry's answer for {path} was refused: {exc.reason} (status {exc.status})",
                    status=exc.status,
                ) from None
            except httpx.InvalidURL:
                raise InvalidInput(
                    f"The request to Sentry for {path} cannot be sent as a URL; check the filters."
                ) from None
            else:
                info = parse_rate_limit_headers(response.headers)
                if info is not None:
                    observe_rate_limit(info.remaining, info.limit)
                    self._rate_limits[fingerprint] = info
                    await limiter.learn(self._share(info.concurrentLimit), self._concurrency_ceiling)
                if response.status_code == 429:
                    failure = _rate_limited(response)
                    assert isinstance(failure, RateLimited)
                    # Wait for the reset when it comes within the deadline.
                    pause = float(failure.retry_after or 0) + random.uniform(0.05, 0.25)
                elif response.status_code not in RETRYABLE_STATUSES:
                    return response, _decode(response, path)
                else:
                    failure = UpstreamUnavailable(
                        f"Sentry answered {response.status_code} for {path}",
                        status=response.status_code,
                    )
            attempt += 1
            if attempt > self._max_retries:
                raise failure
            if pause is None:
                pause = min(2.0, 0.1 * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
            if deadline is None:
                if pause > self._timeout:  # no deadline: never wait longer than one attempt
                    raise failure
            elif time.monotonic() + pause >= deadline:
                raise failure
            await asyncio.sleep(pause)

    def _share(self, limit: int | None) -> int | None:
        """This process's share of a per-credential concurrency limit Sentry reports.

        Sentry counts a credential's concurrent requests across every worker;
        each of `processes` workers keeps to an equal share (at least one).
        """
        return None if limit is None else max(1, limit // self._processes)

    def _attempt_timeout(self, deadline: float | None, path: str) -> float:
        if deadline is None:
            return self._timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UpstreamTimeout(f"The request's deadline passed before Sentry answered {path}")
        return min(self._timeout, remaining)


#: Every ASCII digit to b"1", every other byte to b"0": a run of twenty digits
#: then shows as b"1" * 20 (`bytes.translate` and `find` run in C).
_DIGITS = bytes(0x31 if 0x30 <= byte <= 0x39 else 0x30 for byte in range(256))
_TWENTY_DIGITS = b"1" * 20


def loads(content: bytes | str) -> Any:
    """Decode JSON with orjson (several times faster on multi-MB pages) unless the
    text may hold an integer beyond 64 bits; `json.JSONDecodeError` for what is
    not JSON or nested deeper than Python's recursion limit allows.

    orjson turns such integers into floats (``123456789012345678901234567890``
    becomes ``1.2345678901234568e+29``): silently another number, or another
    id. Any run of twenty digits sends the text to the standard library, which
    keeps them exact; the check costs ~2.5 ms on a 1.9 MB page, a quarter of
    orjson's parse. What orjson refuses but the standard library reads (``NaN``,
    which Python's own encoder writes) goes there too; both raise
    `json.JSONDecodeError` on text that is not JSON.
    """
    if isinstance(content, str) or content.translate(_DIGITS).find(_TWENTY_DIGITS) != -1:
        return _stdlib_loads(content)
    try:
        return orjson.loads(content)
    except orjson.JSONDecodeError:
        return _stdlib_loads(content)


#: The message of the `json.JSONDecodeError` `loads` raises for nesting too deep to read.
NESTED_TOO_DEEPLY = "nested too deeply"


def _stdlib_loads(content: bytes | str) -> Any:
    """`json.loads`, with nesting too deep for it (orjson stops at 1,024 levels,
    the standard library at the recursion limit) as a plain decode error."""
    try:
        return json.loads(content)
    except RecursionError:
        raise json.JSONDecodeError(NESTED_TOO_DEEPLY, "", 0) from None


#: Characters urllib's ``quote_plus`` never escapes, and the space it writes as ``+``.
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9_.~ -]")
_PERCENT = {chr(code): f"%{code:02X}" for code in range(128)}


def query_string(params: Sequence[tuple[str, str]]) -> str:
    """``urlencode(params)``, byte for byte (as httpx's ``params=`` writes it too).

    urllib escapes byte by byte in Python; the few characters Sentry's
    parameters need escaped (the colons of a timestamp, a search query's
    punctuation) are found with one regular expression here instead.
    """
    return "&".join(f"{_quote_plus(name)}={_quote_plus(value)}" for name, value in params)


def _quote_plus(text: str) -> str:
    if not text.isascii():
        return quote_plus(text, safe="")
    return _UNSAFE_ASCII.sub(_escape, text).replace(" ", "+")


def _escape(match: re.Match[str]) -> str:
    return _PERCENT[match.group()]


def _list_of(body: Any, is_item: Callable[[Any], bool], path: str, what: str) -> list[dict[str, Any]]:
    """`body` if it is a list whose every item passes `is_item`, else `BadUpstreamResponse`."""
    if not isinstance(body, list) or not all(is_item(item) for item in body):
        raise BadUpstreamResponse(f"{path} did not answer with a list of {what}")
    return body


def _is_organization(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("slug"), str)


def _is_tag(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("key"), str)


def _is_issue(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("id"), str)


def _is_event(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("eventID"), str)


def _decode(response: UpstreamResponse, path: str) -> Any:
    """The JSON body of a 2xx answer, or the typed exception for any other."""
    status = response.status_code
    if 200 <= status < 300:
        try:
            return loads(response.content)
        except (ValueError, UnicodeDecodeError):
            pass
        # Raised outside the handler: the decoder's exception (which keeps the
        # whole text as ``doc``, and through its traceback the body's bytes) is
        # not chained to ours, so nothing holds the body once the field fails.
        raise BadUpstreamResponse(
            f"Sentry's answer for {path} was not valid JSON (status {status})", status=status
        )
    detail = _detail(response)
    if status == 400:
        raise BadRequest(detail or "Sentry rejected the request")
    if status == 401:
        raise Unauthenticated(detail or "Sentry did not accept the credential", status=401)
    if status == 403:
        raise Forbidden(detail or "You do not have permission to perform this action.", status=403)
    if status == 404:
        raise NotFound(detail or "The requested resource does not exist", status=404)
    if status == 410:
        raise RouteGone(path)
    if status == 429:
        raise _rate_limited(response)
    if status >= 500:
        raise UpstreamUnavailable(f"Sentry answered {status} for {path}", status=status)
    raise BadUpstreamResponse(f"Sentry answered an unexpected {status} for {path}", status=status)


def _rate_limited(response: UpstreamResponse) -> RateLimited:
    detail = _detail(response)
    return RateLimited(detail or "Sentry's rate limit was reached", retry_after=_retry_after(response))


def _detail(response: UpstreamResponse) -> str | None:
    """Sentry's ``detail`` text: a string, or ``{"detail": {"message": ...}}``.

    Clipped to `MAX_DETAIL_CHARS`: Sentry's own messages are one sentence, and
    whatever else an upstream sends does not travel whole to the caller.
    """
    try:
        body = loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        detail = detail.get("message")
    if not isinstance(detail, str) or not detail:
        return None
    return detail if len(detail) <= MAX_DETAIL_CHARS else detail[: MAX_DETAIL_CHARS - 1] + "…"


def _retry_after(response: UpstreamResponse, now: float | None = None) -> int | None:
    """Whole seconds to wait: ``Retry-After`` if sent, else ``X-Sentry-Rate-Limit-Reset``.

    At most `MAX_RETRY_AFTER_SECONDS`; a number too large for a float, or not a
    number, reads as unknown.
    """
    now = time.time() if now is None else now
    value = response.headers.get("retry-after")
    if value:
        value = value.strip()
        if value.isascii() and value.isdigit():
            return _bounded_seconds(int(value[:12]) if len(value) > 12 else int(value))
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            when = None
        if when is not None:
            return _bounded_seconds(math.ceil(when.timestamp() - now))
    reset = response.headers.get("x-sentry-rate-limit-reset")
    if reset:
        try:
            return _bounded_seconds(math.ceil(float(reset[:40]) - now))
        except (ValueError, OverflowError):  # not a number, nan, inf
            return None
    return None


def _bounded_seconds(seconds: int) -> int:
    return min(max(0, seconds), MAX_RETRY_AFTER_SECONDS)
