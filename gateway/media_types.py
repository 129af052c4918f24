"""Which GraphQL-over-HTTP response media type a caller gets, from its ``Accept``.

The GraphQL over HTTP spec has two: ``application/graphql-response+json``
(status codes say what happened: 4xx when a request never ran) and the legacy
``application/json`` (200 for every well-formed request). A caller gets the
new one when it asks for it at least as much as for ``application/json``
(Apollo Client sends ``application/graphql-response+json,application/json;q=0.9``);
no ``Accept``, ``*/*`` and anything else get ``application/json``, as the spec
asks of servers that serve clients from before the new type.
"""

from __future__ import annotations

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "response_media_type"]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"

_WILDCARDS = frozenset({"*/*", "application/*"})


def response_media_type(accept: str | None) -> str:
    """`GRAPHQL_RESPONSE_JSON` or `JSON`, by the ``Accept`` header's q-values."""
    if not accept or GRAPHQL_RESPONSE_JSON not in accept.lower():
        return JSON
    new = json = wildcard = 0.0
    for part in accept.lower().split(","):
        media_type, _, parameters = part.partition(";")
        media_type = media_type.strip()
        quality = _quality(parameters)
        if media_type == GRAPHQL_RESPONSE_JSON:
            new = max(new, quality)
        elif media_type == JSON:
            json = max(json, quality)
        elif media_type in _WILDCARDS:
            wildcard = max(wildcard, quality)
    return GRAPHQL_RESPONSE_JSON if new > 0 and new >= max(json, wildcard) else JSON


def _quality(parameters: str) -> float:
    """The ``q`` parameter of one ``Accept`` entry (1 when absent, 0 when malformed)."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0
            return quality if 0.0 <= quality <= 1.0 else 0.0
    return 1.0
