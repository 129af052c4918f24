"""Each schema type declares its Sentry keys once, and one plan per class reads them
(`gateway.schema.mapping.declare`).

What a reader of `gateway/schema/types/` relies on: every field of a type that
is read from Sentry's JSON names its key (or says it is given by the caller),
no two types declare the same fields twice, and `build` reads exactly what a
declaration says (wrong shapes become null, or `Malformed` where declared
strict).
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any, Optional

import graphql
import pytest
import strawberry
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.schema import export_sdl
from gateway.schema.mapping.declare import (
    WHOLE,
    build,
    each,
    first_present,
    given_field,
    item,
    nested,
    plan_of,
    sentry_field,
    snake_or_hyphen,
)
from gateway.schema.mapping.readers import Malformed, integer, string
from gateway.schema.types import entries, event, frames, issue_fields, reports, tags

#: Fields whose value is not in the object they describe: the builder passes them.
EXPECTED_GIVEN = {
    **{cls: {"type"} for cls in entries.ENTRY_CLASSES.values()},
    entries.UnknownEntry: {"type"},
    event.Event: {"id"},
}


def _declared_classes() -> list[type]:
    found = []
    for module in (entries, event, frames, issue_fields, reports, tags):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == module.__name__
                and dataclasses.is_dataclass(value)
                and hasattr(value, "__strawberry_definition__")
            ):
                found.append(value)
    return found


DECLARED = _declared_classes()


def test_the_declared_types_are_found() -> None:
    names = {cls.__name__ for cls in DECLARED}
    assert {"Frame", "Stacktrace", "Event", "ExceptionEntry", "NelEntry", "IssueFields", "TagFacet"} <= names


@pytest.mark.parametrize("cls", DECLARED, ids=lambda cls: cls.__name__)
def test_every_field_names_its_sentry_key_or_is_given(cls: type) -> None:
    plan = plan_of(cls)
    assert plan.given == EXPECTED_GIVEN.get(cls, set()), (
        f"{cls.__name__}: fields without a Sentry key: {sorted(plan.given)}; declare them with "
        "sentry_field(key, reader, ...) or, if the caller passes them, given_field(...) and list them here"
    )
    assert set(plan.fields) | plan.given == {field.name for field in dataclasses.fields(cls)}


def test_no_object_type_repeats_the_fields_of_another() -> None:
    """What `StacktraceEntry` did to `Stacktrace`: the same fields declared twice. A type
    that needs another's fields inherits them (StacktraceEntry(Stacktrace)).

    Three shared fields are coincidence (`type`, `id`, `name` of a user and a
    team); four or more of another type's fields, all of them, are a copy."""
    schema = graphql.build_schema(export_sdl())
    objects = {
        name: {(field_name, str(field.type)) for field_name, field in graphql_type.fields.items()}
        for name, graphql_type in schema.type_map.items()
        if not name.startswith("_") and isinstance(graphql_type, graphql.GraphQLObjectType)
    }
    repeated = []
    for (a, fields_a), (b, fields_b) in itertools.permutations(objects.items(), 2):
        if len(fields_a) >= 4 and fields_a <= fields_b:
            python_a = _python_class(a)
            python_b = _python_class(b)
            if python_a is None or python_b is None or not issubclass(python_b, python_a):
                repeated.append((a, b))
    assert repeated == [], f"types whose fields another type declares again: {repeated}"


def _python_class(graphql_name: str) -> type | None:
    for cls in DECLARED:
        if cls.__strawberry_definition__.name == graphql_name:  # type: ignore[attr-defined]
            return cls
    return None


def test_stacktrace_entry_is_a_stacktrace_with_a_type() -> None:
    assert issubclass(entries.StacktraceEntry, frames.Stacktrace)
    assert set(plan_of(entries.StacktraceEntry).fields) == set(plan_of(frames.Stacktrace).fields)


# --- build, on a small declared type --------------------------------------------------------------


@strawberry.type(description="A test type.")
class Pair:
    left: Optional[int] = sentry_field(item(0), integer, description="First item.")
    right: Optional[str] = sentry_field(item(1), string, description="Second item.")


@strawberry.type(description="A test type.")
class Leaf:
    v: Optional[str] = sentry_field("v", string, description="A key.")


@strawberry.type(description="A test type.")
class Sample:
    kind: str = given_field(description="Given by the caller.")
    name: Optional[str] = sentry_field("name", string, description="A string key.")
    count: Optional[int] = sentry_field("count", integer, description="An int key.")
    label: Optional[str] = sentry_field(first_present("label", "title"), string, description="Either key.")
    uri: Optional[str] = sentry_field(snake_or_hyphen("document_uri"), string, description="Report key.")
    child: Optional[Leaf] = sentry_field("child", nested(Leaf), description="Lenient nested object.")
    pairs: list[Pair] = sentry_field("pairs", each(Pair, lambda value: value or []), description="Pairs.")
    raw: Optional[strawberry.scalars.JSON] = sentry_field(WHOLE, description="Everything.")


