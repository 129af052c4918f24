"""Issue 13's attacks (items 1-4), each at the level a caller meets it: HTTP through the app.

Validation linear in the document, cost by bytes of events, the answer-size
cap, per-caller rate limits, bounded caches, and coded errors for absurd
input. No timings are asserted (they go in ``bench/hostile.py``); where
time is the point, the test uses a size that an exponential walk could not
finish (2^60 paths).
"""

from __future__ import annotations

import asyncio
import json

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.answer import encode_answer
from gateway.app import create_app
from gateway.demo import create_demo_app
from gateway.rate_limit import TokenBuckets
from gateway.schema.execution import caches
from gateway.schema.execution.document_limits import measure, overlap
from gateway.serving import MemoryKeeper
from gateway.settings import load_settings
from graphql import parse

from .conftest import Gateway, running_gateway
from .servers import serve_in_thread

pytestmark = pytest.mark.anyio

FULL_NODE = "eventID title entries { __typename } contexts"
FRAMES = (
    "eventID entries { ... on ExceptionEntry { values { stacktrace { frames { function filename "
    "lineNo context { line } } } } } }"
)


def fanout(levels: int, leaf: str = "id") -> str:
    """``{ issue { ...F0 } }`` with ``fragment Fi on Issue { ...Fi+1 ...Fi+1 }``: 2^levels paths."""
    fragments = "\n".join(f"fragment F{i} on Issue {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f'{{ issue(id: "2") {{ ...F0 }} }}\n{fragments}\nfragment F{levels} on Issue {{ {leaf} }}'


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


# -- 1. validation linear in the document -------------------------------------------------


@pytest.mark.parametrize("levels", [22, 60])
async def test_the_fragment_fan_out_is_answered(gateway: Gateway, levels: int) -> None:
    body = await gateway.post(fanout(levels))
    assert body.get("errors") is None
    assert body["data"]["issue"]["id"]


async def test_the_fragment_fan_out_of_aliases_is_refused_with_its_true_count(gateway: Gateway) -> None:
    body = await gateway.post(fanout(22, "a: id"))
    assert code(body) == "QUERY_TOO_COMPLEX"
    assert body["errors"][0]["message"] == f"{2**22} aliases found. Allowed: 100"
    assert gateway.upstream_calls() == []


def test_measure_counts_2_to_the_200_paths_without_walking_them() -> None:
    (_, shape), = measure(parse(fanout(200, "a: id")))
    assert shape.aliases == 2**200
    assert shape.depth == 1
    # The overlap walk expands each fragment once per selection set, as execution does.
    assert overlap(parse(fanout(200)), 20_000).fields == 2


async def test_depth_is_still_limited_through_fragments(gateway: Gateway) -> None:
    deep = "fragment D on Event { tags { key } }"
    chain = " ".join(["events(first: 1) { nodes { ...D } }"])
    body = await gateway.post(f'{{ issue(id: "2") {{ {chain} }} }} {deep}')
    assert "errors" not in body
    async with running_gateway({"GATEWAY_MAX_DEPTH": "3"}) as gw:
        refused = await gw.post(f'query Deep {{ issue(id: "2") {{ {chain} }} }} {deep}')
        assert code(refused) == "QUERY_TOO_COMPLEX"
        assert refused["errors"][0]["message"] == "'Deep' exceeds maximum operation depth of 3"


async def test_too_many_fragments_are_refused_before_validation(gateway: Gateway) -> None:
    many = "\n".join(f"fragment G{i} on Issue {{ id }}" for i in range(101))
    spreads = " ".join(f"...G{i}" for i in range(101))
    body = await gateway.post(f'{{ issue(id: "2") {{ {spreads} }} }}\n{many}')
    assert code(body) == "QUERY_TOO_COMPLEX"
    assert "101 fragment definitions" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("fragments", "via"),
    [
        ("fragment A on Issue { ...B } fragment B on Issue { ...A }", "within itself via 'B'."),
        ("fragment A on Issue { issueId ...B } fragment B on Issue { title ...A }", "within itself via 'B'."),
        # Through fields: the expansion never ends, yet it is invalid, not too big.
        (
            "fragment A on Issue { events(first: 1) { nodes { ...B } } } fragment B on Event { ...A }",
            "within itself via 'B'.",
        ),
        (
            "fragment A on Issue { events(first: 1) { ...B } } fragment B on EventConnection "
            "{ nodes { ...C } } fragment C on Event { ...A }",
            "within itself via 'B', 'C'.",
        ),
        ("fragment A on Issue { events(first: 1) { nodes { ... on Event { ...A } } } }", "within itself."),
    ],
)
async def test_a_fragment_cycle_is_a_validation_error_that_names_it(
    gateway: Gateway, fragments: str, via: str
) -> None:
    body = await gateway.post(f'{{ issue(id: "2") {{ ...A }} }} {fragments}')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", error
    assert error["message"].startswith(f"Cannot spread fragment 'A' {via}")
    assert "remove one of the spreads" in error["message"]
    assert len(error["locations"]) >= 1
    assert gateway.upstream_calls() == []


