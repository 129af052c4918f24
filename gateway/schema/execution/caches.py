"""Caches of parsed and validated documents: the same query text is parsed
and validated once per process, while it stays among the most recent.

The parse cache is bounded by bytes as well as entries: a parsed document
keeps its whole source text and a token object per token, so 256 entries of
1 MB queries would hold over half a gigabyte for good. Each entry weighs its
text plus `TOKEN_BYTES` per token; the cache keeps at most
`GATEWAY_PARSE_CACHE_BYTES` (4 MiB by default), and a document weighing more
than an eighth of that is not cached at all (a huge query is rare, and
parsing it again costs less than keeping it). Validation results hang off the
documents (`WeakIdentityMap`) and go with them.

Both are steps of `gateway.schema.execution.pipeline.OperationPipeline`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from graphql import DocumentNode, GraphQLError, parse
from strawberry.types import ExecutionContext

from gateway.compat import validate_document

from gateway.schema.execution.identity_map import WeakIdentityMap

__all__ = ["clear_parse_cache", "parse_cache_weight", "parse_cached", "set_parse_cache_bytes", "validate_cached"]


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


#: About what a parsed document holds per token (the token and its share of nodes).
TOKEN_BYTES = 300
#: Entries at most, whatever their size.
MAX_ENTRIES = 256


def _weight(entry: tuple[int, DocumentNode]) -> int:
    return entry[0]


_PARSED: LRUCache[tuple[str, tuple[tuple[str, Any], ...]], tuple[int, DocumentNode]] = LRUCache(
    maxsize=4 * 1024 * 1024, getsizeof=_weight
)


def set_parse_cache_bytes(size: int) -> None:
    """Bound the parse cache to `size` bytes (0: no cache), emptying it."""
    global _PARSED
    _PARSED = LRUCache(maxsize=max(1, size), getsizeof=_weight)


def clear_parse_cache() -> None:
    """Forget every parsed document (their validation results go with them)."""
    _PARSED.clear()


def parse_cache_weight() -> int:
    """The bytes the parse cache counts itself as holding (for tests and metrics)."""
    return int(_PARSED.currsize)


def _parse(query: str, options: tuple[tuple[str, Any], ...]) -> DocumentNode:
    key = (query, options)
    entry = _PARSED.get(key)
    if entry is not None:
        return entry[1]
    document = parse(query, **dict(options))
    weight = len(query) + TOKEN_BYTES * _tokens(document)
    if weight <= _PARSED.maxsize // 8:
        _PARSED[key] = (weight, document)
        while len(_PARSED) > MAX_ENTRIES:
            _PARSED.popitem()  # the least recently used
    return document


def _tokens(document: DocumentNode) -> int:
    """The tokens of a parsed document (its location keeps them as a linked list)."""
    count = 0
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        count += 1
        token = token.next
    return count


def validate_cached(
    context: ExecutionContext,
    refuse: Callable[[DocumentNode], list[GraphQLError] | None] | None = None,
) -> None:
    """Reuse the validation errors (usually none) of a document validated before.

    strawberry's own ``ValidationCache`` is an ``lru_cache`` keyed by the
    document, which graphql-core 3.3 hashes by walking the whole tree on
    every request. This one keys by the document's identity: the parse cache
    hands out the same document object for the same text, and the entries
    die with it. Per document, results are kept per schema and rule set.

    `refuse` runs first, once per document: the errors it returns stand
    instead of validation (a document too big to be worth validating).
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
        errors = refuse(document) if refuse is not None else None
        if errors is None:
            errors = validate_document(schema, document, rules)
        if errors is None:  # no strawberry function to call: strawberry validates
            return
        results[(schema, rules)] = errors
    context.pre_execution_errors = list(errors)


#: Document -> (schema, rules) -> its validation errors. Errors refer to the
#: document's inner nodes, never to the document node itself.
_VALIDATED: WeakIdentityMap[DocumentNode, dict[tuple[Any, ...], list[GraphQLError]]] = WeakIdentityMap()
