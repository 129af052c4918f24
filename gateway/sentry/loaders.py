"""Per-request DataLoaders: every upstream call of one GraphQL request goes here.

A `SentryLoaders` lives for exactly one HTTP request and one credential. Its
loaders dedupe identical calls (the same page asked for by two aliases is
fetched once) and run distinct calls concurrently on the shared client, at
most `max_concurrency` at a time so one wide query cannot flood Sentry.

Keys are frozen dataclasses holding everything that changes Sentry's answer,
the credential's fingerprint included, so a key can never match a response
fetched for someone else even if loaders are one day shared.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from aiodataloader import DataLoader

from gateway.observability.metrics import observe_batch

from .client import EventPage, SentryClient
from .credentials import Credential, credential_fingerprint
from .errors import UpstreamBudgetExceeded
from .ratelimits import RateLimitInfo
from .filters import EventFilters

__all__ = ["EventKey", "PageKey", "SentryLoaders", "credential_fingerprint"]


@dataclass(frozen=True, slots=True)
class PageKey:
    """One call to the list endpoint."""

    credential: str
    issue_id: str
    cursor: str | None
    per_page: int
    full: bool
    filters: EventFilters


@dataclass(frozen=True, slots=True)
class EventKey:
    """One call to the event detail endpoint."""

    credential: str
    issue_id: str
    event_id: str
    filters: EventFilters


@dataclass(frozen=True, slots=True)
class LoadedPage:
    """A page and whether it came from the full serializer."""

    page: EventPage
    full: bool


class SentryLoaders:
    """The loaders of one request, bound to its credential and deadline."""

    def __init__(
        self,
        client: SentryClient,
        *,
        credential: str | None,
        deadline: float | None = None,
        max_concurrency: int = 8,
        max_calls: int | None = None,
    ) -> None:
        self.client = client
        self._credential = Credential.of(credential)
        self._fetcher = _Fetcher(client, self._credential, deadline, max_concurrency, max_calls)
        # The batch functions are the fetcher's, which knows nothing of these
        # loaders: no reference cycle, so a request's pages (megabytes of
        # parsed JSON held in the loaders' caches) are freed by reference
        # counting when the request ends, not at the next full collection.
        # (aiodataloader takes an exception per key, which its annotation does not say.)
        self._pages: DataLoader[PageKey, LoadedPage] = DataLoader(self._fetcher.load_pages)  # type: ignore[arg-type]
        self._events: DataLoader[EventKey, dict[str, Any]] | None = None  # made on first use

    @property
    def max_calls(self) -> int | None:
        """The most upstream calls this request may make (None: no limit)."""
        return self._fetcher.max_calls

    def close(self) -> None:
        """Drop the cached pages and events once the request is answered."""
        self._pages.clear_all()
        if self._events is not None:
            self._events.clear_all()

    @property
    def upstream_calls(self) -> int:
        """Upstream calls made so far for this request."""
        return self._fetcher.calls

    def rate_limit(self) -> RateLimitInfo | None:
        """The limits Sentry last reported for this request's credential."""
        return self.client.rate_limit(self._credential)

    @property
    def org_scoped(self) -> bool:
        """True when issue ids may be short ids (``PROJ-1A``)."""
        return self.client.org_scoped

    async def page(
        self,
        issue_id: str,
        *,
        cursor: str | None,
        per_page: int,
        full: bool,
        filters: EventFilters,
    ) -> LoadedPage:
        """One page of an issue's events (deduplicated within the request)."""
        key = PageKey(self._credential.fingerprint, issue_id, cursor, per_page, full, filters)
        return await self._pages.load(key)

    async def event(self, issue_id: str, event_id: str, filters: EventFilters) -> dict[str, Any]:
        """One event from the detail endpoint (deduplicated within the request)."""
        if self._events is None:
            self._events = DataLoader(self._fetcher.load_events)  # type: ignore[arg-type]
        return await self._events.load(EventKey(self._credential.fingerprint, issue_id, event_id, filters))


class _Fetcher:
    """The upstream calls behind one request's loaders, within its budget and concurrency."""

    def __init__(
        self,
        client: SentryClient,
        credential: Credential,
        deadline: float | None,
        max_concurrency: int,
        max_calls: int | None,
    ) -> None:
        self._client = client
        self._credential = credential
        self._deadline = deadline
        self._slots = asyncio.Semaphore(max_concurrency)
        self.max_calls = max_calls
        self.calls = 0

    async def load_pages(self, keys: Sequence[PageKey]) -> list[LoadedPage | BaseException]:
        observe_batch("pages", len(keys))
        # A simple page asked for beside the same page in full is served from
        # the full one: full is a superset, and that saves a call.
        wanted = {key for key in keys if key.full} | {
            key for key in keys if not key.full and replace(key, full=True) not in keys
        }
        fetched = dict(zip(wanted, await _gather(self._fetch_page(key) for key in wanted)))
        results: list[LoadedPage | BaseException] = []
        for key in keys:
            results.append(fetched[key] if key in fetched else fetched[replace(key, full=True)])
        return results

    async def load_events(self, keys: Sequence[EventKey]) -> list[dict[str, Any] | BaseException]:
        observe_batch("events", len(keys))
        return await _gather(self._fetch_event(key) for key in keys)

    def _spend_call(self) -> None:
        """Count one upstream call, refusing it past the request's budget."""
        if self.max_calls is not None and self.calls >= self.max_calls:
            raise UpstreamBudgetExceeded(self.max_calls)
        self.calls += 1

    async def _fetch_page(self, key: PageKey) -> LoadedPage:
        self._spend_call()
        async with self._slots:
            page = await self._client.list_issue_events(
                self._credential,
                key.issue_id,
                cursor=key.cursor,
                per_page=key.per_page,
                full=key.full,
                filters=key.filters,
                deadline=self._deadline,
            )
        return LoadedPage(page=page, full=key.full or page.direct_hit)

    async def _fetch_event(self, key: EventKey) -> dict[str, Any]:
        self._spend_call()
        async with self._slots:
            return await self._client.get_issue_event(
                self._credential,
                key.issue_id,
                key.event_id,
                filters=key.filters,
                deadline=self._deadline,
            )


async def _gather(coroutines: Any) -> list[Any]:
    """Run concurrently; a failure becomes that key's value, not the batch's."""
    coroutines = list(coroutines)
    if len(coroutines) == 1:  # the common batch of one: no task to schedule
        try:
            return [await coroutines[0]]
        except Exception as exc:  # noqa: BLE001 - the key's value, as gather would give it
            return [exc]
    results = await asyncio.gather(*coroutines, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(result, Exception):
            raise result  # cancellation and the like end the batch, as they should
    return list(results)
