"""Caches of parsed and validated documents: the same query text is parsed
and validated once per process (while it stays among the 256 most recent).

Both are steps of `gateway.schema.pipeline.OperationPipeline`.
"""

from __future__ import annotations

import functools
from typing import Any

from graphql import DocumentNode, GraphQLError, parse
from strawberry.types import ExecutionContext

from gateway.compat import validate_document

from .identity_map import WeakIdentityMap

__all__ = ["parse_cached", "validate_cached"]


def parse_cached(context: ExecutionContext) -> None:
    """Reuse the parsed document of a query text seen before.

    Only successful parses are cached; a document that does not parse is left
    to strawberry, so its error takes the usual path and gets its code.
    """
    if context.query is not None and context.graphql_document is None:
        options = tuple(sorted(context.parse_options.items()))
        try:
            context.graphql_document = _parse(context.query, options)
        except GraphQLError:
            pass


@functools.lru_cache(maxsize=256)
def _parse(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    return parse(query, **dict(options))


def validate_cached(context: ExecutionContext) -> None:
    """Reuse the validation errors (usually none) of a document validated before.

    strawberry's own ``ValidationCache`` is an ``lru_cache`` keyed by the
    document, which graphql-core 3.3 hashes by walking the whole tree on
    every request. This one keys by the document's identity: the parse cache
    hands out the same document object for the same text, and the entries
    die with it. Per document, results are kept per schema and rule set.
    """
    document = context.graphql_document
    if document is None:
        return
    schema = context.schema
    rules = tuple(context.validation_rules)
    results = _VALIDATED.get(document)
    if results is None:
        results = {}
        _VALIDATED[document] = results
    errors = results.get((schema, rules))
    if errors is None:
        errors = validate_document(schema, document, rules)
        if errors is None:  # no strawberry function to call: strawberry validates
            return
        results[(schema, rules)] = errors
    context.pre_execution_errors = list(errors)


#: Document -> (schema, rules) -> its validation errors. Errors refer to the
#: document's inner nodes, never to the document node itself.
_VALIDATED: WeakIdentityMap[DocumentNode, dict[tuple[Any, ...], list[GraphQLError]]] = WeakIdentityMap()
