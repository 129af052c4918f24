"""Cross-site request forgery prevention, as Apollo Server's ``csrfPrevention`` does it.

A gateway with its own ``SENTRY_AUTH_TOKEN`` answers callers that send no
``Authorization`` header with that token: an ambient credential, like a cookie.
A page on any origin can make a browser send a "simple" request (a GET, or a
POST whose ``Content-Type`` is ``text/plain``, ``multipart/form-data`` or
``application/x-www-form-urlencoded``) without asking the gateway first
(no CORS preflight); the browser hides the answer, but the query has run with
the token. Requests that would run with the gateway's token must therefore be
ones a browser only sends after a preflight: a ``Content-Type`` that is not
simple (``application/json``, as every GraphQL client POSTs), or a non-empty
``apollo-require-preflight`` or ``x-apollo-operation-name`` header (Apollo's
names, so Apollo's clients and docs apply). A caller sending its own
``Authorization`` carries no ambient credential and is never refused here.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CSRF_MESSAGE", "PREFLIGHT_HEADERS", "is_simple_request"]

#: Content types a browser sends cross-origin without a preflight (the Fetch
#: standard's CORS-safelisted values).
SIMPLE_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
#: Headers whose presence (non-empty) forces a browser to preflight.
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")

CSRF_MESSAGE = (
    "This request was blocked as a potential cross-site request forgery: it carries no "
    "Authorization header, so it would run with the gateway's own Sentry token, and a "
    "browser could send it from any page. Send a Content-Type other than "
    f"{', '.join(sorted(SIMPLE_CONTENT_TYPES))} (POST application/json), or a non-empty "
    f"{' or '.join(PREFLIGHT_HEADERS)} header, or your own Authorization header."
)


def is_simple_request(headers: Mapping[str, str]) -> bool:
    """True when a browser could have sent this request cross-origin without a preflight.

    `headers` is looked up by lower-case name (Starlette's and cross_web's
    header mappings are case-insensitive).
    """
    content_type = headers.get("content-type")
    if content_type is not None:
        essence = content_type.partition(";")[0].strip().lower()
        if essence not in SIMPLE_CONTENT_TYPES:
            return False
    return not any(headers.get(name) for name in PREFLIGHT_HEADERS)
