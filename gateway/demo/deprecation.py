"""Sentry's deprecation of the unscoped issue routes (``api/helpers/deprecation.py``).

The GET views of ``/api/0/{issues|groups}/{id}/...`` (group details, events, event
details, tags) carry ``@deprecated(CELL_API_DEPRECATION_DATE, ...)``. What a client sees:

* every response **the view returns** on such a URL has ``X-Sentry-Deprecation-Date``
  (group details also ``X-Sentry-Replacement-Endpoint``); 401, 403, 429 and the issue
  lookup's 404 come first and carry neither, nor do errors the view raises (400, 500);
* during a brownout the view is replaced by 410 ``{"message": "This API no longer
  exists."}`` (with the header).

The organization routes are unaffected. `Brownout` is the demo's switch for the
brownout: ``create_demo_app(brownout=True)``, ``demo-upstream --brownout``, or the
loopback-only control endpoint ``/_demo/brownout`` (``GET`` reads it, ``POST
{"active": true|false}`` sets it, ``DELETE`` turns it off).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = [
    "BROWNOUT_CONTROL_PATH",
    "Brownout",
    "DEPRECATION_DATE",
    "GONE_BODY",
    "brownout_control",
    "deprecation_headers",
    "gone_response",
]

#: ``CELL_API_DEPRECATION_DATE.isoformat()`` (the real date is UNCONFIRMED in the facts).
DEPRECATION_DATE = "2026-01-01T00:00:00+00:00"
GONE_BODY = b'{"message":"This API no longer exists."}'
BROWNOUT_CONTROL_PATH = "/_demo/brownout"


@dataclass
class Brownout:
    """Whether the unscoped routes answer 410 right now."""

    active: bool = False


def deprecation_headers(replacement: str | None = None) -> dict[str, str]:
    """The headers a deprecated view's response carries."""
    headers = {"X-Sentry-Deprecation-Date": DEPRECATION_DATE}
    if replacement is not None:
        headers["X-Sentry-Replacement-Endpoint"] = replacement
    return headers


def gone_response(replacement: str | None = None) -> Response:
    """The brownout answer that replaces the view."""
    return Response(
        GONE_BODY, status_code=410, headers=deprecation_headers(replacement), media_type="application/json"
    )


async def brownout_control(brownout: Brownout, scope: Scope, receive: Receive, send: Send) -> None:
    """``GET``/``POST``/``DELETE /_demo/brownout`` (the caller checked loopback)."""
    request = Request(scope, receive)
    status = 200
    if request.method == "POST":
        try:
            payload = json.loads(await request.body())
            if not isinstance(payload, dict) or set(payload) != {"active"} or not isinstance(payload["active"], bool):
                raise ValueError('the body must be {"active": true} or {"active": false}')
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            status = 400
            body: dict[str, object] = {"detail": str(exc)}
        else:
            brownout.active = payload["active"]
    elif request.method == "DELETE":
        brownout.active = False
    elif request.method not in ("GET", "HEAD"):
        status = 405
    if status == 200:
        body = {"active": brownout.active, "deprecationDate": DEPRECATION_DATE}
    elif status == 405:
        body = {"detail": f'Method "{request.method}" not allowed.'}
    response = Response(json.dumps(body), status, media_type="application/json")
    await response(scope, receive, send)


def is_brownout_control(path: str) -> bool:
    return path in (BROWNOUT_CONTROL_PATH, BROWNOUT_CONTROL_PATH + "/")
