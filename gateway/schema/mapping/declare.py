"""Each schema field names the Sentry key it reads, once; one plan per class builds the objects.

A type in `gateway.schema.types` declares every field with `sentry_field`: the
JSON key (or a `Source`, for a value that is not one key of the object), the
reader that turns that JSON value into the field's value
(`gateway.schema.mapping.readers`), and the GraphQL description. Fields whose
value comes from outside the object (an entry's ``type``, an event's global
id) are declared with `given_field` and passed to `build`.

`build(cls, data)` reads one JSON object into an instance of ``cls`` through
the class's `Plan`, made once per class from those declarations (read with
`dataclasses.fields`: strawberry types are dataclasses). So a field's key, its
reader and its description sit together, and adding a field is one line.

Instances are made without running the dataclass ``__init__``: the plan
yields a value for every field, so the attribute dict it builds is the one
``__init__`` would have made, and a keyword call of thirty-odd arguments per
frame costs more than reading the frame's JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, Literal, TypeVar

import strawberry

from gateway.schema.mapping.readers import Malformed, as_json, object_items

__all__ = [
    "Mapped",
    "Plan",
    "Served",
    "Source",
    "WHOLE",
    "build",
    "each",
    "first_present",
    "snake_or_hyphen",
    "given_field",
    "item",
    "nested",
    "plan_of",
    "sentry_field",
    "values_of",
]

T = TypeVar("T")
Reader = Callable[[Any], Any]

#: Which of Sentry's event serializers send a key: every one, the full ones
#: (``full=true`` list items and the detail endpoint), or only the detail endpoint.
Served = Literal["all", "full", "detail"]

_METADATA_KEY: Final = "gateway.sentry"


class Source:
    """Where a value sits when it is not one key of the object: ``read(data)`` finds it.

    ``keys`` names the JSON keys it looks at, first the one Sentry sends today
    (what the list endpoint's ``field`` parameter and the docs name).
    """

    __slots__ = ("keys", "read")

    def __init__(self, keys: tuple[str, ...], read: Callable[[Any], Any]) -> None:
        self.keys = keys
        self.read = read

    def __repr__(self) -> str:
        return f"Source({', '.join(self.keys) or 'whole object'})"


WHOLE: Final = Source((), lambda data: data)
"""The object itself (a field such as ``raw`` that keeps everything Sentry sent)."""


def first_present(key: str, *others: str) -> Source:
    """The value of the first of these keys that the object has (even if null).

    For a value Sentry has sent under more than one name: an event's
    ``event.type`` (simple serializer) or ``type``; a report's ``document_uri``
    or the browser's ``document-uri``.
    """
    keys = (key, *others)

    def read(data: Mapping[str, Any]) -> Any:
        for name in keys:
            if name in data:
                return data[name]
        return None

    return Source(keys, read)


def snake_or_hyphen(snake: str) -> Source:
    """A report key in Relay's snake_case, else in the browser report's hyphenated form."""
    return first_present(snake, snake.replace("_", "-"))


def item(index: int) -> Source:
    """An item of a JSON pair such as ``[lineNo, line]`` or ``[name, value]``."""
    return Source((), lambda data: data[index])


@dataclasses.dataclass(frozen=True)
class Mapped:
    """What a field reads: where (``key``), how (``read``), and from which serializers."""

    key: str | Source
    read: Reader
    served: Served = "all"
    transactions: bool = True
    """False: always null for transaction events (the full serializer omits the key for them)."""

    @property
    def json_key(self) -> str | None:
        """The JSON key Sentry names this field by, if it is one key."""
        if isinstance(self.key, str):
            return self.key
        return self.key.keys[0] if self.key.keys else None


def sentry_field(
    key: str | Source,
    read: Reader = as_json,
    *,
    description: str,
    served: Served = "all",
    transactions: bool = True,
    default: Any = dataclasses.MISSING,
) -> Any:
    """A strawberry field that reads ``read(data[key])`` from Sentry's JSON (see the module doc).

    ``read`` defaults to the JSON value unchanged (for `JSON` fields). ``served``
    and ``transactions`` only matter for `Event`, whose JSON comes from several
    serializers.
    """
    mapped = Mapped(key, read, served, transactions)
    return strawberry.field(description=description, default=default, metadata={_METADATA_KEY: mapped})


def given_field(*, description: str) -> Any:
    """A strawberry field whose value is not in the object: the builder passes it to `build`."""
    return strawberry.field(description=description)


@dataclasses.dataclass(frozen=True)
class Plan:
    """How one class is read: its keyed fields, its sourced fields, the names given to `build`."""

    keyed: tuple[tuple[str, str, Reader], ...]
    sourced: tuple[tuple[str, Source, Reader], ...]
    given: frozenset[str]
    fields: Mapping[str, Mapped]

    @property
    def reads_keys(self) -> bool:
        """Whether ``data`` must be a JSON object (else it may be a list, e.g. a pair)."""
        return bool(self.keyed) or any(source is not WHOLE and source.keys for _, source, _ in self.sourced)


_plans: dict[type, Plan] = {}


def plan_of(cls: type) -> Plan:
    """The class's plan, made on first use from its field declarations."""
    plan = _plans.get(cls)
    if plan is None:
        keyed, sourced, given, fields = [], [], set(), {}
        for field in dataclasses.fields(cls):
            mapped = field.metadata.get(_METADATA_KEY)
            if mapped is None:
                given.add(field.name)
                continue
            fields[field.name] = mapped
            if isinstance(mapped.key, str):
                keyed.append((field.name, mapped.key, mapped.read))
            else:
                sourced.append((field.name, mapped.key, mapped.read))
        plan = _plans[cls] = Plan(tuple(keyed), tuple(sourced), frozenset(given), fields)
    return plan


def values_of(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the declared fields of ``cls`` read from ``data``, by name (for a class
    that is constructed with more than its declared fields, such as `Issue`)."""
    plan = _plans.get(cls) or plan_of(cls)
    get = data.get
    values = {name: read(get(key)) for name, key, read in plan.keyed}
    for name, source, read in plan.sourced:
        values[name] = read(source.read(data))
    return values


def build(cls: type[T], data: Any, /, **given: Any) -> T:
    """An instance of ``cls`` read from ``data`` by its plan; ``given`` fills the given fields.

    Readers decide what a wrong shape means (null, or `Malformed` inside an
    entry); `build` itself reads keys only through ``data.get``.
    """
    plan = _plans.get(cls) or plan_of(cls)
    if plan.keyed:
        get = data.get
        values = {name: read(get(key)) for name, key, read in plan.keyed}
    else:
        values = {}
    for name, source, read in plan.sourced:
        values[name] = read(source.read(data))
    if given:
        values.update(given)
    instance: T = object.__new__(cls)
    instance.__dict__ = values
    return instance


def nested(cls: type[T], *, strict: bool = False) -> Callable[[Any], T | None]:
    """A reader of one nested object of type ``cls``; null stays null.

    Anything else than an object or null reads as null, or (``strict``, inside
    an entry) is `Malformed`.
    """

    def read(value: Any) -> T | None:
        if type(value) is dict or isinstance(value, Mapping):
            return build(cls, value)
        if strict and value is not None:
            raise Malformed(f"{cls.__name__} is neither an object nor null")
        return None

    return read


def each(cls: type[T], items: Callable[[Any], Iterable[Any]] | None = None) -> Callable[[Any], list[T]]:
    """A reader of a list of ``cls``: ``items(value)`` yields the raw items (objects by default,
    strictly: a list of objects, null items skipped, anything else `Malformed`)."""
    what = cls.__name__

    def objects(value: Any) -> Iterable[Any]:
        return object_items(value, what)

    find = items or objects

    def read(value: Any) -> list[T]:
        return [build(cls, raw) for raw in find(value)]

    return read
