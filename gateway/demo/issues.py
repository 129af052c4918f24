"""The issue itself: detail, issues by id, tag facets (SENTRY_ISSUES_API.md §1-§3).

Derived from the stored events, so counts and facets agree with the event lists:

* ``count`` is the number of stored events as a **string** (all environments, window
  ignored); ``userCount`` the distinct ``user`` tag values; ``firstSeen`` the oldest
  event's time (microseconds), ``lastSeen`` the newest's in **whole seconds** (null with
  no event); ``title``, ``culprit``, ``level``, ``metadata``, ``platform``, ``type`` and
  ``isUnhandled`` follow the newest event.
* What events cannot say (status, priority, assignee, annotations, ...) comes from
  `ISSUE_STATE`: issue 2 is assigned to a user, issue 3 to a team, issue 4 is a
  performance issue, issue 5 is resolved, issue 6 ignored.

Views (the app routes to them after authentication):

* `issue_detail`: ``GET .../issues/{id}/`` on both route forms; detail-only keys after the
  base keys; ``environment`` (unknown: 404) and ``collapse`` (release, tags, stats).
  Rate-limited like sentry.io: **5 per second** per caller (`IssueDetailLimiter`), with the
  ``X-Sentry-Rate-Limit-*`` headers on every answer and Sentry's 429 past it.
* `issue_index`: ``GET /api/0/organizations/{org}/issues/`` (no unscoped form). With
  ``group``: every value must be an integer (else 400 ``Group ids must be integers``),
  duplicates collapse, ids the caller cannot see are **silently missing**, rows come in
  the database's order (not the request's), no ``Link``/``X-Hits``. Without: a small
  search (``is:`` status, ``limit`` up to 100, offset cursors, ``X-Hits``).
* `issue_tags`: ``GET .../issues/{id}/tags/``: one entry per tag key of the issue's
  events, key order undefined, ``totalValues`` = events carrying the key, ``topValues``
  by count (ties undefined), ``limit`` default 10 (9 with ``key``; not an integer: 500).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .dates import InvalidQuery, format_dt
from .paginators import link_header, offset_page
from .params import ApiError, QueryParams, get_cursor, get_date_range, internal_error
from .serializers import user_tag_query
from .synthetic import BasicErrorSpec, basic_error_event
from .store import DEMO_ORG_SLUG, DEMO_PROJECT_ID, DEMO_PROJECT_SLUG, DemoEvent, DemoIssue, DemoStore, short_id_for

__all__ = [
    "DETAIL_RATE_LIMIT",
    "add_many_issues",
    "ISSUE_STATE",
    "IssueDetailLimiter",
    "base_issue_json",
    "issue_detail",
    "issue_index",
    "issue_tags",
]

DETAIL_RATE_LIMIT = 5  # requests per second, per caller (sentry.io's GroupDetailsEndpoint)
DETAIL_CONCURRENT_LIMIT = 25
_NOT_FOUND = "The requested resource does not exist"
_NO_PERMISSION = "You do not have permission to perform this action."
_PROJECT = {"id": DEMO_PROJECT_ID, "name": DEMO_PROJECT_SLUG, "slug": DEMO_PROJECT_SLUG, "platform": "python"}

#: What the events cannot tell: per issue id, keys of the serializer.
ISSUE_STATE: dict[str, dict[str, Any]] = {
    "1": {"priority": "high"},
    "2": {
        "substatus": "escalating",
        "priority": "high",
        "assignedTo": {"type": "user", "id": "1", "name": "Alice Example", "email": "alice@example.com"},
        "annotations": [{"displayName": "OPS-1234", "url": "https://jira.example.com/browse/OPS-1234"}],
        "numComments": 3,
        "isBookmarked": True,
        "shareId": "a3f8c1d2e4b5",
    },
    "3": {"priority": "medium", "assignedTo": {"type": "team", "id": "7", "name": "backend"}, "logger": "assets"},
    "4": {"priority": "low", "issueType": "performance_n_plus_one_db_queries", "issueCategory": "performance"},
    "5": {"status": "resolved", "substatus": None, "statusDetails": {"inRelease": "backend@1.4.0"}, "priority": "medium"},
    "6": {"status": "ignored", "substatus": "archived_until_escalating", "statusDetails": {"ignoreCount": 100}},
    "7": {"priority": "low", "hasSeen": True},
}

_TAG_NAMES = {
    "user": "User",
    "release": "Release",
    "dist": "Distribution",
    "os": "OS",
    "url": "URL",
    "server_name": "Server",
    "exc_type": "Exception Type",
}


def _scramble(text: str) -> str:
    """An order that is not the request's, nor sorted, but stable: a database's."""
    return hashlib.md5(text.encode()).hexdigest()


def _whole_seconds(when: datetime) -> str:
    return format_dt(when.replace(microsecond=0))


def _users(events: list[DemoEvent]) -> int:
    return len({value for event in events if (value := event.tag("user"))})


def base_issue_json(issue: DemoIssue, events: list[DemoEvent], url_prefix: str) -> dict[str, Any]:
    """``GroupSerializerBase.serialize``: the base keys, in Sentry's order."""
    state = ISSUE_STATE.get(issue.issue_id, {})
    newest = events[0].payload if events else {}
    level = (events[0].tag("level") if events else None) or "error"
    share_id = state.get("shareId")
    is_transaction = newest.get("type") == "transaction"
    return {
        "id": issue.issue_id,
        "shareId": share_id,
        "shortId": short_id_for(issue.issue_id),
        "title": newest.get("title") or issue.title,
        "culprit": newest.get("culprit"),
        "permalink": f"{url_prefix.rstrip('/')}/organizations/{DEMO_ORG_SLUG}/issues/{issue.issue_id}/",
        "logger": state.get("logger"),
        "level": level,
        "status": state.get("status", "unresolved"),
        "statusDetails": state.get("statusDetails", {}),
        "substatus": state.get("substatus", "ongoing"),
        "isPublic": share_id is not None,
        "platform": newest.get("platform"),
        "project": dict(_PROJECT),
        "type": newest.get("type", "default"),
        "metadata": newest.get("metadata") or {},
        "numComments": state.get("numComments", 0),
        "assignedTo": state.get("assignedTo"),
        "isBookmarked": state.get("isBookmarked", False),
        "isSubscribed": state.get("isSubscribed", False),
        "subscriptionDetails": {"reason": "assigned"} if state.get("assignedTo") else None,
        "hasSeen": state.get("hasSeen", False),
        "annotations": state.get("annotations", []),
        "issueType": state.get("issueType", "performance_n_plus_one_db_queries" if is_transaction else "error"),
        "issueCategory": state.get("issueCategory", "performance" if is_transaction else "error"),
        "priority": state.get("priority"),
        "priorityLockedAt": None,
        "isUnhandled": bool(events) and events[0].tag("handled") == "no",
        "count": str(len(events)),
        "userCount": _users(events),
        "firstSeen": format_dt(events[-1].ts) if events else None,
        "lastSeen": _whole_seconds(events[0].ts) if events else None,
    }


