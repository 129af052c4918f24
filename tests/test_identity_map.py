"""`WeakIdentityMap`: identity keys, entries that die with their key."""

from __future__ import annotations

import gc

from graphql import parse

from gateway.schema.execution.identity_map import WeakIdentityMap


class _Key:
    """Equal to every other _Key, and hashed alike: only identity tells them apart."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key)

    def __hash__(self) -> int:
        return 1


def test_keys_are_told_apart_by_identity_not_equality() -> None:
    first, second = _Key(), _Key()
    entries: WeakIdentityMap[_Key, str] = WeakIdentityMap()
    entries[first] = "first"
    assert entries.get(first) == "first"
    assert entries.get(second) is None
    entries[second] = "second"
    assert (entries.get(first), entries.get(second), len(entries)) == ("first", "second", 2)


def test_an_entry_goes_when_its_key_is_collected() -> None:
    entries: WeakIdentityMap[_Key, list[int]] = WeakIdentityMap()
    key = _Key()
    entries[key] = [1]
    assert entries.keys() == [key]
    del key
    gc.collect()
    assert len(entries) == 0 and entries.keys() == []


def test_an_entry_under_a_reused_id_is_not_mistaken_for_the_new_object() -> None:
    """An entry whose key has died but whose callback has not yet run, while a new
    object has the same id: the entry's referent is checked, not only the id."""
    import weakref

    entries: WeakIdentityMap[_Key, str] = WeakIdentityMap()
    newcomer, other = _Key(), _Key()
    entries._entries[id(newcomer)] = (weakref.ref(other), "stale")
    assert entries.get(newcomer) is None
    entries[newcomer] = "fresh"
    assert entries.get(newcomer) == "fresh"


def test_documents_are_looked_up_without_hashing_them() -> None:
    """graphql-core 3.3 hashes a node by walking its tree; the map never asks."""
    document = parse("{ a { b c } }")
    entries: WeakIdentityMap[object, int] = WeakIdentityMap()
    entries[document] = 1
    calls = []
    original = type(document).__hash__
    type(document).__hash__ = lambda self: calls.append(1) or original(self)  # type: ignore[method-assign]
    try:
        assert entries.get(document) == 1
    finally:
        type(document).__hash__ = original  # type: ignore[method-assign]
    assert calls == []
