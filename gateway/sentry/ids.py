"""What an issue id or event id may look like before it goes into a URL path.

Checked before any request: nothing a caller sends can reach another
upstream path or add a query parameter. A refusal names the id in its
``extensions`` (``issueId``/``eventId``, clipped like the message). The rules follow Sentry's own route
regex (``src/sentry/api/urls.py``) and ``GroupEndpoint.convert_args``.
"""

from __future__ import annotations

import re

from .errors import InvalidInput

__all__ = ["SPECIAL_EVENT_IDS", "validate_event_id", "validate_issue_id"]

SPECIAL_EVENT_IDS = frozenset({"latest", "oldest", "recommended"})

_NUMERIC_ID = re.compile(r"^[0-9]{1,20}$")
# A qualified short id: project slug, dash, base-36 counter (e.g. PROJ-1A, my_app-2B).
_SHORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*-[A-Za-z0-9]{1,12}$")
_HEX_EVENT_ID = re.compile(r"^[A-Fa-f0-9-]{32,36}$")


def validate_issue_id(issue_id: str, *, org_scoped: bool) -> str:
    """Return `issue_id` if Sentry can resolve it on the route in use, else raise.

    A numeric id works on both routes; a short id such as ``PROJ-1A`` only on
    the organization-scoped route (the unscoped one answers 404 for it).
    """
    if _NUMERIC_ID.match(issue_id):
        return issue_id
    if len(issue_id) <= 120 and _SHORT_ID.match(issue_id):
        if org_scoped:
            return issue_id
        raise InvalidInput(
            f"Issue id {issue_id!r} looks like a short id; short ids work only on the "
            "organization routes, and this credential's organization is not known: set "
            "SENTRY_ORG, or use a token with org:read that belongs to exactly one "
            "organization. Or use the numeric issue id instead.",
            issue_id=issue_id,
        )
    raise InvalidInput(
        f"Issue id {_clip(issue_id)!r} is not valid: use Sentry's numeric issue id"
        + (" or a short id such as PROJ-1A." if org_scoped else "."),
        issue_id=_clip(issue_id),
    )


def validate_event_id(event_id: str, *, issue_id: str | None = None) -> str:
    """Return `event_id` if Sentry's route accepts it, else raise `InvalidInput`
    (naming `issue_id` too, when given).

    Accepted: ``latest``, ``oldest``, ``recommended``, all digits, or 32 to 36
    characters of hex digits and dashes (an event id, with or without dashes).
    """
    if event_id in SPECIAL_EVENT_IDS or _NUMERIC_ID.match(event_id) or _HEX_EVENT_ID.match(event_id):
        return event_id
    raise InvalidInput(
        f"Event id {_clip(event_id)!r} is not valid: use a 32-character hex event id "
        "(dashes allowed), or latest, oldest or recommended.",
        event_id=_clip(event_id),
        issue_id=issue_id,
    )


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
