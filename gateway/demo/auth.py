"""Bearer-token authentication and access rules of the demo organization.

Mirrors ``sentry.api.authentication`` for what a client can observe:

* ``Authorization: Bearer <token>``, scheme matched case-insensitively, token as-is;
  ``Bearer`` alone or a token with spaces are the two "Invalid token header" 401s;
* unknown ``sntrys_`` org tokens: ``Invalid org token``; any other unknown token:
  ``Invalid token``;
* legacy API keys by HTTP Basic (key as user name, empty password): the demo has none,
  so a well-formed one is ``API key is not valid``;
* no usable credentials: ``Authentication credentials were not provided.``.

Every 401 carries ``WWW-Authenticate: xBasic realm="api"``. The demo's tokens:

============== ================================================================
``sntryu_demo``    full access (the gateway sends it in demo mode)
``sntryu_noscope`` valid, but without ``event:read``: 403 on every issue endpoint
``sntryu_alice``   every issue except the private issue 6
``sntryu_bob``     issue 6 and issue 2 only
``sntryu_events``  every issue, ``event:read`` only: no ``org:read``, so 403 on
                   ``/api/0/organizations/`` (a least-privilege token)
``sntryu_multiorg`` every issue, member of two organizations (``demo`` and ``other``)
============== ================================================================

Organization membership (`Principal.orgs`) decides what ``GET /api/0/organizations/``
lists; listing needs ``org:read``/``org:write``/``org:admin`` (`has_org_scope`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from .params import ApiError
from .organizations import OTHER_ORG_SLUG
from .store import DEMO_ORG_SLUG, DEMO_TOKEN

__all__ = ["Principal", "TOKENS", "authenticate", "auth_label", "PRIVATE_ISSUE_ID"]

PRIVATE_ISSUE_ID = "6"
_EVENT_SCOPES = frozenset({"event:read", "event:write", "event:admin"})
_ORG_SCOPES = frozenset({"org:read", "org:write", "org:admin"})
_WWW_AUTHENTICATE = {"WWW-Authenticate": 'xBasic realm="api"'}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: its name (for request logs), scopes and issue access."""

    name: str
    scopes: frozenset[str]
    can_access: Callable[[str], bool]
    #: Slugs of the organizations the caller is a member of.
    orgs: tuple[str, ...] = (DEMO_ORG_SLUG,)

    @property
    def has_event_scope(self) -> bool:
        return bool(self.scopes & _EVENT_SCOPES)

    @property
    def has_org_scope(self) -> bool:
        """May list organizations (``GET /api/0/organizations/``)."""
        return bool(self.scopes & _ORG_SCOPES)


_ALL = frozenset({"event:read", "event:write", "event:admin", "project:read", "org:read"})

TOKENS: dict[str, Principal] = {
    DEMO_TOKEN: Principal("demo", _ALL, lambda issue_id: True),
    "sntryu_noscope": Principal("noscope", frozenset({"org:read"}), lambda issue_id: True),
    "sntryu_alice": Principal(
        "alice", frozenset({"event:read"}), lambda issue_id: issue_id != PRIVATE_ISSUE_ID
    ),
    "sntryu_bob": Principal(
        "bob", frozenset({"event:read"}), lambda issue_id: issue_id in (PRIVATE_ISSUE_ID, "2")
    ),
    "sntryu_events": Principal("events", frozenset({"event:read"}), lambda issue_id: True),
    "sntryu_multiorg": Principal(
        "multiorg",
        frozenset({"event:read", "org:read"}),
        lambda issue_id: True,
        orgs=(DEMO_ORG_SLUG, OTHER_ORG_SLUG),
    ),
}


def _unauthorized(message: str) -> ApiError:
    return ApiError.detail(401, message, **_WWW_AUTHENTICATE)


def authenticate(header: str | None) -> Principal:
    """The caller behind an ``Authorization`` header, or the 401 Sentry would answer."""
    parts = (header or "").split()
    if parts and parts[0].lower() == "bearer":
        if len(parts) == 1:
            raise _unauthorized("Invalid token header. No credentials provided.")
        if len(parts) > 2:
            raise _unauthorized("Invalid token header. Token string should not contain spaces.")
        principal = TOKENS.get(parts[1])
        if principal is not None:
            return principal
        if parts[1].startswith("sntrys_"):
            raise _unauthorized("Invalid org token")
        raise _unauthorized("Invalid token")
    if len(parts) == 2 and parts[0].lower() == "basic":
        try:
            user, _, password = base64.b64decode(parts[1], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user, password = "", "x"
        if user and not password:
            raise _unauthorized("API key is not valid")
    raise _unauthorized("Authentication credentials were not provided.")


def auth_label(header: str | None) -> str | None:
    """How a request log names the credential: the token's name, else a short hash."""
    if not header:
        return None
    parts = header.split()
    if len(parts) == 2 and parts[0].lower() == "bearer" and parts[1] in TOKENS:
        return TOKENS[parts[1]].name
    return "sha256:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:12]
