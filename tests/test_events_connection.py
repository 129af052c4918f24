"""`Issue.events` as a Relay connection, end to end over HTTP and the demo upstream."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

PAGE = """
query Page($issue: ID!, $first: Int, $after: String, $last: Int, $before: String,
           $environment: [String!], $query: String, $statsPeriod: String) {
  issue(id: $issue) {
    events(first: $first, after: $after, last: $last, before: $before,
           environment: $environment, query: $query, statsPeriod: $statsPeriod) {
      edges { cursor node { eventID title } }
      nodes { eventID }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
}
"""


async def page(gw: Gateway, **variables: Any) -> dict[str, Any]:
    variables.setdefault("issue", "2")
    data = await gw.data(PAGE, variables)
    return data["issue"]["events"]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["eventID"] for edge in connection["edges"]]


def list_calls(gw: Gateway) -> list[dict[str, list[str]]]:
    return [params for path, params in gw.upstream_calls() if path.endswith("/events/")]


async def test_first_page_is_one_upstream_call_over_the_pinned_window(gateway: Gateway) -> None:
    conn = await page(gateway, first=10)
    assert ids(conn) == gateway.store.gateway_order("2")[:10]
    assert [n["eventID"] for n in conn["nodes"]] == ids(conn)
    info = conn["pageInfo"]
    assert info == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": conn["edges"][0]["cursor"],
        "endCursor": conn["edges"][-1]["cursor"],
    }
    calls = list_calls(gateway)
    assert len(calls) == 1
    # A few events beyond the page, so that a burst sharing the 10th event's
    # second (events 8-11 of issue 2 do) is seen whole: Sentry has no order among them.
    assert 11 < int(calls[0]["per_page"][0]) <= 25
    assert "cursor" not in calls[0]
    # The window, pinned in whole seconds (Sentry drops sub-second parts).
    assert "." not in calls[0]["start"][0] and "." not in calls[0]["end"][0]
    assert "full" not in calls[0]  # eventID and title come from the simple serializer


async def test_after_asks_for_what_lies_below_its_place_in_one_call(gateway: Gateway) -> None:
    first = await page(gateway, first=10)
    gateway.reset_calls()
    second = await page(gateway, first=5, after=first["pageInfo"]["endCursor"])
    assert ids(second) == gateway.store.gateway_order("2")[10:15]
    assert second["pageInfo"]["hasPreviousPage"] is True
    (call,) = list_calls(gateway)
    # No offset: `end` is the second after the 10th event's, and what of that
    # second was already listed is skipped by value.
    assert "cursor" not in call
    tenth = first["edges"][-1]["node"]["eventID"]
    tenth_second = next(e for e in gateway.store.events("2") if e.event_id == tenth).second
    assert call["end"] == [_iso_second(tenth_second + 1)]


def _iso_second(epoch: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None).isoformat()


async def test_walking_forward_visits_every_event_once_in_sentrys_order(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("2")
    assert len(expected) > 250
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        conn = await page(gateway, first=100, after=after)
        seen += ids(conn)
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == expected
    # A page of 100 cannot see the 101st event in one call (Sentry's cap), so
    # a page that fills up costs a second call to finish its last second.
    assert len(list_calls(gateway)) <= 2 * pages


async def test_walking_backward_from_the_end_visits_the_same_events(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("2")
    seen: list[str] = []
    before = None
    while True:
        conn = await page(gateway, last=37, before=before)
        seen = ids(conn) + seen
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert seen == expected


async def test_last_without_before_gives_the_oldest_events_in_few_calls(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("2")
    conn = await page(gateway, last=3)
    assert ids(conn) == expected[-3:]
    assert conn["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": conn["edges"][0]["cursor"],
        "endCursor": conn["edges"][-1]["cursor"],
    }
    walking = len(expected) // 100 + 1
    assert len(list_calls(gateway)) <= walking


async def test_page_info_is_exact_in_both_directions(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("2")
    middle = await page(gateway, first=10)
    back = await page(gateway, last=5, before=middle["pageInfo"]["endCursor"])
    assert ids(back) == expected[4:9]
    assert back["pageInfo"]["hasNextPage"] is True  # the `before` event itself follows
    assert back["pageInfo"]["hasPreviousPage"] is True
    top = await page(gateway, last=10, before=middle["pageInfo"]["endCursor"])
    assert ids(top) == expected[:9] and top["pageInfo"]["hasPreviousPage"] is False


async def test_after_and_before_together_bound_the_page(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("2")
    conn = await page(gateway, first=20)
    after, before = conn["edges"][2]["cursor"], conn["edges"][8]["cursor"]
    forward = await page(gateway, first=10, after=after, before=before)
    assert ids(forward) == expected[3:8]
    assert forward["pageInfo"]["hasNextPage"] is False
    assert forward["pageInfo"]["hasPreviousPage"] is True
    short = await page(gateway, first=2, after=after, before=before)
    assert ids(short) == expected[3:5] and short["pageInfo"]["hasNextPage"] is True
    backward = await page(gateway, last=2, after=after, before=before)
    assert ids(backward) == expected[6:8]
    assert backward["pageInfo"]["hasPreviousPage"] is True


async def test_traversal_is_stable_while_new_events_arrive(gateway: Gateway) -> None:
    before_ids = gateway.store.gateway_order("2")
    first = await page(gateway, first=50)
    new_ids = gateway.store.add_events("2", 7)
    assert set(gateway.store.gateway_order("2")[:7]) == set(new_ids)
    second = await page(gateway, first=50, after=first["pageInfo"]["endCursor"])
    assert ids(first) + ids(second) == before_ids[:100]
    fresh = await page(gateway, first=7)
    assert set(ids(fresh)) == set(new_ids)


async def test_stats_period_is_pinned_into_the_cursor(gateway: Gateway) -> None:
    first = await page(gateway, first=5, statsPeriod="30d")
    gateway.reset_calls()
    await page(gateway, first=5, statsPeriod="30d", after=first["pageInfo"]["endCursor"])
    (call,) = list_calls(gateway)
    assert "statsPeriod" not in call and "start" in call and "end" in call


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 1, "last": 1}, "not both"),
        ({}, "neither"),
        ({"first": 0}, "between 1 and 100"),
        ({"first": 101}, "between 1 and 100"),
        ({"last": 500}, "between 1 and 100"),
        ({"first": 5, "after": "not-a-cursor"}, "Invalid cursor"),
        ({"first": 5, "statsPeriod": "lol"}, "Invalid statsPeriod: 'lol'"),
    ],
)
async def test_bad_paging_arguments_are_bad_user_input_without_upstream_calls(
    gateway: Gateway, variables: dict[str, Any], message: str
) -> None:
    body = await gateway.post(PAGE, {"issue": "2", **variables})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]
    assert body["data"] == {"issue": None}
    assert gateway.upstream_calls() == []


async def test_a_cursor_is_bound_to_its_issue_and_filters(gateway: Gateway) -> None:
    conn = await page(gateway, first=3, environment=["production"])
    cursor = conn["pageInfo"]["endCursor"]
    gateway.reset_calls()
    for variables in (
        {"environment": ["staging"]},
        {"environment": None},
        {"issue": "3", "environment": ["production"]},
        {"environment": ["production"], "query": "level:error"},
    ):
        body = await gateway.post(PAGE, {"issue": "2", "first": 3, "after": cursor, **variables})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "another connection" in body["errors"][0]["message"]
    assert gateway.upstream_calls() == []


async def test_a_tampered_cursor_is_refused(gateway: Gateway) -> None:
    conn = await page(gateway, first=3)
    cursor = conn["pageInfo"]["endCursor"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    gateway.reset_calls()
    body = await gateway.post(PAGE, {"issue": "2", "first": 3, "after": tampered})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gateway.upstream_calls() == []


async def test_cursors_work_on_another_worker_with_the_same_secret() -> None:
    env = {"GATEWAY_CURSOR_SECRET": "shared-secret"}
    async with running_gateway(env) as one:
        conn = await page(one, first=4)
        expected = one.store.gateway_order("2")
    async with running_gateway(env) as two:
        nxt = await page(two, first=4, after=conn["pageInfo"]["endCursor"])
    assert ids(conn) + ids(nxt) == expected[:8]


async def test_full_is_requested_only_when_the_selection_needs_it(gateway: Gateway) -> None:
    simple = "query { issue(id: \"2\") { events(first: 2) { nodes { eventID title tags { key value } user { email } } } } }"
    await gateway.data(simple)
    assert "full" not in list_calls(gateway)[-1]
    full = "query { issue(id: \"2\") { events(first: 2) { edges { node { ...F } } } } } fragment F on Event { message }"
    await gateway.data(full)
    assert list_calls(gateway)[-1]["full"] == ["true"]


async def test_a_field_has_the_same_value_whatever_else_is_selected(gateway: Gateway) -> None:
    fields = "eventID title tags { key value query } dateCreated culprit location user { id email ipAddress } type platform metadata"
    simple = await gateway.data(f'{{ issue(id: "2") {{ events(first: 30) {{ nodes {{ {fields} }} }} }} }}')
    full = await gateway.data(f'{{ issue(id: "2") {{ events(first: 30) {{ nodes {{ {fields} message }} }} }} }}')
    for a, b in zip(simple["issue"]["events"]["nodes"], full["issue"]["events"]["nodes"]):
        b = dict(b)
        b.pop("message")
        assert a == b
    for issue in ("4",):  # transaction events: dateCreated is null either way
        s = await gateway.data(f'{{ issue(id: "{issue}") {{ events(first: 5) {{ nodes {{ eventID type dateCreated culprit }} }} }} }}')
        f = await gateway.data(f'{{ issue(id: "{issue}") {{ events(first: 5) {{ nodes {{ eventID type dateCreated culprit message }} }} }} }}')
        assert [{k: v for k, v in n.items() if k != "message"} for n in f["issue"]["events"]["nodes"]] == s["issue"]["events"]["nodes"]
        assert all(n["dateCreated"] is None for n in s["issue"]["events"]["nodes"])


async def test_the_same_page_asked_twice_is_fetched_once(gateway: Gateway) -> None:
    query = """{ issue(id: "2") {
        a: events(first: 5) { nodes { eventID } }
        b: events(first: 5) { nodes { eventID } }
        c: events(first: 7) { nodes { eventID } }
    } other: issue(id: "3") { events(first: 5) { nodes { eventID } } } }"""
    data = await gateway.data(query)
    assert data["issue"]["a"] == data["issue"]["b"]
    assert len(list_calls(gateway)) == 3  # a+b once, c, and issue 3


async def test_unknown_environment_is_an_empty_connection(gateway: Gateway) -> None:
    conn = await page(gateway, first=5, environment=["no-such-env"])
    assert conn["edges"] == [] and conn["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_environment_filter_is_applied(gateway: Gateway) -> None:
    data = await gateway.data(
        '{ issue(id: "2") { events(first: 20, environment: ["staging"]) { nodes { tags { key value } } } } }'
    )
    nodes = data["issue"]["events"]["nodes"]
    assert nodes
    for node in nodes:
        assert {"key": "environment", "value": "staging"} in node["tags"]


async def test_an_event_id_as_query_is_a_direct_hit(gateway: Gateway) -> None:
    target = gateway.store.gateway_order("2")[42]
    conn = await page(gateway, first=10, query=target)
    assert ids(conn) == [target]
    assert conn["pageInfo"]["hasNextPage"] is False


async def test_value_cursors_of_older_sentry_are_followed_both_ways(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("5")
    seen: list[str] = []
    after = None
    while True:
        conn = await page(gateway, issue="5", first=7, after=after)
        seen += ids(conn)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == expected
    # Only cursors Sentry handed out were ever sent.
    for params in list_calls(gateway):
        for cursor in params.get("cursor", []):
            assert not cursor.startswith("0:")
    back: list[str] = []
    before = None
    while True:
        conn = await page(gateway, issue="5", last=30, before=before)
        back = ids(conn) + back
        if not conn["pageInfo"]["hasPreviousPage"]:
            break
        before = conn["pageInfo"]["startCursor"]
    assert back == expected


async def test_value_cursor_pages_with_both_bounds(gateway: Gateway) -> None:
    expected = gateway.store.gateway_order("5")
    conn = await page(gateway, issue="5", first=40)
    after, before = conn["edges"][5]["cursor"], conn["edges"][25]["cursor"]
    fwd = await page(gateway, issue="5", first=50, after=after, before=before)
    assert ids(fwd) == expected[6:25] and fwd["pageInfo"]["hasNextPage"] is False
    bwd = await page(gateway, issue="5", last=4, after=after, before=before)
    assert ids(bwd) == expected[21:25] and bwd["pageInfo"]["hasPreviousPage"] is True


async def test_cursors_are_encoded_only_when_selected(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.schema.paging.pagination import CursorCodec

    encoded: list[object] = []
    original = CursorCodec.encode
    monkeypatch.setattr(CursorCodec, "encode", lambda self, state: encoded.append(state) or original(self, state))
    await gateway.data('{ issue(id: "2") { events(first: 5) { nodes { eventID } pageInfo { hasNextPage } } } }')
    assert encoded == []
    data = await gateway.data(
        '{ issue(id: "2") { events(first: 3) { edges { ...E } } } } fragment E on EventEdge { cursor }'
    )
    cursors = [edge["cursor"] for edge in data["issue"]["events"]["edges"]]
    assert len(encoded) == 3 and all(cursors) and len(set(cursors)) == 3
    page = await gateway.data('{ issue(id: "2") { events(first: 2) { pageInfo { endCursor } } } }')
    after = page["issue"]["events"]["pageInfo"]["endCursor"]
    query = 'query($after: String) { issue(id: "2") { events(first: 1, after: $after) { nodes { eventID } } } }'
    third = await gateway.data(query, {"after": after})
    first_three = await gateway.data('{ issue(id: "2") { events(first: 3) { nodes { eventID } } } }')
    assert third["issue"]["events"]["nodes"] == first_three["issue"]["events"]["nodes"][2:]
