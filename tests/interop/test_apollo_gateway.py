"""A real Apollo Gateway joins our subgraph with another one, and the entity fetch batches.

node/supergraph.mjs composes (IntrospectAndCompose, so from the live `_service { sdl }`) the
running gateway and a small `@apollo/subgraph` "triage" subgraph, serves the supergraph with
`@apollo/server`, and sends the queries below. It also reports every fetch the gateway sent to
a subgraph; the demo upstream's request log says what reached Sentry's REST API.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .conftest import HERE, DemoUpstream

TRIAGED = """query Triaged {
  triagedIssues {
    issueId
    triage
    events(first: 5) {
      edges { node { eventID title } }
      pageInfo { hasNextPage }
    }
  }
}"""

ONE_ISSUE = """query OneIssue {
  issue(id: "2") {
    issueId
    triage
    events(first: 3) { nodes { eventID } }
  }
}"""


BOARD = """query Board {
  triageBoard {
    issueId
    shortId
    title
    status
    count
    triage
  }
}"""


@pytest.fixture(scope="module")
def federated(run_node: Any, gateway_url: str, demo_upstream: DemoUpstream) -> dict[str, Any]:
    demo_upstream.reset()
    out = run_node(
        "supergraph.mjs",
        gateway_url,
        str(HERE / "subgraphs" / "triage.graphql"),
        stdin={"queries": [{"query": TRIAGED}, {"query": ONE_ISSUE}]},
    )
    out["upstream"] = demo_upstream.calls()
    return out


@pytest.fixture(scope="module")
def board(run_node: Any, gateway_url: str, demo_upstream: DemoUpstream) -> dict[str, Any]:
    demo_upstream.reset()
    out = run_node(
        "supergraph.mjs", gateway_url, str(HERE / "subgraphs" / "triage.graphql"), stdin={"queries": [{"query": BOARD}]}
    )
    out["upstream"] = demo_upstream.calls()
    return out


def test_fifty_issue_entities_from_the_other_subgraph_cost_one_upstream_call(
    board: dict[str, Any], demo_upstream: DemoUpstream
) -> None:
    body = board["results"][0]
    assert "errors" not in body, body["errors"]
    issues = body["data"]["triageBoard"]
    assert [i["issueId"] for i in issues] == demo_upstream.many_issues
    assert all(i["shortId"] == f"DEMO-{i['issueId']}" and i["count"] == "3" and i["title"] for i in issues)
    # Apollo Gateway sends one _entities fetch with the 50 representations ...
    sentry_fetches = [f for f in board["fetches"] if f["subgraph"] == "sentry"]
    assert len(sentry_fetches) == 1 and len(sentry_fetches[0]["representations"]) == 50
    # ... and the gateway answers it with one call to Sentry's issue index (beside, at most,
    # the organization discovery of a worker process that had not served this credential yet).
    discovery = [call for call in board["upstream"] if call[0] == "/api/0/organizations/"]
    calls = [call for call in board["upstream"] if call[0] != "/api/0/organizations/"]
    assert len(discovery) <= 1 and len(calls) == 1, board["upstream"]
    ((path, params),) = calls
    assert path == "/api/0/organizations/demo/issues/" and params["group"] == demo_upstream.many_issues


def test_entities_from_the_other_subgraph_get_their_events_from_ours(
    federated: dict[str, Any], demo_upstream: DemoUpstream
) -> None:
    body = federated["results"][0]
    assert "errors" not in body, body["errors"]
    issues = body["data"]["triagedIssues"]
    assert [(i["issueId"], i["triage"]) for i in issues] == [("2", "alice"), ("3", "bob"), ("2", "alice")]
    for issue in issues:
        events = issue["events"]
        assert [e["node"]["eventID"] for e in events["edges"]] == demo_upstream.store.gateway_order(issue["issueId"])[:5]
        assert all(e["node"]["title"] for e in events["edges"])
        assert events["pageInfo"] == {"hasNextPage": True}


def test_our_root_field_gets_its_triage_from_the_other_subgraph(
    federated: dict[str, Any], demo_upstream: DemoUpstream
) -> None:
    body = federated["results"][1]
    assert "errors" not in body, body["errors"]
    issue = body["data"]["issue"]
    assert (issue["issueId"], issue["triage"]) == ("2", "alice")
    assert [n["eventID"] for n in issue["events"]["nodes"]] == demo_upstream.store.gateway_order("2")[:3]


def test_the_gateway_sends_one_entities_fetch_with_every_representation(federated: dict[str, Any]) -> None:
    fetches = [(f["subgraph"], f["representations"]) for f in federated["fetches"]]
    reps = [{"__typename": "Issue", "issueId": i} for i in ("2", "3", "2")]
    assert fetches == [
        ("triage", None),  # Triaged: triagedIssues
        ("sentry", reps),  # Triaged: one _entities call for all three issues
        ("sentry", None),  # OneIssue: issue(id: "2")
        ("triage", [{"__typename": "Issue", "issueId": "2"}]),  # OneIssue: triage by _entities
    ]
    assert "_entities" in federated["fetches"][1]["operation"]


def test_the_upstream_sees_one_rest_call_per_distinct_page(federated: dict[str, Any]) -> None:
    """Three representations (2, 3, 2) cost two REST calls; the root query's page one more."""
    # The organization is discovered once per credential (maybe by an earlier test of the session).
    calls = [(path, params) for path, params in federated["upstream"] if path != "/api/0/organizations/"]
    assert all(path.startswith("/api/0/organizations/demo/issues/") and path.endswith("/events/") for path, _ in calls), calls
    # Issue 2's page of 5 (asked for by both representations of issue 2) once, issue 3's once,
    # and the root query's page of 3 of issue 2: first pages, no offsets.
    pages = Counter((path.split("/")[6], params.get("cursor", [""])[0]) for path, params in calls)
    assert pages == Counter({("2", ""): 2, ("3", ""): 1}), calls
    assert len({params["per_page"][0] for path, params in calls if path.split("/")[6] == "2"}) == 2
