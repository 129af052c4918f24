"""The most upstream calls a query could make, computed before it runs.

GitHub's approach: walk the operation, and count what each field can cost
given its arguments (variables resolved). The walk goes by field name, since
every field that calls Sentry has a name of its own in this schema:

* ``issue``: what its children cost, plus 1 when its own fields (title,
  count ...) are selected or nothing below it reaches Sentry (the existence check);
* ``issues(ids:)``, and ``_entities``: the children of each issue, plus that 1
  per 100 ids (they are batched into one call to the issue index);
* ``tags``: 1;
* ``events``: 1 call, except ``last`` without ``before``, which must find the
  end of the list first (`LAST_WITHOUT_BEFORE`);
* ``event``, ``latestEvent``, ``oldestEvent``, ``recommendedEvent``: 1;
* ``node``: 1 (an event is refetched), or what an issue's children cost;
* ``_entities``: the same for each representation;
* ``Issue.id`` of an issue that may have been reached by short id: 1 (to learn its
  numeric id; shared with the existence check when nothing else calls).

Fragments count as if all their fields were selected, so the figure is an
upper bound for everything but the legacy value-cursor walks (those are held
by the runtime budget in the loaders).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)

from .issue_fields import ISSUE_DATA_FIELDS
from .node import InvalidGlobalId, decode_global_id
from .selection import field_names

__all__ = ["LAST_WITHOUT_BEFORE", "estimate_upstream_calls"]

#: Calls `events(last:)` without `before` may spend finding the end of a list
#: of about 12,000 events (probes at 0, 100, 300, ..., then bisection).
LAST_WITHOUT_BEFORE = 10
_DETAIL_FIELDS = ("event", "latestEvent", "oldestEvent", "recommendedEvent")


def estimate_upstream_calls(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int:
    """The most calls to Sentry the operation could make."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)),
        None,
    )
    if operation is None:
        return 0
    walk = _Walk(fragments, variables or {})
    return walk.root(operation.selection_set)


class _Walk:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def root(self, selection_set: SelectionSetNode | None) -> int:
        total = 0
        for name, nodes in field_names(selection_set, self.fragments).items():
            for node in nodes:
                if name == "issue":
                    total += self.issues(1, node.selection_set, _numeric(self.argument(node, "id")))
                elif name == "node":
                    total += self.issues(1, node.selection_set, _numeric_global_id(self.argument(node, "id")))
                elif name == "issues":
                    ids = self.argument(node, "ids")
                    numeric = isinstance(ids, list) and all(_numeric(i) for i in ids)
                    total += self.issues(len(ids) if isinstance(ids, list) else 1, node.selection_set, numeric)
                elif name == "_entities":
                    representations = self.argument(node, "representations")
                    if not isinstance(representations, list):
                        representations = [None]
                    events = sum(isinstance(r, dict) and r.get("__typename") == "Event" for r in representations)
                    issues = len(representations) - events
                    total += events + (self.issues(issues, node.selection_set) if issues else 0)
        return total

    def issues(self, count: int, selection_set: SelectionSetNode | None, numeric: bool = False) -> int:
        """`count` issues: their children's calls, and their own fields' batched calls."""
        calls = self.issue(selection_set, numeric)
        own = not calls or bool(ISSUE_DATA_FIELDS & field_names(selection_set, self.fragments).keys())
        return count * calls + (math.ceil(count / 100) if own else 0)

    def issue(self, selection_set: SelectionSetNode | None, numeric: bool = False) -> int:
        total = 0
        for name, nodes in field_names(selection_set, self.fragments).items():
            for node in nodes:
                if name == "id" and not numeric:
                    total += 1  # a short id's numeric id (`Issue.id`): one small call
                elif name == "events":
                    last, before = self.argument(node, "last"), self.argument(node, "before")
                    total += LAST_WITHOUT_BEFORE if last is not None and before is None else 1
                elif name in _DETAIL_FIELDS or name == "tags":
                    total += 1
        return total

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None


def _numeric(issue_id: Any) -> bool:
    """True when `issue_id` is a numeric issue id (its global id costs no call)."""
    return isinstance(issue_id, str) and issue_id.isdigit()


def _numeric_global_id(global_id: Any) -> bool:
    if not isinstance(global_id, str):
        return False
    try:
        type_name, key = decode_global_id(global_id)
    except InvalidGlobalId:
        return False
    return type_name != "Issue" or key.isdigit()
