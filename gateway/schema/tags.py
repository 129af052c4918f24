"""`Issue.tags`: tag facets from ``GET .../issues/{id}/tags/`` (SENTRY_ISSUES_API.md §3).

Sentry leaves the order of the keys undefined, so the gateway sorts facets by
key (a client sees the same order every time); top values keep Sentry's order
(by count, highest first).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import strawberry

from ._convert import integer, mapping, string
from .scalars import DateTime

__all__ = ["TagFacet", "TagValue", "tag_facets_from_json"]


@strawberry.type(description="One value of a tag key on an issue's events, with how often it was seen.")
class TagValue:
    key: Optional[str] = strawberry.field(description="The tag key (without Sentry's `sentry:` prefix).")
    name: Optional[str] = strawberry.field(
        description="The value for display: for `user` values, without the `id:`/`email:`/`username:`/`ip:` prefix."
    )
    value: Optional[str] = strawberry.field(description="The value as stored.")
    count: Optional[int] = strawberry.field(description="Events of the issue carrying this value.")
    firstSeen: Optional[DateTime] = strawberry.field(description="First event with this value (whole seconds).")
    lastSeen: Optional[DateTime] = strawberry.field(description="Latest event with this value (whole seconds).")
    query: Optional[str] = strawberry.field(
        description="Sentry search syntax that finds this value (user values only, e.g. `user.id:\"42\"`)."
    )


@strawberry.type(description="A tag key on an issue's events and its most frequent values.")
class TagFacet:
    key: str = strawberry.field(description="The tag key (`browser`, `environment`, `user` ...; no `sentry:` prefix).")
    name: Optional[str] = strawberry.field(description="Sentry's label for the key (`User`, `Release`, `Server` ...).")
    totalValues: Optional[int] = strawberry.field(
        description="Events of the issue that carry this key (not the number of distinct values)."
    )
    topValues: list[TagValue] = strawberry.field(
        description="The most frequent values, most frequent first (at most `limit`); empty values are left out."
    )


def _value(data: Mapping[str, Any]) -> TagValue:
    return TagValue(
        key=string(data.get("key")),
        name=string(data.get("name")),
        value=string(data.get("value")),
        count=integer(data.get("count")),
        firstSeen=string(data.get("firstSeen")),
        lastSeen=string(data.get("lastSeen")),
        query=string(data.get("query")),
    )


def tag_facets_from_json(items: list[Any]) -> list[TagFacet]:
    """Facets from the endpoint's list (each item has a string ``key``), sorted by key."""
    facets = []
    for item in items:
        data = mapping(item)
        if data is None or string(data.get("key")) is None:
            continue
        values = data.get("topValues")
        top = [_value(v) for v in values if mapping(v) is not None] if isinstance(values, list) else []
        facets.append(
            TagFacet(key=data["key"], name=string(data.get("name")), totalValues=integer(data.get("totalValues")), topValues=top)
        )
    facets.sort(key=lambda facet: facet.key)
    return facets
