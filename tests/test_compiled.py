"""Compiled completion gives exactly graphql-core's responses (`gateway.schema.execution.compiled`).

A differential test: hypothesis writes queries over the real schema (random
subsets of fields at every level, aliases, inline and named fragments on the
entry union and on object types, ``__typename``, ``@include``/``@skip`` with
variables, connections and detail fields, unknown and invalid ids) and
corrupts the converted events (nulls in non-null fields, values of the wrong
type, Ints out of range, objects of the wrong class) so that errors and null
propagation happen below the connection too. Each query runs against the demo
upstream on two schemas that differ only in the execution context, with the
same request context (same pinned "now", same loaders, so the same upstream
pages), and the two responses -- data and errors, with paths, locations and
extensions -- must be equal.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
from typing import Any, Optional

import httpx
import pytest
from graphql import (
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLEnumType,
    GraphQLUnionType,
    get_named_type,
)
import strawberry
from hypothesis import HealthCheck, given, settings
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission
from hypothesis import strategies as st

from gateway.demo import DEMO_TOKEN, create_demo_app
from gateway.schema import RequestContext, build_schema
from gateway.schema.resolvers import issue as issue_module
from gateway.schema.paging import traversal as traversal_module
from gateway.schema.execution.compiled import CompiledExecutionContext
from gateway.schema.execution.context import utc_now
from gateway.schema.paging.pagination import CursorCodec
from gateway.sentry.client import SentryClient
from gateway.sentry.loaders import SentryLoaders

COMPILED = build_schema()
REFERENCE = build_schema(compiled=False)
GQL = COMPILED._schema
CODEC = CursorCodec("differential-test-secret")
MAX_DEPTH = 7  # below Event: entries > values > stacktrace > frames > context is 5


# Query generation


@st.composite
def selections(draw: st.DrawFn, gql_type: Any, depth: int, fragments: dict[str, str]) -> str:
    """A selection set on `gql_type`: a random non-empty subset of its fields."""
    named = get_named_type(gql_type)
    if isinstance(named, GraphQLUnionType):
        parts = []
        if draw(st.booleans()):
            parts.append("__typename")
        members = draw(st.lists(st.sampled_from(named.types), max_size=4, unique_by=lambda t: t.name))
        for member in members:
            inner = draw(selections(member, depth, fragments))
            parts.append(draw(_spread(member.name, inner, fragments)))
        if not parts:
            parts.append("__typename")
        return "{ " + " ".join(parts) + " }"
    assert isinstance(named, GraphQLObjectType)
    candidates = [
        (name, field)
        for name, field in named.fields.items()
        if not field.args
        and (depth > 0 or isinstance(get_named_type(field.type), (GraphQLScalarType, GraphQLEnumType)))
    ]
    chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=6, unique_by=lambda c: c[0]))
    parts = []
    if draw(st.integers(0, 4)) == 0:
        parts.append("__typename")
    for name, field in chosen:
        child = get_named_type(field.type)
        sub = ""
        if not isinstance(child, (GraphQLScalarType, GraphQLEnumType)):
            sub = " " + draw(selections(field.type, depth - 1, fragments))
        alias = draw(st.sampled_from(["", "", "", f"a_{name}: ", f"{name}2: "]))
        directive = draw(st.sampled_from(["", "", "", "", " @include(if: $yes)", " @skip(if: $yes)",
                                          " @include(if: $no)", " @skip(if: false)"]))
        parts.append(f"{alias}{name}{directive}{sub}")
        if draw(st.integers(0, 5)) == 0:  # the same field again: merged by the executor
            parts.append(f"{alias}{name}{sub}")
    if draw(st.integers(0, 5)) == 0:  # a fragment on the object type itself
        inner = draw(selections(named, depth, fragments))
        parts.append(draw(_spread(named.name, inner, fragments)))
    return "{ " + " ".join(parts) + " }"


@st.composite
def _spread(draw: st.DrawFn, type_name: str, inner: str, fragments: dict[str, str]) -> str:
    if draw(st.booleans()):
        return f"... on {type_name} {inner}"
    name = f"F{len(fragments)}"
    fragments[name] = f"fragment {name} on {type_name} {inner}"
    return f"...{name}"


EVENT_PARENTS = [
    'events(first: {n})',
    'events(last: {n})',
    'events(first: {n}, query: "environment:production")',
]


@st.composite
def queries(draw: st.DrawFn) -> str:
    fragments: dict[str, str] = {}
    event = GQL.get_type("Event")
    connection = GQL.get_type("EventConnection")
    issue_parts = []
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["connection", "connection", "latest", "event", "nodes"]))
        alias = f"f{index}: "
        if kind == "connection":
            parent = draw(st.sampled_from(EVENT_PARENTS)).format(n=draw(st.integers(1, 12)))
            body = draw(selections(connection, MAX_DEPTH + 2, fragments))
            issue_parts.append(f"{alias}{parent} {body}")
        elif kind == "nodes":
            n = draw(st.integers(1, 12))
            body = draw(selections(event, MAX_DEPTH, fragments))
            issue_parts.append(f"{alias}events(first: {n}) {{ nodes {body} }}")
        elif kind == "latest":
            which = draw(st.sampled_from(["latestEvent", "oldestEvent", "recommendedEvent"]))
            issue_parts.append(f"{alias}{which} {draw(selections(event, MAX_DEPTH, fragments))}")
        else:
            event_id = draw(st.sampled_from(["latest", "0" * 32, "not-an-id"]))
            issue_parts.append(
                f'{alias}event(eventID: "{event_id}") {draw(selections(event, MAX_DEPTH, fragments))}'
            )
    issues = draw(st.lists(st.sampled_from(["1", "2", "3", "4", "5", "999999", "x"]), min_size=1, max_size=2))
    roots = [f'i{n}: issue(id: "{issue}") {{ issueId {" ".join(issue_parts)} }}' for n, issue in enumerate(issues)]
    # Both variables are always used (an unused one makes the document invalid).
    used = "yes: __typename @include(if: $yes) no: __typename @skip(if: $no)"
    document = "query Q($yes: Boolean!, $no: Boolean!) { " + used + " " + " ".join(roots) + " }"
    return "\n".join([document, *fragments.values()])


# Corrupting the converted events


BAD_VALUES: list[Any] = [None, 17, "text", 2**40, float("nan"), True, [1], {"a": 1}, object()]


def corrupt(obj: Any, rng: random.Random, budget: list[int]) -> None:
    """Replace a few attributes or list items somewhere inside `obj` with wrong values, in place."""
    if budget[0] <= 0:
        return
    if isinstance(obj, list):
        for index, item in enumerate(obj):
            if budget[0] > 0 and rng.random() < 0.03:
                budget[0] -= 1
                obj[index] = rng.choice(BAD_VALUES + [_stranger(rng)])
            else:
                corrupt(item, rng, budget)
        return
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if budget[0] > 0 and rng.random() < 0.08:
            budget[0] -= 1
            replacement = rng.choice(BAD_VALUES + [_stranger(rng)])
            object.__setattr__(obj, field.name, replacement)
        elif isinstance(value, list) or dataclasses.is_dataclass(value):
            corrupt(value, rng, budget)


def _stranger(rng: random.Random) -> Any:
    """An object of a schema type where another is expected."""
    from gateway.schema.types.event import EventTag

    return rng.choice([EventTag(key="k", value="v", query=None), [EventTag(key="k", value=None, query=None)]])


def corrupting(convert: Any, seed: int) -> Any:
    def converted(data: Any, **kwargs: Any) -> Any:
        event = convert(data, **kwargs)
        rng = random.Random(f"{seed}:{getattr(event, 'eventID', '')}")
        if seed % 3:  # a third of the examples keep the events intact
            corrupt(event, rng, [rng.randint(1, 8)])
        return event

    return converted


# Running both


async def run_both(document: str, variables: dict[str, Any]) -> tuple[Any, Any]:
    """(data, errors) from the reference schema and from the compiled one.

    Each run has its own loaders (so each makes its own upstream calls, with
    the same timing) over one demo upstream, and both pin the same "now".
    Errors are compared in a canonical order: the order in which concurrent
    resolvers fail is not part of GraphQL's contract.
    """
    now = utc_now()
    results = []
    for schema in (REFERENCE, COMPILED):
        # A demo upstream each: it paces calls per caller (as Sentry does), so one shared
        # upstream would delay the second run's calls, and when a non-null field fails first
        # graphql-core answers before its slower siblings report their own errors.
        demo = create_demo_app()
        client = SentryClient(httpx.ASGITransport(app=demo), base_url="http://sentry.test")
        loaders = SentryLoaders(client, credential=f"Bearer {DEMO_TOKEN}", max_calls=200)
        context = RequestContext(loaders=loaders, codec=CODEC, now=now)
        result = await schema.execute(document, variable_values=variables, context_value=context)
        errors = sorted((error.formatted for error in result.errors or []), key=json.dumps)
        results.append((result.data, errors))
    return results[0], results[1]


@pytest.fixture(autouse=False)
def corrupted_events(monkeypatch: pytest.MonkeyPatch) -> Any:
    originals = (traversal_module.event_from_json, issue_module.event_from_json)

    def install(seed: int) -> None:
        monkeypatch.setattr(traversal_module, "event_from_json", corrupting(originals[0], seed))
        monkeypatch.setattr(issue_module, "event_from_json", corrupting(originals[1], seed))

    return install


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=queries(), seed=st.integers(0, 2**16), yes=st.booleans())
def test_compiled_and_graphql_core_give_identical_responses(
    corrupted_events: Any, document: str, seed: int, yes: bool
) -> None:
    corrupted_events(seed)
    reference, compiled = asyncio.run(run_both(document, {"yes": yes, "no": not yes}))
    assert reference[0] is not None, reference[1]  # a valid document, executed
    assert compiled == reference, document


def test_the_differential_test_reaches_errors_below_the_connection(corrupted_events: Any) -> None:
    """Guard against a vacuous differential: corruption does produce errors, and both agree."""
    corrupted_events(1)
    event = GQL.get_type("Event")
    body = _all_fields(event, MAX_DEPTH)
    document = f'query Q {{ issue(id: "3") {{ events(first: 10) {{ nodes {body} }} }} }}'
    reference, compiled = asyncio.run(run_both(document, {}))
    assert compiled == reference
    # Wrong values below the connection are errors (masked as internal ones:
    # they are bugs of ours or of the upstream) at paths inside the events.
    paths = [error["path"] for error in reference[1]]
    assert any(path[:3] == ["issue", "events", "nodes"] and len(path) > 4 for path in paths), paths
    assert reference[0] == {"issue": None}  # nulls propagate up to the nullable `issue`


def _set_first(obj: Any, name: str, value: Any) -> bool:
    """Set the first attribute called `name` found breadth-first inside `obj`."""
    queue = [obj]
    while queue:
        current = queue.pop(0)
        if isinstance(current, list):
            queue.extend(current)
        elif dataclasses.is_dataclass(current):
            for field in dataclasses.fields(current):
                if field.name == name:
                    object.__setattr__(current, name, value)
                    return True
                queue.append(getattr(current, field.name))
    return False


TARGETED = [
    ("eventID", None),  # null in a non-null field
    ("size", 2**40),  # Int out of 32-bit range
    ("size", 3.0),  # coerced by graphql-core
    ("size", "5"),
    ("size", float("nan")),
    ("title", 17),  # String coerces numbers and booleans
    ("title", True),
    ("title", ["a"]),
    ("lineNo", 2**31),
    ("inApp", "yes"),
    ("dateCreated", "not a date"),
    ("dateCreated", 17),
    ("tags", [None]),  # null item in a non-null list
    ("tags", "key:value"),  # not a list
    ("tags", ("a",)),
    ("entries", [None]),
    ("entries", [17]),  # not an object of the union
    ("entries", ["text"]),
    ("geo", "text"),  # not an object
    ("context", [None]),
    ("frames", [17]),
    ("values", None),
    ("metadata", float("inf")),  # JSON scalar
]


@pytest.mark.parametrize(("name", "value"), TARGETED, ids=[f"{n}={v!r}" for n, v in TARGETED])
def test_each_kind_of_wrong_value_gives_the_reference_response(
    monkeypatch: pytest.MonkeyPatch, name: str, value: Any
) -> None:
    original = traversal_module.event_from_json

    def convert(data: Any, **kwargs: Any) -> Any:
        event = original(data, **kwargs)
        assert _set_first(event, name, value) or name in {"geo"}, name
        return event

    monkeypatch.setattr(traversal_module, "event_from_json", convert)
    body = _all_fields(GQL.get_type("Event"), MAX_DEPTH)
    for issue in ("3", "1"):  # every entry kind; users with geo
        document = f'query Q {{ issue(id: "{issue}") {{ events(first: 3) {{ edges {{ node {body} }} }} }} }}'
        reference, compiled = asyncio.run(run_both(document, {}))
        assert compiled == reference


def test_every_field_of_every_coverage_event_gives_the_reference_response() -> None:
    """All 40 events of issue 3 (both NEL shapes, JSON OCSP responses, `"?"` frame positions
    with `Frame.raw`, older frame keys, Int mechanism ids), every field, uncorrupted."""
    body = _all_fields(GQL.get_type("Event"), MAX_DEPTH)
    document = f'query Q {{ issue(id: "3") {{ events(first: 40) {{ nodes {body} }} }} }}'
    reference, compiled = asyncio.run(run_both(document, {}))
    assert reference[0] is not None and not reference[1], reference[1]
    assert compiled == reference
    nodes = reference[0]["issue"]["events"]["nodes"]
    nel = [e for n in nodes for e in n["entries"] if e["__typename"] == "NelEntry"]
    assert {e["reportType"] for e in nel} >= {"network-error", "dns.name_not_resolved"}


def test_compiled_completion_is_what_serves_the_events() -> None:
    """The compiled path really runs (not only the fallback) on ordinary queries."""
    calls: list[Any] = []
    original = CompiledExecutionContext._compile_object

    def counting(self: Any, object_type: Any, details: Any) -> Any:
        completer = original(self, object_type, details)
        calls.append((object_type.name, completer is not None))
        return completer

    CompiledExecutionContext._compile_object = counting  # type: ignore[method-assign]
    try:
        document = 'query Q { issue(id: "3") { events(first: 5) { nodes { eventID entries { __typename ... on ExceptionEntry { values { type } } } } } } }'
        reference, compiled = asyncio.run(run_both(document, {}))
    finally:
        CompiledExecutionContext._compile_object = original  # type: ignore[method-assign]
    assert compiled == reference and not reference[1]
    assert ("EventConnection", True) in calls
    assert ("Issue", False) in calls  # `events` has a resolver: graphql-core runs it


def _all_fields(gql_type: Any, depth: int) -> str:
    named = get_named_type(gql_type)
    if isinstance(named, GraphQLUnionType):
        return "{ __typename " + " ".join(f"... on {m.name} {_all_fields(m, depth)}" for m in named.types) + " }"
    parts = []
    for name, field in named.fields.items():
        if field.args:
            continue
        child = get_named_type(field.type)
        if isinstance(child, (GraphQLScalarType, GraphQLEnumType)):
            parts.append(name)
        elif depth > 0:
            parts.append(f"{name} {_all_fields(field.type, depth - 1)}")
    return "{ " + " ".join(parts) + " }"



def test_an_error_while_collecting_fields_stays_at_its_field() -> None:
    """A null for a Boolean that @include needs fails at that field, as graphql-core has it,
    not at the connection the compiled completer was built for."""
    document = (
        'query Q($v: Boolean = true) { issue(id: "1") { events(first: 2) { nodes { eventID '
        "user { id geo @include(if: $v) { city } } } } } }"
    )
    reference, compiled = asyncio.run(run_both(document, {"v": None}))
    assert compiled == reference
    assert reference[0]["issue"] is not None  # the error did not climb to the connection


class _Deny(BasePermission):
    message = "denied"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class _Upper(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs).upper()


@strawberry.type
class _Secret:
    open: str
    guarded: Optional[str] = strawberry.field(permission_classes=[_Deny])
    shouted: str = strawberry.field(extensions=[_Upper()])


@strawberry.type
class _SecretQuery:
    @strawberry.field
    def secret(self) -> _Secret:
        return _Secret(open="a", guarded="b", shouted="c")


def test_fields_with_permissions_or_extensions_are_left_to_graphql_core() -> None:
    document = "{ secret { open guarded shouted } }"
    results = []
    for context_class in (None, CompiledExecutionContext):
        kwargs = {"execution_context_class": context_class} if context_class else {}
        result = strawberry.Schema(query=_SecretQuery, **kwargs).execute_sync(document)
        results.append((result.data, [e.message for e in result.errors or []]))
    assert results[1] == results[0] == ({"secret": {"open": "a", "guarded": None, "shouted": "C"}}, ["denied"])


def test_shared_completers_live_as_long_as_their_document() -> None:
    import gc

    from gateway.schema.execution import compiled

    document = 'query Unique123 { issue(id: "3") { events(first: 2) { nodes { eventID title } } } }'
    reference, compiled_result = asyncio.run(run_both(document, {}))
    assert compiled_result == reference
    names = [op.name.value for op in compiled._SHARED.keys() if op.name]
    assert "Unique123" in names
    from gateway.schema.execution import caches

    def validated() -> list[str]:
        return [
            d.definitions[0].name.value
            for d in caches._VALIDATED.keys()
            if getattr(d.definitions[0], "name", None) is not None
        ]

    assert "Unique123" in validated()
    caches.clear_parse_cache()  # the one cache that keeps a parsed document alive
    gc.collect()
    assert "Unique123" not in [op.name.value for op in compiled._SHARED.keys() if op.name]
    assert "Unique123" not in validated()