async def test_one_field_asked_for_hundreds_of_times_is_refused(gateway: Gateway) -> None:
    # graphql-core's overlap rule compares every pair: 400 of these took seconds.
    query = '{ issue(id: "2") { ' + "events(first: 1) { nodes { eventID } } " * 400 + "} }"
    body = await gateway.post(query)
    assert code(body) == "QUERY_TOO_COMPLEX"
    assert "`issue.events` 400 times" in body["errors"][0]["message"]
    assert gateway.upstream_calls() == []
    twice = await gateway.post('{ issue(id: "2") { ' + "events(first: 1) { nodes { eventID } } " * 2 + "} }")
    assert "errors" not in twice


# -- 2. cost by bytes of events, the answer-size cap, rate limits -------------------------


async def test_a_hundred_full_pages_are_refused_before_any_call(gateway: Gateway) -> None:
    aliases = " ".join(f'a{i}: issue(id: "2") {{ events(first: 100) {{ nodes {{ {FULL_NODE} }} }} }}' for i in range(100))
    body = await gateway.post(f"{{ {aliases} }}")
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert error["extensions"]["estimatedUpstreamBytes"] == 100 * 100 * 20_000
    assert error["extensions"]["upstreamBytesBudget"] == 16 * 1024 * 1024
    assert body["data"] is None
    assert gateway.upstream_calls() == []


async def test_full_events_weigh_more_than_simple_ones(gateway: Gateway) -> None:
    simple = await gateway.post('{ issue(id: "2") { events(first: 10) { nodes { eventID title } } } }')
    full = await gateway.post(f'{{ issue(id: "2") {{ events(first: 10) {{ nodes {{ {FULL_NODE} }} }} }} }}')
    assert simple["extensions"]["cost"]["estimatedUpstreamBytes"] == 10 * 2_000
    assert full["extensions"]["cost"]["estimatedUpstreamBytes"] == 10 * 20_000


async def test_an_answer_over_the_size_cap_is_a_coded_error() -> None:
    async with running_gateway({"GATEWAY_MAX_RESPONSE_BYTES": "100000"}) as gw:
        response = await gw.http.post(
            "/graphql", json={"query": f'{{ issue(id: "2") {{ events(first: 100) {{ nodes {{ {FRAMES} }} }} }} }}'}
        )
        assert response.status_code == 200
        assert len(response.content) < 1000
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
        assert error["extensions"]["maxResponseBytes"] == 100_000
        assert error["extensions"]["responseBytes"] > 100_000
        small = await gw.post('{ issue(id: "2") { events(first: 2) { nodes { eventID } } } }')
        assert "errors" not in small


