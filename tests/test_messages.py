"""What a caller reads when something is off: every coded error names what it is
about and says what to change, with the machine-readable parts in `extensions`.

Each case is a misconfiguration or mistake a newcomer makes, through HTTP
against the demo upstream (which answers Sentry's own 401/403/404 texts).
"""

from __future__ import annotations

import pytest

from gateway.schema.types.node import decode_global_id

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

EVENTS = 'query($id: ID!) { issue(id: $id) { events(first: 1) { nodes { eventID } } } }'
SENTRY = {"SENTRY_BASE_URL": "http://sentry.test"}
ORG = {**SENTRY, "SENTRY_ORG": "demo", "SENTRY_AUTH_TOKEN": "sntryu_demo"}


def only_error(body: dict) -> dict:
    (error,) = body["errors"]
    return error


async def test_no_credential_names_the_token_variable_and_the_header_form() -> None:
    async with running_gateway(SENTRY) as gw:
        error = only_error(await gw.post(EVENTS, {"id": "2"}))
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert error["extensions"]["issueId"] == "2"
    assert error["extensions"]["upstreamStatus"] == 401
    message = error["message"]
    assert "Issue '2'" in message
    assert "Authentication credentials were not provided." in message  # Sentry's words, kept
    assert "SENTRY_AUTH_TOKEN" in message and "Authorization: Bearer <token>" in message


async def test_a_rejected_token_says_to_check_it_and_never_shows_it() -> None:
    async with running_gateway(SENTRY) as gw:
        body = await gw.post(EVENTS, {"id": "2"}, headers={"Authorization": "Bearer sntryu_typo"})
    error = only_error(body)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Invalid token" in error["message"] and "expired or revoked" in error["message"]
    assert "sntryu_typo" not in str(body)


async def test_forbidden_names_the_scope_to_ask_for(gateway: Gateway) -> None:
    body = await gateway.post(EVENTS, {"id": "2"}, headers={"Authorization": "Bearer sntryu_noscope"})
    error = only_error(body)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["upstreamStatus"] == 403
    assert "Issue '2'" in error["message"] and "event:read" in error["message"]


async def test_unknown_issue_names_the_issue(gateway: Gateway) -> None:
    error = only_error(await gateway.post(EVENTS, {"id": "987654"}))
    # demo mode routes through the demo organization
    assert error["extensions"] == {"code": "NOT_FOUND", "issueId": "987654", "organization": "demo", "upstreamStatus": 404}
    assert "Issue '987654'" in error["message"] and "issue id" in error["message"]


async def test_a_wrong_organization_is_named_with_where_to_check_it() -> None:
    async with running_gateway({**ORG, "SENTRY_ORG": "acme"}) as gw:
        error = only_error(await gw.post(EVENTS, {"id": "DEMO-2"}))
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["organization"] == "acme"
    assert error["extensions"]["issueId"] == "DEMO-2"
    assert "organization 'acme'" in error["message"]
    assert "SENTRY_ORG" in error["message"] and "/readyz" in error["message"]


async def test_unknown_event_names_event_and_issue(gateway: Gateway) -> None:
    event_id = "0123456789abcdef0123456789abcdef"
    body = await gateway.post(
        'query($e: String!) { issue(id: "2") { event(eventID: $e) { eventID } } }', {"e": event_id}
    )
    error = only_error(body)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert error["extensions"]["eventId"] == event_id and error["extensions"]["issueId"] == "2"
    assert f"Event '{event_id}' of issue '2'" in error["message"]
    assert "retention" in error["message"]


# -- latestEvent / oldestEvent / recommendedEvent with nothing matching -------------------

SPECIAL = """query($id: ID!, $q: String, $env: [String!]) { issue(id: $id) {
  latestEvent(query: $q, environment: $env) { eventID }
  oldestEvent(query: $q, environment: $env) { eventID }
  recommendedEvent(query: $q, environment: $env) { eventID } } }"""


async def test_a_filter_matching_nothing_is_null_not_an_error(gateway: Gateway) -> None:
    body = await gateway.post(SPECIAL, {"id": "2", "q": "user.email:nobody@nowhere.invalid"})
    assert "errors" not in body, body
    assert body["data"]["issue"] == {"latestEvent": None, "oldestEvent": None, "recommendedEvent": None}


async def test_without_a_filter_the_events_are_there(gateway: Gateway) -> None:
    data = await gateway.data(SPECIAL, {"id": "2"})
    assert all(data["issue"][field]["eventID"] for field in ("latestEvent", "oldestEvent", "recommendedEvent"))


async def test_an_unknown_issue_or_environment_stays_not_found(gateway: Gateway) -> None:
    body = await gateway.post(SPECIAL, {"id": "987654"})
    assert {e["extensions"]["code"] for e in body["errors"]} == {"NOT_FOUND"}
    body = await gateway.post(SPECIAL, {"id": "2", "env": ["no-such-environment"]})
    assert {e["extensions"]["code"] for e in body["errors"]} == {"NOT_FOUND"}
    assert "environment" in body["errors"][0]["message"]


# -- canonical ids -------------------------------------------------------------------------

IDS = """query($id: ID!) { issue(id: $id) { id issueId
  events(first: 3) { nodes { id eventID } }
  latestEvent { id } } }"""


async def test_short_and_numeric_ids_give_the_same_global_ids() -> None:
    async with running_gateway(ORG) as gw:
        by_short = (await gw.data(IDS, {"id": "DEMO-2"}))["issue"]
        by_number = (await gw.data(IDS, {"id": "2"}))["issue"]
        assert by_short["issueId"] == "DEMO-2" and by_number["issueId"] == "2"  # as given
        assert by_short["id"] == by_number["id"]
        assert decode_global_id(by_short["id"]) == ("Issue", "2")
        assert by_short["events"] == by_number["events"]
        assert by_short["latestEvent"] == by_number["latestEvent"]
        # The canonical id refetches the issue.
        node = await gw.data('query($id: ID!) { node(id: $id) { id ... on Issue { issueId } } }', {"id": by_short["id"]})
        assert node["node"] == {"id": by_number["id"], "issueId": "2"}


async def test_only_ids_of_a_short_id_cost_one_call() -> None:
    async with running_gateway(ORG) as gw:
        gw.reset_calls()
        await gw.data('{ issue(id: "DEMO-2") { id issueId } }')
        assert len(gw.upstream_calls()) == 1  # shared with the existence check


async def test_the_cost_estimate_counts_a_short_ids_numeric_id_call() -> None:
    async with running_gateway(ORG) as gw:
        body = await gw.post('{ issue(id: "DEMO-2") { id events(first: 2) { nodes { eventID } } } }')
        numeric = await gw.post('{ issue(id: "2") { id events(first: 2) { nodes { eventID } } } }')
    assert body["extensions"]["cost"]["estimatedUpstreamCalls"] == 2
    assert body["extensions"]["cost"]["upstreamCalls"] == 2
    assert numeric["extensions"]["cost"]["estimatedUpstreamCalls"] == 1
    assert numeric["extensions"]["cost"]["upstreamCalls"] == 1
