"""A model of Sentry's issue-events list, as hostile as the facts doc says Sentry is.

* events are ordered by whole second, newest first, with **no order among the
  events of one second**: ties are ordered by a hash that is redrawn after
  every change (``ties="on_change"``) or before every query (``"per_query"``);
* ``start <= second < end``, whole seconds;
* ``GenericOffsetPaginator``: ``per_page + 1`` rows from the offset, the extra
  one only says "more";
* events can be stored late at any second (inside ranges already read) and
  deleted, between pages and, through `hostile_fetch`, between the calls of
  one page.

Used by the property tests of `gateway.schema.paging.seek` (no HTTP: the algorithm
alone, many examples); the demo upstream speaks the same rules over HTTP.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field

from gateway.schema.paging.seek import Row, Slice


@dataclass
class SentryListModel:
    ties: str = "on_change"
    events: dict[str, int] = field(default_factory=dict)  # event id -> second
    salt: int = 0
    calls: int = 0
    changes: int = 0
    _next_id: int = 0

    def new_id(self, rng: random.Random) -> str:
        self._next_id += 1
        return f"{rng.getrandbits(96):024x}{self._next_id:08x}"

    def store(self, event_id: str, second: int) -> None:
        self.events[event_id] = second
        self.salt += 1
        self.changes += 1

    def delete(self, event_id: str) -> None:
        if self.events.pop(event_id, None) is not None:
            self.salt += 1
            self.changes += 1

    def order(self, lo: int, hi: int) -> list[tuple[int, str]]:
        rows = [(second, event_id) for event_id, second in self.events.items() if lo <= second < hi]
        salt = str(self.salt).encode()
        rows.sort(key=lambda row: (-row[0], hashlib.blake2b(salt + row[1].encode(), digest_size=8).digest()))
        return rows

    def query(self, lo: int, hi: int, offset: int, per_page: int) -> Slice:
        assert 1 <= per_page <= 100, per_page
        assert offset >= 0
        self.calls += 1
        if self.ties == "per_query":
            self.salt += 1
        rows = self.order(lo, hi)[offset : offset + per_page + 1]
        more = len(rows) > per_page
        return Slice([Row(second, event_id, {}, True) for second, event_id in rows[:per_page]], more)

    def canonical(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """The gateway's order: (second, event id) descending."""
        return sorted(
            ((second, event_id) for event_id, second in self.events.items() if lo <= second < hi),
            reverse=True,
        )

    def random_change(self, rng: random.Random, lo: int, hi: int, *, deletions: bool = True) -> None:
        """Store an event late somewhere (or on top), or delete one."""
        roll = rng.random()
        if deletions and roll < 0.3 and self.events:
            self.delete(rng.choice(sorted(self.events)))
        elif roll < 0.5 and self.events:
            # a late event in a second that already holds events (a tie)
            self.store(self.new_id(rng), self.events[rng.choice(sorted(self.events))])
        else:
            self.store(self.new_id(rng), rng.randrange(lo, hi + 5))
