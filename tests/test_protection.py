"""Operator switches and isolation: body size, introspection, GraphiQL, CORS, two callers."""

from __future__ import annotations

import asyncio
import logging

import pytest

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_an_oversized_body_is_refused_with_a_coded_error(gateway: Gateway) -> None:
    response = await gateway.http.post("/graphql", json={"query": "{ __typename }", "pad": "x" * 2_000_000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    ok = await gateway.post("{ __typename }")
    assert ok["data"] == {"__typename": "Query"}


async def test_introspection_and_graphiql_can_be_switched_off() -> None:
    async with running_gateway({"GATEWAY_INTROSPECTION": "0", "GATEWAY_GRAPHIQL": "0"}) as gw:
        body = await gw.post(INTROSPECTION)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        page = await gw.http.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()
        assert "errors" not in await gw.post('{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }')
    async with running_gateway() as gw:
        assert (await gw.post(INTROSPECTION))["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_cors_answers_only_allowed_origins() -> None:
    async with running_gateway({"GATEWAY_CORS_ORIGINS": "https://app.example.com"}) as gw:
        preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        allowed = await gw.http.options("/graphql", headers={"Origin": "https://app.example.com", **preflight})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        denied = await gw.http.options("/graphql", headers={"Origin": "https://evil.example", **preflight})
        assert "access-control-allow-origin" not in denied.headers


async def test_two_callers_at_once_never_see_each_others_data(gateway: Gateway, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    alice = {"Authorization": "Bearer sntryu_alice"}
    bob = {"Authorization": "Bearer sntryu_bob"}
    query = '{ issue(id: "6") { events(first: 5) { nodes { eventID } } } }'
    private = gateway.store.gateway_order("6")[:5]

    async def ask(headers: dict[str, str]) -> dict:
        return await gateway.post(query, headers=headers)

    answers = await asyncio.gather(*(ask(alice if i % 2 else bob) for i in range(40)))
    for i, body in enumerate(answers):
        if i % 2:  # alice may not read issue 6
            assert body["data"]["issue"] is None
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            assert not set(private) & set(str(body).split("'"))
        else:
            assert [n["eventID"] for n in body["data"]["issue"]["events"]["nodes"]] == private
    for secret in ("sntryu_alice", "sntryu_bob", "sntryu_demo"):
        assert secret not in caplog.text
        assert all(secret not in str(body) for body in answers)


async def test_rate_limits_sentry_reports_reach_the_caller(gateway: Gateway) -> None:
    body = await gateway.post('{ issue(id: "2") { latestEvent { eventID } } }')
    rate = body["extensions"]["rateLimit"]
    assert set(rate) == {"limit", "remaining", "reset", "concurrentLimit", "concurrentRemaining"}
    assert rate["limit"] is not None


@pytest.mark.parametrize(
    ("env", "request_kw", "status", "code"),
    [
        ({}, {"json": {"query": "{ __typename }", "pad": "x" * 2_000_000}}, 413, "BAD_USER_INPUT"),
        ({}, {"json": {"query": "{ __typename }"}, "headers": {"Host": "evil.example"}}, 400, "BAD_USER_INPUT"),
        (
            {"GATEWAY_RATE_LIMIT_PER_CREDENTIAL": "1/60"},
            {"json": {"query": "{ __typename }"}, "headers": {"Authorization": "Bearer sntryu_alice"}},
            429,
            "RATE_LIMITED",
        ),
    ],
    ids=["body_limit", "hosts", "rate_limit"],
)
async def test_every_guard_refuses_with_the_same_coded_json(env: dict, request_kw: dict, status: int, code: str) -> None:
    """A GraphQL request error, before the view runs: one coded error, no `data`."""
    async with running_gateway(env) as gw:
        responses = [await gw.http.post("/graphql", **request_kw) for _ in range(2)]
    refused = responses[-1]
    assert refused.status_code == status
    assert refused.headers["content-type"] == "application/json"
    assert int(refused.headers["content-length"]) == len(refused.content)
    body = refused.json()
    assert set(body) == {"errors"} and len(body["errors"]) == 1
    assert body["errors"][0]["extensions"]["code"] == code and body["errors"][0]["message"]