async def test_rate_limits_per_credential_answer_429_with_retry_after() -> None:
    async with running_gateway({"GATEWAY_RATE_LIMIT_PER_CREDENTIAL": "3/60"}) as gw:
        alice = {"Authorization": "Bearer sntryu_alice"}
        statuses = [(await gw.http.post("/graphql", json={"query": "{ __typename }"}, headers=alice)).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
        refused = await gw.http.post("/graphql", json={"query": "{ __typename }"}, headers=alice)
        assert refused.status_code == 429
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= error["extensions"]["retryAfter"] <= 20
        assert refused.headers["retry-after"] == str(error["extensions"]["retryAfter"])
        other = await gw.http.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": "Bearer sntryu_bob"})
        assert other.status_code == 200
        assert (await gw.http.get("/healthz")).status_code == 200  # only /graphql is limited


def test_rate_limits_per_client_address_over_a_real_server() -> None:
    settings = load_settings({"GATEWAY_RATE_LIMIT_PER_ADDRESS": "2/60"})
    app = create_app(settings, transport=httpx.ASGITransport(app=create_demo_app()))
    base, stop = serve_in_thread(app, lifespan="on")
    try:
        with httpx.Client(base_url=base) as http:
            answers = [
                http.post("/graphql", json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer sntryu_{i}"})
                for i in range(3)
            ]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    finally:
        stop()


def test_rate_limits_are_off_by_default() -> None:
    settings = load_settings({})
    assert settings.rate_limit_credential is None and settings.rate_limit_address is None


@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=60))
def test_a_token_bucket_never_allows_more_than_its_rate(gaps: list[float]) -> None:
    buckets = TokenBuckets(5, 10)
    now, allowed = 0.0, 0
    for gap in gaps:
        now += gap
        wait = buckets.take("k", now)
        if wait == 0:
            allowed += 1
        else:
            assert 0 < wait <= 2.0 + 1e-9  # one token comes back every 2 s
    assert allowed <= 5 + now / 2 + 1e-9


def test_token_buckets_keep_a_bounded_number_of_callers() -> None:
    buckets = TokenBuckets(1, 60, max_keys=100)
    for i in range(1000):
        buckets.take(f"caller{i}", 0.0)
    assert len(buckets) == 100


# -- 3. memory that returns -----------------------------------------------------------------


async def test_the_parse_cache_is_bounded_by_bytes(gateway: Gateway) -> None:
    caches.clear_parse_cache()
    for i in range(12):
        query = f"# {i}\n" + " " * 400_000 + '{ issue(id: "2") { issueId } }'
        assert "errors" not in await gateway.post(query)
    assert caches.parse_cache_weight() <= load_settings({}).parse_cache_bytes
    small = '{ issue(id: "2") { issueId } }'
    await gateway.post(small)
    await gateway.post(small)
    assert caches.parse_cache_weight() > 0  # the small one is kept


async def test_per_credential_state_is_bounded(gateway: Gateway) -> None:
    from gateway.sentry.client import MAX_CREDENTIALS

    client = gateway.http._transport.app.state.gateway.client  # type: ignore[attr-defined]
    for i in range(30):
        await gateway.post('{ issue(id: "2") { latestEvent { eventID } } }', headers={"Authorization": f"Bearer sntryu_x{i}"})
    assert client._limiters.maxsize == MAX_CREDENTIALS
    assert len(client._limiters) <= MAX_CREDENTIALS


async def test_the_memory_keeper_runs_between_requests_at_most_once_per_interval() -> None:
    clock = [0.0]
    served: list[str] = []

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        served.append(scope["path"])

    keeper = MemoryKeeper(app, interval=1.0, busy_interval=10.0, clock=lambda: clock[0])
    scope = {"type": "http", "path": "/graphql"}
    await keeper(scope, None, None)  # type: ignore[arg-type]
    assert keeper.runs == 0  # not a second since start
    clock[0] = 1.5
    await keeper(scope, None, None)  # type: ignore[arg-type]
    await keeper(scope, None, None)  # type: ignore[arg-type]
    assert keeper.runs == 1
    keeper._in_flight = 1  # another request still running: wait for busy_interval
    clock[0] = 5.0
    assert not keeper.maybe_run()
    clock[0] = 12.0
    assert keeper.maybe_run()
    assert served == ["/graphql"] * 3


# -- 4. coded errors, never a 500 -----------------------------------------------------------


async def test_absurd_filters_are_bad_user_input_before_any_call(gateway: Gateway) -> None:
    cases = [
        ('{ issue(id: "2") { events(first: 1, statsPeriod: "%s") { nodes { eventID } } } }' % ("9" * 5000), {}),
        ('query($q: String) { issue(id: "2") { events(first: 1, query: $q) { nodes { eventID } } } }', {"q": "a" * 500_000}),
        ('query($e: [String!]) { issue(id: "2") { latestEvent(environment: $e) { eventID } } }', {"e": ["prod"] * 1000}),
        ('query($e: [String!]) { issue(id: "2") { oldestEvent(environment: $e) { eventID } } }', {"e": ["p" * 65]}),
    ]
    for query, variables in cases:
        gateway.reset_calls()
        body = await gateway.post(query, variables)
        assert code(body) == "BAD_USER_INPUT", body
        assert len(body["errors"][0]["message"]) < 200
        assert gateway.upstream_calls() == []


