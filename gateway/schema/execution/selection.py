"""What the query selects below a field, read from the GraphQL document.

Used to ask Sentry for ``full=true`` only when the selection needs a field the
simple serializer does not provide with the same value. The walk is
conservative: a field under ``@skip``/``@include`` counts as selected, which
at worst costs a larger response, never a wrong value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

__all__ = [
    "child_field_names",
    "child_field_names_on",
    "connection_node_fields",
    "field_names",
    "selects_cursors",
]


def field_names(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> dict[str, list[FieldNode]]:
    """The fields of a selection set by name, with fragments flattened."""
    found: dict[str, list[FieldNode]] = {}
    _collect(selection_set, fragments, found, set())
    return found


def _collect(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    found: dict[str, list[FieldNode]],
    visited: set[str],
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            found.setdefault(selection.name.value, []).append(selection)
        elif isinstance(selection, InlineFragmentNode):
            _collect(selection.selection_set, fragments, found, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in visited and name in fragments:
                visited.add(name)
                _collect(fragments[name].selection_set, fragments, found, visited)


def connection_node_fields(info: GraphQLResolveInfo[Any]) -> set[str]:
    """Names of the fields selected on the nodes of the connection being resolved.

    Covers both ``edges { node { ... } }`` and ``nodes { ... }``.
    """
    names: set[str] = set()
    for node_fields in _children(info.field_nodes, info.fragments, ("edges", "node"), ("nodes",)):
        names.update(node_fields)
    return names


def selects_cursors(info: GraphQLResolveInfo[Any]) -> bool:
    """True when the connection being resolved has a cursor selected.

    That is ``edges { cursor }`` or ``pageInfo { startCursor endCursor }``;
    encoding a cursor (an HMAC per edge) is skipped when nothing reads it.
    """
    for names in _children(info.field_nodes, info.fragments, ("edges",)):
        if "cursor" in names:
            return True
    for names in _children(info.field_nodes, info.fragments, ("pageInfo",)):
        if "startCursor" in names or "endCursor" in names:
            return True
    return False


def _children(
    field_nodes: Iterable[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    *paths: tuple[str, ...],
) -> Iterable[dict[str, list[FieldNode]]]:
    for path in paths:
        current = list(field_nodes)
        for step in path:
            next_nodes: list[FieldNode] = []
            for node in current:
                next_nodes.extend(field_names(node.selection_set, fragments).get(step, []))
            current = next_nodes
        for node in current:
            yield field_names(node.selection_set, fragments)


def child_field_names(info: GraphQLResolveInfo[Any]) -> set[str]:
    """Names of the fields selected directly below the field being resolved."""
    names: set[str] = set()
    for node in info.field_nodes:
        names.update(field_names(node.selection_set, info.fragments))
    return names


def child_field_names_on(info: GraphQLResolveInfo[Any], type_names: frozenset[str]) -> set[str]:
    """Names of the fields selected below the field being resolved that apply to an
    object of one of `type_names` (its type, its interfaces, a union holding it).

    Fragments on other types are skipped: an `_entities` or `node` selection's
    ``... on Event { title }`` says nothing about what an `Issue` needs.
    """
    names: set[str] = set()
    for node in info.field_nodes:
        _collect_on(node.selection_set, info.fragments, type_names, names, set())
    return names


def _collect_on(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    type_names: frozenset[str],
    names: set[str],
    visited: set[str],
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            if condition is None or condition.name.value in type_names:
                _collect_on(selection.selection_set, fragments, type_names, names, visited)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visited and fragment.type_condition.name.value in type_names:
                visited.add(name)
                _collect_on(fragment.selection_set, fragments, type_names, names, visited)
