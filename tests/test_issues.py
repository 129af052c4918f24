"""The issue itself through the gateway (issue 14): its fields, tag facets, and batching,
counted in the demo upstream's request log."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.demo import DEMO_TOKEN
from gateway.demo.issues import add_many_issues
from gateway.schema.types.issue_fields import ISSUE_DATA_FIELDS
from gateway.sentry.errors import UpstreamTimeout
from gateway.sentry.pacing import Pacer
from gateway.settings import load_settings

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

INDEX = "/api/0/organizations/demo/issues/"
#: Every issue field, with the sub-selections of the object ones.
ALL_FIELDS = """issueId shareId shortId title culprit permalink logger level status statusDetails
  substatus isPublic platform project { id slug name platform } type metadata numComments
  assignedTo { __typename ... on AssignedUser { type id name email } ... on AssignedTeam { type id name } }
  isBookmarked isSubscribed subscriptionDetails hasSeen annotations { displayName url }
  issueType issueCategory priority priorityLockedAt isUnhandled count userCount firstSeen lastSeen"""
MANY = "query($ids: [ID!]!) { issues(ids: $ids) { issueId title count status } }"
ENTITIES = """query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Issue { issueId shortId title count } }
}"""


def issue_calls(gw: Gateway) -> list[tuple[str, dict[str, list[str]]]]:
    """Calls that fetched an issue's own fields (the index, or the detail route)."""
    return [
        (path, params)
        for path, params in gw.upstream_calls()
        if path == INDEX or (path.count("/") in (5, 7) and "/issues/" in path and not path.endswith(("/events/", "/tags/")))
    ]


async def upstream_json(gw: Gateway, url: str, token: str = DEMO_TOKEN) -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gw.demo_app), base_url="http://upstream") as http:
        return (await http.get(url, headers={"Authorization": f"Bearer {token}"})).json()


async def test_every_serializer_key_reaches_the_caller_intact(gateway: Gateway) -> None:
    ids = ["1", "2", "3", "4", "5", "6", "7"]
    data = await gateway.data(f"query($ids: [ID!]!) {{ issues(ids: $ids) {{ {ALL_FIELDS} }} }}", {"ids": ids})
    sent = {item["id"]: item for item in await upstream_json(gateway, INDEX + "?" + "&".join(f"group={i}" for i in ids))}
    assert ISSUE_DATA_FIELDS == set(sent["2"]) - {"id", "stats", "lifetime", "filtered"}
    for answered in data["issues"]:
        original = sent[answered["issueId"]]
        for key in ISSUE_DATA_FIELDS:
            value = answered[key]
            if key == "assignedTo" and value is not None:
                value = {k: v for k, v in value.items() if k != "__typename"}
            assert value == original[key], (answered["issueId"], key)
    kinds = {issue["issueId"]: (issue["assignedTo"] or {}).get("__typename") for issue in data["issues"]}
    assert kinds["2"] == "AssignedUser" and kinds["3"] == "AssignedTeam" and kinds["1"] is None


async def test_thirty_ids_cost_one_call() -> None:
    async with running_gateway() as gw:
        ids = add_many_issues(gw.store, 30)
        body = await gw.post(MANY, {"ids": ids})
        data = body["data"]
        assert [issue["issueId"] for issue in data["issues"]] == ids  # the order asked
        # The estimate made before running knows they are one batch.
        assert body["extensions"]["cost"]["estimatedUpstreamCalls"] == 1 == body["extensions"]["cost"]["upstreamCalls"]
        assert all(issue["count"] == "3" for issue in data["issues"])
        ((path, params),) = gw.upstream_calls()
        assert path == INDEX and params["group"] == ids and params["project"] == ["-1"]


async def test_more_than_a_hundred_ids_are_split_at_a_hundred() -> None:
    async with running_gateway() as gw:
        ids = add_many_issues(gw.store, 150)
        data = await gw.data(MANY, {"ids": ids})
        assert [issue["issueId"] for issue in data["issues"]] == ids
        assert sorted(len(params["group"]) for _, params in gw.upstream_calls()) == [50, 100]


async def test_repeated_and_unknown_ids(gateway: Gateway) -> None:
    body = await gateway.post(MANY, {"ids": ["2", "987654", "3", "2", "6"]}, headers={"Authorization": "Bearer sntryu_alice"})
    issues = body["data"]["issues"]
    assert [i and i["issueId"] for i in issues] == ["2", None, "3", "2", None]
    assert sorted((e["path"], e["extensions"]["code"]) for e in body["errors"]) == [
        (["issues", 1], "NOT_FOUND"),
        (["issues", 4], "NOT_FOUND"),  # private: Sentry leaves it out, like an unknown id
    ]
    ((_, params),) = gateway.upstream_calls()
    assert params["group"] == ["2", "987654", "3", "6"]


