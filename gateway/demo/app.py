"""The demo upstream: a Starlette app speaking Sentry's wire format for issue events.

Routes (section 0 of the facts), matched with Sentry's own regexes rather than
Starlette's path templates so that odd paths fall through exactly as in Sentry:

* ``/api/0/{issues|groups}/{issue_id}/events/`` and the ``organizations/{org}/`` form:
  the list (`_list_events`);
* ``.../events/{event_id}/`` with ``event_id`` one of ``latest``, ``oldest``,
  ``recommended``, all digits, or 32-36 of ``[A-Fa-f0-9-]``: the detail (`_event_detail`);
* ``/api/0/organizations/``: the caller's organizations (`gateway.demo.organizations`);
* ``.../issues/{issue_id}/`` and ``.../issues/{issue_id}/tags/`` (both forms) and
  ``/api/0/organizations/{org}/issues/``: the issue itself (`gateway.demo.issues`);
* anything else: Sentry's ``CatchallEndpoint`` (404, empty body with a trailing slash,
  else the "did you forget a trailing slash?" hint).

Order of checks, as in Sentry's ``Endpoint.dispatch``: authentication (401), the
token's scopes (403), the method (405), the organization (404), the issue (404), the
caller's access to it (403); then the endpoint's own parameter checks.

Every request is appended to ``app.state.requests`` (`RequestRecord`) so tests can
count upstream calls; ``app.state.reset_requests()`` clears the log.

``create_demo_app(faults=True)`` adds fault injection (`gateway.demo.faults`):
``app.state.faults`` is then a `FaultPlan` (else None), faults apply right after
authentication, and ``/_demo/faults`` is the loopback-only control endpoint;
``/_demo/events`` (`gateway.demo.control`) then stores events late and deletes them. The
detail endpoint always carries Sentry's ``X-Sentry-Rate-Limit-*`` headers (the list
endpoint too with faults enabled); ``app.state.rate_limits`` computes them.

The unscoped routes are deprecated (`gateway.demo.deprecation`): responses their views
return carry ``X-Sentry-Deprecation-Date``, and ``app.state.brownout.active`` (or
``create_demo_app(brownout=True)``, or loopback ``/_demo/brownout``) makes them answer
410 ``{"message": "This API no longer exists."}``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import Principal, auth_label, authenticate
from .control import events_control, is_events_path
from .dates import InvalidQuery
from .deprecation import Brownout, brownout_control, deprecation_headers, gone_response, is_brownout_control
from .faults import (
    CLOSE_CONNECTION_KEY,
    FaultPlan,
    RateLimitHeaders,
    closer_for,
    control,
    fault_response,
    is_control_path,
    is_loopback,
)
from .issues import IssueDetailLimiter, issue_detail, issue_index, issue_tags
from .organizations import list_organizations
from .paginators import CursorResult, link_header, offset_page, value_page
from .params import ApiError, DateRange, QueryParams, get_cursor, get_date_range, get_per_page, internal_error, is_true_flag
from .search import Query, SearchError, normalize_event_id, parse_search
from .serializers import dumps, event_json, json_array, serialize_detail
from .store import DEMO_ORG_ID, DEMO_ORG_SLUG, DemoEvent, DemoIssue, DemoStore

__all__ = ["create_demo_app", "RequestRecord", "reset_requests"]

log = logging.getLogger(__name__)

_ISSUE_PREFIX = r"^/api/0/(?:organizations/(?P<org>[^/]+)/)?(?:issues|groups)/(?P<issue>[^/]+)/events/"
_LIST_RE = re.compile(_ISSUE_PREFIX + r"\Z")
_DETAIL_RE = re.compile(
    _ISSUE_PREFIX + r"(?P<event>latest|oldest|recommended|\d+|[A-Fa-f0-9-]{32,36})/\Z"
)
_ORGANIZATIONS_RE = re.compile(r"^/api/0/organizations/\Z")
_ISSUE_INDEX_RE = re.compile(r"^/api/0/organizations/(?P<org>[^/]+)/issues/\Z")
_ISSUE_RE = re.compile(r"^/api/0/(?:organizations/(?P<org>[^/]+)/)?(?:issues|groups)/(?P<issue>[^/]+)/(?P<tags>tags/)?\Z")
_DEMO_ORGS = (DEMO_ORG_SLUG, DEMO_ORG_ID)
_SHORT_ID_RE = re.compile(r"^DEMO-([0-9]+)$", re.IGNORECASE)
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_NOT_FOUND = "The requested resource does not exist"
_NO_PERMISSION = "You do not have permission to perform this action."
_EVENT_NOT_FOUND = "Event not found. The event ID may be incorrect, or its age exceeded the retention period."
_NO_MATCHING_EVENT = "No matching event found. Try changing the environments, date range, or query."


@dataclass(frozen=True)
class RequestRecord:
    """One request the demo served: enough to count and tell apart upstream calls."""

    method: str
    path: str
    query_string: str
    auth: str | None  # token name ("demo", "alice", ...), "sha256:<hash>" or None
    status: int  # 0: no response at all (a "drop" fault)


class _RequestRecorder:
    """Pure ASGI middleware appending a `RequestRecord` per HTTP request."""

    def __init__(self, app: ASGIApp, records: list[RequestRecord]) -> None:
        self.app = app
        self.records = records

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0  # stays 0 if nothing is sent (a dropped connection)

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException:
            if status == 0 and not scope.get("gateway.demo.dropped"):
                status = 500  # Starlette's ServerErrorMiddleware answers it
            raise
        finally:
            headers = dict(scope.get("headers") or [])
            authorization = headers.get(b"authorization")
            self.records.append(
                RequestRecord(
                    method=scope["method"],
                    path=scope["path"],
                    query_string=scope.get("query_string", b"").decode("latin-1"),
                    auth=auth_label(authorization.decode("latin-1") if authorization is not None else None),
                    status=status,
                )
            )


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = body if isinstance(body, bytes) else dumps(body)
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def _error(exc: ApiError) -> Response:
    return _json(exc.body, exc.status, exc.headers or None)


# -- catch-all --------------------------------------------------------------------------


def _catchall(request: Request) -> Response:
    """Sentry's ``CatchallEndpoint``: no authentication, always 404."""
    path = request.scope["path"]
    if path.endswith("/"):
        return Response(b"", status_code=404, headers={"content-type": "text/html; charset=utf-8"})
    hint = "Route not found, did you forget a trailing slash?"
    suggestion = f"try: {path}/"
    if request.headers.get("content-type", "").startswith("application/json"):
        return JSONResponse({"info": f"{hint} {suggestion}"}, status_code=404)
    arrow = " " * (len(suggestion) - 1) + "^"
    return Response(
        f"{hint}\n\n{suggestion}\n{arrow}\n".encode(),
        status_code=404,
        headers={"content-type": "text/plain"},
    )


