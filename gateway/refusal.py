"""The coded JSON refusal an ASGI guard answers before the GraphQL view runs.

The guards in front of the app (`gateway.hosts`, `gateway.body_limit`,
`gateway.rate_limit`) refuse a request with an HTTP status and the body of a
GraphQL request error: one error with ``extensions.code`` and no ``data``
(execution never started), so a client reads it like any other error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from starlette.types import Send

__all__ = ["send_refusal"]


async def send_refusal(
    send: Send,
    status: int,
    message: str,
    *,
    code: str = "BAD_USER_INPUT",
    extensions: Mapping[str, Any] | None = None,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Answer `status` with one coded error (`extensions` beside its code) and `headers`."""
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code, **(extensions or {})}}]})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
