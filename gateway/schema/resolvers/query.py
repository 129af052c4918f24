"""The root `Query`: an issue by id, and any object by its global id."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.sentry.errors import InvalidInput

from gateway.schema.execution.context import RequestContext
from gateway.schema.types.event import refetch_event
from gateway.schema.resolvers.issue import EVENT_FIELDS, Issue, resolve_issue
from gateway.schema.types.node import InvalidGlobalId, Node, decode_global_id

__all__ = ["EVENT_FIELDS", "MAX_ISSUE_IDS", "build_query_type", "resolve_node"]

#: Most ids one `issues(ids:)` field takes.
MAX_ISSUE_IDS = 500


def build_query_type() -> type:
    """A fresh `Query` class (a class cannot back two Schema objects)."""

    @strawberry.type(description="The root of every query.")
    class Query:
        @strawberry.field(
            description="An issue by Sentry's issue id (numeric), or by short id (PROJ-1A) when "
            "the organization is known (SENTRY_ORG or discovered). Its own fields (title, status, "
            "count ...) are loaded only when selected, batched with every other issue of the "
            "request; a query of its events alone makes no issue call. An unknown issue is a "
            "NOT_FOUND error: here when its own fields are selected, else on the event field."
        )
        async def issue(
            self,
            info: Info[RequestContext, None],
            id: Annotated[strawberry.ID, strawberry.argument(description="Sentry's issue id or short id.")],
        ) -> Issue | None:
            return await resolve_issue(info, str(id))

        @strawberry.field(
            description="Several issues at once, in the order asked; null (with a NOT_FOUND error at "
            "its place) where Sentry has none the caller may see. All of them, and every other "
            "issue of the request, come from one call to Sentry's organization issue index (per "
            "100 ids); without a known organization, from the issue detail route, 5 a second."
        )
        def issues(
            self,
            info: Info[RequestContext, None],
            ids: Annotated[
                list[strawberry.ID],
                strawberry.argument(description=f"Sentry issue ids (numeric, or short ids); at most {MAX_ISSUE_IDS}."),
            ],
        ) -> list[Issue | None]:
            if len(ids) > MAX_ISSUE_IDS:
                raise InvalidInput(f"issues(ids:) takes at most {MAX_ISSUE_IDS} ids, not {len(ids)}.")
            # One awaitable per id: each fails alone (null and an error at its index),
            # and the loader sees them all in one tick, so they share one call.
            return [resolve_issue(info, str(issue_id)) for issue_id in ids]  # type: ignore[misc]

        @strawberry.field(description="Any object by the global id from its `id` field.")
        async def node(
            self,
            info: Info[RequestContext, None],
            id: Annotated[strawberry.ID, strawberry.argument(description="A global id from an `id` field.")],
        ) -> Node | None:
            return await resolve_node(info, str(id))

    return Query


async def resolve_node(info: Info[RequestContext, None], global_id: str) -> Node:
    """The object a global id names, fetched through the request's loaders."""
    context = info.context
    type_name, key = decode_global_id(global_id)
    if type_name == "Issue":
        return await resolve_issue(info, key)
    if type_name == "Event":
        return await refetch_event(context, global_id)
    raise InvalidGlobalId(
        f"{global_id!r} is not a valid global id: pass the `id` field of an object this gateway returned"
    )