# -- shared lookups ---------------------------------------------------------------------


def _resolve_issue(store: DemoStore, org: str | None, raw_issue: str, principal: Principal) -> DemoIssue:
    """Organization, issue id or short id, then the caller's access (404 / 403)."""
    if org is not None and org not in (DEMO_ORG_SLUG, DEMO_ORG_ID):
        raise ApiError.detail(404, _NOT_FOUND)
    issue: DemoIssue | None = None
    if re.fullmatch(r"[0-9]+", raw_issue):
        issue = store.issue(str(int(raw_issue)))
    elif org is not None and (short := _SHORT_ID_RE.match(raw_issue)):
        issue = store.issue(str(int(short.group(1))))
    if issue is None:
        raise ApiError.detail(404, _NOT_FOUND)
    if not principal.can_access(issue.issue_id):
        raise ApiError.detail(403, _NO_PERMISSION)
    return issue


def _filtered(
    events: list[DemoEvent], environments: list[str], query: Query | None, window: DateRange
) -> list[DemoEvent]:
    wanted = set(environments)
    return [
        event
        for event in events
        if window.contains(event.ts)
        and (not wanted or (event.environment or "") in wanted)
        and (query is None or query.matches(event))
    ]


def _sample_order(event: DemoEvent) -> str:
    """``sample=true``: a stable pseudo-random order (Sentry orders by ``column_hash(id)``)."""
    return hashlib.md5(event.event_id.encode()).hexdigest()


# -- the list endpoint ------------------------------------------------------------------