async def test_fifty_entities_and_every_other_path_share_one_call() -> None:
    async with running_gateway() as gw:
        ids = add_many_issues(gw.store, 50)
        representations = [{"__typename": "Issue", "issueId": i} for i in ids]
        data = await gw.data(ENTITIES, {"representations": representations})
        assert [e["issueId"] for e in data["_entities"]] == ids
        assert data["_entities"][0]["shortId"] == f"DEMO-{ids[0]}"
        assert len(gw.upstream_calls()) == 1
        gw.reset_calls()
        gid = (await gw.data('{ issue(id: "2") { id } }'))["issue"]["id"]
        gw.reset_calls()
        query = """query($gid: ID!) {
          a: issue(id: "2") { title } b: issue(id: "3") { status count }
          n: node(id: $gid) { ... on Issue { culprit } }
          many: issues(ids: ["4", "5"]) { level }
        }"""
        data = await gw.data(query, {"gid": gid})
        assert data["n"]["culprit"] and data["b"]["count"] == "40"
        ((path, params),) = gw.upstream_calls()
        assert path == INDEX and sorted(params["group"]) == ["2", "3", "4", "5"]


async def test_events_only_makes_no_issue_call(gateway: Gateway) -> None:
    await gateway.data('{ issue(id: "2") { issueId events(first: 2) { nodes { eventID title } } } }')
    assert issue_calls(gateway) == [] and len(gateway.upstream_calls()) == 1
    gateway.reset_calls()
    # Fields of another type in the same selection (an Event's `title`) do not load the issue.
    query = '{ node(id: "SXNzdWU6Mg==") { ... on Issue { events(first: 1) { nodes { id } } } ... on Event { title } } }'
    await gateway.data(query)
    assert issue_calls(gateway) == []


async def test_an_issue_page_in_one_query(gateway: Gateway) -> None:
    query = """{ issue(id: "DEMO-2") {
      shortId title status count userCount firstSeen lastSeen
      tags(limit: 3) { key name totalValues topValues { value count } }
      events(first: 25) { nodes { eventID } }
      latestEvent { entries { __typename ... on ExceptionEntry { values { type value } } } }
    } }"""
    issue = (await gateway.data(query))["issue"]
    assert issue["count"] == "320" and len(issue["events"]["nodes"]) == 25
    keys = [facet["key"] for facet in issue["tags"]]
    assert keys == sorted(keys) and "user" in keys and all(len(f["topValues"]) <= 3 for f in issue["tags"])
    paths = sorted(path for path, _ in gateway.upstream_calls())
    sent = await upstream_json(gateway, "/api/0/organizations/demo/issues/2/tags/?limit=3")
    assert {f["key"]: f["totalValues"] for f in issue["tags"]} == {f["key"]: f["totalValues"] for f in sent}
    assert paths == [
        "/api/0/organizations/demo/issues/DEMO-2/",  # a short id: the detail route
        "/api/0/organizations/demo/issues/DEMO-2/events/",
        "/api/0/organizations/demo/issues/DEMO-2/events/latest/",
        "/api/0/organizations/demo/issues/DEMO-2/tags/",
    ]


