"""The HTTP surface: GraphQL over GET and POST, GraphiQL, health."""

from __future__ import annotations

import json

import pytest

from gateway.ide import EXAMPLE_QUERY, EXAMPLE_VARIABLES

from .conftest import Gateway

pytestmark = pytest.mark.anyio


async def test_healthz_says_demo(gateway: Gateway) -> None:
    response = await gateway.http.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["mode"] == "demo"


async def test_graphiql_opens_with_an_example_that_works(gateway: Gateway) -> None:
    response = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert json.dumps(EXAMPLE_QUERY) in response.text
    assert "EXAMPLE_VARIABLES" in response.text
    body = await gateway.post(EXAMPLE_QUERY, EXAMPLE_VARIABLES)
    assert "errors" not in body
    assert len(body["data"]["issue"]["events"]["edges"]) == EXAMPLE_VARIABLES["first"]


async def test_queries_work_over_get(gateway: Gateway) -> None:
    response = await gateway.http.get(
        "/graphql",
        params={"query": '{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }'},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["issue"]["events"]["nodes"]) == 1


async def test_unknown_routes_are_404(gateway: Gateway) -> None:
    assert (await gateway.http.get("/nope")).status_code == 404


async def test_demo_mode_ignores_a_sentry_token_left_in_the_environment() -> None:
    from .conftest import running_gateway

    async with running_gateway({"SENTRY_AUTH_TOKEN": "sntryu_real_token", "GATEWAY_DEMO": "1"}) as gw:
        data = await gw.data('{ issue(id: "2") { events(first: 2) { nodes { eventID } } } }')
        assert len(data["issue"]["events"]["nodes"]) == 2
        assert {record.auth for record in gw.demo_app.state.requests} == {"demo"}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"content": b"{bad", "headers": {"content-type": "application/json"}}, "GRAPHQL_PARSE_FAILED"),
        ({"json": {}}, "GRAPHQL_PARSE_FAILED"),
        ({"json": {"query": "{ __typename }", "operationName": "Nope"}}, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_refused_requests_still_answer_coded_json(gateway: Gateway, kwargs: dict, code: str) -> None:
    response = await gateway.http.post("/graphql", **kwargs)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_several_operations_need_an_operation_name(gateway: Gateway) -> None:
    query = "query A { __typename } query B { issue(id: \"2\") { issueId } }"
    body = await gateway.post(query)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert gateway.upstream_calls() == []
    response = await gateway.http.post("/graphql", json={"query": query, "operationName": "A"})
    assert response.json()["data"] == {"__typename": "Query"}