def _list_events(request: Request, store: DemoStore, issue: DemoIssue, url_prefix: str) -> Response:
    params = QueryParams(request.scope.get("query_string", b""))
    environments = params.getlist("environment")
    if environments and not set(environments) <= store.environments():
        return _json(b"[]")  # Sentry: ResourceDoesNotExist -> 200 [] without a Link header
    try:
        query = parse_search(params.get("query"))
    except SearchError as exc:
        raise ApiError.detail(400, str(exc)) from None
    try:
        window = get_date_range(params, store.now(), optional=False)
    except InvalidQuery as exc:
        raise ApiError.detail(400, str(exc)) from None

    events = store.events(issue.issue_id)
    direct_id = normalize_event_id(query.free_text if query is not None else None)
    if direct_id is not None:
        hits = [e for e in events if e.event_id == direct_id and window.contains(e.ts)]
        if len(hits) == 1:
            return _json(json_array([event_json(hits[0], "full")]), headers={"X-Sentry-Direct-Hit": "1"})

    per_page = get_per_page(params)
    cursor = get_cursor(params)
    if per_page <= 0 or (cursor is not None and cursor.offset < 0):
        # `assert limit > 0` in the paginator, or a negative OFFSET in the query: a 500.
        raise internal_error()

    rows = _filtered(events, environments, query, window)
    page: CursorResult[DemoEvent]
    if issue.paginator == "value":
        page = value_page(rows, lambda event: event.key_ms, per_page, cursor)
    else:
        if is_true_flag(params.get("sample")):
            rows.sort(key=_sample_order)
        page = offset_page(rows, per_page, cursor)
    view = "full" if is_true_flag(params.get("full")) else "simple"
    body = json_array([event_json(event, view) for event in page.results])
    link = link_header(url_prefix, request.scope["path"], params.urlencode(without="cursor"), page)
    return _json(body, headers={"Link": link})


# -- the detail endpoint ----------------------------------------------------------------


def _snuba_key(event: DemoEvent) -> tuple[int, str]:
    """Snuba's order for single events: whole-second timestamp, then event id.

    ``get_latest_event`` / ``get_oldest_event`` and ``get_adjacent_event_ids`` order by
    ``timestamp, event_id`` (the tie-break the list lost); the value-cursor issue
    keeps its old exact-time order.
    """
    return (event.second, event.event_id)


def _neighbours(rows: list[DemoEvent], event: DemoEvent, key: Any) -> tuple[str | None, str | None]:
    """(next = nearest newer, previous = nearest older) among ``rows``."""
    mine = key(event)
    newer = [row for row in rows if key(row) > mine]
    older = [row for row in rows if key(row) < mine]
    return (
        min(newer, key=key).event_id if newer else None,
        max(older, key=key).event_id if older else None,
    )


def _recommended(rows: list[DemoEvent]) -> DemoEvent | None:
    """The newest event with both an exception and a request entry, else the latest."""
    for row in rows:
        kinds = row.entry_types
        if "exception" in kinds and "request" in kinds:
            return row
    return rows[0] if rows else None


def _find_event(events: list[DemoEvent], raw_id: str) -> DemoEvent | None:
    """An explicit id: the event id in any UUID form, else an old numeric row id."""
    wanted = normalize_event_id(raw_id)
    for event in events:  # newest first: of two fixture events sharing an id, the newer
        if wanted is not None and event.event_id == wanted:
            return event
    for event in events:
        if event.row_id == raw_id:
            return event
    return None


