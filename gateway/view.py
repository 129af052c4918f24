"""The GraphQL endpoint: strawberry's ASGI view, extended through its documented hooks.

Every GraphQL request takes strawberry's own path (``GraphQL.run``); this
subclass only fills in what the gateway adds:

* `get_context`: the per-request `RequestContext` (the caller's credential or
  the gateway's own, and whether the caller is the federation router);
* `parse_http_body`: the CSRF guard (`gateway.csrf`), bodies that are JSON but
  no operation (``12``, ``"text"``, ``null``: strawberry would fail on them with
  a 500) refused with a coded 400, and a non-string ``operationName`` refused;
* `decode_json` / `encode_json`: orjson both ways, integers beyond 64 bits
  kept exact, and bytes that are not UTF-8 or JSON nested deeper than a parser
  goes refused with a coded 400, never a 500;
* `process_result`: the outcome the response's status code depends on;
* `__call__`: the GraphQL-over-HTTP media type (`gateway.media_types`): with
  ``application/graphql-response+json`` a request that never executed (parse,
  validation or variable errors, a refused budget) answers 4xx without a
  ``data`` entry; with ``application/json`` it stays 200 as the spec asks of
  legacy responses. Refusals (strawberry's `HTTPException`) become coded
  GraphQL errors in either type.
"""

from __future__ import annotations

import contextvars
import hmac
import json
from collections.abc import Callable
from typing import Any

import orjson
from cross_web import HTTPException  # what strawberry raises for refused requests
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway.csrf import CSRF_MESSAGE, is_simple_request
from gateway.ide import render_ide
from gateway.media_types import GRAPHQL_RESPONSE_JSON, JSON, response_media_type
from gateway.observability.graphql_view import ObservedGraphQLView, note_codes
from gateway.schema import RequestContext
from gateway.sentry.client import NESTED_TOO_DEEPLY
from gateway.sentry.client import loads as loads_json

__all__ = ["GatewayGraphQL", "RequestRefused"]

#: The header a federation router presents `GATEWAY_ROUTER_SECRET` in.
ROUTER_SECRET_HEADER = "x-router-secret"

#: True while strawberry decodes a POST body (as opposed to GET parameters).
_decoding_body: contextvars.ContextVar[bool] = contextvars.ContextVar("decoding_body", default=False)


class RequestRefused(HTTPException):
    """A request refused before it ran, with the contract's code for it."""

    def __init__(self, status_code: int, reason: str, code: str) -> None:
        super().__init__(status_code, reason)
        self.code = code


class _Outcome:
    """What `process_result` learned about a request, for its status code."""

    __slots__ = ("codes", "executed")

    def __init__(self, executed: bool, codes: list[str]) -> None:
        self.executed = executed
        self.codes = codes


