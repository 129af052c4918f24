"""Reading an event from whichever of Sentry's serializers produced it.

The same event reaches the gateway in three forms, named by ``origin``
(SENTRY_API.md section 4):

``"simple"``
    an item of the list endpoint without ``full`` (``SimpleEventSerializer``):
    only the keys of the fields declared ``served="all"``, ``event.type``
    instead of ``type``, tags in stored order, ``message`` unresolved;
``"full"``
    an item of the list endpoint with ``full=true`` (``EventSerializer``);
``"detail"``
    the answer of ``.../events/{event_id}/`` (``IssueEventSerializer``).

`read_event` makes a field's value independent of the form it was read from,
so a field never changes its value with what else a query selects: a field
the form does not serve reads as its reader makes of a missing key (null,
or ``[]`` for a non-null list) even if the key is there; simple items' tags
are sorted by key (stable, by key only) as the full serializer sorts them;
fields declared ``transactions=False`` are null for transaction events (the
full serializer omits them). A "simple" item that is really a full
serialization (Sentry answers a direct hit, a ``query`` that is a bare event
id, with the full serializer whatever ``full`` says) is read as full.
"""

from __future__ import annotations

from collections.abc import Mapping, Set as AbstractSet
from typing import Any, Literal, TypeVar

from gateway.schema.mapping.declare import Mapped, Source, plan_of
from gateway.schema.mapping.readers import string

__all__ = ["Origin", "fields_served", "read_event"]

T = TypeVar("T")

Origin = Literal["simple", "full", "detail"]

_SERVES: Mapping[str, frozenset[str]] = {
    "simple": frozenset({"all"}),
    "full": frozenset({"all", "full"}),
    "detail": frozenset({"all", "full", "detail"}),
}


def fields_served(cls: type, served: str) -> dict[str, Mapped]:
    """The fields of ``cls`` declared with this ``served`` value."""
    return {name: mapped for name, mapped in plan_of(cls).fields.items() if mapped.served == served}


class _Reading:
    """One class's event reading, worked out once: which fields each origin reads, and the
    empty value of every field (what its reader makes of a missing key)."""

    def __init__(self, cls: type) -> None:
        plan = plan_of(cls)
        self.fields = plan.fields
        self.served = {
            origin: {name for name, mapped in plan.fields.items() if mapped.served in serves}
            for origin, serves in _SERVES.items()
        }
        self.empty: dict[str, Any] = {name: mapped.read(None) for name, mapped in plan.fields.items()}
        self.empty.update(dict.fromkeys(plan.given, ""))
        # non-null lists: each instance gets its own
        self.fresh = tuple(name for name, value in self.empty.items() if isinstance(value, list))
        self.type_key = plan.fields["type"].key
        self.not_for_transactions = frozenset(name for name, m in plan.fields.items() if not m.transactions)


_readings: dict[type, _Reading] = {}


def read_event(
    cls: type[T],
    data: Mapping[str, Any],
    *,
    origin: Origin,
    fields: AbstractSet[str] | None = None,
) -> T:
    """An instance of ``cls`` (the `Event` type) from one of Sentry's event serializations.

    ``fields``, when given, names the fields the query reads; the others are
    left empty instead of converted. Only for an event that nothing else reads,
    such as the nodes of one connection: a page of 100 full events holds
    thousands of frames and breadcrumbs a list query never looks at. Fields
    that are not declared with a Sentry key (the global id) are left ``""``
    for the caller to set. Never raises.
    """
    reading = _readings.get(cls)
    if reading is None:
        reading = _readings[cls] = _Reading(cls)
    if not (type(data) is dict or isinstance(data, Mapping)):
        data = {}
    if origin == "simple" and "event.type" not in data and ("type" in data or "entries" in data):
        origin = "full"  # a direct hit: Sentry used the full serializer despite full=false
    served = reading.served[origin]
    values = dict(reading.empty)
    for name in reading.fresh:
        values[name] = []
    names = served if fields is None else served.intersection(fields)
    get = data.get
    all_fields = reading.fields
    for name in names:
        mapped = all_fields[name]
        key = mapped.key
        values[name] = mapped.read(key.read(data) if isinstance(key, Source) else get(key))
    type_key = reading.type_key
    event_type = string(type_key.read(data) if isinstance(type_key, Source) else get(type_key))
    if event_type == "transaction":
        for name in reading.not_for_transactions:
            values[name] = reading.empty[name]
    if origin == "simple" and "tags" in names:
        values["tags"].sort(key=lambda tag: tag.key)
    instance: T = object.__new__(cls)
    instance.__dict__ = values
    return instance
