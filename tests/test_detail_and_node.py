"""The event detail endpoint (latest, oldest, recommended, by id) and `Query.node`."""

from __future__ import annotations

import pytest

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

DETAIL_FIELDS = "id eventID groupID nextEventID previousEventID release userReport sdkUpdates resolvedWith title"


async def test_latest_and_oldest_are_the_ends_of_the_list(gateway: Gateway) -> None:
    ids = gateway.store.gateway_order("2")
    data = await gateway.data(
        '{ issue(id: "2") { latestEvent { eventID previousEventID nextEventID } oldestEvent { eventID nextEventID } } }'
    )
    issue = data["issue"]
    assert issue["latestEvent"]["eventID"] == ids[0]
    assert issue["latestEvent"]["nextEventID"] is None
    assert issue["latestEvent"]["previousEventID"] == ids[1]
    assert issue["oldestEvent"]["eventID"] == ids[-1]
    assert issue["oldestEvent"]["nextEventID"] == ids[-2]


async def test_detail_filters_are_forwarded(gateway: Gateway) -> None:
    data = await gateway.data(
        '{ issue(id: "2") { latestEvent(environment: ["staging"]) { tags { key value } } } }'
    )
    assert {"key": "environment", "value": "staging"} in data["issue"]["latestEvent"]["tags"]
    (path, params) = gateway.upstream_calls()[-1]
    assert path.endswith("/events/latest/") and params["environment"] == ["staging"]


async def test_recommended_event_and_event_by_id(gateway: Gateway) -> None:
    target = gateway.store.gateway_order("2")[17]
    data = await gateway.data(
        f'{{ issue(id: "2") {{ recommendedEvent {{ eventID }} event(eventID: "{target}") {{ {DETAIL_FIELDS} }} }} }}'
    )
    assert data["issue"]["recommendedEvent"]["eventID"]
    event = data["issue"]["event"]
    assert event["eventID"] == target
    assert event["sdkUpdates"] is not None  # detail-only fields are filled from the detail endpoint


async def test_detail_only_fields_are_null_from_the_list(gateway: Gateway) -> None:
    data = await gateway.data(
        f'{{ issue(id: "2") {{ events(first: 3) {{ nodes {{ {DETAIL_FIELDS} }} }} }} }}'
    )
    for node in data["issue"]["events"]["nodes"]:
        for field in ("nextEventID", "previousEventID", "release", "userReport", "sdkUpdates", "resolvedWith"):
            assert node[field] is None


async def test_node_refetches_events_and_issues(gateway: Gateway) -> None:
    data = await gateway.data('{ issue(id: "2") { id events(first: 2) { nodes { id eventID title } } } }')
    issue_gid = data["issue"]["id"]
    node = data["issue"]["events"]["nodes"][1]
    refetched = await gateway.data(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { id ... on Event { eventID title nextEventID } }"
        " b: node(id: $b) { id ... on Issue { issueId } } }",
        {"a": node["id"], "b": issue_gid},
    )
    assert refetched["a"]["id"] == node["id"]
    assert refetched["a"]["eventID"] == node["eventID"] and refetched["a"]["title"] == node["title"]
    assert refetched["a"]["nextEventID"] == data["issue"]["events"]["nodes"][0]["eventID"]
    assert refetched["b"] == {"id": issue_gid, "issueId": "2"}


@pytest.mark.parametrize("bad", ["nope", "RXZlbnQ6", "SXNzdWU6Li4vMQ==", "Rm9vOjE="])
async def test_bad_global_ids_are_bad_user_input(gateway: Gateway, bad: str) -> None:
    body = await gateway.post("query($id: ID!) { node(id: $id) { id } }", {"id": bad})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gateway.upstream_calls() == []


async def test_org_scoped_routes_and_short_ids() -> None:
    env = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_ORG": "demo", "SENTRY_AUTH_TOKEN": "sntryu_demo"}
    async with running_gateway(env) as gw:
        data = await gw.data(
            '{ issue(id: "DEMO-2") { issueId events(first: 3) { nodes { eventID } } latestEvent { eventID } } }'
        )
        expected = gw.store.gateway_order("2")
        assert [n["eventID"] for n in data["issue"]["events"]["nodes"]] == expected[:3]
        assert data["issue"]["latestEvent"]["eventID"] == expected[0]
        paths = {path for path, _ in gw.upstream_calls()}
        assert paths == {
            "/api/0/organizations/demo/issues/DEMO-2/events/",
            "/api/0/organizations/demo/issues/DEMO-2/events/latest/",
        }
