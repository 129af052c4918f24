"""Where a NEL report keeps its network error: nested in ``body`` or, in the older flat
shape, at the top level (SENTRY_API.md, "Not confirmed"). `NelEntry` reads both."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.schema.mapping.declare import Source, snake_or_hyphen
from gateway.schema.mapping.readers import mapping, string

__all__ = ["NEL_REPORT_TYPE", "nel_body", "nel_error_type", "nel_key"]

NEL_REPORT_TYPE = "network-error"
"""The raw report's own ``type``; in the flat shape ``type`` is the error's kind instead."""


def nel_key(snake: str) -> Source:
    """A network-error key: from ``body`` when it is an object and has the key, else from
    the top level (a hybrid of the two shapes is read too)."""
    at_top = snake_or_hyphen(snake).read

    def read(report: Mapping[str, Any]) -> Any:
        body = mapping(report.get("body"))
        if body is not None:
            value = at_top(body)
            if value is not None:
                return value
        return at_top(report)

    return Source((snake,), read)


def _error_type(report: Mapping[str, Any]) -> Any:
    body = mapping(report.get("body"))
    if body is not None:
        return body.get("type")
    report_type = string(report.get("type"))
    return None if report_type == NEL_REPORT_TYPE else report_type


nel_error_type = Source(("body",), _error_type)
"""The kind of network error: ``body.type``, or the flat shape's ``type`` unless it is the
report's own type."""

nel_body = "body"
"""The key of the raw report's nested network error."""
