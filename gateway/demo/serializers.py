"""The three views Sentry gives of an event, derived from one stored payload.

* `serialize_simple` — ``SimpleEventSerializer`` (the list without ``full``): exactly
  15 keys, ``event.type`` dotted, ``message`` the *raw* ``event.message``, tags in
  stored order as ``{key, value, query?}``.
* `serialize_full` — plain ``EventSerializer`` (``full=true`` list items, direct hits,
  ``collapse=stacktraceOnly`` details): the stored payload with tags sorted by key.
* `serialize_detail` — ``IssueEventSerializer`` plus ``nextEventID``/``previousEventID``
  (the detail endpoint): adds ``release``, ``userReport``, ``sdkUpdates``,
  ``resolvedWith`` and formats SQL in ``query``/``sql.query`` breadcrumbs and db spans.

List pages are built from per-event JSON fragments cached on the event (`event_json`),
so a page of 100 full events costs a join, not 100 ``json.dumps`` calls.
"""

from __future__ import annotations

import json
import re
from datetime import UTC
from typing import Any

from .store import DemoEvent

__all__ = [
    "ENTRY_ORDER",
    "SIMPLE_KEYS",
    "DETAIL_KEYS",
    "sort_entries",
    "user_tag_query",
    "serialize_simple",
    "serialize_full",
    "serialize_detail",
    "dumps",
    "event_json",
    "json_array",
]

# Display-score order of section 4, ties in their stable order; unknown kinds go last.
ENTRY_ORDER = (
    "message",  # 2050
    "exception",  # 2000
    "stacktrace",  # 1950
    "spans",  # 1950
    "threads",  # 1900
    "csp",  # 1300
    "hpkp",
    "expectct",
    "expectstaple",
    "template",  # 1100, before breadcrumbs
    "breadcrumbs",  # 1100
    "request",  # 1000
    "debugmeta",  # 0
    "nel",  # 0
)

SIMPLE_KEYS = (
    "id",
    "event.type",
    "groupID",
    "eventID",
    "projectID",
    "message",
    "title",
    "location",
    "culprit",
    "user",
    "tags",
    "platform",
    "dateCreated",
    "crashFile",
    "metadata",
)

DETAIL_KEYS = ("release", "userReport", "sdkUpdates", "resolvedWith")

# GroupEventReleaseSerializer: what `collapse=fullRelease` leaves of a release.
_SMALL_RELEASE_KEYS = (
    "id",
    "commitCount",
    "data",
    "dateCreated",
    "dateReleased",
    "deployCount",
    "ref",
    "lastCommit",
    "lastDeploy",
    "status",
    "url",
    "userAgent",
    "version",
    "versionInfo",
)

_USER_TAG_KEYS = {"id", "username", "email", "ip"}