async def test_tags_arguments_reach_sentry(gateway: Gateway) -> None:
    data = await gateway.data('{ issue(id: "2") { tags(key: "sentry:user", limit: 2, environment: ["staging"]) { key topValues { name query } } } }')
    (facet,) = data["issue"]["tags"]
    assert facet["key"] == "user" and len(facet["topValues"]) == 2
    ((_, params),) = gateway.upstream_calls()
    assert params == {"key": ["sentry:user"], "limit": ["2"], "environment": ["staging"]}
    body = await gateway.post('{ issue(id: "2") { tags(limit: 0) { key } } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_without_an_organization_the_detail_route_keeps_to_five_a_second() -> None:
    # sntryu_events may not list organizations: no organization, so no issue index.
    env = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_AUTH_TOKEN": "sntryu_events"}
    async with running_gateway(env) as gw:
        ids = ["1", "2", "3", "4", "5", "6", "7"]
        for _ in range(2):  # the spacing holds across requests too
            data = await gw.data(MANY, {"ids": ids})
            assert [i["issueId"] for i in data["issues"]] == ids
        records = [r for r in gw.demo_app.state.requests if r.path.startswith("/api/0/issues/")]
        assert sorted(r.path for r in records) == sorted(f"/api/0/issues/{i}/" for i in ids * 2)
        assert all(r.status == 200 for r in records)  # never the demo's enforced 429


async def test_a_count_beyond_every_integer_type_survives() -> None:
    huge = "98765432109876543210987"

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == INDEX
        item = {"id": "2", "count": huge, "userCount": 3, "title": "busy"}
        return httpx.Response(200, content=json.dumps([item]).encode(), headers={"content-type": "application/json"})

    settings = load_settings({"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_ORG": "demo", "SENTRY_AUTH_TOKEN": "t"})
    app = create_app(settings, transport=httpx.MockTransport(handler))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
            response = await http.post("/graphql", json={"query": '{ issue(id: "2") { count title } }'})
    assert response.json()["data"] == {"issue": {"count": huge, "title": "busy"}}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ab"), st.floats(min_value=0, max_value=3)), max_size=40))
def test_the_pacer_never_lets_more_than_its_rate_start_in_any_window(calls: list[tuple[str, float]]) -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = Pacer(5, 1.1, clock=lambda: now[0], sleep=sleep)
    starts: dict[str, list[float]] = {"a": [], "b": []}

    async def run() -> None:
        for key, gap in calls:
            now[0] += gap
            await pacer.wait(key, None, "the route")
            starts[key].append(now[0])

    asyncio.run(run())
    for times in starts.values():
        assert all(later - earlier >= 1.1 - 1e-9 for earlier, later in zip(times, times[5:]))


#: Gaps after which `now + (ready - now)` rounds below `ready` (found by hypothesis): the
#: pacer once spun forever on ever tinier sleeps here.
ROUNDING_CALLS = [
    ("b", 0.0), ("a", 0.3), ("a", 0.1), ("b", 1.677475408081039), ("b", 0.1), ("b", 0.7), ("a", 0.3),
    ("a", 0.1), ("a", 0.1), ("a", 0.1), ("b", 0.3), ("a", 0.1), ("a", 0.3), ("a", 0.7), ("b", 0.7),
    ("b", 0.1), ("a", 0.3), ("b", 0.7), ("a", 0.3), ("a", 2.4979633274928923), ("a", 2.191290549331555),
    ("a", 0.0), ("b", 0.1), ("a", 0.3), ("b", 0.7), ("b", 0.7), ("b", 0.1), ("b", 0.7), ("b", 0.3),
    ("b", 0.5856952554295133), ("b", 0.0), ("b", 1.7020161897808377), ("b", 0.7), ("a", 0.7),
    ("a", 1.33232290270396), ("a", 0.3), ("a", 0.9444418086575019), ("a", 0.9898318677761915), ("b", 0.3),
]  # fmt: skip


def test_the_pacer_sleeps_at_most_once_per_call_even_when_rounding_wakes_it_early() -> None:
    now = [0.0]
    sleeps = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        assert len(sleeps) <= len(ROUNDING_CALLS), "the pacer spins on tiny sleeps"
        now[0] += seconds

    pacer = Pacer(5, 1.1, clock=lambda: now[0], sleep=sleep)

    async def run() -> None:
        for key, gap in ROUNDING_CALLS:
            now[0] += gap
            await pacer.wait(key, None, "the route")

    asyncio.run(run())
    assert sleeps and all(seconds > 0 for seconds in sleeps)


def test_the_pacer_refuses_to_wait_past_the_deadline() -> None:
    pacer = Pacer(1, 1.0, clock=lambda: 10.0)

    async def run() -> None:
        await pacer.wait("a", 10.5, "the route")
        with pytest.raises(UpstreamTimeout, match="SENTRY_ORG"):
            await pacer.wait("a", 10.5, "the route")

    asyncio.run(run())


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/0/organizations/demo/issues/", "issues"),
        ("/api/0/organizations/demo/issues/DEMO-2/", "issue"),
        ("/api/0/issues/2/", "issue"),
        ("/api/0/organizations/demo/issues/2/tags/", "tags"),
        ("/api/0/organizations/", "organizations"),
        ("/api/0/organizations/demo/issues/2/events/", "list"),
    ],
)
def test_upstream_metrics_tell_the_issue_endpoints_apart(path: str, kind: str) -> None:
    from gateway.observability.metrics import endpoint_kind

    assert endpoint_kind(path) == kind
