"""The gateway as an Apollo Federation 2 subgraph, over HTTP.

Composition and a real Apollo Gateway are exercised in `tests/interop/`;
these tests pin down the subgraph protocol itself: `_service { sdl }` and
`_entities` resolving through the per-request loaders.
"""

from __future__ import annotations

import re

from pathlib import Path

import pytest

from .conftest import Gateway

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]

ENTITIES = """query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Issue { issueId events(first: 3) { nodes { eventID } } }
    ... on Event { id eventID title }
  }
}"""


async def test_service_sdl_is_the_committed_subgraph_file(gateway: Gateway) -> None:
    data = await gateway.data("{ _service { sdl } }")
    assert data["_service"]["sdl"] + "\n" == (ROOT / "subgraph.graphql").read_text()


async def test_issue_entities_by_either_key_cost_one_call_per_distinct_page(gateway: Gateway) -> None:
    issue_2_gid = (await gateway.data('{ issue(id: "2") { id } }'))["issue"]["id"]
    gateway.reset_calls()
    representations = [
        {"__typename": "Issue", "issueId": "2"},
        {"__typename": "Issue", "id": issue_2_gid},
        {"__typename": "Issue", "issueId": "3"},
        {"__typename": "Issue", "issueId": "2"},
    ]
    data = await gateway.data(ENTITIES, {"representations": representations})
    entities = data["_entities"]
    assert [e["issueId"] for e in entities] == ["2", "2", "3", "2"]
    expected_2 = gateway.store.gateway_order("2")[:3]
    assert [n["eventID"] for n in entities[0]["events"]["nodes"]] == expected_2
    assert entities[1] == entities[0] == entities[3]
    assert len(gateway.upstream_calls()) == 2  # issue 2's page once, issue 3's page once


async def test_event_entities_resolve_through_the_detail_endpoint_once_each(gateway: Gateway) -> None:
    nodes = (await gateway.data('{ issue(id: "2") { events(first: 4) { nodes { id eventID title } } } }'))[
        "issue"
    ]["events"]["nodes"]
    gateway.reset_calls()
    representations = [{"__typename": "Event", "id": n["id"]} for n in nodes] + [
        {"__typename": "Event", "id": nodes[0]["id"]}
    ]
    data = await gateway.data(ENTITIES, {"representations": representations})
    assert [e["eventID"] for e in data["_entities"]] == [n["eventID"] for n in nodes] + [nodes[0]["eventID"]]
    assert [e["title"] for e in data["_entities"][:4]] == [n["title"] for n in nodes]
    paths = [path for path, _ in gateway.upstream_calls()]
    assert len(paths) == 4 and all(re.fullmatch(r"/api/0/organizations/demo/issues/2/events/[0-9a-f]{32}/", p) for p in paths)


async def test_a_bad_representation_fails_alone(gateway: Gateway) -> None:
    body = await gateway.post(
        ENTITIES,
        {
            "representations": [
                {"__typename": "Issue", "issueId": "../etc"},
                {"__typename": "Issue", "issueId": "2"},
            ]
        },
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["data"]["_entities"][0] is None
    assert body["data"]["_entities"][1]["issueId"] == "2"


async def test_representations_of_unknown_types_fail_alone(gateway: Gateway) -> None:
    body = await gateway.post(
        ENTITIES,
        {
            "representations": [
                {"__typename": "Nope", "id": "x"},
                {"__typename": "Event"},
                {"__typename": "Issue", "issueId": "3"},
            ]
        },
    )
    codes = sorted(e["extensions"]["code"] for e in body["errors"])
    assert codes == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    assert body["data"]["_entities"][:2] == [None, None]
    assert body["data"]["_entities"][2]["issueId"] == "3"
