"""The demo upstream serves the issue itself as SENTRY_ISSUES_API.md §1-§3 says, over HTTP,
and its numbers agree with the events it lists."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import pytest

from gateway.demo import DEMO_TOKEN, create_demo_app

pytestmark = pytest.mark.anyio

BASE_KEYS = [
    "id", "shareId", "shortId", "title", "culprit", "permalink", "logger", "level", "status",
    "statusDetails", "substatus", "isPublic", "platform", "project", "type", "metadata",
    "numComments", "assignedTo", "isBookmarked", "isSubscribed", "subscriptionDetails", "hasSeen",
    "annotations", "issueType", "issueCategory", "priority", "priorityLockedAt", "isUnhandled",
    "count", "userCount", "firstSeen", "lastSeen",
]
DETAIL_KEYS = ["firstRelease", "lastRelease", "tags", "activity", "seenBy", "userReportCount", "stats", "participants"]
INDEX = "/api/0/organizations/demo/issues/"


@pytest.fixture
def app() -> Any:
    return create_demo_app()


async def get(app: Any, url: str, token: str = DEMO_TOKEN) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo.local") as http:
        return await http.get(url, headers={"Authorization": f"Bearer {token}"})


async def all_events(app: Any, issue_id: str) -> list[dict[str, Any]]:
    """Every event the list endpoint shows (default window), walking its Link header."""
    events: list[dict[str, Any]] = []
    url = f"/api/0/organizations/demo/issues/{issue_id}/events/?per_page=100"
    while True:
        response = await get(app, url)
        events += response.json()
        match = re.search(r'cursor=([^>]+)>; rel="next"; results="true"', response.headers["link"])
        if match is None:
            return events
        url = f"/api/0/organizations/demo/issues/{issue_id}/events/?per_page=100&cursor={match.group(1)}"


async def test_index_by_group_ids(app: Any) -> None:
    response = await get(app, f"{INDEX}?group=2&group=3&group=4&group=2&group=987654&group=003")
    assert response.status_code == 200
    assert "link" not in response.headers and "x-hits" not in response.headers
    items = response.json()
    ids = [item["id"] for item in items]
    assert sorted(ids) == ["2", "3", "4"]  # deduplicated; the unknown id silently missing
    assert ids != ["2", "3", "4"]  # the database's order, neither the request's nor sorted
    assert list(items[0]) == [*BASE_KEYS, "stats", "lifetime", "filtered"]
    assert all(isinstance(item["count"], str) and item["count"].isdigit() for item in items)
    assert all(len(item["stats"]["24h"]) == 24 and item["filtered"] is None for item in items)
    assert set(items[0]["lifetime"]) == {"count", "userCount", "firstSeen", "lastSeen", "stats"}


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("group=2&group=x", 400, "Group ids must be integers"),
        ("group=2&groupStatsPeriod=7d", 400, "Invalid stats_period. Valid choices are '', '24h', '14d' and 'auto'"),
        ("group=2&statsPeriod=lol", 400, "Invalid statsPeriod: 'lol'"),
        ("group=2&environment=nowhere", 404, "The requested resource does not exist"),
        ("group=2&project=999", 403, "You do not have permission to perform this action."),
    ],
)
async def test_index_errors(app: Any, query: str, status: int, detail: str) -> None:
    response = await get(app, f"{INDEX}?{query}")
    assert (response.status_code, response.json()) == (status, {"detail": detail})


async def test_index_omits_what_the_caller_may_not_see_and_honours_collapse(app: Any) -> None:
    items = (await get(app, f"{INDEX}?group=2&group=6", "sntryu_alice")).json()
    assert [item["id"] for item in items] == ["2"]  # issue 6 is private: missing, no error
    (item,) = (await get(app, f"{INDEX}?group=2&collapse=stats&groupStatsPeriod=")).json()
    assert not {"count", "userCount", "firstSeen", "lastSeen", "stats", "lifetime", "filtered"} & set(item)
    assert (await get(app, f"{INDEX}?group=2", "sntryu_noscope")).status_code == 403
    assert (await get(app, "/api/0/organizations/nope/issues/?group=2")).status_code == 404


async def test_index_search_without_group_pages_with_hits(app: Any) -> None:
    response = await get(app, f"{INDEX}?limit=2")
    assert response.headers["x-hits"] == "5"  # unresolved issues with events (5 is resolved, 6 ignored)
    assert len(response.json()) == 2 and 'rel="next"; results="true"' in response.headers["link"]
    resolved = await get(app, f"{INDEX}?query=is:resolved")
    assert [item["id"] for item in resolved.json()] == ["5"]


async def test_detail_keys_and_numbers_agree_with_the_listed_events(app: Any) -> None:
    response = await get(app, "/api/0/organizations/demo/issues/DEMO-2/")
    body = response.json()
    assert list(body) == [*BASE_KEYS, *DETAIL_KEYS]
    events = await all_events(app, "2")
    assert body["count"] == str(len(events)) == "320"
    assert body["userCount"] == len({tag["value"] for e in events for tag in e["tags"] if tag["key"] == "user"})
    assert body["lastSeen"] == events[0]["dateCreated"][:19] + "Z"  # whole seconds
    oldest = (await get(app, "/api/0/organizations/demo/issues/2/events/oldest/")).json()
    assert body["firstSeen"] == oldest["dateCreated"]
    assert body["title"] == events[0]["title"] and body["project"]["slug"] == "demo"
    assert body["activity"][0]["type"] == "first_seen"
    assert len(body["stats"]["24h"]) == 25 and len(body["stats"]["30d"]) == 31
    assert sum(count for _, count in body["stats"]["30d"]) == 320
    assert [tag["name"] for tag in body["tags"]] == sorted(tag["name"] for tag in body["tags"])
    collapsed = (await get(app, "/api/0/organizations/demo/issues/2/?collapse=stats&collapse=tags&collapse=release")).json()
    assert not {"stats", "tags", "firstRelease", "lastRelease"} & set(collapsed)
    assert (await get(app, "/api/0/organizations/demo/issues/2/?environment=nowhere")).status_code == 404


async def test_an_issue_with_no_event_in_storage_has_a_null_last_seen() -> None:
    app = create_demo_app()
    app.state.store.issues["7"].events.clear()
    body = (await get(app, "/api/0/organizations/demo/issues/7/")).json()
    assert (body["count"], body["lastSeen"], body["firstSeen"]) == ("0", None, None)


async def test_detail_is_rate_limited_at_five_a_second(app: Any) -> None:
    app.state.issue_detail_limiter.clock = lambda: 1_000_000.0
    statuses = []
    for _ in range(6):
        response = await get(app, "/api/0/organizations/demo/issues/3/")
        statuses.append(response.status_code)
        assert response.headers["x-sentry-rate-limit-limit"] == "5"
    assert statuses == [200] * 5 + [429]
    assert response.headers["content-type"].startswith("text/html")  # Django's default
    assert response.json() == {
        "detail": "You are attempting to use this endpoint too frequently. Limit is 5 requests in 1 seconds"
    }
    assert response.headers["x-sentry-rate-limit-remaining"] == "0"
    assert response.headers["x-sentry-rate-limit-reset"] == "1000001"
    # Another caller has its own window.
    assert (await get(app, "/api/0/organizations/demo/issues/3/", "sntryu_alice")).status_code == 200


async def test_unscoped_detail_and_tags_are_deprecated_and_brown_out(app: Any) -> None:
    detail = await get(app, "/api/0/issues/2/")
    assert detail.headers["x-sentry-deprecation-date"] == "2026-01-01T00:00:00+00:00"
    assert detail.headers["x-sentry-replacement-endpoint"] == "/api/0/organizations/:organization_id_or_slug/issues/2/"
    tags = await get(app, "/api/0/groups/2/tags/")
    assert tags.status_code == 200 and "x-sentry-replacement-endpoint" not in tags.headers
    assert "x-sentry-deprecation-date" not in (await get(app, "/api/0/issues/987654/")).headers
    app.state.brownout.active = True
    for path in ("/api/0/issues/2/", "/api/0/issues/2/tags/"):
        gone = await get(app, path)
        assert (gone.status_code, gone.json()) == (410, {"message": "This API no longer exists."})
    assert (await get(app, "/api/0/organizations/demo/issues/2/tags/")).status_code == 200
    assert (await get(app, "/api/0/issues/")).status_code == 404  # the index has no unscoped form


async def test_tag_facets_agree_with_the_listed_events(app: Any) -> None:
    events = await all_events(app, "2")
    facets = (await get(app, "/api/0/organizations/demo/issues/2/tags/")).json()
    assert {facet["key"] for facet in facets} == {tag["key"] for e in events for tag in e["tags"]}
    for facet in facets:
        values = Counter(tag["value"] for e in events for tag in e["tags"] if tag["key"] == facet["key"])
        assert facet["totalValues"] == sum(values.values())
        top = facet["topValues"]
        assert len(top) == min(10, len(values))
        assert [v["count"] for v in top] == sorted((v["count"] for v in top), reverse=True)
        assert all(values[v["value"]] == v["count"] for v in top)
        assert all(v["lastSeen"].endswith("Z") and "." not in v["lastSeen"] for v in top)
    (user,) = [facet for facet in facets if facet["key"] == "user"]
    assert user["name"] == "User" and user["topValues"][0]["query"].startswith('user.id:"')
    assert user["topValues"][0]["name"] == user["topValues"][0]["value"].removeprefix("id:")


@pytest.mark.parametrize(
    ("query", "status", "keys", "top"),
    [
        ("key=sentry:user", 200, ["user"], 9),
        ("key=user&limit=3", 200, ["user"], 3),
        ("key=environment&environment=staging", 200, ["environment"], 1),
        ("limit=x", 500, None, None),
        ("environment=nowhere", 404, None, None),
    ],
)
async def test_tag_parameters(app: Any, query: str, status: int, keys: list[str] | None, top: int | None) -> None:
    response = await get(app, f"/api/0/organizations/demo/issues/2/tags/?{query}")
    assert response.status_code == status
    if keys is not None:
        body = response.json()
        assert [facet["key"] for facet in body] == keys
        assert len(body[0]["topValues"]) == top
