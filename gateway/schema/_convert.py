"""Small readers that turn one value of Sentry's JSON into one GraphQL leaf.

Upstream data is never trusted to have the documented shape. The rule every
converter in ``gateway.schema`` follows:

* a leaf of the wrong type becomes ``None`` (a JSON string where an `Int` is
  expected, a bool where a `String` is expected, an `Int` outside GraphQL's
  32-bit range, a non-finite float ...), so serialising the result can never
  fail;
* a structure of the wrong shape inside an entry raises `Malformed`, which
  `entry_from_json` turns into an `UnknownEntry` that keeps the raw data;
* nothing here raises anything else.

A JSON object is tested as ``type(x) is dict or isinstance(x, Mapping)``:
decoders make dicts, and the ABC check alone costs more than reading a
small leaf (it runs for every tag, frame and breadcrumb of a page).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


class Malformed(ValueError):
    """A structure inside an entry's data that cannot be read as documented."""


def string(value: Any) -> str | None:
    """A JSON string, else None."""
    return value if type(value) is str else None


def integer(value: Any) -> int | None:
    """A JSON integer that fits GraphQL's 32-bit `Int`, else None (bools are not ints)."""
    if type(value) is int and INT_MIN <= value <= INT_MAX:
        return value
    return None


def number(value: Any) -> float | None:
    """A finite JSON number as a float, else None."""
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is int:
        try:
            converted = float(value)
        except OverflowError:
            return None
        return converted if math.isfinite(converted) else None
    return None


def boolean(value: Any) -> bool | None:
    """A JSON boolean, else None."""
    return value if type(value) is bool else None


def identifier(value: Any) -> str | None:
    """An id Sentry sends as int or string, as a string; else None."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    return None


def mapping(value: Any) -> Mapping[str, Any] | None:
    """A JSON object, else None."""
    return value if type(value) is dict or isinstance(value, Mapping) else None


def string_list(value: Any) -> list[str] | None:
    """A list of strings; None when it is not a list or any item is not a string."""
    if isinstance(value, list) and all(type(item) is str for item in value):
        return list(value)
    return None


def nullable_string_list(value: Any) -> list[str | None] | None:
    """A list whose items are strings or null (other items become null); else None."""
    if isinstance(value, list):
        return [item if type(item) is str else None for item in value]
    return None


def int_list(value: Any) -> list[int] | None:
    """A list of 32-bit ints (e.g. Sentry's ``[start, end]`` ranges); else None."""
    if isinstance(value, list):
        items = [integer(item) for item in value]
        if all(item is not None for item in items):
            return items  # type: ignore[return-value]
    return None


def json_list(value: Any) -> list[Any] | None:
    """A list without null items (each item passed through as JSON); else None."""
    if isinstance(value, list) and all(item is not None for item in value):
        return list(value)
    return None


# Structural readers: inside an entry a wrong shape makes the whole entry unreadable.


def require_mapping(value: Any, what: str) -> Mapping[str, Any]:
    """The JSON object an entry must have here, or `Malformed`."""
    if type(value) is dict or isinstance(value, Mapping):
        return value
    raise Malformed(f"{what} is not an object")


def optional_mapping(value: Any, what: str) -> Mapping[str, Any] | None:
    """A JSON object or null, or `Malformed`."""
    if value is None or type(value) is dict or isinstance(value, Mapping):
        return value
    raise Malformed(f"{what} is neither an object nor null")


def require_list(value: Any, what: str) -> list[Any]:
    """A JSON list (null reads as empty), or `Malformed`."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise Malformed(f"{what} is not a list")


def object_items(value: Any, what: str) -> list[Mapping[str, Any]]:
    """The objects of a list; null items are skipped (as Sentry does), others are `Malformed`."""
    items = []
    for item in require_list(value, what):
        if item is None:
            continue
        if not (type(item) is dict or isinstance(item, Mapping)):
            raise Malformed(f"an item of {what} is not an object")
        items.append(item)
    return items
