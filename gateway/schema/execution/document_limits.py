"""Limits on a document's shape, checked in time linear in the document.

strawberry's depth and alias limiters walk every path through the
fragment spreads: ``fragment Fi on Issue { ...Fi+1 ...Fi+1 }`` for 22 levels
(937 bytes) is 2^22 paths, and blocked a worker for 18 s. Here each fragment
is measured once and its figures reused wherever it is spread, so the cost is
one pass over the document whatever the spreads multiply to. The figures are
the same as strawberry's (the depth of the deepest field, introspection
fields not counted; every alias counted once per path that reaches it, so a
fan-out of aliases is still refused), only computed differently.

`fragment_counts` and `overlap` run before any validation rule: a document
with more fragment definitions or spreads than the limits allow, or whose
expansion would make graphql-core's overlap rule compare too many pairs of
fields, is refused without being validated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

from gateway.compat import fragment_cycle_errors

__all__ = [
    "Overlap",
    "Shape",
    "alias_rule",
    "depth_rule",
    "fragment_counts",
    "fragment_cycles",
    "measure",
    "overlap",
]

#: The code every refusal here carries.
TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def fragment_counts(document: DocumentNode) -> tuple[int, int]:
    """(fragment definitions, fragment spreads) in the document, in one pass without recursion."""
    definitions = 0
    spreads = 0
    stack: list[SelectionSetNode] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            definitions += 1
        selection_set = getattr(definition, "selection_set", None)
        if selection_set is not None:
            stack.append(selection_set)
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                spreads += 1
            else:
                child = getattr(selection, "selection_set", None)
                if child is not None:
                    stack.append(child)
    return definitions, spreads


def fragment_cycles(document: DocumentNode) -> list[GraphQLError]:
    """graphql-core's own ``NoFragmentCyclesRule``, run alone (it needs no schema).

    A cycle that passes through a field (``fragment A on Issue { events(first: 1)
    { nodes { ...B } } }`` with ``fragment B on Event { ...A }``) expands without
    end: `overlap` would walk it to its field limit (seconds, as its paths grow)
    and call it too big, where the caller should hear that it is invalid.
    Linear in the document.
    """
    return fragment_cycle_errors(document)


@dataclass(frozen=True, slots=True)
class Shape:
    """What one operation amounts to once its fragments are expanded."""

    #: Fields above the deepest leaf (strawberry's operation depth).
    depth: int
    #: Aliased fields, counted once per spread path that reaches them.
    aliases: int


def measure(document: DocumentNode) -> list[tuple[OperationDefinitionNode, Shape]]:
    """The `Shape` of every operation, each fragment measured once.

    A list, not a dict: graphql-core's nodes hash by walking their whole tree.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = _Measure(fragments)
    return [
        (d, walk.selection_set(d.selection_set)) for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]


@dataclass(frozen=True, slots=True)
class Overlap:
    """Why a document would be slow to check for fields that cannot merge."""

    #: Fields the operations expand to (spreads expanded, once per selection set).
    fields: int
    #: The response path asked for most often, and how often.
    path: tuple[str, ...]
    count: int
    #: Pairs of fields at one response path: what graphql-core's
    #: ``OverlappingFieldsCanBeMergedRule`` compares, one by one.
    pairs: int


