"""The custom scalars of the schema: `JSON`, `DateTime` and `BigInt`.

`DateTime` output passes Sentry's own ISO-8601 string through untouched, so a
value such as ``2020-09-07T18:44:56.513Z`` reaches the caller byte for byte
instead of being re-rendered with a different number of fraction digits.
Input (the `start` / `end` arguments) is parsed into an aware ``datetime``.

`BigInt` carries counts that outgrow GraphQL's 32-bit `Int` (an issue's
``count``, which Sentry itself sends as a string for that reason). It is
written as a JSON *string* of decimal digits, as Sentry writes it, because
JSON numbers above 2^53 lose precision in JavaScript clients.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

JSON = NewType("JSON", object)
"""Any JSON value, passed through as Sentry sent it."""

DateTime = NewType("DateTime", object)
"""An ISO-8601 timestamp (Sentry's string on output, an aware datetime on input)."""

BigInt = NewType("BigInt", int)
"""A non-negative or negative integer of any size, written as a string of decimal digits."""


def serialize_bigint(value: Any) -> str:
    """An int (any size) as its decimal text; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"BigInt cannot represent {type(value).__name__}")
    return str(value)


def parse_bigint(value: Any) -> int:
    """A string of decimal digits (optionally signed), or a JSON integer."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.strip().lstrip("+-").isdigit() and len(value) <= 100:
        return int(value)
    raise ValueError('BigInt must be an integer or a string of decimal digits, e.g. "150"')


def serialize_datetime(value: Any) -> str:
    """Sentry's string as it came; a ``datetime`` rendered as UTC with a ``Z``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    raise ValueError(f"DateTime cannot represent {type(value).__name__}")


def parse_datetime(value: Any) -> dt.datetime:
    """Parse an RFC 3339 / ISO-8601 string; a missing offset means UTC."""
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO-8601 string, e.g. 2026-01-31T12:00:00Z")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed


SCALAR_MAP: dict[object, ScalarDefinition] = {
    JSON: strawberry.scalar(
        name="JSON",
        description="Any JSON value (object, array, string, number, boolean or null), "
        "passed through as Sentry sent it.",
        specified_by_url="https://ecma-international.org/publications-and-standards/standards/ecma-404/",
        serialize=lambda value: value,
        parse_value=lambda value: value,
    ),
    DateTime: strawberry.scalar(
        name="DateTime",
        description="A date-time in ISO-8601 / RFC 3339 form. Output is Sentry's own string "
        "(UTC with a `Z`); input without an offset is taken as UTC.",
        specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339",
        serialize=serialize_datetime,
        parse_value=parse_datetime,
    ),
    BigInt: strawberry.scalar(
        name="BigInt",
        description='An integer of any size, written as a string of decimal digits ("150", '
        '"98765432109"): counts that outgrow `Int` (32 bits) and JSON numbers (53 bits). '
        "Sentry sends issue counts this way for the same reason.",
        serialize=serialize_bigint,
        parse_value=parse_bigint,
    ),
}
