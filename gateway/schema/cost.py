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
* ``_entities``: the same for each representation.

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
        self.variables = dict(variables)  # graphql-core's value_from_ast_untyped takes a dict

    def root(self, selection_set: SelectionSetNode | None) -> int:
        total = 0
        for name, nodes in field_names(selection_set, self.fragments).items():
            for node in nodes:
                if name in ("issue", "node"):
                    total += self.issues(1, node.selection_set)
                elif name == "issues":
                    ids = self.argument(node, "ids")
                    total += self.issues(len(ids) if isinstance(ids, list) else 1, node.selection_set)
                elif name == "_entities":
                    representations = self.argument(node, "representations")
                    if not isinstance(representations, list):
                        representations = [None]
                    events = sum(isinstance(r, dict) and r.get("__typename") == "Event" for r in representations)
                    issues = len(representations) - events
                    total += events + (self.issues(issues, node.selection_set) if issues else 0)
        return total

    def issues(self, count: int, selection_set: SelectionSetNode | None) -> int:
        """`count` issues: their children's calls, and their own fields' batched calls."""
        calls = self.issue(selection_set)
        own = not calls or bool(ISSUE_DATA_FIELDS & field_names(selection_set, self.fragments).keys())
        return count * calls + (math.ceil(count / 100) if own else 0)

    def issue(self, selection_set: SelectionSetNode | None) -> int:
        total = 0
        for name, nodes in field_names(selection_set, self.fragments).items():
            for node in nodes:
                if name == "events":
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
