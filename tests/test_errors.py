"""Every failure reaches the caller as a GraphQL error with `extensions.code`,
the rest of the query still resolves, and nothing internal leaks."""

from __future__ import annotations

import logging

import httpx

import pytest

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

EVENTS = 'query($id: ID!) { issue(id: $id) { issueId events(first: 2) { nodes { eventID } } } }'


async def test_unknown_issue_is_not_found_with_null_in_its_place(gateway: Gateway) -> None:
    body = await gateway.post(
        '{ missing: issue(id: "987654") { events(first: 2) { nodes { eventID } } }'
        ' present: issue(id: "2") { events(first: 2) { nodes { eventID } } } }'
    )
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["path"] == ["missing", "events"]
    assert "does not exist" in error["message"]
    assert body["data"]["missing"] is None
    assert len(body["data"]["present"]["events"]["nodes"]) == 2


async def test_unknown_event_is_not_found(gateway: Gateway) -> None:
    body = await gateway.post(
        '{ issue(id: "2") { issueId event(eventID: "0123456789abcdef0123456789abcdef") { eventID } } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert body["data"] == {"issue": {"issueId": "2", "event": None}}


@pytest.mark.parametrize(
    "issue_id", ["../1", "1/../../2", "1?cursor=0:0:0", "1&per_page=1", "1%2F..", " 1", "", "1" * 30]
)
async def test_malformed_issue_ids_never_reach_the_upstream(gateway: Gateway, issue_id: str) -> None:
    body = await gateway.post(EVENTS, {"id": issue_id})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "issueId": issue_id}
    assert body["data"] == {"issue": None}
    assert gateway.upstream_calls() == []


async def test_a_long_malformed_issue_id_is_named_clipped(gateway: Gateway) -> None:
    body = await gateway.post(EVENTS, {"id": "x" * 5000})
    extensions = body["errors"][0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT" and extensions["issueId"] == "x" * 80 + "..."


async def test_short_ids_need_an_organization() -> None:
    # No SENTRY_ORG, and a token that may not list organizations: nothing names one.
    env = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_AUTH_TOKEN": "sntryu_events"}
    async with running_gateway(env) as gw:
        body = await gw.post(EVENTS, {"id": "DEMO-2"})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "SENTRY_ORG" in body["errors"][0]["message"]
        # Only the discovery (403 for this token); no issue route is reached.
        assert [path for path, _ in gw.upstream_calls()] == ["/api/0/organizations/"]


@pytest.mark.parametrize("event_id", ["../../x", "latest/../1", "zz" * 16, "1 2"])
async def test_malformed_event_ids_never_reach_the_upstream(gateway: Gateway, event_id: str) -> None:
    body = await gateway.post(
        'query($e: String!) { issue(id: "2") { event(eventID: $e) { eventID } } }', {"e": event_id}
    )
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "eventId": event_id, "issueId": "2"}
    assert gateway.upstream_calls() == []


async def test_errors_of_an_issues_own_fields_and_tags_name_the_issue(gateway: Gateway) -> None:
    body = await gateway.post(
        '{ a: issue(id: "987654") { title } b: issue(id: "987655") { tags { key } } c: issue(id: "2") { title } }'
    )
    errors = {tuple(e["path"]): e for e in body["errors"]}
    assert set(errors) == {("a",), ("b", "tags")}
    for path, issue_id in ((("a",), "987654"), (("b", "tags"), "987655")):
        error = errors[path]
        assert error["extensions"]["code"] == "NOT_FOUND"
        # The demo's organization is discovered (no SENTRY_ORG): named as such.
        assert error["extensions"]["issueId"] == issue_id
        assert error["extensions"]["organization"] == "demo"
        assert error["message"].startswith(f"Issue '{issue_id}' in organization 'demo'")
        assert "SENTRY_ORG, or the one discovered for the credential" in error["message"]
    assert errors[("b", "tags")]["extensions"]["upstreamStatus"] == 404
    assert body["data"]["c"]["title"]


async def test_a_failed_issue_batch_gives_each_issue_its_own_error() -> None:
    env = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_ORG": "demo"}
    async with running_gateway(env) as gw:
        revoked = {"Authorization": "Bearer sntryu_revoked"}
        body = await gw.post('{ issues(ids: ["2", "3"]) { title } }', headers=revoked)
        assert body["data"] == {"issues": [None, None]}
        errors = sorted(body["errors"], key=lambda e: e["path"])
        assert [e["path"] for e in errors] == [["issues", 0], ["issues", 1]]
        for error, issue_id in zip(errors, ("2", "3")):
            assert error["extensions"] == {
                "code": "UNAUTHENTICATED",
                "issueId": issue_id,
                "organization": "demo",
                "upstreamStatus": 401,
            }
            assert error["message"].startswith(f"Issue '{issue_id}' in organization 'demo': Sentry answered 401")
            assert "mistyped, expired or revoked" in error["message"]
        assert [path for path, _ in gw.upstream_calls()] == ["/api/0/organizations/demo/issues/"]


