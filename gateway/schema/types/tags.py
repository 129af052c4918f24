"""`Issue.tags`: tag facets from ``GET .../issues/{id}/tags/`` (SENTRY_ISSUES_API.md §3).

Sentry leaves the order of the keys undefined, so the gateway sorts facets by
key (a client sees the same order every time); top values keep Sentry's order
(by count, highest first).
"""

from __future__ import annotations

from typing import Any, Optional

import strawberry

from gateway.schema.mapping.declare import build, each, sentry_field
from gateway.schema.mapping.readers import integer, objects_in_list, string, tag_objects
from gateway.schema.types.scalars import DateTime

__all__ = ["TagFacet", "TagValue", "tag_facets_from_json"]


@strawberry.type(description="One value of a tag key on an issue's events, with how often it was seen.")
class TagValue:
    key: Optional[str] = sentry_field("key", string, description="The tag key (without Sentry's `sentry:` prefix).")
    name: Optional[str] = sentry_field(
        "name",
        string,
        description="The value for display: for `user` values, without the `id:`/`email:`/`username:`/`ip:` prefix.",
    )
    value: Optional[str] = sentry_field("value", string, description="The value as stored.")
    count: Optional[int] = sentry_field("count", integer, description="Events of the issue carrying this value.")
    firstSeen: Optional[DateTime] = sentry_field(
        "firstSeen", string, description="First event with this value (whole seconds)."
    )
    lastSeen: Optional[DateTime] = sentry_field(
        "lastSeen", string, description="Latest event with this value (whole seconds)."
    )
    query: Optional[str] = sentry_field(
        "query",
        string,
        description='Sentry search syntax that finds this value (user values only, e.g. `user.id:"42"`).',
    )


@strawberry.type(description="A tag key on an issue's events and its most frequent values.")
class TagFacet:
    key: str = sentry_field(
        "key", description="The tag key (`browser`, `environment`, `user` ...; no `sentry:` prefix)."
    )
    name: Optional[str] = sentry_field(
        "name", string, description="Sentry's label for the key (`User`, `Release`, `Server` ...)."
    )
    totalValues: Optional[int] = sentry_field(
        "totalValues",
        integer,
        description="Events of the issue that carry this key (not the number of distinct values).",
    )
    topValues: list[TagValue] = sentry_field(
        "topValues",
        each(TagValue, objects_in_list),
        description="The most frequent values, most frequent first (at most `limit`); empty values are left out.",
    )


def tag_facets_from_json(items: list[Any]) -> list[TagFacet]:
    """Facets from the endpoint's list (each item an object with a string ``key``), sorted by key."""
    facets = [build(TagFacet, data) for data in tag_objects(items)]
    facets.sort(key=lambda facet: facet.key)
    return facets