def _event_detail(request: Request, store: DemoStore, issue: DemoIssue, raw_event_id: str) -> Response:
    params = QueryParams(request.scope.get("query_string", b""))
    environments = params.getlist("environment")
    if environments and not set(environments) <= store.environments():
        raise ApiError.detail(404, _NOT_FOUND)
    try:
        window = get_date_range(params, store.now(), optional=True)  # no default window
    except InvalidQuery:
        raise ApiError.detail(400, "Invalid date range") from None
    try:
        query = parse_search(params.get("query"))
    except SearchError:
        raise ApiError.detail(400, "Invalid event query") from None

    events = store.events(issue.issue_id)
    key = DemoEvent.sort_key if issue.paginator == "value" else _snuba_key
    rows = sorted(_filtered(events, environments, query, window), key=key, reverse=True)
    event: DemoEvent | None
    if raw_event_id == "latest":
        event = rows[0] if rows else None
    elif raw_event_id == "oldest":
        event = rows[-1] if rows else None
    elif raw_event_id == "recommended":
        event = _recommended(rows)
    else:
        event = _find_event(events, raw_event_id)
        if event is None:
            raise ApiError.detail(404, _EVENT_NOT_FOUND)
    if event is None:
        raise ApiError.detail(404, _NO_MATCHING_EVENT)

    next_id, previous_id = _neighbours(rows, event, key)
    body = serialize_detail(
        event,
        next_event_id=next_id,
        previous_event_id=previous_id,
        collapse=frozenset(params.getlist("collapse")),
    )
    return _json(body)


# -- the app ----------------------------------------------------------------------------


