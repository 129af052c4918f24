"""A mixin for strawberry's ASGI view recording operation names and error codes.

It only reads: the parsed request's ``operationName`` (or the name of the
document's only named operation) and each error's ``extensions.code``.
"""

from __future__ import annotations

import re
from typing import Any

from .context import current_observation

__all__ = ["ObservedGraphQLView", "note_codes", "note_operation"]

#: Longest operation name kept for logs, traces and metrics (a GraphQL name has
#: no length limit; a 400 KB one must not be copied into every log line).
MAX_OPERATION_NAME = 128

_NAMED_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")


def note_codes(codes: list[str]) -> None:
    observation = current_observation()
    if observation is not None:
        observation.graphql = True
        observation.add_codes(codes)


def note_operation(query: Any, given: Any) -> None:
    """Record that the current request is a GraphQL operation, and its name."""
    observation = current_observation()
    if observation is not None:
        observation.graphql = True
        name = operation_name(query, given)
        if name is not None and len(name) > MAX_OPERATION_NAME:
            name = name[: MAX_OPERATION_NAME - 1] + "…"
        observation.operation = name


def operation_name(query: Any, given: Any) -> str | None:
    if isinstance(given, str) and given:
        return given
    if isinstance(query, str):
        names = _NAMED_OPERATION.findall(query)
        if len(set(names)) == 1:
            return names[0]
    return None


class ObservedGraphQLView:
    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)  # type: ignore[misc]
        if not isinstance(data, list):
            note_operation(data.query, data.operation_name)
        return data

    async def process_result(self, request: Any, result: Any) -> Any:
        if result.errors:
            note_codes(
                [
                    str((error.extensions or {}).get("code") or "INTERNAL_SERVER_ERROR")
                    for error in result.errors
                ]
            )
        return await super().process_result(request, result)  # type: ignore[misc]