def overlap(document: DocumentNode, max_fields: int) -> Overlap:
    """The work graphql-core's overlap rule would do, counted on the expanded document.

    That rule compares every two fields that land at the same response path
    (``issue.events`` asked for 400 times is 80,000 comparisons of whole
    subtrees: seconds). Spreads are expanded once per selection set, as
    execution does, so the fragment fan-out stays linear; the walk stops once
    `max_fields` fields are seen (the caller refuses such a document anyway).
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    counts: dict[tuple[str, ...], int] = {}
    seen = 0
    stack: list[tuple[SelectionSetNode, tuple[str, ...]]] = [
        (d.selection_set, ()) for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    # A fragment cycle is refused before (`fragment_cycles`); were one left,
    # the walk would still stop at `max_fields`.
    while stack and seen <= max_fields:
        selection_set, path = stack.pop()
        pending = [selection_set]
        expanded: set[str] = set()
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    seen += 1
                    key = (*path, (selection.alias or selection.name).value)
                    counts[key] = counts.get(key, 0) + 1
                    if selection.selection_set is not None:
                        stack.append((selection.selection_set, key))
                elif isinstance(selection, InlineFragmentNode):
                    pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    definition = fragments.get(name)
                    if definition is not None and name not in expanded:
                        expanded.add(name)
                        pending.append(definition.selection_set)
    path, count = max(counts.items(), key=lambda item: item[1], default=((), 0))
    return Overlap(seen, path, count, sum(n * (n - 1) // 2 for n in counts.values()))


class _Measure:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.done: dict[str, Shape] = {}
        #: Fragments being measured: a spread of one of them is a cycle
        #: (refused by graphql-core's own rule) and counts as nothing here.
        self.open: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> Shape:
        depth = 0
        aliases = 0
        if selection_set is None:
            return Shape(0, 0)
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.alias is not None:
                    aliases += 1
                if selection.selection_set is not None:
                    inner = self.selection_set(selection.selection_set)
                    aliases += inner.aliases
                    if not selection.name.value.startswith("__"):
                        depth = max(depth, 1 + inner.depth)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        return Shape(depth, aliases)

    def fragment(self, name: str) -> Shape:
        shape = self.done.get(name)
        if shape is not None:
            return shape
        definition = self.fragments.get(name)
        if definition is None or name in self.open:
            return Shape(0, 0)
        self.open.add(name)
        try:
            shape = self.done[name] = self.selection_set(definition.selection_set)
        finally:
            self.open.discard(name)
        return shape


def _shapes(context: ValidationContext) -> list[tuple[OperationDefinitionNode, Shape]] | None:
    """The document's shapes, measured once for all the rules of one validation.

    None when the document nests deeper than Python's recursion allows (the
    parser's token limit normally keeps it far below).
    """
    cache = context.__dict__.setdefault("_gateway_shapes", {})
    if "shapes" not in cache:
        try:
            cache["shapes"] = measure(context.document)
        except RecursionError:
            cache["shapes"] = None
    shapes: list[tuple[OperationDefinitionNode, Shape]] | None = cache["shapes"]
    return shapes


def _too_deep(context: ValidationContext) -> bool:
    if _shapes(context) is not None:
        return False
    if not context.__dict__.get("_gateway_reported_nesting"):
        context.__dict__["_gateway_reported_nesting"] = True
        context.report_error(
            GraphQLError(
                "The document nests too deeply to be measured; flatten its selections.",
                extensions={"code": TOO_COMPLEX},
            )
        )
    return True


def depth_rule(max_depth: int) -> type[ValidationRule]:
    """A rule refusing operations deeper than `max_depth` (strawberry's message and figure)."""

    class MaxDepthRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            if _too_deep(context):
                return
            for operation, shape in _shapes(context) or ():
                if shape.depth > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            operation,
                            extensions={"code": TOO_COMPLEX, "depth": shape.depth, "maxDepth": max_depth},
                        )
                    )

    return MaxDepthRule


def alias_rule(max_aliases: int) -> type[ValidationRule]:
    """A rule refusing documents with more than `max_aliases` aliases (strawberry's message)."""

    class MaxAliasesRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            if _too_deep(context):
                return
            total = sum(shape.aliases for _, shape in _shapes(context) or ())
            if total > max_aliases:
                shown = f"{total}" if total < 10**12 else "more than 10^12"
                context.report_error(
                    GraphQLError(
                        f"{shown} aliases found. Allowed: {max_aliases}",
                        extensions={"code": TOO_COMPLEX, "maxAliases": max_aliases},
                    )
                )

    return MaxAliasesRule
