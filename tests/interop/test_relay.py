"""relay-compiler accepts our client schema, and the operations it writes run on the gateway.

`relay/` is a minimal Relay project: a query with a `@connection(key: "IssueEvents_events")`
on `Issue.events` inside a `@refetchable` pagination fragment on `Issue`, and a `@refetchable`
fragment on `Event`. Relay refetches both through `Query.node(id:)` and `Node.id`, so the
compiler only accepts them if our Node interface follows the Global Object Identification spec.
node/relay.mjs compiles a copy of the project against `schema.graphql`, then sends the
generated query texts to the running gateway.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import HERE, ROOT, DemoUpstream


def _project(tmp_path: Path) -> Path:
    """A copy of relay/ whose config points at the repository's schema.graphql."""
    project = tmp_path / "relay"
    shutil.copytree(HERE / "relay", project, ignore=shutil.ignore_patterns("__generated__"))
    config = json.loads((project / "relay.config.json").read_text())
    assert (HERE / "relay" / config["schema"]).resolve() == ROOT / "schema.graphql"
    config["schema"] = str(ROOT / "schema.graphql")
    (project / "relay.config.json").write_text(json.dumps(config, indent=2))
    return project


@pytest.fixture(scope="module")
def relay(run_node: Any, gateway_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return run_node("relay.mjs", str(_project(tmp_path_factory.mktemp("relay-ok"))), gateway_url)


def test_relay_compiler_accepts_connection_and_refetchable_fragments(relay: dict[str, Any]) -> None:
    assert relay["compiler"]["status"] == 0, relay["compiler"]["output"]
    assert relay["artifacts"] == [
        "EventRowRefetchQuery.graphql.js",
        "EventRow_event.graphql.js",
        "IssueEventsPaginationQuery.graphql.js",
        "IssueEventsQuery.graphql.js",
        "IssueEvents_issue.graphql.js",
    ]
    assert relay["connection"] == [
        {"count": "count", "cursor": "cursor", "direction": "forward", "path": ["events"]}
    ]
    assert relay["refetchable"] == {
        "operation": "IssueEventsPaginationQuery",
        "connection": {"forward": {"count": "count", "cursor": "cursor"}, "backward": None, "path": ["events"]},
        "fragmentPathInResult": ["node"],  # refetched through Query.node(id:)
        "identifierInfo": {"identifierField": "id", "identifierQueryVariableName": "id"},
    }


def test_generated_pagination_queries_walk_on_through_node(relay: dict[str, Any], demo_upstream: DemoUpstream) -> None:
    first, next_ = relay["first"], relay["next"]
    assert "errors" not in first and "errors" not in next_, (first.get("errors"), next_.get("errors"))
    issue = first["data"]["issue"]
    node = next_["data"]["node"]
    assert node["__typename"] == "Issue" and node["id"] == issue["id"]
    ids = [e["node"]["eventID"] for e in issue["events"]["edges"] + node["events"]["edges"]]
    assert ids == demo_upstream.store.gateway_order("2")[:10]
    assert all(e["cursor"] for e in issue["events"]["edges"] + node["events"]["edges"])
    assert node["events"]["pageInfo"]["hasNextPage"] is True


def test_generated_refetch_query_returns_the_same_event_record(relay: dict[str, Any]) -> None:
    """Relay normalizes by id: a refetched Event must equal the list's copy field for field."""
    listed = [e["node"] for e in relay["first"]["data"]["issue"]["events"]["edges"]]
    assert len(relay["refetched"]) == len(listed) == 5
    for record, response in zip(listed, relay["refetched"]):
        assert "errors" not in response, response["errors"]
        refetched = response["data"]["node"]
        assert refetched["__typename"] == "Event"
        # Field for field, but for the one value Sentry itself gives in two precisions: a list
        # item's dateCreated is its whole second, the detail endpoint's has the microseconds.
        assert {k: refetched[k] for k in record if k != "dateCreated"} == {
            k: v for k, v in record.items() if k != "dateCreated"
        }
        if record.get("dateCreated"):
            assert refetched["dateCreated"].split(".")[0].rstrip("Z") == record["dateCreated"].rstrip("Z")


def test_relay_compiler_rejects_a_field_the_schema_lacks(
    run_node: Any, gateway_url: str, tmp_path: Path
) -> None:
    """The compiler really validates against schema.graphql (so the passing run means something)."""
    project = _project(tmp_path)
    (project / "src" / "Broken.js").write_text(
        "graphql`\n  fragment Broken_event on Event {\n    eventID\n    notAField\n  }\n`;\n"
    )
    out = run_node("relay.mjs", str(project), gateway_url)
    assert out["compiler"]["status"] != 0
    assert "notAField" in out["compiler"]["output"], out["compiler"]["output"]
    assert "first" not in out
