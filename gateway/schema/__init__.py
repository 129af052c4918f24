"""The GraphQL schema: `Query.issue` -> `Issue.events`, a Relay connection of `Event`s.

Built with ``auto_camel_case=False``: Python attribute names are the GraphQL
names, which mirror Sentry's JSON keys (``eventID``, ``dateCreated``,
``lineNo``), so a reader can match a field to Sentry's payload at a glance.

The packages below import downward only (import-linter checks it):
``resolvers`` (the root fields and the resolvers that call Sentry) ->
``execution`` (the pipeline, limits, cost, compiled completion, error codes)
-> ``paging`` (cursors, exact paging) -> ``types`` (the Strawberry types, each
field declaring its Sentry key) -> ``mapping`` (reading Sentry's JSON by those
declarations).
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, Info

from gateway import compat
from gateway.compat import StrawberryExecutionContext
from gateway.schema.execution.compiled import CompiledExecutionContext, execution_context_class
from gateway.schema.execution.context import RequestContext
from gateway.schema.execution.errors import is_expected
from gateway.schema.execution.introspection import ClientIntrospection, attach_client_schema
from gateway.schema.execution.pipeline import OperationPipeline
from gateway.schema.execution.protection import Limits
from gateway.schema.execution.sdl import client_sdl, subgraph_sdl
from gateway.schema.resolvers.issue import Issue
from gateway.schema.resolvers.query import build_query_type
from gateway.schema.types.event import Event
from gateway.schema.types.issue_fields import AssignedTeam, AssignedUser
from gateway.schema.types.scalars import SCALAR_MAP
from gateway.sentry.errors import InvalidInput

__all__ = ["RequestContext", "build_schema", "export_sdl"]

logger = logging.getLogger("gateway.errors")


class ClientCompiledExecutionContext(ClientIntrospection, CompiledExecutionContext):
    """The compiled executor; introspection sees the client schema."""


class ClientExecutionContext(ClientIntrospection, StrawberryExecutionContext):
    """graphql-core's own completion (the reference); introspection sees the client schema."""


#: The federation entities this subgraph resolves.
ENTITY_TYPES = frozenset({"Issue", "Event"})


class GatewaySchema(strawberry.federation.Schema):
    """The federation schema, with two gateway rules on top.

    Only errors that are bugs of ours are logged (once, with their traceback),
    and a malformed `_entities` representation fails alone, as
    ``BAD_USER_INPUT``, instead of taking the whole batch down.
    """

    # Annotations as in the base class: strawberry builds `_entities` from them.
    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        results: list[Any] = [None] * len(representations)
        valid = []
        for index, representation in enumerate(representations):
            if isinstance(representation, dict) and representation.get("__typename") in ENTITY_TYPES:
                valid.append(index)
            else:
                results[index] = InvalidInput(
                    f"Representation {index} must be an object whose __typename is one of "
                    f"{', '.join(sorted(ENTITY_TYPES))}."
                )
        resolved = super().entities_resolver(info, [dict(representations[i]) for i in valid])  # type: ignore[call-overload]
        for index, result in zip(valid, resolved):
            results[index] = result
        return results

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            if not is_expected(error):
                logger.error("Unexpected error resolving %s", error.path, exc_info=error.original_error)


def build_schema(
    *,
    max_depth: int | None = None,
    max_aliases: int | None = None,
    max_tokens: int | None = None,
    introspection: bool = True,
    compiled: bool = True,
    max_fragments: int | None = None,
    max_spreads: int | None = None,
    max_upstream_bytes: int | None = None,
    **kwargs: Any,
) -> GatewaySchema:
    """A new schema object: the client API, served as an Apollo Federation 2 subgraph.

    Federation 2.9 is the newest version both Apollo's and The Guild's
    composers accept. The limits are optional so tools (``export-schema``)
    can build the schema without settings. `compiled` completes plain-data
    subtrees with `CompiledExecutionContext` (graphql-core's own completion
    when False: the reference the compiled one is tested against).
    """
    limits = Limits.build(
        max_depth=max_depth,
        max_aliases=max_aliases,
        max_tokens=max_tokens,
        introspection=introspection,
        max_fragments=max_fragments,
        max_spreads=max_spreads,
        max_upstream_bytes=max_upstream_bytes,
    )
    if compat.HAS_STRAWBERRY_EXECUTION_CONTEXT:
        use_compiled = compiled and execution_context_class() is not None
        kwargs.setdefault(
            "execution_context_class",
            ClientCompiledExecutionContext if use_compiled else ClientExecutionContext,
        )
    schema = GatewaySchema(
        query=build_query_type(),
        types=[Issue, Event, AssignedUser, AssignedTeam, *_entry_types()],
        extensions=[OperationPipeline.factory(limits)],
        config=StrawberryConfig(auto_camel_case=False, scalar_map=SCALAR_MAP),
        federation_version="2.9",
        **kwargs,
    )
    attach_client_schema(compat.graphql_schema(schema))
    return schema


def export_sdl(*, federation: bool = False) -> str:
    """``schema.graphql`` (the client API) or, with `federation`, ``subgraph.graphql``."""
    schema = build_schema()
    return subgraph_sdl(schema) if federation else client_sdl(schema)


def _entry_types() -> list[type]:
    from gateway.schema.types import entries

    members = (getattr(entries, name) for name in entries.__all__ if name.endswith("Entry"))
    return [member for member in members if isinstance(member, type)]