class GatewayGraphQL(ObservedGraphQLView, GraphQL[RequestContext, None]):
    """Strawberry's ASGI view with the gateway's context, guards and media types."""

    def __init__(
        self,
        *args: Any,
        request_context: Callable[[str | None, bool], RequestContext],
        ambient_credential: bool,
        router_secret: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`request_context(authorization, router)` builds one request's context;
        `ambient_credential` says the gateway would answer a caller without
        ``Authorization`` with a real token of its own (the CSRF guard's trigger)."""
        super().__init__(*args, **kwargs)
        self._request_context = request_context
        self._ambient_credential = ambient_credential
        self._router_secret = router_secret.encode() if router_secret else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        media_type = request.state.media_type = response_media_type(request.headers.get("accept"))
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = self._refusal(exc, media_type)
        finally:
            context = getattr(request.state, "gateway_context", None)
            if context is not None:
                # graphql-core's executor is a reference cycle that holds the
                # context: without this, the request's pages (megabytes of
                # parsed JSON) would wait for a full garbage collection.
                context.loaders.close()
        outcome = getattr(request.state, "graphql_outcome", None)
        if outcome is not None and media_type == GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = GRAPHQL_RESPONSE_JSON
            if not outcome.executed:
                response.status_code = _status_for(outcome.codes)
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Any) -> RequestContext:
        context = self._request_context(request.headers.get("authorization"), self._is_router(request))
        request.state.gateway_context = context
        return context

    async def parse_http_body(self, request: Any) -> Any:
        if self._ambient_credential and not request.headers.get("authorization") and is_simple_request(
            request.headers
        ):
            raise RequestRefused(400, CSRF_MESSAGE, "BAD_USER_INPUT")
        token = _decoding_body.set(request.method == "POST")
        try:
            data = await super().parse_http_body(request)
        finally:
            _decoding_body.reset(token)
        if not isinstance(data, list) and not isinstance(data.operation_name, (str, type(None))):
            raise RequestRefused(
                400,
                "The GraphQL operation's `operationName` must be a string or null, if provided.",
                "BAD_USER_INPUT",
            )
        return data

    def decode_json(self, data: str | bytes) -> object:
        """Request JSON as upstream JSON is read: orjson, the standard library for big integers.

        strawberry answers 400 for a `json.JSONDecodeError`; bytes that are
        not UTF-8 and JSON too deep for the parser (orjson stops at 1,024
        levels, the standard library at Python's recursion limit) are no
        JSON the gateway reads either, so they become one too.
        """
        try:
            value = loads_json(data)
        except UnicodeDecodeError as exc:
            raise json.JSONDecodeError("the body is not UTF-8", "", 0) from exc
        except json.JSONDecodeError as exc:
            if exc.msg != NESTED_TOO_DEEPLY:
                raise
            raise RequestRefused(
                400, "The request's JSON is nested too deeply to read (at most 1,000 levels).", "BAD_USER_INPUT"
            ) from None
        if _decoding_body.get() and not isinstance(value, (dict, list)):
            raise RequestRefused(
                400,
                "The request body must be a JSON object (one operation) or array (a batch).",
                "BAD_USER_INPUT",
            )
        return value

    def encode_json(self, data: object) -> bytes:
        """orjson for the response: a full page is hundreds of kB of JSON.

        What orjson refuses (integers beyond 64 bits, nesting past 254 levels,
        both possible in upstream event data; it refuses them before any
        ``default`` hook runs) goes through the standard library, which writes
        big integers exactly.
        """
        try:
            return orjson.dumps(data)
        except orjson.JSONEncodeError:
            return _stdlib_dumps(data)

    async def process_result(self, request: Any, result: Any) -> Any:
        response = await super().process_result(request, result)
        errors = result.errors
        # Execution started unless there is no data and no error has a path:
        # a field error reaching a non-null root still has its path.
        executed = result.data is not None or not errors or any(error.path for error in errors)
        codes = [] if executed else [_code_of(error) for error in errors]
        request.state.graphql_outcome = _Outcome(executed, codes)
        if not executed and getattr(request.state, "media_type", JSON) == GRAPHQL_RESPONSE_JSON:
            response.pop("data", None)
        return response

    async def render_graphql_ide(self, request: Request) -> Response:
        return await render_ide(request)

    def _is_router(self, request: Request | WebSocket) -> bool:
        if self._router_secret is None:
            return False
        presented = request.headers.get(ROUTER_SECRET_HEADER)
        return presented is not None and hmac.compare_digest(presented.encode(), self._router_secret)

    def _refusal(self, exc: HTTPException, media_type: str) -> Response:
        """A request the view refused outright, as a coded GraphQL error."""
        code = getattr(exc, "code", None) or _code_for_reason(exc.reason)
        note_codes([code])
        body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
        return Response(self.encode_json(body), exc.status_code, media_type=media_type)


def _stdlib_dumps(data: object) -> bytes:
    """The standard library's JSON; an answer nested past Python's recursion limit
    becomes a coded error rather than a 500."""
    try:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    except RecursionError:
        error = {
            "message": "Sentry's data for this answer is nested too deeply to send as JSON. "
            "Ask for fewer fields of the deep part (for example the raw entry data).",
            "extensions": {"code": "UPSTREAM_BAD_RESPONSE"},
        }
        note_codes(["UPSTREAM_BAD_RESPONSE"])
        return orjson.dumps({"errors": [error]})


def _code_for_reason(reason: str) -> str:
    """strawberry's refusals, by their wording, as the contract's codes."""
    if reason.startswith(("Unable to parse request body", "No GraphQL query found")):
        return "GRAPHQL_PARSE_FAILED"
    if reason.startswith("Unknown operation named"):
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT"


def _code_of(error: Any) -> str:
    return str((error.extensions or {}).get("code") or "INTERNAL_SERVER_ERROR")


def _status_for(codes: list[str]) -> int:
    """The status of a graphql-response+json answer whose operation never executed."""
    if "INTERNAL_SERVER_ERROR" in codes:
        return 500
    if "RATE_LIMITED" in codes:
        return 429
    return 400
