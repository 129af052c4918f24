"""The JSON of one GraphQL answer: exact whatever the data, and bounded in size.

orjson encodes the common answer several times faster than the standard
library, but refuses two things upstream data can hold: integers beyond 64
bits (an event's ``extra`` or context may carry them) and nesting deeper than
254. Those answers are encoded by the standard library instead, which keeps
big integers exact; an answer nested deeper than even that can encode is
replaced by a coded error, never a 500. An answer larger than the configured
cap (`GATEWAY_MAX_RESPONSE_BYTES`) is replaced by a ``QUERY_TOO_COMPLEX``
error that says how large it was: the caller asks for less and gets it.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["encode_answer", "error_answer"]


def encode_answer(data: object, max_bytes: int | None = None) -> bytes:
    """`data` (a GraphQL response) as JSON bytes, or a coded error body in its place."""
    try:
        body = orjson.dumps(data)
    except TypeError:  # orjson.JSONEncodeError: a big integer, deep nesting
        try:
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
        except RecursionError:
            return error_answer(
                "The answer holds data Sentry sent nested too deeply to be written as JSON; "
                "select fewer fields of this event (its contexts, extra or entries' data).",
                "UPSTREAM_BAD_RESPONSE",
            )
        except ValueError:  # NaN or infinity: not JSON
            return error_answer(
                "The answer holds a number JSON cannot represent (NaN or infinity).",
                "UPSTREAM_BAD_RESPONSE",
            )
    if max_bytes is not None and len(body) > max_bytes:
        return error_answer(
            f"The answer would be {len(body)} bytes of JSON; answers are capped at {max_bytes}. "
            "Ask for fewer events, pages or fields at once.",
            "QUERY_TOO_COMPLEX",
            responseBytes=len(body),
            maxResponseBytes=max_bytes,
        )
    return body


def error_answer(message: str, code: str, **extensions: Any) -> bytes:
    """A GraphQL response with no data and one coded error."""
    return orjson.dumps(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    )
