"""Both federation composers accept our subgraph, and both reject real conflicts.

`@apollo/composition` (what Apollo's rover and GraphOS run) and
`@theguild/federation-composition` (what Hive and GraphQL Mesh run) each compose
our subgraph SDL, once from the committed `subgraph.graphql` and once from the
running gateway's `_service { sdl }`, with other subgraphs from `subgraphs/`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import HERE, ROOT, graphql

SUBGRAPHS = HERE / "subgraphs"
COMPOSERS = ("apollo", "guild")
SOURCES = ("file", "live")

# case -> (other subgraph file, None if it composes, else (error code, field it names))
CASES: dict[str, tuple[str, tuple[str, str] | None]] = {
    "adds-issue-field": ("triage.graphql", None),
    "shares-node-and-pageinfo": ("relay-neighbour.graphql", None),
    "issue-id-as-int": ("conflict-issue-id.graphql", ("FIELD_TYPE_MISMATCH", "Issue.issueId")),
    "pageinfo-field-retyped": ("conflict-page-info.graphql", ("FIELD_TYPE_MISMATCH", "PageInfo.hasNextPage")),
    "query-issue-redefined": ("conflict-query-issue.graphql", ("INVALID_FIELD_SHARING", "Query.issue")),
}


@pytest.fixture(scope="module")
def composed(run_node: Any, gateway_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """{source: {case: {composer: outcome}}} from one run of node/compose.mjs."""
    live = tmp_path_factory.mktemp("sdl") / "live-subgraph.graphql"
    body = graphql(gateway_url, "{ _service { sdl } }")
    assert "errors" not in body, body
    live.write_text(body["data"]["_service"]["sdl"])
    ours = {"file": ROOT / "subgraph.graphql", "live": live}
    cases = {
        f"{source}/{case}": [
            {"name": "sentry", "url": gateway_url, "file": str(ours[source])},
            {"name": "other", "url": "http://127.0.0.1:1/graphql", "file": str(SUBGRAPHS / other)},
        ]
        for source in SOURCES
        for case, (other, _) in CASES.items()
    }
    results = run_node("compose.mjs", stdin={"cases": cases})
    return {source: {case: results[f"{source}/{case}"] for case in CASES} for source in SOURCES}


def _type_block(sdl: str, name: str) -> str:
    match = re.search(rf"^type {name}\b[^{{]*\{{.*?^\}}", sdl, re.S | re.M)
    assert match, f"no type {name} in the supergraph"
    return match.group(0)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("composer", COMPOSERS)
def test_a_subgraph_adding_a_field_to_issue_composes(composed: dict[str, Any], source: str, composer: str) -> None:
    outcome = composed[source]["adds-issue-field"][composer]
    assert outcome["ok"], outcome.get("errors")
    issue = _type_block(outcome["supergraphSdl"], "Issue")
    # Issue is an entity of both subgraphs: ours with both keys, the other by issueId.
    assert '@join__type(graph: SENTRY, key: "issueId")' in issue
    assert '@join__type(graph: SENTRY, key: "id")' in issue
    assert '@join__type(graph: OTHER, key: "issueId")' in issue
    assert re.search(r"triage: String\s+@join__field\(graph: OTHER\)", issue), issue
    assert re.search(r"\bevents\(", issue) and "@join__field(graph: SENTRY)" in issue


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("composer", COMPOSERS)
def test_a_subgraph_with_its_own_node_and_pageinfo_composes(
    composed: dict[str, Any], source: str, composer: str
) -> None:
    outcome = composed[source]["shares-node-and-pageinfo"][composer]
    assert outcome["ok"], outcome.get("errors")
    page_info = _type_block(outcome["supergraphSdl"], "PageInfo")
    assert "@join__type(graph: SENTRY)" in page_info and "@join__type(graph: OTHER)" in page_info
    assert re.search(r"^interface Node\b", outcome["supergraphSdl"], re.M)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("composer", COMPOSERS)
@pytest.mark.parametrize("case", [c for c, (_, failure) in CASES.items() if failure])
def test_a_deliberate_conflict_fails_composition(
    composed: dict[str, Any], source: str, composer: str, case: str
) -> None:
    code, field = CASES[case][1]  # type: ignore[misc]
    outcome = composed[source][case][composer]
    assert outcome["ok"] is False, f"{composer} composed a conflicting subgraph ({case})"
    assert not outcome.get("supergraphSdl")
    assert any(e["code"] == code and f'"{field}"' in e["message"] for e in outcome["errors"]), outcome["errors"]


def test_the_committed_subgraph_file_is_what_the_gateway_serves(gateway_url: str) -> None:
    """So composing the file (as CI pipelines do with rover) is composing the live subgraph."""
    sdl = graphql(gateway_url, "{ _service { sdl } }")["data"]["_service"]["sdl"]
    assert sdl + "\n" == Path(ROOT / "subgraph.graphql").read_text()
