"""The common GraphQL request, one operation POSTed as JSON, without strawberry's
generic HTTP pipeline.

Strawberry's view serves every transport (GET, batches, multipart uploads,
multipart and SSE streaming, GraphiQL) and pays for that generality on each
request: the Content-Type parsed through ``email.message``, stream transports
instantiated to read the Accept header, a sub-response object, a runtime
``Protocol`` check on the result. Nearly all traffic is one kind of request:
POST, ``Content-Type: application/json``, one operation object, no streaming
``Accept``. `JsonPostLane.run_json_post` answers exactly that kind, calling
the same schema and the same view hooks (`get_context`, `decode_json`,
`process_result`, `encode_json`) strawberry's ``run`` calls, and returns
None for anything else, which then goes to strawberry's ``run`` unchanged.

What it answers, strawberry answers alike: ``tests/test_json_post.py`` sends
the same requests down both paths and compares status, headers and body.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.graphql import OperationType

from gateway.compat import CannotGetOperationTypeError, InvalidOperationTypeError
from gateway.observability.graphql_view import note_operation

__all__ = ["JsonPostLane"]

#: What strawberry lets a POST run (`OperationType.from_http`).
_POST_OPERATIONS = frozenset(OperationType.from_http("POST"))


class JsonPostLane:
    """A mixin for `strawberry.asgi.GraphQL` (see the module docstring)."""

    #: False sends every request through strawberry's ``run`` (the reference, in tests).
    json_post_lane = True

    async def run_json_post(self, request: Request) -> Response | None:
        """The response to a plain JSON POST of one operation, or None for any other request.

        Raises strawberry's `HTTPException` for a body it would refuse, and
        for one it would crash on: JSON that is neither an object (one
        operation) nor an array (a batch).
        """
        if not self.json_post_lane or request.method != "POST":
            return None
        headers = request.headers
        media_type = (headers.get("content-type") or "").partition(";")[0].strip()
        if "application/json" not in media_type:  # strawberry's own test for a JSON body
            return None
        data = self.parse_json(await request.body())  # type: ignore[attr-defined]
        if not isinstance(data, (dict, list)):
            raise HTTPException(
                400, "The request body must be a JSON object (one operation) or array (a batch)."
            )
        accept = (headers.get("accept") or "").lower()
        if (
            not isinstance(data, dict)  # a batch
            or media_type != "application/json"
            or "multipart" in accept  # maybe a streaming transport: strawberry negotiates it
            or "event-stream" in accept
        ):
            return None
        query = data.get("query")
        variables = data.get("variables")
        extensions = data.get("extensions")
        operation_name = data.get("operationName")
        if (
            not isinstance(query, str)
            or not query
            or not isinstance(variables, (dict, type(None)))
            or not isinstance(extensions, (dict, type(None)))
        ):
            return None  # strawberry's 400s, worded as it words them
        note_operation(query, operation_name)
        context = await self.get_context(request, response=None)  # type: ignore[attr-defined]
        try:
            result = await self.schema.execute(  # type: ignore[attr-defined]
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
                allowed_operation_types=_POST_OPERATIONS,
                operation_extensions=extensions,
            )
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason("POST")) from exc
        response_data: Any = await self.process_result(request, result)  # type: ignore[attr-defined]
        return Response(
            self.encode_json(response_data),  # type: ignore[attr-defined]
            status_code=200,
            media_type="application/json",
        )