def test_build_reads_each_declared_key_and_sets_the_given_ones() -> None:
    data: dict[str, Any] = {
        "name": "n",
        "count": 3,
        "title": "t",
        "document-uri": "https://example.com/",
        "child": {"ignored": 1},
        "pairs": [[1, "a"], [2.5, None]],
    }
    sample = build(Sample, data, kind="k")
    assert (sample.kind, sample.name, sample.count, sample.label, sample.uri) == ("k", "n", 3, "t", "https://example.com/")
    assert sample.child == Leaf(v=None)  # an object without the keys is still that object
    assert [(p.left, p.right) for p in sample.pairs] == [(1, "a"), (None, None)]
    assert sample.raw is data
    assert sample == Sample(
        kind="k", name="n", count=3, label="t", uri="https://example.com/", child=Leaf(v=None),
        pairs=[Pair(left=1, right="a"), Pair(left=None, right=None)], raw=data,
    )  # fmt: skip


def test_first_present_prefers_the_first_key_even_when_null() -> None:
    assert build(Sample, {"label": None, "title": "t"}, kind="").label is None
    assert build(Sample, {"document_uri": None, "document-uri": "x"}, kind="").uri is None


def test_strict_nested_objects_refuse_other_shapes_and_lenient_ones_read_null() -> None:
    strict = nested(Pair, strict=True)
    lenient = nested(Pair)
    assert strict(None) is None and lenient(None) is None
    assert lenient("text") is None and lenient([1, 2]) is None
    with pytest.raises(Malformed):
        strict("text")


JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
JSON = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["name", "count", "label", "title", "child", "x"]), JSON, max_size=6))
def test_build_never_raises_on_lenient_declarations_and_leaves_are_typed_or_null(data: dict[str, Any]) -> None:
    sample = build(Sample, {**data, "pairs": None}, kind="")
    assert sample.name is None or type(sample.name) is str
    assert sample.count is None or (type(sample.count) is int and -(2**31) <= sample.count < 2**31)
    assert sample.label is None or type(sample.label) is str


def test_the_event_plan_derives_the_simple_serializer_keys() -> None:
    """`SIMPLE_FIELD_KEYS` comes from the `served="all"` declarations, not a second list."""
    declared_all = {name for name, mapped in plan_of(event.Event).fields.items() if mapped.served == "all"}
    assert set(event.SIMPLE_FIELD_KEYS) == declared_all | {"id"}
    assert event.SIMPLE_FIELD_KEYS["type"] == "event.type"
    assert event.DETAIL_ONLY_FIELDS == {
        name for name, mapped in plan_of(event.Event).fields.items() if mapped.served == "detail"
    }


def test_a_field_without_a_sentry_key_is_refused_when_the_plan_is_made() -> None:
    @strawberry.type(description="A test type.")
    class Forgotten:
        name: Optional[str] = sentry_field("name", string, description="Declared.")
        other: Optional[str] = strawberry.field(description="Not declared.")

    with pytest.raises(TypeError, match=r"Forgotten.other declares no Sentry key"):
        plan_of(Forgotten)


def test_given_fields_must_be_given_exactly() -> None:
    with pytest.raises(TypeError, match="exactly"):
        build(Sample, {"name": "n"})  # `kind` missing: the instance would lack the attribute
    with pytest.raises(TypeError, match="exactly"):
        build(Sample, {"name": "n"}, kind="k", extra=1)
    with pytest.raises(TypeError, match="no given fields"):
        build(Leaf, {"v": "x"}, kind="k")


def test_resolver_fields_are_neither_declared_nor_given() -> None:
    from gateway.schema.resolvers.issue import Issue

    plan = plan_of(Issue)
    assert plan.given == {"issueId"}
    assert {"events", "tags", "id"}.isdisjoint(plan.fields) and "title" in plan.fields


ODD_VALUES = st.none() | st.booleans() | st.integers() | st.text(max_size=3) | st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=2), st.integers(), max_size=2)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["assignedTo", "project", "annotations", "count", "title", "statusDetails"]),
        ODD_VALUES | st.fixed_dictionaries({"type": ODD_VALUES, "id": ODD_VALUES, "slug": ODD_VALUES}),
        max_size=6,
    )
)
def test_issue_fields_never_raise_on_odd_values(data: dict[str, Any]) -> None:
    fields = issue_fields.issue_fields_from_json(data)
    assert set(fields) == set(plan_of(issue_fields.IssueFields).fields)


def test_a_count_of_digits_int_cannot_read_is_null() -> None:
    """`str.isdigit` accepts superscripts and other scripts' digits; hypothesis found "²"."""
    for odd in ("²", "１２", "٣"):
        assert issue_fields.issue_fields_from_json({"count": odd})["count"] is None
    assert issue_fields.issue_fields_from_json({"count": "12345678901234567890123"})["count"] == 12345678901234567890123


def test_an_assignee_whose_type_is_not_a_string_is_null() -> None:
    for odd in ([], {}, 1, None):
        assert issue_fields.issue_fields_from_json({"assignedTo": {"type": odd, "id": 1}})["assignedTo"] is None
