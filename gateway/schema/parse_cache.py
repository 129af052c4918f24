"""A cache of parsed documents: the same query text is parsed once per process."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension

__all__ = ["ParseCache"]


class ParseCache(SchemaExtension):
    """Reuse the parsed document of a query text seen before.

    Only successful parses are cached; a document that does not parse is left
    to strawberry, so its error takes the usual path and gets its code.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            options = tuple(sorted(context.parse_options.items()))
            try:
                context.graphql_document = _parse(context.query, options)
            except GraphQLError:
                pass
        yield


@functools.lru_cache(maxsize=256)
def _parse(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    return parse(query, **dict(options))