async def test_errors_on_the_issue_detail_route_name_the_issue() -> None:
    # sntryu_events may not list organizations: the unscoped detail route per issue.
    env = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_AUTH_TOKEN": "sntryu_events"}
    async with running_gateway(env) as gw:
        body = await gw.post('{ issue(id: "987654") { title } }')
        [error] = body["errors"]
        assert error["extensions"] == {"code": "NOT_FOUND", "issueId": "987654", "upstreamStatus": 404}
        assert error["message"].startswith("Issue '987654': Sentry answered 404")
        assert "/api/0/issues/987654/" in [path for path, _ in gw.upstream_calls()]


async def test_sentrys_400_detail_reaches_the_caller(gateway: Gateway) -> None:
    body = await gateway.post('{ issue(id: "2") { events(first: 2, query: "foo(bar") { nodes { eventID } } } }')
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway.demo_app), base_url="http://upstream"
    ) as upstream:
        direct = await upstream.get(
            "/api/0/issues/2/events/",
            params={"query": "foo(bar"},
            headers={"Authorization": "Bearer sntryu_demo"},
        )
    assert direct.status_code == 400
    assert error["message"] == direct.json()["detail"]  # Sentry's own text, unchanged


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("Bearer sntryu_unknown", "UNAUTHENTICATED"),
        ("Bearer sntryu_noscope", "FORBIDDEN"),
    ],
)
async def test_the_callers_credential_is_forwarded(gateway: Gateway, authorization: str, code: str) -> None:
    body = await gateway.post(EVENTS, {"id": "2"}, headers={"Authorization": authorization})
    assert body["errors"][0]["extensions"]["code"] == code
    assert "sntryu_" not in str(body)


async def test_two_callers_never_see_each_others_issues(gateway: Gateway) -> None:
    alice = {"Authorization": "Bearer sntryu_alice"}
    bob = {"Authorization": "Bearer sntryu_bob"}
    denied = await gateway.post(EVENTS, {"id": "6"}, headers=alice)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = await gateway.post(EVENTS, {"id": "6"}, headers=bob)
    assert "errors" not in allowed and allowed["data"]["issue"]["events"]["nodes"]


