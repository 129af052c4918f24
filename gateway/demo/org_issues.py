"""``GET /api/0/organizations/{org}/issues/?group=...``: the issue index's by-id form.

What the gateway's readiness check needs of Sentry's ``OrganizationGroupIndexEndpoint``
(SENTRY_ISSUES_API.md section 2), in Sentry's order: authentication (by the caller),
the token's event scope (403), the organization (404), then ``group`` values
(every one an integer, else 400 ``Group ids must be integers``). Ids that do not
exist or that the caller cannot see are silently missing; the answer is a plain
list with no ``Link``. Found issues carry the base keys the demo store knows
(``id``, ``shortId``, ``title``), not the whole serializer. The search form
(no ``group``) is not modelled: it answers 400 saying so, never a made-up list.
"""

from __future__ import annotations

import re
from typing import Any

from .auth import Principal
from .params import ApiError, QueryParams
from .store import DEMO_ORG_ID, DEMO_ORG_SLUG, DemoStore, short_id_for

__all__ = ["ORG_ISSUES_RE", "org_issues"]

ORG_ISSUES_RE = re.compile(r"^/api/0/organizations/(?P<org>[^/]+)/issues/\Z")

_NOT_FOUND = "The requested resource does not exist"
_NO_PERMISSION = "You do not have permission to perform this action."


def org_issues(store: DemoStore, principal: Principal, org: str, query_string: bytes) -> list[dict[str, Any]]:
    """The issues the ``group`` parameters name, as far as the caller may see them."""
    if not principal.has_event_scope:
        raise ApiError.detail(403, _NO_PERMISSION)
    if org not in (DEMO_ORG_SLUG, DEMO_ORG_ID):
        raise ApiError.detail(404, _NOT_FOUND)
    params = QueryParams(query_string)
    groups = params.getlist("group")
    if not groups:
        raise ApiError.detail(400, "The demo upstream models only the group= form of the issue index")
    if not all(re.fullmatch(r"-?[0-9]+", value) for value in groups):
        raise ApiError.detail(400, "Group ids must be integers")
    found = []
    for issue_id in dict.fromkeys(str(int(value)) for value in groups):
        issue = store.issue(issue_id)
        if issue is not None and principal.can_access(issue.issue_id):
            found.append({"id": issue.issue_id, "shortId": short_id_for(issue.issue_id), "title": issue.title})
    return found
