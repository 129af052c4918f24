"""The HTTP surface: GraphQL over GET and POST (one request path, both media types), GraphiQL, health."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.csrf import SIMPLE_CONTENT_TYPES, is_simple_request
from gateway.ide import EXAMPLE_QUERY, EXAMPLE_VARIABLES
from gateway.media_types import GRAPHQL_RESPONSE_JSON, response_media_type

from .conftest import Gateway, running_gateway

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


# --------------------------------------------------------------------------- one request path

SMALL = '{ issue(id: "2") { events(first: 2) { edges { cursor node { eventID title } } } } }'
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
    "coercion-error": json.dumps({"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": None}}).encode(),
    "mutation": json.dumps({"query": "mutation { x }"}).encode(),
    "subscription": json.dumps({"query": "subscription { x }"}).encode(),
    "upstream-404": json.dumps({"query": '{ issue(id: "999999") { events(first: 1) { nodes { eventID } } } }'}).encode(),
    "bad-input": json.dumps({"query": '{ issue(id: "2") { events(first: -1) { nodes { eventID } } } }'}).encode(),
    "big-integer-variable": json.dumps(
        {"query": "query Q($n: Int) { __typename }", "variables": {"n": 123456789012345678901234567890}}
    ).encode(),
    "batch": json.dumps([{"query": "{ __typename }"}, {"query": "{ __typename }"}]).encode(),
    "empty-batch": b"[]",
    "scalar": b"12",
    "string": b'"{ __typename }"',
    "null": b"null",
    "not-json": b"{bad",
    "not-utf8": b'{"query": "\xff"}',
    "empty": b"",
    "deep": b"[" * 5000 + b"]" * 5000,
}
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "Application/JSON",
    "application/json-patch+json",
    "text/plain",
    "multipart/form-data; boundary=application/json",
    None,
]
ACCEPTS = [None, "*/*", "application/graphql-response+json", "application/graphql-response+json, application/json;q=0.9",
           "application/json", "multipart/mixed", "text/event-stream", "text/html"]  # fmt: skip
#: Requests that never execute: under graphql-response+json they are 4xx without `data`.
NEVER_EXECUTED = {"unknown-name", "name-not-a-string", "extensions-not-an-object", "variables-not-an-object", "query-null",
                  "query-empty", "query-not-a-string", "no-query", "syntax-error", "validation-error", "coercion-error",
                  "mutation", "subscription", "unnamed-of-two", "batch", "empty-batch", "scalar", "string", "null",
                  "not-json", "not-utf8", "empty", "deep", "big-integer-variable"}  # fmt: skip


async def test_every_request_gets_a_coded_json_answer_in_the_media_type_it_accepts(gateway: Gateway) -> None:
    """Bodies x content types x Accept headers down the one request path: never a 500,
    every refusal coded, and the status and `data` entry the media type calls for."""
    for (name, body), content_type, accept in itertools.product(BODIES.items(), CONTENT_TYPES, ACCEPTS):
        headers = {k: v for k, v in (("content-type", content_type), ("accept", accept)) if v is not None}
        response = await gateway.http.post("/graphql", content=body, headers=headers)
        case = (name, content_type, accept)
        assert response.status_code < 500, case
        new = response_media_type(accept) == GRAPHQL_RESPONSE_JSON
        assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON if new else "application/json"), case
        answer = response.json()
        for error in answer.get("errors", []):
            assert error["extensions"]["code"], case
        # strawberry reads the media type case-sensitively, as its own test for JSON
        json_body = content_type is not None and "application/json" in content_type.split(";")[0]
        if not json_body:
            assert response.status_code == 400 and "data" not in answer, case
            continue
        if name in NEVER_EXECUTED:
            if new or response.status_code == 400:
                assert response.status_code == 400 and "data" not in answer, case
            else:  # application/json: a well-formed request that never ran is still a 200
                assert response.status_code == 200 and answer["data"] is None and answer["errors"], case
        else:
            assert response.status_code == 200 and "data" in answer, case


@pytest.mark.parametrize("body", [b'"{ __typename }"', b"12", b"null", b"true"])
@pytest.mark.parametrize("content_type", ["application/json", "application/json-patch+json"])
async def test_json_that_is_no_operation_is_a_coded_400(gateway: Gateway, body: bytes, content_type: str) -> None:
    """strawberry's own view would crash on these (it calls ``.get`` on the decoded body)."""
    response = await gateway.http.post("/graphql", content=body, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(("body", "code"), [(b"{bad", "GRAPHQL_PARSE_FAILED"), (b'{"query": "\xff"}', "GRAPHQL_PARSE_FAILED"), (b"", "GRAPHQL_PARSE_FAILED")])
async def test_bodies_that_are_not_json_are_a_coded_400(gateway: Gateway, body: bytes, code: str) -> None:
    response = await gateway.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_graphql_response_json_status_codes(gateway: Gateway) -> None:
    new = {"accept": GRAPHQL_RESPONSE_JSON}
    ok = await gateway.http.post("/graphql", json={"query": SMALL}, headers=new)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert len(ok.json()["data"]["issue"]["events"]["edges"]) == 2
    # A field error during execution is still a 200, with its data.
    missing = await gateway.http.post("/graphql", content=BODIES["upstream-404"], headers={**new, "content-type": "application/json"})
    assert missing.status_code == 200 and missing.json()["data"] == {"issue": None}
    assert missing.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Refused before running (over the upstream-call budget): 400, no data.
    async with running_gateway({"GATEWAY_MAX_UPSTREAM_CALLS": "1"}) as gw:
        aliases = " ".join(f'i{n}: issue(id: "{n}") {{ latestEvent {{ eventID }} }}' for n in range(1, 4))
        over = await gw.http.post("/graphql", json={"query": f"{{ {aliases} }}"}, headers=new)
        assert over.status_code == 400 and "data" not in over.json()
        assert over.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        legacy = await gw.http.post("/graphql", json={"query": f"{{ {aliases} }}"})
        assert legacy.status_code == 200 and legacy.json()["data"] is None
    # GET takes the same path.
    get = await gateway.http.get("/graphql", params={"query": "{ nope }"}, headers=new)
    assert get.status_code == 400 and "data" not in get.json()


def test_media_type_negotiation_follows_the_q_values() -> None:
    assert response_media_type(None) == "application/json"
    assert response_media_type("*/*") == "application/json"
    assert response_media_type("application/graphql-response+json") == GRAPHQL_RESPONSE_JSON
    assert response_media_type("application/graphql-response+json,application/json;q=0.9") == GRAPHQL_RESPONSE_JSON
    assert response_media_type("application/json, application/graphql-response+json") == GRAPHQL_RESPONSE_JSON
    assert response_media_type("application/json, application/graphql-response+json;q=0.5") == "application/json"
    assert response_media_type("application/graphql-response+json;q=0, */*") == "application/json"
    assert response_media_type("application/graphql-response+json;q=nope") == "application/json"
    assert response_media_type("text/html, application/graphql-response+json;q=0.8, */*;q=0.1") == GRAPHQL_RESPONSE_JSON


@given(st.text(max_size=200))
def test_any_accept_header_negotiates_to_one_of_the_two_types(accept: str) -> None:
    chosen = response_media_type(accept)
    assert chosen in (GRAPHQL_RESPONSE_JSON, "application/json")
    if GRAPHQL_RESPONSE_JSON not in accept.lower():
        assert chosen == "application/json"


@given(
    st.sampled_from(["application/json", "text/plain", "TEXT/Plain", "multipart/form-data", "application/x-www-form-urlencoded",
                     "application/graphql-response+json", "", None]),
    st.sampled_from(["", "; charset=utf-8", "; boundary=x"]),
    st.sampled_from([{}, {"apollo-require-preflight": "true"}, {"x-apollo-operation-name": "Q"}, {"apollo-require-preflight": ""}]),
)  # fmt: skip
def test_simple_requests_are_exactly_those_a_browser_sends_without_preflight(
    media_type: str | None, parameters: str, extra: dict[str, str]
) -> None:
    headers = dict(extra)
    if media_type is not None:
        headers["content-type"] = media_type + parameters
    safelisted = media_type is None or media_type.lower() in SIMPLE_CONTENT_TYPES
    assert is_simple_request(headers) == (safelisted and not any(extra.values()))
