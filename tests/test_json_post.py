"""The JSON POST lane (`gateway.json_post`) answers as strawberry's own view does.

Every request below goes to two gateways over the same demo upstream: one with
the lane, one whose view sends everything through strawberry's ``run`` (the
reference). Status, headers, body and the access-log record must be the same;
and the lane must really have answered the requests it is meant for.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cross_web import HTTPException

from gateway.app import create_app
from gateway.demo import create_demo_app
from gateway.json_post import JsonPostLane
from gateway.schema.context import utc_now
from gateway.settings import load_settings

pytestmark = pytest.mark.anyio

SMALL = '{ issue(id: "2") { events(first: 2) { edges { cursor node { eventID title } } pageInfo { hasNextPage endCursor } } } }'
BODIES: dict[str, bytes] = {
    "small": json.dumps({"query": SMALL}).encode(),
    "variables": json.dumps(
        {"query": "query Q($id: ID!) { issue(id: $id) { events(first: 1) { nodes { eventID } } } }", "variables": {"id": "3"}}
    ).encode(),
    "named-of-two": json.dumps({"query": "query A { __typename } query B { __typename }", "operationName": "B"}).encode(),
    "unnamed-of-two": json.dumps({"query": "query A { __typename } query B { __typename }"}).encode(),
    "unknown-name": json.dumps({"query": "query A { __typename }", "operationName": "Nope"}).encode(),
    "name-not-a-string": json.dumps({"query": "{ __typename }", "operationName": 7}).encode(),
    "extensions": json.dumps({"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1}}}).encode(),
    "extensions-not-an-object": json.dumps({"query": "{ __typename }", "extensions": [1]}).encode(),
    "variables-null": json.dumps({"query": "{ __typename }", "variables": None}).encode(),
    "variables-not-an-object": json.dumps({"query": "{ __typename }", "variables": [1]}).encode(),
    "query-null": json.dumps({"query": None}).encode(),
    "query-empty": json.dumps({"query": ""}).encode(),
    "query-not-a-string": json.dumps({"query": 12}).encode(),
    "no-query": b"{}",
    "syntax-error": json.dumps({"query": "{ issue(id: "}).encode(),
    "validation-error": json.dumps({"query": "{ nope }"}).encode(),
    "mutation": json.dumps({"query": "mutation { x }"}).encode(),
    "subscription": json.dumps({"query": "subscription { x }"}).encode(),
    "upstream-404": json.dumps({"query": '{ issue(id: "999999") { events(first: 1) { nodes { eventID } } } }'}).encode(),
    "bad-input": json.dumps({"query": '{ issue(id: "2") { events(first: -1) { nodes { eventID } } } }'}).encode(),
    "big-integer-variable": json.dumps(
        {"query": "query Q($n: Int) { __typename }", "variables": {"n": 123456789012345678901234567890}}
    ).encode(),
    "batch": json.dumps([{"query": "{ __typename }"}, {"query": "{ __typename }"}]).encode(),
    "empty-batch": b"[]",
    "not-json": b"{bad",
    "not-utf8": b'{"query": "\xff"}',
    "empty": b"",
}
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/json-patch+json",
    "text/plain",
    "text/plain; profile=application/json",
    "multipart/form-data; boundary=application/json",
    None,
]
ACCEPTS = [None, "*/*", "application/graphql-response+json, application/json;q=0.9", "multipart/mixed", "text/event-stream", "text/html"]

#: The requests the lane must answer itself (the rest it hands to strawberry).
LANE_BODIES = {
    "small", "variables", "named-of-two", "unnamed-of-two", "unknown-name", "name-not-a-string", "extensions",
    "variables-null", "syntax-error", "validation-error", "mutation", "subscription", "upstream-404", "bad-input",
    "big-integer-variable",
}  # fmt: skip
#: Bodies the lane refuses, as strawberry does, whenever strawberry would read them as JSON.
UNDECODABLE = {"not-json", "not-utf8", "empty"}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        access = dict(record.access)  # type: ignore[attr-defined]
        access.pop("request_id")
        access.pop("duration_ms")
        self.records.append(access)


@pytest.fixture
async def clients() -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, list[str]]]:
    demo = create_demo_app()
    settings = load_settings({"GATEWAY_CURSOR_SECRET": "same-for-both"})
    lane_app = create_app(settings, transport=httpx.ASGITransport(app=demo))
    reference_app = create_app(settings, transport=httpx.ASGITransport(app=demo))
    now = utc_now()
    for app in (lane_app, reference_app):  # one pinned "now": cursors carry the time window
        state = app.state.gateway
        state.request_context = functools.partial(_pinned, state.request_context, now)
    (reference_view,) = [r.endpoint for r in reference_app.routes if getattr(r, "path", "") == "/graphql"]
    reference_view.json_post_lane = False
    answered: list[str] = []
    (lane_view,) = [r.endpoint for r in lane_app.routes if getattr(r, "path", "") == "/graphql"]
    original = JsonPostLane.run_json_post

    async def counted(request: Any) -> Any:
        try:
            response = await original(lane_view, request)
        except HTTPException:  # answered, as a refusal
            answered.append("lane")
            raise
        if response is not None:
            answered.append("lane")
        return response

    lane_view.run_json_post = counted
    async with lane_app.router.lifespan_context(lane_app), reference_app.router.lifespan_context(reference_app):
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=lane_app), base_url="http://g") as lane,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=reference_app), base_url="http://g") as reference,
        ):
            yield lane, reference, answered


def _pinned(make: Any, now: Any, authorization: Any) -> Any:
    return dataclasses.replace(make(authorization), now=now)


def _comparable(response: httpx.Response) -> tuple[int, list[tuple[str, str]], Any]:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "x-request-id")
    try:
        body: Any = response.json()
    except ValueError:
        body = response.content
    return response.status_code, headers, body


async def test_the_lane_answers_as_strawberry_does(clients: Any) -> None:
    lane, reference, answered = clients
    log = logging.getLogger("gateway.access")
    records = _Records()
    log.addHandler(records)
    level = log.level
    log.setLevel(logging.INFO)
    try:
        for (name, body), content_type, accept in itertools.product(BODIES.items(), CONTENT_TYPES, ACCEPTS):
            headers = {k: v for k, v in (("content-type", content_type), ("accept", accept)) if v is not None}
            before = len(answered)
            got = _comparable(await lane.post("/graphql", content=body, headers=headers))
            lane_record = records.records.pop()
            expected = _comparable(await reference.post("/graphql", content=body, headers=headers))
            reference_record = records.records.pop()
            case = (name, content_type, accept)
            assert got == expected, case
            assert lane_record == reference_record, case
            plain = (
                content_type is not None
                and content_type.split(";")[0] == "application/json"
                and accept in (None, "*/*", "application/graphql-response+json, application/json;q=0.9", "text/html")
            )
            json_body = content_type is not None and "application/json" in content_type.split(";")[0]
            lane_answers = (plain and name in LANE_BODIES) or (json_body and name in UNDECODABLE)
            assert (len(answered) > before) == lane_answers, case
    finally:
        log.removeHandler(records)
        log.setLevel(level)
    assert len(answered) == 2 * 4 * len(LANE_BODIES) + 3 * len(ACCEPTS) * len(UNDECODABLE)


@pytest.mark.parametrize("body", [b'"{ __typename }"', b"12", b"null", b"true"])
@pytest.mark.parametrize("content_type", ["application/json", "application/json-patch+json"])
async def test_json_that_is_no_operation_is_a_coded_400(clients: Any, body: bytes, content_type: str) -> None:
    """strawberry's own view crashes on these (it calls ``.get`` on the decoded body)."""
    lane, _reference, _answered = clients
    response = await lane.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_lane_serves_real_data(clients: Any) -> None:
    lane, _reference, answered = clients
    response = await lane.post("/graphql", content=BODIES["small"], headers={"content-type": "application/json"})
    body = response.json()
    assert answered == ["lane"]
    edges = body["data"]["issue"]["events"]["edges"]
    assert len(edges) == 2 and all(edge["node"]["eventID"] for edge in edges)
    assert body["extensions"]["cost"]["upstreamCalls"] == 1