async def test_parse_errors_are_coded(gateway: Gateway) -> None:
    body = await gateway.post("{ issue(id: ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_validation_errors_are_coded(gateway: Gateway) -> None:
    body = await gateway.post('{ issue(id: "2") { nope } }')
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_bad_variable_values_are_bad_user_input(gateway: Gateway) -> None:
    body = await gateway.post(
        'query($s: DateTime) { issue(id: "2") { events(first: 1, start: $s, end: $s) { nodes { eventID } } } }',
        {"s": "yesterday"},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_date_rules_are_checked_before_any_call(gateway: Gateway) -> None:
    body = await gateway.post(
        '{ issue(id: "2") { events(first: 1, start: "2026-01-02T00:00:00Z") { nodes { eventID } } } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "start and end are both required" in body["errors"][0]["message"]
    assert gateway.upstream_calls() == []


async def test_unreachable_upstream_is_upstream_error_and_no_credential_leaks(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    env = {
        "SENTRY_BASE_URL": "http://127.0.0.1:9",  # discard port: nothing listens
        "SENTRY_AUTH_TOKEN": "sntryu_topsecret",
        "SENTRY_MAX_RETRIES": "0",
    }
    from gateway.app import create_app
    from gateway.settings import load_settings
    import httpx

    app = create_app(load_settings(env))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
            response = await http.post("/graphql", json={"query": EVENTS, "variables": {"id": "2"}})
            body = response.json()
            health = (await http.get("/healthz")).json()
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_ERROR"
    assert body["data"]["issue"] is None
    assert health["mode"] == "sentry"
    for text in (str(body), str(health), caplog.text):
        assert "sntryu_topsecret" not in text
        assert "Traceback" not in str(body)


@pytest.mark.parametrize(
    "query",
    [
        "query($x: Int) { __typename }",
        'query { issue(id: $y) { issueId } }',
        'query($f: String) { issue(id: "2") { events(first: $f) { nodes { eventID } } } }',
        "query($f: Event) { __typename }",
    ],
)
async def test_variable_mistakes_in_the_document_are_validation_errors(gateway: Gateway, query: str) -> None:
    body = await gateway.post(query, {"f": "1"})
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('query($id: ID!) { issue(id: $id) { issueId } }', {}),
        ('query($id: ID!) { issue(id: $id) { issueId } }', {"id": None}),
        ('query($n: Int) { issue(id: "2") { events(first: $n) { nodes { eventID } } } }', {"n": "ten"}),
    ],
)
async def test_variable_values_that_do_not_fit_are_bad_user_input(gateway: Gateway, query: str, variables: dict) -> None:
    body = await gateway.post(query, variables)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("query", "path"),
    [
        ('query($v: Boolean = true) { issue(id: "2") @skip(if: $v) { issueId } }', None),
        ('query($v: Boolean = true) { issue(id: "2") { issueId @include(if: $v) } }', ["issue"]),
        (
            'query($v: Boolean = true) { issue(id: "2") { ...F @skip(if: $v) } } fragment F on Issue { issueId }',
            ["issue"],
        ),
        (
            'query($v: Boolean = true) { issue(id: "2") { events(first: 1) { nodes { eventID @include(if: $v) } } } }',
            ["issue", "events", "nodes", 0],
        ),
        ('query($v: ID = "2") { issue(id: $v) { issueId } }', ["issue"]),
        ('query($v: ID = "2") { node(id: $v) { id } }', ["node"]),
        ('query($v: [ID!] = ["2"]) { issues(ids: $v) { issueId } }', ["issues"]),
        ('query($v: String = "x") { issue(id: "2") { event(eventID: $v) { eventID } } }', ["issue", "event"]),
        # An item of a list argument.
        ('query($v: ID = "1") { issues(ids: [$v, "2"]) { issueId } }', ["issues"]),
        ('query($v: String = "x") { issue(id: "2") { events(first: 1, environment: [$v]) { nodes { eventID } } } }', ["issue", "events"]),
    ],
)
async def test_a_null_variable_where_a_value_is_needed_is_bad_user_input(
    gateway: Gateway, query: str, path: list | None, caplog: pytest.LogCaptureFixture
) -> None:
    """A variable with a default passes validation in a non-null position; an
    explicit null for it is refused by graphql-core only while executing."""
    body = await gateway.post(query, {"v": None})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error.get("path") == path
    assert "Expected variable '$v'" in error["message"]
    assert "Send a non-null value for $v, or leave it out of `variables`" in error["message"]
    assert "Unexpected error" not in caplog.text
    # Left out, the default applies and the argument is accepted.
    omitted = await gateway.post(query, {})
    assert not [e for e in omitted.get("errors", []) if "$v" in e["message"]], omitted


@pytest.mark.parametrize(
    "arguments",
    [
        'statsPeriod: "600000w"',
        'start: "0001-01-01T00:00:00+01:00", end: "2026-01-01T00:00:00Z"',
        'start: "2026-01-01T00:00:00Z", end: "9999-12-31T23:59:59Z"',
    ],
)
async def test_extreme_dates_never_break_the_gateway(gateway: Gateway, arguments: str) -> None:
    body = await gateway.post(f'{{ issue(id: "2") {{ events(first: 2, {arguments}) {{ nodes {{ eventID }} }} }} }}')
    for error in body.get("errors", []):
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_an_unknown_issue_is_not_found_even_when_only_its_ids_are_selected(gateway: Gateway) -> None:
    body = await gateway.post('{ a: issue(id: "987654") { id issueId } b: issue(id: "2") { issueId } }')
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "NOT_FOUND" and error["path"] == ["a"]
    assert body["data"] == {"a": None, "b": {"issueId": "2"}}
    # The organization is known: both existence checks are one call to the issue index.
    ((path, params),) = gateway.upstream_calls()
    assert path == "/api/0/organizations/demo/issues/" and params["group"] == ["987654", "2"]


async def test_an_issue_with_event_fields_costs_no_extra_existence_call(gateway: Gateway) -> None:
    await gateway.data('{ issue(id: "2") { issueId latestEvent { eventID } } }')
    assert len(gateway.upstream_calls()) == 1


async def test_node_never_accepts_ids_the_gateway_did_not_issue(gateway: Gateway) -> None:
    import base64

    forged = base64.b64encode(b"Event:2:latest").decode()
    body = await gateway.post("query($id: ID!) { node(id: $id) { id } }", {"id": forged})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gateway.upstream_calls() == []


async def test_a_query_whose_estimate_is_over_budget_never_runs() -> None:
    async with running_gateway({"GATEWAY_MAX_UPSTREAM_CALLS": "5"}) as gw:
        aliases = " ".join(f'i{n}: issue(id: "{n}") {{ latestEvent {{ eventID }} }}' for n in range(1, 7))
        body = await gw.post(f"{{ {aliases} }}")
        (error,) = body["errors"]
        assert error["extensions"] == {
            "code": "QUERY_TOO_COMPLEX",
            "cost": 6,
            "budget": 5,
            "estimatedUpstreamBytes": 6 * 20_000,
            "upstreamBytesBudget": 16 * 1024 * 1024,
        }
        assert body["data"] is None
        assert gw.upstream_calls() == []
        fits = " ".join(f'i{n}: issue(id: "{n}") {{ latestEvent {{ eventID }} }}' for n in range(1, 6))
        ok = await gw.post(f"{{ {fits} }}")
        assert "errors" not in ok
        assert ok["extensions"]["cost"] == {
            "estimatedUpstreamCalls": 5,
            "estimatedUpstreamBytes": 5 * 20_000,
            "upstreamCalls": 5,
            "budget": 5,
        }


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        ('{ issue(id: "2") { issueId } }', 1),
        ('{ issue(id: "2") { events(first: 5) { nodes { eventID } } latestEvent { eventID } } }', 2),
        ('{ issue(id: "2") { events(last: 5) { nodes { eventID } } } }', 10),
        ('query($n: Int) { a: issue(id: "2") { events(last: $n, before: "x") { nodes { eventID } } } b: node(id: "x") { id } }', 2),
        # A variable left out is no argument: `last` without `before` still probes for the end.
        ('query($n: Int, $b: String) { issue(id: "2") { events(last: $n, before: $b) { nodes { eventID } } } }', 10),
        ('query($r: [_Any!]!) { _entities(representations: $r) { ... on Issue { latestEvent { eventID } oldestEvent { eventID } } } }', 6),
    ],
)
async def test_cost_is_reported_on_every_response(gateway: Gateway, query: str, cost: int) -> None:
    body = await gateway.post(query, {"n": 3, "r": [{"__typename": "Issue", "issueId": str(i)} for i in (1, 2, 3)]})
    assert body["extensions"]["cost"]["estimatedUpstreamCalls"] == cost
    assert body["extensions"]["cost"]["upstreamCalls"] <= cost


