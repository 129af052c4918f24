"""`schema.graphql` is the product's face: regenerated, described, and drift-tested."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType

from gateway.schema import build_schema, export_sdl

ROOT = Path(__file__).resolve().parents[1]


def test_schema_graphql_is_exactly_what_export_schema_prints() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_sdl(), (
        "schema.graphql is out of date: run `sentry-events-gateway export-schema > schema.graphql`"
    )


def test_subgraph_graphql_is_exactly_what_export_schema_federation_prints() -> None:
    committed = (ROOT / "subgraph.graphql").read_text()
    assert committed == export_sdl(federation=True), (
        "subgraph.graphql is out of date: run "
        "`sentry-events-gateway export-schema --federation > subgraph.graphql`"
    )


def test_the_client_schema_has_no_federation_plumbing() -> None:
    sdl = export_sdl()
    for text in ("_entities", "_service", "_Any", "@key", "@link", "@shareable", "_FieldSet"):
        assert text not in sdl, text
    subgraph = export_sdl(federation=True)
    assert 'type Issue implements Node @key(fields: "issueId") @key(fields: "id")' in subgraph
    assert 'type Event implements Node @key(fields: "id")' in subgraph
    assert "type PageInfo @shareable" in subgraph
    assert "federation/v2.9" in subgraph


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema()._schema
    missing = []
    for name, gql_type in schema.type_map.items():
        if name.startswith("_") or name.startswith("link__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue  # built-ins and federation's plumbing
        if not gql_type.description:
            missing.append(name)
        if isinstance(gql_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in gql_type.fields.items():
                if field_name in {"_entities", "_service"}:
                    continue
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(gql_type, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in gql_type.values.items() if not value.description]
    assert missing == []


def test_the_contracts_fixed_names_are_there() -> None:
    sdl = export_sdl()
    for text in (
        "type Issue implements Node",
        "type Event implements Node",
        "union EventEntry = ",
        "type EventConnection",
        "type EventEdge",
        "type PageInfo",
        "scalar JSON",
        "scalar DateTime",
    ):
        assert text in sdl, text
    query = build_schema()._schema.query_type
    assert str(query.fields["issue"].type) == "Issue"
    assert str(query.fields["issue"].args["id"].type) == "ID!"
    assert str(query.fields["node"].type) == "Node"
    assert str(query.fields["node"].args["id"].type) == "ID!"
    schema = build_schema()._schema
    union = schema.type_map["EventEntry"]
    assert isinstance(union, GraphQLUnionType)
    members = {t.name for t in union.types}
    assert {
        "ExceptionEntry", "StacktraceEntry", "MessageEntry", "TemplateEntry", "RequestEntry",
        "BreadcrumbsEntry", "ThreadsEntry", "DebugMetaEntry", "SpansEntry", "CspEntry", "HpkpEntry",
        "ExpectCtEntry", "ExpectStapleEntry", "NelEntry", "UnknownEntry",
    } <= members
    events = schema.type_map["Issue"].fields["events"]
    assert set(events.args) == {
        "first", "after", "last", "before", "query", "environment", "start", "end", "statsPeriod", "sample"
    }


@pytest.mark.anyio
async def test_schema_graphql_is_what_a_clients_introspection_sees() -> None:
    """GraphiQL, codegen and Apollo's tooling introspect over HTTP: they get schema.graphql
    exactly (no `_entities`/`_service`), while federation's own queries still run."""
    from graphql import build_client_schema, get_introspection_query, lexicographic_sort_schema, print_schema

    from .conftest import running_gateway

    query = get_introspection_query(
        descriptions=True, specified_by_url=True, directive_is_repeatable=True, input_value_deprecation=True
    )
    async with running_gateway() as gw:
        introspected = await gw.data(query)
        hidden = await gw.data('{ _service { sdl } t: __type(name: "_Service") { name } }')
    seen = print_schema(lexicographic_sort_schema(build_client_schema(introspected))) + "\n"
    assert seen == (ROOT / "schema.graphql").read_text()
    assert hidden["_service"]["sdl"] + "\n" == (ROOT / "subgraph.graphql").read_text()
    assert hidden["t"] is None