class _DemoApp(Starlette):
    """Starlette, plus what must happen outside its middleware: the fault control
    endpoint (unrecorded) and the closer of the server's connection (`closer_for`
    needs the ``send`` the server passed, before any middleware wraps it)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_brownout_control(scope["path"]) and is_loopback(scope.get("client")):
            await brownout_control(self.state.brownout, scope, receive, send)
            return
        plan: FaultPlan | None = getattr(self.state, "faults", None)
        if plan is not None and scope["type"] == "http":
            if is_control_path(scope["path"]) and is_loopback(scope.get("client")):
                await control(plan, scope, receive, send)
                return
            if is_events_path(scope["path"]) and is_loopback(scope.get("client")):
                await events_control(self.state.store, scope, receive, send)
                return
            close = closer_for(send)
            if close is not None:
                scope[CLOSE_CONNECTION_KEY] = close
        await super().__call__(scope, receive, send)


def create_demo_app(
    store: DemoStore | None = None,
    *,
    url_prefix: str = "https://sentry.io",
    faults: bool = False,
    fault_seed: int = 0,
    brownout: bool = False,
) -> Starlette:
    """The demo upstream. ``url_prefix`` is Sentry's ``system.url-prefix`` (Link hosts).

    ``faults=True`` enables fault injection: ``app.state.faults`` is a `FaultPlan`
    seeded with ``fault_seed`` (else None) and ``/_demo/faults`` answers loopback callers.
    ``brownout=True`` starts with the unscoped routes answering 410 (``app.state.brownout``).
    """
    if store is None:
        from .data import build_demo_store

        store = build_demo_store()
    records: list[RequestRecord] = []
    plan = FaultPlan(fault_seed) if faults else None
    rate_limits = RateLimitHeaders()
    switch = Brownout(active=brownout)
    detail_limiter = IssueDetailLimiter()

    def answer(request: Request, principal: Principal, match: re.Match[str]) -> Response:
        path = request.scope["path"]
        try:
            if not principal.has_event_scope:
                raise ApiError.detail(403, _NO_PERMISSION)
            if request.method not in ("GET", "HEAD"):
                raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'}, {"Allow": "GET, HEAD, OPTIONS"})
            issue = _resolve_issue(store, match.group("org"), match.group("issue"), principal)
            unscoped = match.group("org") is None
            if unscoped and switch.active:
                return gone_response()  # the brownout replaces the view
            if "event" in match.groupdict():
                response = _event_detail(request, store, issue, match.group("event"))
            else:
                response = _list_events(request, store, issue, url_prefix)
            if unscoped:  # what the view returned (not what it raised) carries the date
                response.headers.update(deprecation_headers())
            return response
        except ApiError as exc:
            return _error(exc)
        except Exception:  # Sentry answers any unhandled error with its JSON 500
            log.exception("demo upstream failed on %s", path)
            return _error(internal_error())

    def _organizations(request: Request) -> Response:
        """``GET /api/0/organizations/``: no rate limiter runs for it."""
        try:
            principal = authenticate(request.headers.get("authorization"))
            if request.method not in ("GET", "HEAD"):
                raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'}, {"Allow": "GET, HEAD, OPTIONS"})
            status, body, headers = list_organizations(
                principal, request.scope.get("query_string", b""), request.scope["path"], url_prefix
            )
        except ApiError as exc:
            return _error(exc)
        return _json(body, status, headers)

    def _issue_endpoint(request: Request, match: re.Match[str], kind: str) -> Response:
        """The issue itself (`gateway.demo.issues`): detail, tags, the organization index."""
        path = request.scope["path"]
        limit_headers: dict[str, str] = {}
        try:
            principal = authenticate(request.headers.get("authorization"))
            if kind == "detail":  # sentry.io's limiter: after authentication, before the view
                allowed, limit_headers = detail_limiter.take(principal.name)
                if not allowed:
                    return Response(
                        detail_limiter.refusal(),
                        status_code=429,
                        headers=limit_headers,
                        media_type="text/html; charset=utf-8",
                    )
            if not principal.has_event_scope:
                raise ApiError.detail(403, _NO_PERMISSION)
            if request.method not in ("GET", "HEAD"):
                raise ApiError(405, {"detail": f'Method "{request.method}" not allowed.'}, {"Allow": "GET, HEAD, OPTIONS"})
            query_string = request.scope.get("query_string", b"")
            org = match.group("org")
            if kind == "index":
                if org not in _DEMO_ORGS:
                    raise ApiError.detail(404, _NOT_FOUND)
                body, headers = issue_index(store, principal.can_access, query_string, path, url_prefix)
                return _json(body, headers=headers)
            issue = _resolve_issue(store, org, match.group("issue"), principal)
            replacement = f"/api/0/organizations/:organization_id_or_slug/issues/{issue.issue_id}/"
            if org is None and switch.active:
                response = gone_response(replacement if kind == "detail" else None)
            elif kind == "detail":
                response = _json(issue_detail(store, issue, query_string, url_prefix))
            else:
                response = _json(issue_tags(store, issue, query_string))
            if org is None:  # deprecated: what the view returned carries the date
                response.headers.update(deprecation_headers(replacement if kind == "detail" else None))
        except ApiError as exc:
            response = _error(exc)
        except Exception:  # Sentry answers any unhandled error with its JSON 500
            log.exception("demo upstream failed on %s", path)
            response = _error(internal_error())
        response.headers.update(limit_headers)
        return response

    async def endpoint(request: Request) -> Response:
        path = request.scope["path"]
        if _ORGANIZATIONS_RE.match(path):
            return _organizations(request)
        if index := _ISSUE_INDEX_RE.match(path):
            return _issue_endpoint(request, index, "index")
        if issue_match := _ISSUE_RE.match(path):
            return _issue_endpoint(request, issue_match, "tags" if issue_match.group("tags") else "detail")
        match = _DETAIL_RE.match(path) or _LIST_RE.match(path)
        if match is None:
            return _catchall(request)
        try:
            principal = authenticate(request.headers.get("authorization"))
        except ApiError as exc:
            return _error(exc)
        is_detail = "event" in match.groupdict()
        if plan is None and not is_detail:
            return answer(request, principal, match)
        # Sentry's rate limiter runs here: after authentication, before the view.
        kind = "detail" if is_detail else "list"
        limit_headers = rate_limits.begin(principal.name, kind)
        try:
            fault = plan.take(path) if plan is not None else None
            if fault is None:
                response, normal = answer(request, principal, match), True
            else:
                response, normal = await fault_response(
                    fault,
                    normal=lambda: answer(request, principal, match),
                    is_detail=is_detail,
                    now=plan.clock() if plan is not None else 0.0,
                )
        finally:
            rate_limits.end(principal.name, kind)
        if normal:
            response.headers.update(limit_headers)
        return response

    app = _DemoApp(
        routes=[Route("/{path:path}", endpoint, methods=_ALL_METHODS)],
        middleware=[Middleware(_RequestRecorder, records=records)],
    )
    app.state.store = store
    app.state.url_prefix = url_prefix
    app.state.requests = records
    app.state.reset_requests = records.clear
    app.state.faults = plan
    app.state.rate_limits = rate_limits
    app.state.brownout = switch
    app.state.issue_detail_limiter = detail_limiter
    return app


def reset_requests(app: Starlette) -> None:
    """Forget the requests recorded so far (``app.state.reset_requests()`` does the same)."""
    app.state.requests.clear()

