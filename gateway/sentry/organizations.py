"""Which organization a credential's calls go through, when SENTRY_ORG is not set.

Sentry's unscoped issue routes (``/api/0/issues/...``) are deprecated and brown
out with 410 (SENTRY_API.md §0); the organization routes are the ones that keep
working, and only they resolve short ids. Without a configured organization the
gateway asks ``GET /api/0/organizations/`` with the caller's own credential:

* exactly one organization: its routes are used for that credential;
* several, none, or the listing refused (a least-privilege token without
  ``org:read`` gets 403 there, yet may read events): nothing decides, and the
  unscoped routes stay in use. A token that may read events is never refused
  because it may not list organizations.

The decision is kept per credential *fingerprint* (never the credential), in a
bounded least-recently-used map with an expiry, so memberships that change are
noticed and a flood of distinct tokens cannot grow memory. Concurrent first
requests of one credential share one discovery call. Failures that say nothing
about the credential (timeouts, 5xx, 429, 401) are not remembered: the next
request tries again.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .errors import BadRequest, BadUpstreamResponse, Forbidden, NotFound, SentryError

__all__ = ["OrganizationDirectory", "single_organization"]

#: Failures that are an answer about the credential (it may not list), kept like one.
_DECISIVE = (Forbidden, NotFound, BadRequest, BadUpstreamResponse)


@dataclass(frozen=True, slots=True)
class _Decision:
    org: str | None
    expires: float


def single_organization(organizations: list[dict[str, Any]]) -> str | None:
    """The slug of the only organization listed, else None (none, or several)."""
    if len(organizations) != 1:
        return None
    slug = organizations[0].get("slug")
    return slug if isinstance(slug, str) and slug else None


class OrganizationDirectory:
    """Per credential fingerprint: the organization to route through, or None.

    `max_entries` bounds the map (the least recently used decision goes first);
    `ttl` is how long a decision is trusted before it is learned again.
    """

    def __init__(
        self,
        *,
        max_entries: int = 4096,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_entries = max(1, max_entries)
        self._ttl = ttl
        self._clock = clock
        self._decisions: OrderedDict[str, _Decision] = OrderedDict()
        self._pending: dict[str, asyncio.Future[str | None]] = {}
        #: Discovery calls made (for tests and metrics).
        self.discoveries = 0

    def __len__(self) -> int:
        return len(self._decisions)

    def known(self, fingerprint: str) -> str | None:
        """The cached decision, if one is still fresh (None otherwise, or when undecided)."""
        decision = self._fresh(fingerprint)
        return None if decision is None else decision.org

    async def organization(
        self, fingerprint: str, discover: Callable[[], Awaitable[list[dict[str, Any]]]]
    ) -> str | None:
        """The organization for this credential, discovering it on first use.

        `discover` lists the credential's organizations (it raises the client's
        typed errors). Callers that arrive while a discovery runs wait for it.
        """
        decision = self._fresh(fingerprint)
        if decision is not None:
            return decision.org
        pending = self._pending.get(fingerprint)
        if pending is None:
            pending = asyncio.ensure_future(self._discover(fingerprint, discover))
            self._pending[fingerprint] = pending
            pending.add_done_callback(lambda _: self._pending.pop(fingerprint, None))
        # Shielded: one caller giving up (its deadline) does not cancel the others' answer.
        return await asyncio.shield(pending)

    def _fresh(self, fingerprint: str) -> _Decision | None:
        decision = self._decisions.get(fingerprint)
        if decision is None:
            return None
        if decision.expires <= self._clock():
            del self._decisions[fingerprint]
            return None
        self._decisions.move_to_end(fingerprint)
        return decision

    async def _discover(
        self, fingerprint: str, discover: Callable[[], Awaitable[list[dict[str, Any]]]]
    ) -> str | None:
        self.discoveries += 1
        try:
            org = single_organization(await discover())
        except _DECISIVE:
            org = None  # may not list organizations (403), or this Sentry has no such list
        except SentryError:
            return None  # says nothing about the credential: unscoped now, ask again next time
        self._remember(fingerprint, org)
        return org

    def _remember(self, fingerprint: str, org: str | None) -> None:
        self._decisions[fingerprint] = _Decision(org, self._clock() + self._ttl)
        self._decisions.move_to_end(fingerprint)
        while len(self._decisions) > self._max_entries:
            self._decisions.popitem(last=False)
