"""The two SDL files: the client-facing API and the federation subgraph.

* ``schema.graphql`` is what clients and their tools (codegen, relay-compiler)
  read: the API without federation's plumbing (``_entities``, ``_service``,
  ``_Any``, the ``@key``/``@link`` directives), sorted by name.
* ``subgraph.graphql`` is what a supergraph composes: exactly the SDL the
  running gateway returns from ``{ _service { sdl } }``.
"""

from __future__ import annotations

from graphql import (
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    lexicographic_sort_schema,
    print_schema,
    specified_directives,
)
from strawberry.federation import Schema as FederationSchema

from gateway.compat import graphql_schema

__all__ = ["client_sdl", "subgraph_sdl"]

_FEDERATION_FIELDS = frozenset({"_entities", "_service"})


def client_sdl(schema: FederationSchema) -> str:
    """The API as clients see it, without federation's types, fields and directives."""
    source = graphql_schema(schema)
    query = source.query_type
    assert query is not None
    client_query = GraphQLObjectType(
        name=query.name,
        fields={k: v for k, v in query.fields.items() if k not in _FEDERATION_FIELDS},
        interfaces=query.interfaces,
        description=query.description,
    )
    kept: list[GraphQLNamedType] = [
        t
        for name, t in source.type_map.items()
        if name != query.name and not _is_federation_type(name)
    ]
    clean = GraphQLSchema(query=client_query, types=kept, directives=specified_directives)
    return print_schema(lexicographic_sort_schema(clean)) + "\n"


def subgraph_sdl(schema: FederationSchema) -> str:
    """The subgraph SDL, byte for byte what ``_service { sdl }`` answers."""
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None and result.data is not None, result.errors
    return str(result.data["_service"]["sdl"]) + "\n"


def _is_federation_type(name: str) -> bool:
    return name.startswith("_") or name.startswith("link__") or name in {"_Entity", "_Service"}
