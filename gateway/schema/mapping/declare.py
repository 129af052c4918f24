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
    "Item",
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


class Item(Source):
    """An item of a JSON pair, by position (see `item`)."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        super().__init__((), lambda data: data[index])
        self.index = index


def item(index: int) -> Source:
    """An item of a JSON pair such as ``[lineNo, line]`` or ``[name, value]``."""
    return Item(index)


@dataclasses.dataclass(frozen=True)
class Mapped:
    """What a field reads: where (``key``), how (``read``), and from which serializers."""

    key: str | Source
    read: Reader
    served: Served = "all"
    transactions: bool = True
    """False: always null for transaction events (the full serializer omits the key for them)."""

    def value_in(self, data: Mapping[str, Any]) -> Any:
        """This field's value read from the object ``data``."""
        key = self.key
        return self.read(key.read(data) if isinstance(key, Source) else data.get(key))

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


_GIVEN: Final = "given"


def given_field(*, description: str) -> Any:
    """A strawberry field whose value is not in the object: the builder passes it to `build`."""
    return strawberry.field(description=description, metadata={_METADATA_KEY: _GIVEN})


class Plan:
    """How one class is read, worked out once from its declarations (`plan_of`).

    Fields are grouped by how their value is found, so `make` reads each group
    in one pass: keys of an object (``data.get``), items of a pair
    (``data[i]``), the whole object, and other `Source`s.
    """

    def __init__(self, cls: type) -> None:
        self.cls = cls
        keyed: list[tuple[str, str, Reader]] = []
        indexed: list[tuple[str, int, Reader]] = []
        whole: list[tuple[str, Reader]] = []
        sourced: list[tuple[str, Callable[[Any], Any], Reader]] = []
        given: set[str] = set()
        fields: dict[str, Mapped] = {}
        if hasattr(cls, "__post_init__"):
            raise TypeError(f"{cls.__name__} has a __post_init__, which objects read by a plan skip")
        for field in dataclasses.fields(cls):
            mapped = field.metadata.get(_METADATA_KEY)
            if mapped is _GIVEN:
                given.add(field.name)
                continue
            if mapped is None:
                if getattr(field, "base_resolver", None) is not None:
                    continue  # a resolver: strawberry calls it, the instance holds nothing
                raise TypeError(
                    f"{cls.__name__}.{field.name} declares no Sentry key: use sentry_field(key, reader, ...), "
                    "or given_field(...) if the builder passes its value"
                )
            fields[field.name] = mapped
            key = mapped.key
            if isinstance(key, str):
                keyed.append((field.name, key, mapped.read))
            elif isinstance(key, Item):
                indexed.append((field.name, key.index, mapped.read))
            elif key is WHOLE:
                whole.append((field.name, mapped.read))
            else:
                sourced.append((field.name, key.read, mapped.read))
        if keyed and indexed:
            raise TypeError(f"{cls.__name__} reads both keys of an object and items of a pair")
        self.keyed, self.indexed = tuple(keyed), tuple(indexed)
        self.pair: tuple[str, Reader, str, Reader] | None = None
        if [index for _, index, _ in indexed] == [0, 1]:
            (first, _, read_first), (second, _, read_second) = indexed
            self.pair = (first, read_first, second, read_second)
        self.whole, self.sourced = tuple(whole), tuple(sourced)
        self.given = frozenset(given)
        self.fields: Mapping[str, Mapped] = fields
        self.reads_keys = bool(keyed or sourced)
        """Whether ``data`` must be a JSON object (else it may be a list, e.g. a pair)."""

    def make(self, data: Any, given: Mapping[str, Any] | None = None) -> Any:
        """An instance read from ``data``; its attribute dict is exactly what ``__init__``
        would make (every field has a value), built without the keyword call."""
        # Plain loops: on CPython 3.11 they beat a dict comprehension (a function call
        # per use) and dict(zip(map(...))), for two fields as for thirty.
        values: dict[str, Any] = {}
        if self.keyed:
            get = data.get
            for name, key, read in self.keyed:
                values[name] = read(get(key))
        elif self.pair is not None:  # most objects of a full event are [lineNo, line] pairs
            first, read_first, second, read_second = self.pair
            values[first] = read_first(data[0])
            values[second] = read_second(data[1])
        else:
            for name, index, read in self.indexed:
                values[name] = read(data[index])
        for name, read in self.whole:
            values[name] = read(data)
        for name, find, read in self.sourced:
            values[name] = read(find(data))
        if self.given:
            if given is None or given.keys() != self.given:
                raise TypeError(f"{self.cls.__name__} is built with exactly {sorted(self.given)} given")
            values.update(given)
        elif given:
            raise TypeError(f"{self.cls.__name__} has no given fields, got {sorted(given)}")
        instance: Any = object.__new__(self.cls)
        instance.__dict__ = values
        return instance


_plans: dict[type, Plan] = {}


def plan_of(cls: type) -> Plan:
    """The class's plan, made on first use from its field declarations."""
    plan = _plans.get(cls)
    if plan is None:
        plan = _plans[cls] = Plan(cls)
    return plan


def values_of(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the declared fields of ``cls`` read from ``data``, by name (for a class
    that is constructed with more than its declared fields, such as `Issue`)."""
    values: dict[str, Any] = plan_of(cls).make(data).__dict__
    return values


def build(cls: type[T], data: Any, /, **given: Any) -> T:
    """An instance of ``cls`` read from ``data`` by its plan; ``given`` fills the given fields.

    Readers decide what a wrong shape means (null, or `Malformed` inside an
    entry); `build` itself only reads the declared keys or items.
    """
    instance: T = plan_of(cls).make(data, given)
    return instance


def nested(cls: type[T], *, strict: bool = False) -> Callable[[Any], T | None]:
    """A reader of one nested object of type ``cls``; null stays null.

    Anything else than an object or null reads as null, or (``strict``, inside
    an entry) is `Malformed`.
    """

    def read(value: Any) -> T | None:
        if type(value) is dict or isinstance(value, Mapping):
            made: T = plan_of(cls).make(value)
            return made
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
        make = plan_of(cls).make
        return [make(raw) for raw in find(value)]

    return read
