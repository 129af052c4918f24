"""A weak mapping keyed by identity, for values that belong to one parsed document.

graphql-core 3.3's AST nodes are frozen dataclasses: their ``__hash__``
walks the whole tree on every call, uncached. A `weakref.WeakKeyDictionary`
or an ``lru_cache`` keyed by a document therefore re-hashes the document on
every lookup (~30 µs for a ten-field query on the bench machine, more for a
big one). The same parsed document object comes back for the same text (the
parse cache), so identity is the right key, and it is O(1).
"""

from __future__ import annotations

import weakref
from typing import Generic, TypeVar

__all__ = ["WeakIdentityMap"]

K = TypeVar("K")
V = TypeVar("V")


class WeakIdentityMap(Generic[K, V]):
    """Maps live objects, by identity, to values; an entry goes when its key is collected.

    The value must not refer back to its key, or the key never dies (as with
    `weakref.WeakKeyDictionary`). Keys must be weakly referenceable.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[K], V]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def keys(self) -> list[K]:
        """The keys still alive."""
        return [key for ref, _ in list(self._entries.values()) if (key := ref()) is not None]

    def get(self, key: K) -> V | None:
        entry = self._entries.get(id(key))
        # The referent check guards against an id reused by a newer object
        # before the old entry's callback has run.
        if entry is not None and entry[0]() is key:
            return entry[1]
        return None

    def __setitem__(self, key: K, value: V) -> None:
        ident = id(key)
        entries = self._entries

        def forget(ref: weakref.ref[K]) -> None:
            entry = entries.get(ident)
            if entry is not None and entry[0] is ref:
                del entries[ident]

        entries[ident] = (weakref.ref(key, forget), value)
