"""Introspection shows clients the client-facing API: exactly ``schema.graphql``.

The served schema is an Apollo Federation subgraph, so it holds federation's
plumbing: ``Query._entities`` and ``Query._service``, the ``_Any``,
``_Entity``, ``_Service``, ``_FieldSet`` and ``link__*`` types, and the
``@key``/``@link``/``@shareable`` directives. Routers reach them by querying
``{ _service { sdl } }`` and ``_entities``, never by introspection, so the
federation spec lets a subgraph keep them out of what introspection shows;
in GraphiQL's explorer and docs they only confused (undescribed, at the top).

`client_schema` is the API without them (the same type objects, a `Query`
without the two fields, only the specified directives); `ClientIntrospection`
makes ``__schema`` and ``__type`` resolve against it, while execution and
validation still use the whole schema, so federation keeps working.
``schema.graphql`` is this client schema printed, and
``tests/test_schema_file.py`` checks it against a live introspection.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    specified_directives,
)

__all__ = ["ClientIntrospection", "attach_client_schema", "client_schema"]

_FEDERATION_FIELDS = frozenset({"_entities", "_service"})
_KEY = "gateway.clientSchema"


def client_schema(source: GraphQLSchema) -> GraphQLSchema:
    """`source` without federation's types, fields and directives (built once per schema)."""
    cached = source.extensions.get(_KEY) if source.extensions else None
    if isinstance(cached, GraphQLSchema):
        return cached
    query = source.query_type
    assert query is not None
    client_query = GraphQLObjectType(
        name=query.name,
        fields={k: v for k, v in query.fields.items() if k not in _FEDERATION_FIELDS},
        interfaces=query.interfaces,
        description=query.description,
    )
    kept: list[GraphQLNamedType] = [
        t for name, t in source.type_map.items() if name != query.name and not _is_federation_type(name)
    ]
    return GraphQLSchema(query=client_query, types=kept, directives=specified_directives)


def attach_client_schema(source: GraphQLSchema) -> GraphQLSchema:
    """Build `source`'s client schema and keep it with it, for `ClientIntrospection`."""
    client = client_schema(source)
    source.extensions = {**(source.extensions or {}), _KEY: client}
    return client


class ClientIntrospection:
    """An execution-context mixin: ``__schema`` / ``__type`` see the client schema."""

    schema: GraphQLSchema

    def build_resolve_info(
        self, field_def: GraphQLField, field_nodes: Any, parent_type: Any, path: Any
    ) -> GraphQLResolveInfo[Any]:
        info: GraphQLResolveInfo[Any] = super().build_resolve_info(  # type: ignore[misc]
            field_def, field_nodes, parent_type, path
        )
        if field_def is SchemaMetaFieldDef or field_def is TypeMetaFieldDef:
            client = (self.schema.extensions or {}).get(_KEY)
            if client is not None:
                return info._replace(schema=client)
        return info


def _is_federation_type(name: str) -> bool:
    return name.startswith("_") or name.startswith("link__")
