"""The most upstream calls a query could make, and about how many bytes Sentry
would send for them, computed before it runs.

GitHub's approach: walk the operation, and count what each field can cost
given its arguments (variables resolved). The walk goes by field name, since
every field that calls Sentry has a name of its own in this schema:

* ``issue``: what its children cost, plus 1 when its own fields (title,
  count ...) are selected or nothing below it reaches Sentry (the existence check);
* ``issues(ids:)``, and ``_entities``: the children of each issue, plus that 1
  per 100 ids (they are batched into one call to the issue index);
* ``tags``: 1;
* ``events``: what `gateway.schema.paging.seek.page_calls` says a page spends (1, or
  2 where the page and the event that tells whether another one exists do not
  fit one call of Sentry's ``per_page`` of 100: ``first: 100``, ``last: 100,
  before: C``); ``last`` without ``before`` must find the end of the list
  first (`LAST_WITHOUT_BEFORE`);
* ``event``, ``latestEvent``, ``oldestEvent``, ``recommendedEvent``: 1;
* ``node``: 1 (an event is refetched), or what an issue's children cost;
* ``_entities``: the same for each representation;
* ``Issue.id`` of an issue that may have been reached by short id: 1 (to learn its
  numeric id; shared with the existence check when nothing else calls).

Fragments count as if all their fields were selected, so the figure is an
upper bound for everything but the legacy value-cursor walks (those are held
by the runtime budget in the loaders).

Calls are not what costs memory: one call may bring 100 full events (~2 MB
of JSON, ten times that once parsed) or one simple event. So each call also
weighs the events it asks for: a page's size (``first``/``last``), times
`FULL_EVENT_BYTES` when the selection needs Sentry's full serializer (any
node field outside `SIMPLE_FIELD_KEYS`, the resolver's own test) or
`SIMPLE_EVENT_BYTES` otherwise; a detail field is one full event. The
figures are the demo's events rounded up (Sentry's own can be larger: the
answer-size cap, `gateway.schema.answer`, bounds what the estimate misses).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Undefined,
    value_from_ast_untyped,
)

from gateway.schema.types.event import SIMPLE_FIELD_KEYS
from gateway.schema.types.issue_fields import ISSUE_DATA_FIELDS
from gateway.schema.types.node import InvalidGlobalId, decode_global_id
from gateway.schema.execution.selection import field_names
from gateway.schema.paging.seek import page_calls

__all__ = [
    "FULL_EVENT_BYTES",
    "LAST_WITHOUT_BEFORE",
    "SIMPLE_EVENT_BYTES",
    "Estimate",
    "estimate",
    "estimate_upstream_calls",
]

#: Calls `events(last:)` without `before` may spend finding the end of a list
#: of about 12,000 events (probes at 0, 100, 300, ..., then bisection).
LAST_WITHOUT_BEFORE = 10
_DETAIL_FIELDS = ("event", "latestEvent", "oldestEvent", "recommendedEvent")
#: About what Sentry sends per event: the full serializer (entries, contexts,
#: stack frames: ~19 KB for the demo's events) and the simple one (~1.5 KB).
FULL_EVENT_BYTES = 20_000
SIMPLE_EVENT_BYTES = 2_000
#: Events on a page whose size the query does not say (the largest).
_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Estimate:
    """What an operation could make Sentry do: calls, and bytes of JSON sent back."""

    calls: int = 0
    bytes: int = 0

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(self.calls + other.calls, self.bytes + other.bytes)

    def __mul__(self, times: int) -> Estimate:
        return Estimate(self.calls * times, self.bytes * times)


_NOTHING = Estimate()


def estimate_upstream_calls(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int:
    """The most calls to Sentry the operation could make."""
    return estimate(document, operation_name, variables).calls


def estimate(document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None) -> Estimate:
    """The most calls to Sentry the operation could make, and the bytes they would bring."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)),
        None,
    )
    if operation is None:
        return _NOTHING
    walk = _Walk(fragments, variables or {})
    return walk.root(operation.selection_set)


class _Walk:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = dict(variables)  # graphql-core's value_from_ast_untyped takes a dict

    def root(self, selection_set: SelectionSetNode | None) -> Estimate:
        total = _NOTHING
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
                    total += Estimate(events, events * FULL_EVENT_BYTES)
                    if issues:
                        total += self.issues(issues, node.selection_set)
        return total

    def issues(self, count: int, selection_set: SelectionSetNode | None, numeric: bool = False) -> Estimate:
        """`count` issues: their children's calls, and their own fields' batched calls
        (one call to the issue index per 100 ids; also the existence check)."""
        children = self.issue(selection_set, numeric)
        own = not children.calls or bool(ISSUE_DATA_FIELDS & field_names(selection_set, self.fragments).keys())
        batches = math.ceil(count / 100) if own else 0
        return children * count + Estimate(batches, count * SIMPLE_EVENT_BYTES if own else 0)

    def issue(self, selection_set: SelectionSetNode | None, numeric: bool = False) -> Estimate:
        """What one issue's children cost."""
        total = _NOTHING
        for name, nodes in field_names(selection_set, self.fragments).items():
            for node in nodes:
                if name == "id" and not numeric:
                    total += Estimate(1, SIMPLE_EVENT_BYTES)  # a short id's numeric id (`Issue.id`)
                elif name == "events":
                    total += self.events(node)
                elif name in _DETAIL_FIELDS:
                    total += Estimate(1, FULL_EVENT_BYTES)
                elif name == "tags":
                    total += Estimate(1, 10 * SIMPLE_EVENT_BYTES)
        return total

    def events(self, node: FieldNode) -> Estimate:
        """One page of `events`, plus the probes of ``last`` without ``before``."""
        first, last = self.argument(node, "first"), self.argument(node, "last")
        size = next((n for n in (first, last) if isinstance(n, int) and 0 < n <= _PAGE_SIZE), _PAGE_SIZE)
        per_event = FULL_EVENT_BYTES if self.full(node) else SIMPLE_EVENT_BYTES
        calls = 1
        if isinstance(first, int) and 0 < first <= _PAGE_SIZE:
            # After a cursor, at least the cursor's own event is read again.
            calls = page_calls(first, skip=0 if self.argument(node, "after") is None else 1)
        elif isinstance(last, int) and 0 < last <= _PAGE_SIZE and self.argument(node, "before") is not None:
            calls = page_calls(last, skip=1)  # `before`'s own event is read again
        page = Estimate(calls, size * per_event)
        if last is not None and self.argument(node, "before") is None:
            probes = LAST_WITHOUT_BEFORE - 1
            return page + Estimate(probes, probes * _PAGE_SIZE * SIMPLE_EVENT_BYTES)
        return page

    def full(self, node: FieldNode) -> bool:
        """True when the connection's nodes need Sentry's full serializer (as the resolver decides)."""
        names: set[str] = set()
        for path in (("edges", "node"), ("nodes",)):
            current = [node]
            for step in path:
                current = [
                    child for each in current for child in field_names(each.selection_set, self.fragments).get(step, [])
                ]
            for each in current:
                names.update(field_names(each.selection_set, self.fragments))
        names.discard("__typename")
        return any(name not in SIMPLE_FIELD_KEYS for name in names)

    def argument(self, node: FieldNode, name: str) -> Any:
        """The argument's value, None when absent (a variable the request left out included)."""
        for argument in node.arguments or ():
            if argument.name.value == name:
                value = value_from_ast_untyped(argument.value, self.variables)
                return None if value is Undefined else value
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
