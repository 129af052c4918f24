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

from .client import MAX_GROUP_IDS, EventPage, SentryClient
from .credentials import Credential, credential_fingerprint
from .errors import NotFound, SentryError, UpstreamBudgetExceeded
from .ratelimits import RateLimitInfo
from .filters import EventFilters

__all__ = ["EventKey", "IssueKey", "PageKey", "SentryLoaders", "TagsKey", "credential_fingerprint"]


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
class IssueKey:
    """One issue's own fields (batched: many keys, one call to the issue index)."""

    credential: str
    issue_id: str


@dataclass(frozen=True, slots=True)
class TagsKey:
    """One call to an issue's tag facet endpoint."""

    credential: str
    issue_id: str
    key: str | None
    limit: int | None
    environment: tuple[str, ...]


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
        self._issues: DataLoader[IssueKey, dict[str, Any]] | None = None
        self._tags: DataLoader[TagsKey, list[dict[str, Any]]] | None = None

    @property
    def max_calls(self) -> int | None:
        """The most upstream calls this request may make (None: no limit)."""
        return self._fetcher.max_calls

    def close(self) -> None:
        """Drop the cached pages and events once the request is answered."""
        self._pages.clear_all()
        for loader in (self._events, self._issues, self._tags):
            if loader is not None:
                loader.clear_all()

    @property
    def upstream_calls(self) -> int:
        """Upstream calls made so far for this request."""
        return self._fetcher.calls

    def rate_limit(self) -> RateLimitInfo | None:
        """The limits Sentry last reported for this request's credential."""
        return self.client.rate_limit(self._credential)

    @property
    def org_scoped(self) -> bool:
        """True when issue ids may be short ids (``PROJ-1A``): an organization is
        configured or may be discovered (the call then checks it was)."""
        return self.client.org_scoped

    async def organization(self) -> str | None:
        """The organization this request's calls go through (None: unscoped routes)."""
        return await self._fetcher.organization()

    async def page(
        self,
        issue_id: str,
        *,
        cursor: str | None,
        per_page: int,
        full: bool,
        filters: EventFilters,
        fresh: bool = False,
    ) -> LoadedPage:
        """One page of an issue's events (deduplicated within the request).

        ``fresh``: ask Sentry again even if this request already has the page:
        for a caller that reads the same page twice to see whether it changed.
        """
        key = PageKey(self._credential.fingerprint, issue_id, cursor, per_page, full, filters)
        if fresh:
            self._pages.clear(key)
        return await self._pages.load(key)

    async def issue(self, issue_id: str) -> dict[str, Any]:
        """An issue's own JSON (Sentry's group serializer).

        Every issue asked for in one tick of the event loop, by whatever field
        (`issues(ids:)`, `node`, several `issue` fields, `_entities`), is fetched
        in one call to the organization issue index (split at 100 ids); an id
        Sentry leaves out is `NotFound`. Without an organization: the issue
        detail route, which the client keeps to 5 calls a second.
        """
        if self._issues is None:
            self._issues = DataLoader(self._fetcher.load_issues, max_batch_size=None)  # type: ignore[arg-type]
        return await self._issues.load(IssueKey(self._credential.fingerprint, issue_id))

    async def tags(
        self, issue_id: str, *, key: str | None, limit: int | None, environment: tuple[str, ...]
    ) -> list[dict[str, Any]]:
        """An issue's tag facets (deduplicated within the request)."""
        if self._tags is None:
            self._tags = DataLoader(self._fetcher.load_tags)  # type: ignore[arg-type]
        return await self._tags.load(TagsKey(self._credential.fingerprint, issue_id, key, limit, environment))

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
        self._org: str | None = None
        self._org_known = False

    async def organization(self) -> str | None:
        """Configured, or discovered once per credential by the client (see
        `gateway.sentry.organizations`); remembered for the rest of the request."""
        if not self._org_known:
            self._org = await self._client.organization(self._credential, deadline=self._deadline)
            self._org_known = True
        return self._org

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

    async def load_issues(self, keys: Sequence[IssueKey]) -> list[dict[str, Any] | BaseException]:
        observe_batch("issues", len(keys))
        org = await self.organization()
        found: dict[str, dict[str, Any] | BaseException] = {}
        wanted = list(dict.fromkeys(key.issue_id for key in keys))
        if org is None:  # the detail route per issue; the client spaces them (5 a second)
            found.update(zip(wanted, await _gather(self._fetch_issue(issue_id, None) for issue_id in wanted)))
        else:
            numeric = list(dict.fromkeys(str(int(i)) for i in wanted if i.isascii() and i.isdigit()))
            short = [i for i in wanted if not (i.isascii() and i.isdigit())]  # PROJ-1A: the index takes ints only
            chunks = [numeric[i : i + MAX_GROUP_IDS] for i in range(0, len(numeric), MAX_GROUP_IDS)]
            answers = await _gather(
                [self._fetch_issue_batch(org, chunk) for chunk in chunks]
                + [self._fetch_issue(issue_id, org) for issue_id in short]
            )
            for chunk, answer in zip(chunks, answers):
                if isinstance(answer, SentryError):  # each issue's error names it
                    found.update((issue_id, answer.for_issue(issue_id)) for issue_id in chunk)
                elif isinstance(answer, BaseException):
                    found.update(dict.fromkeys(chunk, answer))
                else:
                    by_id = {item["id"]: item for item in answer}
                    found.update((issue_id, by_id[issue_id]) for issue_id in chunk if issue_id in by_id)
            found.update(zip(short, answers[len(chunks) :]))
        results: list[dict[str, Any] | BaseException] = []
        for key in keys:
            canonical = str(int(key.issue_id)) if key.issue_id.isdigit() else key.issue_id
            result = found.get(canonical) if org is not None else found.get(key.issue_id)
            results.append(result if result is not None else NotFound.missing_issue(key.issue_id, org))
        return results

    async def _fetch_issue_batch(self, org: str, group_ids: list[str]) -> list[dict[str, Any]]:
        self._spend_call()
        async with self._slots:
            return await self._client.list_issues_by_id(
                self._credential, org, group_ids, deadline=self._deadline
            )

    async def _fetch_issue(self, issue_id: str, org: str | None) -> dict[str, Any]:
        self._spend_call()
        async with self._slots:
            return await self._client.get_issue(self._credential, issue_id, deadline=self._deadline, org=org)

    async def load_tags(self, keys: Sequence[TagsKey]) -> list[list[dict[str, Any]] | BaseException]:
        observe_batch("tags", len(keys))
        return await _gather(self._fetch_tags(key) for key in keys)

    async def _fetch_tags(self, key: TagsKey) -> list[dict[str, Any]]:
        org = await self.organization()
        self._spend_call()
        async with self._slots:
            return await self._client.list_issue_tags(
                self._credential,
                key.issue_id,
                key=key.key,
                limit=key.limit,
                environment=key.environment,
                deadline=self._deadline,
                org=org,
            )

    def _spend_call(self) -> None:
        """Count one upstream call, refusing it past the request's budget."""
        if self.max_calls is not None and self.calls >= self.max_calls:
            raise UpstreamBudgetExceeded(self.max_calls)
        self.calls += 1

    async def _fetch_page(self, key: PageKey) -> LoadedPage:
        org = await self.organization()
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
                org=org,
            )
        return LoadedPage(page=page, full=key.full or page.direct_hit)

    async def _fetch_event(self, key: EventKey) -> dict[str, Any]:
        org = await self.organization()
        self._spend_call()
        async with self._slots:
            return await self._client.get_issue_event(
                self._credential,
                key.issue_id,
                key.event_id,
                filters=key.filters,
                deadline=self._deadline,
                org=org,
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