def sort_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sort entries by display score (highest first), stable; unknown kinds last."""
    rank = {kind: i for i, kind in enumerate(ENTRY_ORDER)}
    return sorted(entries, key=lambda entry: rank.get(entry["type"], len(ENTRY_ORDER)))


def user_tag_query(key: str, value: str) -> str | None:
    """``convert_user_tag_to_query``: ``user`` = ``id:42`` -> ``user.id:"42"``."""
    if key == "user" and ":" in value:
        sub_key, sub_value = value.split(":", 1)
        if sub_key in _USER_TAG_KEYS:
            escaped = sub_value.replace('"', '\\"')
            return f'user.{sub_key}:"{escaped}"'
    return None


def serialize_simple(event: DemoEvent) -> dict[str, Any]:
    """``SimpleEventSerializer`` output: exactly `SIMPLE_KEYS`."""
    payload = event.payload
    tags = []
    for stored in payload.get("tags") or []:
        tag = {"key": stored["key"].split("sentry:", 1)[-1], "value": stored["value"]}
        if "query" in stored:
            tag["query"] = stored["query"]
        tags.append(tag)
    extra = event.simple_extra
    message = event.raw_message if event.raw_message is not None else payload.get("message")
    return {
        "id": event.row_id,
        "event.type": payload.get("type"),
        "groupID": payload.get("groupID"),
        "eventID": event.event_id,
        "projectID": payload.get("projectID"),
        "message": message,
        "title": payload.get("title"),
        "location": payload.get("location"),
        "culprit": extra.get("culprit", payload.get("culprit")),
        "user": payload.get("user"),
        "tags": tags,
        "platform": payload.get("platform"),
        "dateCreated": list_date(event, extra.get("dateCreated", payload.get("dateCreated"))),
        "crashFile": payload.get("crashFile"),
        "metadata": payload.get("metadata"),
    }


def serialize_full(event: DemoEvent) -> dict[str, Any]:
    """``EventSerializer`` output of a list item: the payload, tags sorted by key
    (a stable sort), ``dateCreated`` in whole seconds."""
    data = dict(event.payload)
    data["tags"] = sorted(event.payload.get("tags") or [], key=lambda tag: tag["key"])
    if "dateCreated" in data:
        data["dateCreated"] = list_date(event, data["dateCreated"])
    return data


def list_date(event: DemoEvent, value: Any) -> Any:
    """A list item's ``dateCreated``: the Snuba row's whole second (the serializer
    prefers it over the stored event's microseconds; facts doc, section 1). The old
    value-cursor issue keeps its stored value, as 2018's Sentry did."""
    if not isinstance(value, str) or not event.whole_second_dates:
        return value
    # ``ts`` is the Snuba row's timestamp, which the window and the order use too (the
    # shared fixtures keep their original payload dates for the detail endpoint).
    return event.ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def serialize_detail(
    event: DemoEvent,
    *,
    next_event_id: str | None,
    previous_event_id: str | None,
    collapse: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """The detail endpoint's body; ``collapse=stacktraceOnly`` gives the plain full view."""
    data = serialize_full(event)
    if "dateCreated" in event.payload:  # the stored event's own precision, not the list's
        data["dateCreated"] = event.payload["dateCreated"]
    if "stacktraceOnly" in collapse:
        return data
    data["entries"] = [_format_sql_entry(entry) for entry in data.get("entries") or []]
    release = event.detail.get("release")
    if "fullRelease" in collapse and isinstance(release, dict) and len(release) > 1:
        release = {k: release[k] for k in _SMALL_RELEASE_KEYS if k in release}
    data["release"] = release
    data["userReport"] = event.detail.get("userReport")
    data["sdkUpdates"] = event.detail.get("sdkUpdates", [])
    data["resolvedWith"] = event.detail.get("resolvedWith", [])
    data["nextEventID"] = next_event_id
    data["previousEventID"] = previous_event_id
    return data


# -- SQL formatting (detail endpoint only) --------------------------------------------

_SQL_CLAUSES = re.compile(
    r"\s+(FROM|WHERE|GROUP BY|ORDER BY|HAVING|LIMIT|OFFSET|"
    r"(?:LEFT |RIGHT |INNER |OUTER |CROSS )?JOIN|VALUES|SET|RETURNING)\b",
    re.IGNORECASE,
)
_SQL_BOOL = re.compile(r"\s+(AND|OR)\b", re.IGNORECASE)


def format_sql(query: str) -> str:
    """Re-indent a SQL statement, one clause per line (an approximation of sqlparse's
    ``reindent=True`` that Sentry uses)."""
    formatted = _SQL_CLAUSES.sub(lambda m: "\n" + m.group(1), query.strip())
    formatted = _SQL_BOOL.sub(lambda m: "\n  " + m.group(1), formatted)
    return formatted


def _format_sql_entry(entry: dict[str, Any]) -> dict[str, Any]:
    if entry.get("type") == "breadcrumbs":
        values = (entry.get("data") or {}).get("values") or []
        if not any(_is_sql_crumb(crumb) for crumb in values):
            return entry
        crumbs = []
        for crumb in values:
            if _is_sql_crumb(crumb):
                crumb = dict(crumb)
                crumb["messageFormat"] = "sql"
                crumb["messageRaw"] = crumb["message"]
                crumb["message"] = format_sql(crumb["message"])
            crumbs.append(crumb)
        return {"type": "breadcrumbs", "data": {**entry["data"], "values": crumbs}}
    if entry.get("type") == "spans" and isinstance(entry.get("data"), list):
        if not any(_is_db_span(span) for span in entry["data"]):
            return entry
        spans = [
            {**span, "description": format_sql(span["description"])} if _is_db_span(span) else span
            for span in entry["data"]
        ]
        return {"type": "spans", "data": spans}
    return entry


def _is_sql_crumb(crumb: dict[str, Any]) -> bool:
    return crumb.get("category") in ("query", "sql.query") and bool(crumb.get("message"))


def _is_db_span(span: dict[str, Any]) -> bool:
    return str(span.get("op") or "").startswith("db") and bool(span.get("description"))


# -- JSON ---------------------------------------------------------------------------


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, as Starlette's JSONResponse renders it."""
    return json.dumps(
        value, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def event_json(event: DemoEvent, view: str) -> bytes:
    """The cached JSON of one list item; ``view`` is ``"simple"`` or ``"full"``."""
    cached = event.json_cache.get(view)
    if cached is None:
        body = serialize_full(event) if view == "full" else serialize_simple(event)
        cached = event.json_cache[view] = dumps(body)
    return cached


def json_array(parts: list[bytes]) -> bytes:
    return b"[" + b",".join(parts) + b"]"
