"""``GET /api/0/organizations/``: the organizations a caller belongs to (SENTRY_ISSUES_API.md §4).

What a client can observe of ``OrganizationIndexEndpoint``:

* needs ``org:read``/``org:write``/``org:admin`` (403 otherwise, after authentication);
  no ``enforce_rate_limit``, so no ``X-Sentry-Rate-Limit-*`` headers;
* lists the caller's organizations, newest first (``-date_added``), ``per_page`` up to 100,
  with value cursors in the ``Link`` header: epoch milliseconds of ``dateCreated``,
  rounded up for ``next`` and down for ``previous`` (one organization created
  ``2020-01-01T00:00:00.000500Z`` gives ``1577836800000:0:1`` and ``1577836800001:100:0``);
* ``query``: free text matching name or slug, or ``slug:``/``id:``; another key is ``[]``;
* items carry Sentry's keys (`organization_json`); clients should rely on ``id``, ``slug``
  and ``name`` only.

The demo has two organizations: ``demo`` (every issue lives there) and ``other``
(no issues; only ``sntryu_multiorg`` belongs to both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .paginators import CursorResult, link_header, value_page
from .params import ApiError, QueryParams, get_cursor, get_per_page, internal_error
from .store import DEMO_ORG_ID, DEMO_ORG_SLUG

if TYPE_CHECKING:
    from .auth import Principal

__all__ = ["OTHER_ORG_ID", "OTHER_ORG_SLUG", "DemoOrganization", "ORGANIZATIONS", "list_organizations"]

OTHER_ORG_SLUG = "other"
OTHER_ORG_ID = "4"
_NO_PERMISSION = "You do not have permission to perform this action."


@dataclass(frozen=True)
class DemoOrganization:
    """One organization: what its serializer needs."""

    id: str
    slug: str
    name: str
    date_created: str  # Sentry's string, microseconds and a ``Z``

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self.date_created.replace("Z", "+00:00"))

    @property
    def created_ms(self) -> float:
        return self.created.timestamp() * 1000


ORGANIZATIONS: dict[str, DemoOrganization] = {
    DEMO_ORG_SLUG: DemoOrganization(DEMO_ORG_ID, DEMO_ORG_SLUG, "Demo Organization", "2020-01-01T00:00:00.000500Z"),
    OTHER_ORG_SLUG: DemoOrganization(OTHER_ORG_ID, OTHER_ORG_SLUG, "Other Organization", "2023-05-17T09:30:12.250000Z"),
}


def organization_json(org: DemoOrganization, url_prefix: str) -> dict[str, Any]:
    """The list item, keys in the serializer's order."""
    return {
        "id": org.id,
        "slug": org.slug,
        "status": {"id": "active", "name": "active"},
        "name": org.name,
        "dateCreated": org.date_created,
        "isEarlyAdopter": False,
        "require2FA": False,
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None, "avatarUrl": None},
        "links": {
            "organizationUrl": f"{url_prefix.rstrip('/')}/organizations/{org.slug}/",
            "regionUrl": url_prefix.rstrip("/"),
        },
        "hasAuthProvider": False,
        "allowMemberInvite": True,
        "allowMemberProjectCreation": True,
        "allowSuperuserAccess": True,
    }


def _matches(org: DemoOrganization, query: str | None) -> bool:
    if not query:
        return True
    key, sep, value = query.partition(":")
    if not sep:
        text = query.lower()
        return text in org.name.lower() or text in org.slug.lower()
    if key == "slug":
        return org.slug == value
    if key == "id":
        return org.id == value
    return False  # another key: Sentry answers []


def list_organizations(
    principal: Principal, query_string: bytes, path: str, url_prefix: str
) -> tuple[int, Any, dict[str, str]]:
    """(status, body, headers) of ``GET /api/0/organizations/`` for an authenticated caller."""
    if not principal.has_org_scope:
        raise ApiError.detail(403, _NO_PERMISSION)
    params = QueryParams(query_string)
    per_page = get_per_page(params)
    cursor = get_cursor(params)
    if per_page <= 0:
        raise internal_error()  # the paginator's ``assert limit > 0``
    rows = sorted(
        (ORGANIZATIONS[slug] for slug in principal.orgs if _matches(ORGANIZATIONS[slug], params.get("query"))),
        key=lambda org: org.created_ms,
        reverse=True,
    )
    page: CursorResult[DemoOrganization] = value_page(rows, lambda org: math.ceil(org.created_ms), per_page, cursor)
    if page.results and (cursor is None or not cursor.is_prev):
        # Going back, the key is rounded down (DateTimePaginator's ``for_prev``).
        page = replace(page, prev=replace(page.prev, value=math.floor(page.results[0].created_ms)))
    link = link_header(url_prefix, path, params.urlencode(without="cursor"), page)
    return 200, [organization_json(org, url_prefix) for org in page.results], {"Link": link}
