"""The Relay connection types of `Issue.events`: plain data, built once per page."""

from __future__ import annotations

import strawberry

from gateway.schema.types.event import Event


@strawberry.federation.type(
    shareable=True,
    description="Where a page of a connection sits in the whole list (Relay PageInfo). "
    "Shareable, so supergraphs whose other subgraphs define `PageInfo` too compose.",
)
class PageInfo:
    hasNextPage: bool = strawberry.field(
        description="True when more events follow this page in the direction of `first`/`after` "
        '(Sentry\'s `results="true"`); exact in both directions, also when paging backward.'
    )
    hasPreviousPage: bool = strawberry.field(
        description="True when events come before this page (newer ones, in Sentry's newest-first "
        "order); exact in both directions, also when paging forward."
    )
    startCursor: str | None = strawberry.field(
        description="The cursor of the first edge, or null when the page is empty."
    )
    endCursor: str | None = strawberry.field(description="The cursor of the last edge, or null when the page is empty.")


@strawberry.type(description="One event in a page of `Issue.events`, with its cursor.")
class EventEdge:
    cursor: str = strawberry.field(
        description="Opaque cursor of this event; pass it as `after` or `before` with the same "
        "issue and filter arguments to page on from here."
    )
    node: Event = strawberry.field(description="The event.")


@strawberry.type(description="A page of an issue's events, newest first (Sentry's order), as a Relay connection.")
class EventConnection:
    edges: list[EventEdge] = strawberry.field(description="The events of this page with their cursors.")
    nodes: list[Event] = strawberry.field(
        description="The events of this page, without cursors (the same as `edges { node }`)."
    )
    pageInfo: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
