"""The root `Query`: an issue by id, and any object by its global id."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.types import Info

from gateway.sentry.filters import EventFilters

from .context import RequestContext
from .event import refetch_event
from .issue import Issue
from .node import InvalidGlobalId, Node, decode_global_id
from .selection import child_field_names

#: The fields of `Issue` that call Sentry themselves.
EVENT_FIELDS = frozenset({"events", "event", "latestEvent", "oldestEvent", "recommendedEvent"})


def build_query_type() -> type:
    """A fresh `Query` class (a class cannot back two Schema objects)."""

    @strawberry.type(description="The root of every query.")
    class Query:
        @strawberry.field(
            description="An issue by Sentry's issue id (numeric), or by short id (PROJ-1A) when "
            "SENTRY_ORG is set. No upstream call is made until one of its event fields is "
            "selected; an unknown issue is a NOT_FOUND error on that field."
        )
        async def issue(
            self,
            info: Info[RequestContext, None],
            id: Annotated[
                strawberry.ID, strawberry.argument(description="Sentry's issue id or short id.")
            ],
        ) -> Issue | None:
            issue = Issue.for_id(str(id), org_scoped=info.context.loaders.org_scoped)
            await ensure_exists(info, issue)
            return issue

        @strawberry.field(description="Any object by the global id from its `id` field.")
        async def node(
            self,
            info: Info[RequestContext, None],
            id: Annotated[
                strawberry.ID, strawberry.argument(description="A global id from an `id` field.")
            ],
        ) -> Node | None:
            return await resolve_node(info, str(id))

    return Query


async def ensure_exists(info: Info[RequestContext, None], issue: Issue) -> None:
    """Make an unknown issue a NOT_FOUND error in its own place.

    An `Issue` costs no call by itself, and its event fields report an unknown
    issue where they stand. Only when nothing below it reaches Sentry (just
    `id`, `issueId`) does this spend one small call (``per_page=1``, simple)
    to learn that the issue exists and may be read.
    """
    if child_field_names(info._raw_info) & EVENT_FIELDS:
        return
    await info.context.loaders.page(
        str(issue.issueId), cursor=None, per_page=1, full=False, filters=EventFilters()
    )


async def resolve_node(info: Info[RequestContext, None], global_id: str) -> Node:
    """The object a global id names, fetched through the request's loaders."""
    context = info.context
    type_name, key = decode_global_id(global_id)
    if type_name == "Issue":
        issue = Issue.for_id(key, org_scoped=context.loaders.org_scoped)
        await ensure_exists(info, issue)
        return issue
    if type_name == "Event":
        return await refetch_event(context, global_id)
    raise InvalidGlobalId(f"{global_id!r} is not a valid global id: pass the `id` field of an object this gateway returned")
