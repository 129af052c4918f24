"""The two SDL files: the client-facing API and the federation subgraph.

* ``schema.graphql`` is what clients and their tools (codegen, relay-compiler)
  read: the API without federation's plumbing (``_entities``, ``_service``,
  ``_Any``, the ``@key``/``@link`` directives), sorted by name: what
  introspection shows (`gateway.schema.execution.introspection`).
* ``subgraph.graphql`` is what a supergraph composes: exactly the SDL the
  running gateway returns from ``{ _service { sdl } }``.
"""

from __future__ import annotations

from graphql import lexicographic_sort_schema, print_schema
from strawberry.federation import Schema as FederationSchema

from gateway.compat import graphql_schema

from gateway.schema.execution.introspection import client_schema

__all__ = ["client_sdl", "subgraph_sdl"]


def client_sdl(schema: FederationSchema) -> str:
    """The API as clients see it (and introspect it), without federation's plumbing."""
    return print_schema(lexicographic_sort_schema(client_schema(graphql_schema(schema)))) + "\n"


def subgraph_sdl(schema: FederationSchema) -> str:
    """The subgraph SDL, byte for byte what ``_service { sdl }`` answers."""
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None and result.data is not None, result.errors
    return str(result.data["_service"]["sdl"]) + "\n"
