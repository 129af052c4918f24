"""Readers: each turns the JSON value under one Sentry key into one field's value.

A field declares its reader with its key (`gateway.schema.mapping.declare`);
the reader is called with the value, or ``None`` when the key is missing, and
what it makes of ``None`` is the field's empty value. Upstream data is never
trusted to have the documented shape. The rule every reader follows:

* a leaf of the wrong type becomes ``None`` (a JSON string where an `Int` is
  expected, a bool where a `String` is expected, an `Int` outside GraphQL's
  32-bit range, a non-finite float ...), so serialising the result can never
  fail;
* a structure of the wrong shape inside an entry raises `Malformed`, which
  `gateway.schema.types.entries.entry_from_json` turns into an `UnknownEntry`
  that keeps the raw data;
* nothing here raises anything else.

A JSON object is tested as ``type(x) is dict or isinstance(x, Mapping)``:
decoders make dicts, and the ABC check alone costs more than reading a
small leaf (it runs for every tag, frame and breadcrumb of a page).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1


class Malformed(ValueError):
    """A structure inside an entry's data that cannot be read as documented."""


def as_json(value: Any) -> Any:
    """A JSON value passed through unchanged (for `JSON` fields)."""
    return value


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


def big_count(value: Any) -> int | None:
    """A count Sentry sends as a string of digits (or an int) so it never overflows: an int
    of any size; at most 40 digits are read (anything longer is not a count)."""
    if type(value) is int:
        return value
    # isascii: str.isdigit() also accepts digits int() refuses, such as "²"
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= 40:
        return int(value)
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


def identifier_or_empty(value: Any) -> str:
    """An id (see `identifier`), ``""`` when there is none (for non-null id fields)."""
    return identifier(value) or ""


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


# Pairs: Sentry sends some lists as ``[[a, b], ...]``.


def pairs(value: Any, what: str) -> list[list[Any]]:
    """A list of two-item lists (null reads as empty); anything else is `Malformed`."""
    items = require_list(value, what)
    for item in items:
        if not isinstance(item, list) or len(item) != 2:
            raise Malformed(f"an item of {what} is not a pair")
    return items


def name_value_pairs(value: Any, what: str) -> list[tuple[str, Any]]:
    """Sentry's ``[[name, value], ...]`` with string names; an object becomes pairs sorted by
    name (as Sentry's own interface does); anything else is `Malformed`."""
    if type(value) is dict or isinstance(value, Mapping):
        return [(str(name), value[name]) for name in sorted(value, key=str)]
    found = []
    for item in require_list(value, what):
        if not isinstance(item, list) or len(item) != 2 or type(item[0]) is not str:
            raise Malformed(f"an item of {what} is not a [name, value] pair")
        found.append((item[0], item[1]))
    return found


def query_pairs(value: Any) -> list[tuple[str, Any]]:
    """A request's query as pairs; very old events store one string (`foo=bar&x=1`), parsed
    here (percent-decoded, blank values kept)."""
    if isinstance(value, str):
        return parse_qsl(value[1:] if value.startswith("?") else value, keep_blank_values=True)
    return name_value_pairs(value, "query")


def legacy_query_string(value: Any) -> str | None:
    """The query string of very old events, which store it as one string; else None."""
    return value if isinstance(value, str) else None


def cookie_pairs(value: Any) -> list[tuple[str, Any]]:
    """A request's cookies as pairs; very old events store the raw ``Cookie`` header."""
    if isinstance(value, str):
        found = []
        for part in value.split(";"):
            name, sep, val = part.strip().partition("=")
            if name or sep:
                found.append((name, val))
        return found
    return name_value_pairs(value, "cookies")


def header_pairs(value: Any) -> list[tuple[str, Any]]:
    """A request's headers as pairs."""
    return name_value_pairs(value, "headers")


def line_pairs(value: Any) -> list[list[Any]]:
    """Sentry's ``[[lineNo, line], ...]`` source context."""
    return pairs(value, "context")


def image_list(value: Any) -> list[Any] | None:
    """Debug images: null, or a list without null items (each image passed through as
    JSON); anything else is `Malformed`."""
    if value is None:
        return None
    if not isinstance(value, list) or any(image is None for image in value):
        raise Malformed("debugmeta images is not a list of images")
    return value


def objects_in_list(value: Any) -> list[Mapping[str, Any]]:
    """The objects of a list, anything else in it skipped; not a list reads as empty."""
    if not isinstance(value, list):
        return []
    return [item for item in value if type(item) is dict or isinstance(item, Mapping)]


def tag_objects(value: Any) -> list[Mapping[str, Any]]:
    """An event's tags: the objects with a string ``key`` (anything else skipped)."""
    return [item for item in objects_in_list(value) if type(item.get("key")) is str]