def _stats(events: list[DemoEvent], now: datetime, buckets: int, size: timedelta) -> list[list[int]]:
    """``[[bucket_start_epoch_seconds, count], ...]`` oldest first, the last one the current bucket."""
    seconds = int(size.total_seconds())
    current = int(now.timestamp()) // seconds * seconds
    starts = [current - seconds * (buckets - 1 - i) for i in range(buckets)]
    counts = Counter(int(event.ts.timestamp()) // seconds * seconds for event in events)
    return [[start, counts.get(start, 0)] for start in starts]


def _release(version: str | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"version": version, "shortVersion": version.partition("@")[2] or version}


def _environments(params: QueryParams, store: DemoStore) -> set[str]:
    wanted = set(params.getlist("environment"))
    if wanted and not wanted <= store.environments():
        raise ApiError.detail(404, _NOT_FOUND)
    return wanted


def _in(events: list[DemoEvent], environments: set[str]) -> list[DemoEvent]:
    if not environments:
        return events
    return [event for event in events if (event.environment or "") in environments]


# -- detail -----------------------------------------------------------------------------


@dataclass
class IssueDetailLimiter:
    """A fixed one-second window of `DETAIL_RATE_LIMIT` requests per caller, enforced."""

    clock: Callable[[], float] = time.time
    limit: int = DETAIL_RATE_LIMIT
    _windows: dict[str, tuple[int, int]] = field(default_factory=dict)

    def take(self, caller: str) -> tuple[bool, dict[str, str]]:
        """Count a request in: (allowed, the ``X-Sentry-Rate-Limit-*`` headers)."""
        window = int(self.clock())
        start, count = self._windows.get(caller, (window, 0))
        count = count + 1 if start == window else 1
        self._windows[caller] = (window, count)
        headers = {
            "X-Sentry-Rate-Limit-Remaining": str(max(0, self.limit - count)),
            "X-Sentry-Rate-Limit-Limit": str(self.limit),
            "X-Sentry-Rate-Limit-Reset": str(window + 1),
            "X-Sentry-Rate-Limit-ConcurrentRemaining": str(DETAIL_CONCURRENT_LIMIT - 1),
            "X-Sentry-Rate-Limit-ConcurrentLimit": str(DETAIL_CONCURRENT_LIMIT),
        }
        return count <= self.limit, headers

    def refusal(self) -> bytes:
        """Sentry's 429 body (sent as ``text/html``, Django's default)."""
        return (
            b'{"detail":"You are attempting to use this endpoint too frequently. Limit is '
            + str(self.limit).encode()
            + b' requests in 1 seconds"}'
        )


def issue_detail(store: DemoStore, issue: DemoIssue, query_string: bytes, url_prefix: str) -> dict[str, Any]:
    """``GroupDetailsEndpoint.get``: base keys, then the detail-only keys."""
    params = QueryParams(query_string)
    environments = _environments(params, store)
    collapse = set(params.getlist("collapse"))
    events = store.events(issue.issue_id)
    body = base_issue_json(issue, events, url_prefix)
    if environments:  # firstSeen, lastSeen and userCount follow the environment; count does not
        seen = _in(events, environments)
        body["userCount"] = _users(seen)
        body["firstSeen"] = format_dt(seen[-1].ts) if seen else None
        body["lastSeen"] = _whole_seconds(seen[0].ts) if seen else None
    else:
        seen = events
    if "release" not in collapse:
        releases = [event.tag("release") for event in reversed(seen) if event.tag("release")]
        body["firstRelease"] = _release(releases[0] if releases else None)
        body["lastRelease"] = _release(releases[-1] if releases else None)
    if "tags" not in collapse:
        facets = _facets(seen, keys=None, limit=0)
        body["tags"] = sorted(
            ({"key": f["key"], "name": f["name"], "totalValues": f["totalValues"]} for f in facets),
            key=lambda f: f["name"],
        )[:100]
    body["activity"] = [
        {"id": "0", "type": "first_seen", "user": None, "data": {}, "dateCreated": body["firstSeen"]}
    ]
    body["seenBy"] = []
    body["userReportCount"] = 0
    body["count"] = str(len(events))  # overwritten, same position
    if "stats" not in collapse:
        now = store.now()
        body["stats"] = {
            "24h": _stats(seen, now, 25, timedelta(hours=1)),
            "30d": _stats(seen, now, 31, timedelta(days=1)),
        }
    body["participants"] = []
    return body


# -- issues by id, and the search -------------------------------------------------------

_GROUP_STATS = {"24h": (24, timedelta(hours=1)), "14d": (14, timedelta(days=1)), "auto": (24, timedelta(hours=1))}


def _stream_item(
    issue: DemoIssue, store: DemoStore, url_prefix: str, stats_period: str, collapse: set[str]
) -> dict[str, Any]:
    """``StreamGroupSerializerSnuba``: base keys, then stats, lifetime, filtered."""
    events = store.events(issue.issue_id)
    body = base_issue_json(issue, events, url_prefix)
    if "base" in collapse:
        keep = {"id", "count", "userCount", "firstSeen", "lastSeen", "isUnhandled"}
        body = {key: value for key, value in body.items() if key in keep}
    if "stats" in collapse:
        for key in ("count", "userCount", "firstSeen", "lastSeen"):
            body.pop(key, None)
    if "unhandled" in collapse:
        body.pop("isUnhandled", None)
    if "stats" not in collapse and stats_period:
        buckets, size = _GROUP_STATS[stats_period]
        body["stats"] = {stats_period: _stats(events, store.now(), buckets, size)}
    if not collapse & {"stats", "lifetime"}:
        body["lifetime"] = {
            "count": str(len(events)),
            "userCount": _users(events),
            "firstSeen": format_dt(events[-1].ts) if events else None,
            "lastSeen": _whole_seconds(events[0].ts) if events else None,
            "stats": None,
        }
    if not collapse & {"stats", "filtered"}:
        body["filtered"] = None
    return body


def issue_index(
    store: DemoStore, can_access: Callable[[str], bool], query_string: bytes, path: str, url_prefix: str
) -> tuple[Any, dict[str, str]]:
    """``OrganizationGroupIndexEndpoint.get``: (body, headers)."""
    params = QueryParams(query_string)
    try:
        get_date_range(params, store.now(), optional=False)  # validated; the numbers ignore it
    except InvalidQuery as exc:
        raise ApiError.detail(400, str(exc)) from None
    stats_period = params.get("groupStatsPeriod", "24h")
    if stats_period not in ("", *_GROUP_STATS):
        raise ApiError.detail(400, "Invalid stats_period. Valid choices are '', '24h', '14d' and 'auto'")
    _environments(params, store)
    projects = params.getlist("project")
    if any(project not in (DEMO_PROJECT_ID, "-1") for project in projects):
        raise ApiError.detail(403, _NO_PERMISSION)
    collapse = set(params.getlist("collapse"))
    groups = params.getlist("group")
    if groups:
        try:
            wanted = {str(int(group)) for group in groups}
        except ValueError:
            raise ApiError.detail(400, "Group ids must be integers") from None
        found = [
            store.issues[issue_id]
            for issue_id in wanted
            if issue_id in store.issues and can_access(issue_id)
        ]
        found.sort(key=lambda issue: _scramble(issue.issue_id))  # no ORDER BY
        return [_stream_item(issue, store, url_prefix, stats_period, collapse) for issue in found], {}
    return _search(store, can_access, params, path, url_prefix, stats_period, collapse)


def _search(
    store: DemoStore,
    can_access: Callable[[str], bool],
    params: QueryParams,
    path: str,
    url_prefix: str,
    stats_period: str,
    collapse: set[str],
) -> tuple[Any, dict[str, str]]:
    query = params.get("query", "is:unresolved") or ""
    statuses = {word[3:] for word in query.split() if word.startswith("is:")}
    try:
        limit = int(params.get("limit") or 100)
    except ValueError:
        raise ApiError.detail(400, "Invalid limit parameter.") from None
    limit = max(1, min(limit, 100))
    cursor = get_cursor(params)
    rows = []
    for issue in store.issues.values():
        events = store.events(issue.issue_id)
        status = ISSUE_STATE.get(issue.issue_id, {}).get("status", "unresolved")
        if can_access(issue.issue_id) and events and (not statuses or status in statuses):
            rows.append((events[0].ts, issue))
    rows.sort(key=lambda row: row[0], reverse=True)  # sort=date: last seen, newest first
    page = offset_page([issue for _, issue in rows], limit, cursor)
    body = [_stream_item(issue, store, url_prefix, stats_period, collapse) for issue in page.results]
    link = link_header(url_prefix, path, params.urlencode(without="cursor"), page)
    return body, {"Link": link, "X-Hits": str(len(rows))}


# -- tag facets -------------------------------------------------------------------------


def _tag_name(key: str) -> str:
    return _TAG_NAMES.get(key) or key.replace("_", " ").title()


def _value_name(key: str, value: str) -> str:
    if key == "user" and value.partition(":")[0] in ("id", "email", "username", "ip"):
        return value.partition(":")[2]
    return value


def _facets(events: list[DemoEvent], keys: set[str] | None, limit: int) -> list[dict[str, Any]]:
    """One entry per tag key of `events` (or of `keys`), key order undefined."""
    carriers: dict[str, list[tuple[str, datetime]]] = {}
    for event in events:
        for tag in event.tags:
            key, value = tag.get("key"), tag.get("value")
            if not isinstance(key, str) or (keys is not None and key not in keys):
                continue
            carriers.setdefault(key, []).append((value if isinstance(value, str) else "", event.ts))
    facets = []
    for key in sorted(carriers, key=_scramble):
        counts: Counter[str] = Counter()
        first: dict[str, datetime] = {}
        last: dict[str, datetime] = {}
        for value, when in carriers[key]:
            if not value:
                continue  # empty values are not top values
            counts[value] += 1
            first[value] = min(first.get(value, when), when)
            last[value] = max(last.get(value, when), when)
        ranked = sorted(counts, key=lambda value: (-counts[value], _scramble(value)))[:limit]
        top = []
        for value in ranked:
            item: dict[str, Any] = {
                "key": key,
                "name": _value_name(key, value),
                "value": value,
                "count": counts[value],
                "lastSeen": _whole_seconds(last[value]),
                "firstSeen": _whole_seconds(first[value]),
            }
            query = user_tag_query(key, value)
            if query is not None:
                item["query"] = query
            top.append(item)
        facets.append({"key": key, "name": _tag_name(key), "totalValues": len(carriers[key]), "topValues": top})
    return facets


def issue_tags(store: DemoStore, issue: DemoIssue, query_string: bytes) -> list[dict[str, Any]]:
    """``GroupTagsEndpoint.get``."""
    params = QueryParams(query_string)
    keys = {key.removeprefix("sentry:") for key in params.getlist("key")} or None
    try:
        limit = int(params.get("limit") or (9 if keys else 10))
    except ValueError:
        raise internal_error() from None  # not caught by the view
    environments = _environments(params, store)
    try:
        window = get_date_range(params, store.now(), optional=True)
    except InvalidQuery:
        raise internal_error() from None
    events = [event for event in _in(store.events(issue.issue_id), environments) if window.contains(event.ts)]
    return _facets(events, keys, max(0, limit))



# -- many issues (for batching tests and the "many issues" benchmark) -------------------


def add_many_issues(store: DemoStore, count: int = 50, *, first_id: int = 100, events: int = 3) -> list[str]:
    """Add `count` small issues (ids `first_id`, `first_id + 1` ...), `events` events each.

    Deterministic: event times are whole hours before the store's anchor.
    Returns the new issue ids.
    """
    ids = []
    for n in range(count):
        issue_id = str(first_id + n)
        spec = BasicErrorSpec(
            "KeyError",
            lambda seq, n=n: f"missing key job-{n}-{seq}",
            f"app.jobs.job_{n}",
            "run",
            f"app/jobs/job_{n}.py",
            environments=("production", "staging"),
        )
        issue = DemoIssue(
            issue_id=issue_id,
            title=f"KeyError: missing key job-{n}",
            factory=lambda seq, ts, issue_id=issue_id, spec=spec: basic_error_event(issue_id, spec, seq, ts),
        )
        issue.events = [
            issue.factory(seq, store.anchor - timedelta(hours=1 + n + seq * 7)) for seq in range(events)  # type: ignore[misc]
        ]
        issue.next_seq = events
        store.add_issue(issue)
        ids.append(issue_id)
    return ids