PAGE = 'query($n: Int, $a: String) { issue(id: "2") { events(first: $n, after: $a) { pageInfo { endCursor } nodes { eventID } } } }'
BACKWARD = 'query($n: Int, $b: String) { issue(id: "2") { events(last: $n, before: $b) { nodes { eventID } } } }'


@pytest.mark.parametrize("first", [10, 50, 99, 100])
async def test_the_estimate_counts_the_calls_a_page_really_spends(gateway: Gateway, first: int) -> None:
    """A page and the event beyond it must fit one answer of at most 100 (Sentry's
    per_page) less its last, incomplete second; ``first: 100`` takes two calls.
    Issue 2 has hundreds of events and no burst at these page ends: the estimate is exact."""
    body = await gateway.post(PAGE, {"n": first})
    assert len(body["data"]["issue"]["events"]["nodes"]) == first
    counted = len(gateway.upstream_calls())
    assert body["extensions"]["cost"]["estimatedUpstreamCalls"] == counted == (1 if first < 99 else 2)
    assert body["extensions"]["cost"]["upstreamCalls"] == counted
    gateway.reset_calls()
    after = {"n": first, "a": body["data"]["issue"]["events"]["pageInfo"]["endCursor"]}
    following = await gateway.post(PAGE, after)
    counted = len(gateway.upstream_calls())
    assert following["extensions"]["cost"]["estimatedUpstreamCalls"] == counted == (1 if first < 98 else 2)
    # Backward from the end of the second page: `before` itself is read again too.
    gateway.reset_calls()
    before = {"n": first, "b": following["data"]["issue"]["events"]["pageInfo"]["endCursor"]}
    backward = await gateway.post(BACKWARD, before)
    assert len(backward["data"]["issue"]["events"]["nodes"]) == first
    counted = len(gateway.upstream_calls())
    assert backward["extensions"]["cost"]["estimatedUpstreamCalls"] == counted == (1 if first < 98 else 2)


async def test_depth_alias_and_token_limits_are_too_complex() -> None:
    env = {"GATEWAY_MAX_DEPTH": "4", "GATEWAY_MAX_ALIASES": "3", "GATEWAY_MAX_TOKENS": "200"}
    async with running_gateway(env) as gw:
        deep = await gw.post('{ issue(id: "2") { events(first: 1) { nodes { user { geo { city } } } } } }')
        assert deep["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        aliased = await gw.post("{ a: __typename b: __typename c: __typename d: __typename }")
        assert aliased["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        long = await gw.post("{ " + " ".join(["__typename"] * 300) + " }")
        assert long["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert gw.upstream_calls() == []
        fine = await gw.post('{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }')
        assert "errors" not in fine