async def test_a_long_operation_name_is_refused_without_being_echoed(gateway: Gateway) -> None:
    response = await gateway.http.post("/graphql", json={"query": "{ __typename }", "operationName": "x" * 400_000})
    assert response.status_code == 200
    assert code(response.json()) == "BAD_USER_INPUT"
    assert len(response.content) < 1000


async def test_big_integers_and_deep_data_from_sentry_reach_the_caller_exactly(gateway: Gateway) -> None:
    event = gateway.store.events("2")[0]
    deep: object = "bottom"
    for _ in range(300):  # deeper than orjson writes (254)
        deep = [deep]
    event.payload = {**event.payload, "contexts": {"big": {"n": 2**70, "m": -(2**65)}, "deep": {"v": deep}}}
    event.json_cache.clear()
    response = await gateway.http.post(
        "/graphql", json={"query": f'{{ issue(id: "2") {{ event(eventID: "{event.event_id}") {{ contexts }} }} }}'}
    )
    assert response.status_code == 200
    assert b"1180591620717411303424" in response.content  # 2**70, digit for digit
    contexts = json.loads(response.content)["data"]["issue"]["event"]["contexts"]
    assert contexts["big"] == {"n": 2**70, "m": -(2**65)}
    assert json.dumps(contexts["deep"]["v"]).count("[") == 300


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.floats(allow_nan=False, allow_infinity=False),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
        max_leaves=20,
    )
)
def test_encode_answer_is_json_of_the_same_value(value: object) -> None:
    body = encode_answer({"data": {"v": value}})
    assert json.loads(body) == {"data": {"v": value}}


def test_encode_answer_codes_what_no_encoder_can_write() -> None:
    deep: object = 1
    for _ in range(100_000):
        deep = [deep]
    body = orjson.loads(encode_answer({"data": {"v": deep}}))
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"


async def test_the_gateway_keeps_answering_after_every_attack(gateway: Gateway) -> None:
    attacks = [fanout(30), fanout(30, "a: id"), '{ issue(id: "2") { ' + "issueId " * 2000 + "} }"]
    answers = await asyncio.gather(*(gateway.http.post("/graphql", json={"query": q}) for q in attacks))
    assert all(a.status_code == 200 for a in answers)
    assert all("code" in e["extensions"] for a in answers for e in a.json().get("errors", []))
    assert (await gateway.post('{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }'))["data"]["issue"]


@pytest.mark.parametrize("kind", ["truncated", "malformed"])
async def test_a_failed_upstream_answer_is_not_left_in_reference_cycles(kind: str) -> None:
    import gc

    from gateway.demo.faults import Fault

    query = '{ a: issue(id: "2") { events(first: 100) { nodes { eventID title } } } b: issue(id: "3") { issueId } }'
    env = {"SENTRY_MAX_RETRIES": "0"}
    async with running_gateway(env, faults=True) as gw:
        gw.demo_app.state.faults.add(Fault(path_contains="/issues/2/", kind=kind, times=None))
        body = await gw.post(query)  # warm
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                await gw.post(query)
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            garbage = list(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        held = [len(r) for o in garbage for r in gc.get_referents(o) if isinstance(r, (bytes, str)) and len(r) > 5000]
        del garbage
        assert held == []  # the failed page (~30 kB) is freed with the request, not at a full collection


def test_serve_runs_its_worker_with_malloc_and_the_memory_keeper() -> None:
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    from .test_serve import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_", "PYTHONMALLOC"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--demo", "--workers", "1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        environ = Path(f"/proc/{process.pid}/environ").read_bytes().split(b"\0")
        assert b"PYTHONMALLOC=malloc" in environ  # re-executed in place, same pid
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": fanout(40)}, timeout=30)
        assert answer.status_code == 200 and answer.json()["data"]["issue"]["id"]
    finally:
        process.terminate()
        process.wait(timeout=15)
