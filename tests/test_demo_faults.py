"""Fault injection in the demo upstream (gateway.demo.faults): every kind, the exact 429,
the rate-limit headers on normal answers, the plan's rules and the loopback-only
control endpoint, through httpx + ASGITransport; truncated and drop also over uvicorn.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator

import anyio
import httpx
import pytest

from gateway.demo import DEMO_TOKEN, ConnectionDropped, Fault, FaultPlan, build_demo_store, create_demo_app
from gateway.demo.faults import RATE_LIMIT_BODY, is_loopback

from .servers import serve_in_thread

pytestmark = pytest.mark.anyio

LIST = "/api/0/issues/2/events/"
DETAIL = "/api/0/issues/2/events/latest/"
AUTH = {"Authorization": f"Bearer {DEMO_TOKEN}"}
RATE_HEADERS = (
    "x-sentry-rate-limit-remaining",
    "x-sentry-rate-limit-limit",
    "x-sentry-rate-limit-reset",
    "x-sentry-rate-limit-concurrentremaining",
    "x-sentry-rate-limit-concurrentlimit",
)
INTERNAL_ERROR = re.compile(rb'^\{"detail":"Internal Error","errorId":"[0-9a-f]{32}"\}$')


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def store():
    return build_demo_store()


@pytest.fixture
def app(store):
    return create_demo_app(store, faults=True)


def client(app, *, address: str = "127.0.0.1", raise_app_exceptions: bool = True) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000), raise_app_exceptions=raise_app_exceptions)
    return httpx.AsyncClient(transport=transport, base_url="http://demo", headers=AUTH)


def rate_headers(response: httpx.Response) -> dict[str, str]:
    return {name: response.headers[name] for name in RATE_HEADERS if name in response.headers}


async def normal_body(store, path: str) -> bytes:
    async with client(create_demo_app(store)) as http:
        response = await http.get(path)
    assert response.status_code == 200
    return response.content


# -- off by default ------------------------------------------------------------------------


async def test_faults_are_off_by_default(store) -> None:
    app = create_demo_app(store)
    assert app.state.faults is None
    async with client(app) as http:
        control = await http.get("/_demo/faults")
        assert control.status_code == 404
        assert control.text.startswith("Route not found, did you forget a trailing slash?")
        assert (await http.post("/_demo/faults", json={"faults": [{"kind": "drop"}]})).status_code == 404
        assert (await http.get("/_demo/faults/")).status_code == 404
        listed = await http.get(LIST)
        assert listed.status_code == 200 and rate_headers(listed) == {}  # the list: only with faults on
        detail = await http.get(DETAIL)
        assert detail.status_code == 200 and set(rate_headers(detail)) == set(RATE_HEADERS)


# -- rate-limit headers on normal answers ----------------------------------------------------


async def test_rate_limit_headers_count_down_per_second_and_token_never_enforced(store) -> None:
    app = create_demo_app(store)
    now = [1_700_000_000.25]
    app.state.rate_limits.clock = lambda: now[0]
    async with client(app) as http:
        answers = [await http.get(DETAIL) for _ in range(17)]
        assert [r.status_code for r in answers] == [200] * 17  # counted, not enforced
        assert rate_headers(answers[0]) == {
            "x-sentry-rate-limit-remaining": "14",
            "x-sentry-rate-limit-limit": "15",
            "x-sentry-rate-limit-reset": "1700000001",
            "x-sentry-rate-limit-concurrentremaining": "2",
            "x-sentry-rate-limit-concurrentlimit": "3",
        }
        assert [int(r.headers["x-sentry-rate-limit-remaining"]) for r in answers] == [*range(14, -1, -1), 0, 0]
        # Another token has its own window; so does the next second.
        other = await http.get(DETAIL, headers={"Authorization": "Bearer sntryu_alice"})
        assert other.headers["x-sentry-rate-limit-remaining"] == "14"
        now[0] += 1
        later = await http.get(DETAIL)
        assert later.headers["x-sentry-rate-limit-remaining"] == "14"
        assert later.headers["x-sentry-rate-limit-reset"] == "1700000002"
        # Errors after authentication carry them too; a 401 does not.
        missing = await http.get("/api/0/issues/2/events/" + "a" * 32 + "/")
        assert missing.status_code == 404 and missing.headers["x-sentry-rate-limit-remaining"] == "13"
        unauthenticated = await http.get(DETAIL, headers={"Authorization": "Bearer nope"})
        assert unauthenticated.status_code == 401 and rate_headers(unauthenticated) == {}
    assert app.state.rate_limits._in_flight == {}


async def test_with_faults_enabled_the_list_carries_rate_limit_headers_and_concurrency(app) -> None:
    app.state.faults.add(Fault("latency", delay=0.3, times=2, path_contains="/issues/2/"))
    async with client(app) as http:
        assert set(rate_headers(await http.get("/api/0/issues/3/events/"))) == set(RATE_HEADERS)
        results: list[httpx.Response] = []

        async def fetch() -> None:
            results.append(await http.get(LIST))

        async with anyio.create_task_group() as group:
            group.start_soon(fetch)
            group.start_soon(fetch)
        # Both were in flight together: one saw 1 of 3 slots taken, the other 2.
        assert sorted(r.headers["x-sentry-rate-limit-concurrentremaining"] for r in results) == ["1", "2"]


# -- each kind --------------------------------------------------------------------------------


async def test_latency_delays_the_normal_answer(app, store) -> None:
    app.state.faults.add(Fault("latency", delay=0.25))
    async with client(app) as http:
        started = time.monotonic()
        response = await http.get(LIST)
        assert time.monotonic() - started >= 0.25
    assert response.status_code == 200
    assert response.content == await normal_body(store, LIST)
    assert set(rate_headers(response)) == set(RATE_HEADERS)
    assert app.state.faults.hits == 1


async def test_status_500_is_sentrys_internal_error(app) -> None:
    app.state.faults.add(Fault("status", status=500))
    async with client(app) as http:
        response = await http.get(DETAIL)
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/json"
        assert INTERNAL_ERROR.match(response.content)
        assert rate_headers(response) == {}
        assert (await http.get(DETAIL)).status_code == 200  # times=1: the next one is fine


@pytest.mark.parametrize(("status", "title"), [(502, "Bad Gateway"), (503, "Service Unavailable"), (504, "Gateway Timeout")])
async def test_proxy_statuses_answer_an_html_page(app, status: int, title: str) -> None:
    app.state.faults.add(Fault("status", status=status))
    async with client(app) as http:
        response = await http.get(LIST)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert f"<title>{status} {title}</title>".encode() in response.content
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_other_4xx_status_is_a_detail_body(app) -> None:
    app.state.faults.add(Fault("status", status=404))
    async with client(app) as http:
        response = await http.get(LIST)
    assert response.status_code == 404 and response.json() == {"detail": "Not Found"}


async def test_rate_limit_is_sentrys_exact_429(app) -> None:
    plan: FaultPlan = app.state.faults
    plan.clock = lambda: 1_700_000_000.9
    plan.add(Fault("rate_limit"))
    plan.add(Fault("rate_limit", reset_in=5, retry_after=7, concurrent_limit=10))
    plan.add(Fault("status", status=429))
    async with client(app) as http:
        first = await http.get(DETAIL)
        second = await http.get(DETAIL)
        third = await http.get(LIST)
    expected = b'{"detail":"You are attempting to use this endpoint too frequently. Limit is 15 requests in 1 seconds"}'
    assert RATE_LIMIT_BODY == expected
    assert first.status_code == 429 and first.content == expected
    assert first.json() == {"detail": "You are attempting to use this endpoint too frequently. Limit is 15 requests in 1 seconds"}
    assert list(first.headers.items()) == [
        ("content-type", "text/html; charset=utf-8"),
        ("x-sentry-rate-limit-remaining", "0"),
        ("x-sentry-rate-limit-limit", "15"),
        ("x-sentry-rate-limit-reset", "1700000030"),
        ("x-sentry-rate-limit-concurrentremaining", "0"),
        ("x-sentry-rate-limit-concurrentlimit", "3"),
        ("content-length", str(len(expected))),
    ]
    assert "retry-after" not in first.headers
    assert second.status_code == 429 and second.content == expected
    assert second.headers["retry-after"] == "7"
    assert second.headers["x-sentry-rate-limit-reset"] == "1700000005"
    assert second.headers["x-sentry-rate-limit-concurrentlimit"] == "10"
    assert third.status_code == 429 and third.content == expected and "retry-after" not in third.headers


async def test_malformed_is_a_200_that_is_not_json(app) -> None:
    app.state.faults.add(Fault("malformed"))
    async with client(app) as http:
        response = await http.get(LIST)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content.startswith(b"<!DOCTYPE html>")
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_wrong_shape_is_valid_json_of_the_wrong_shape(app) -> None:
    app.state.faults.add(Fault("wrong_shape", times=2))
    async with client(app) as http:
        listed = await http.get(LIST)
        detail = await http.get(DETAIL)
    assert listed.status_code == 200 and listed.json() == {"events": []}
    assert detail.status_code == 200 and detail.json() == []


async def test_truncated_through_asgi_transport_is_a_short_body(app, store) -> None:
    full = await normal_body(store, LIST)
    app.state.faults.add(Fault("truncated", times=2))
    async with client(app) as http:
        response = await http.get(LIST)
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(full)
        assert response.content == full[: len(full) // 2]
        with pytest.raises(json.JSONDecodeError):
            response.json()
        # The same with stream=True, as a client reading the body itself would.
        async with http.stream("GET", LIST) as streamed:
            body = await streamed.aread()
        assert len(body) < int(streamed.headers["content-length"])
        assert (await http.get(LIST)).content == full
    assert [record.status for record in app.state.requests] == [200, 200, 200]


async def test_drop_through_asgi_transport_raises_remote_protocol_error(app) -> None:
    app.state.faults.add(Fault("drop", path_contains="/latest/"))
    async with client(app) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="^Server disconnected without sending a response.$") as info:
            await http.get(DETAIL)
        assert isinstance(info.value, ConnectionDropped)
        assert isinstance(info.value, httpx.TransportError)
        assert (await http.get(DETAIL)).status_code == 200
    assert [record.status for record in app.state.requests] == [0, 200]  # 0: no answer at all


async def test_drop_without_raising_app_exceptions_is_a_bare_500(app) -> None:
    app.state.faults.add(Fault("drop"))
    async with client(app, raise_app_exceptions=False) as http:
        response = await http.get(LIST)
    assert response.status_code == 500


async def test_delay_adds_to_any_kind(app) -> None:
    app.state.faults.add(Fault("status", status=503, delay=0.2))
    async with client(app) as http:
        started = time.monotonic()
        response = await http.get(LIST)
    assert response.status_code == 503 and time.monotonic() - started >= 0.2


# -- the plan's rules ------------------------------------------------------------------------


async def test_faults_apply_only_after_authentication(app) -> None:
    app.state.faults.add(Fault("status", status=503))
    async with client(app) as http:
        for header in ("Bearer nope", ""):
            response = await http.get(LIST, headers={"Authorization": header})
            assert response.status_code == 401
        assert (await http.get("/api/0/issues/2/events")).status_code == 404  # catch-all: no fault
        assert app.state.faults.hits == 0 and len(app.state.faults.faults) == 1
        assert (await http.get(LIST)).status_code == 503
        assert app.state.faults.hits == 1 and app.state.faults.faults == []


async def test_times_path_contains_and_order(app) -> None:
    plan: FaultPlan = app.state.faults
    plan.add(Fault("status", status=502, times=2, path_contains="/issues/3/"))
    plan.add(Fault("status", status=503, times=None, path_contains="/latest/"))
    plan.add(Fault("status", status=504, times=3))
    async with client(app) as http:

        async def status(path: str) -> int:
            return (await http.get(path)).status_code

        assert await status("/api/0/issues/3/events/latest/") == 502  # first added wins
        assert await status("/api/0/issues/3/events/") == 502
        assert await status("/api/0/issues/3/events/latest/") == 503  # the 502 is used up
        assert await status("/api/0/issues/3/events/") == 504
        assert [(f.status, f.times) for f in plan.faults] == [(503, None), (504, 2)]
        assert [await status(DETAIL) for _ in range(5)] == [503] * 5  # times=None: until cleared
        assert [await status(LIST) for _ in range(3)] == [504, 504, 200]
        assert plan.hits == 11
        plan.clear()
        assert plan.faults == [] and plan.hits == 0
        assert await status(DETAIL) == 200


def test_the_plan_copies_the_fault_it_is_given() -> None:
    plan = FaultPlan()
    fault = Fault("drop", times=2)
    plan.add(fault)
    assert plan.take("/x") is not None
    assert fault.times == 2 and plan.faults[0].times == 1


async def _pattern(seed: int, n: int = 60) -> list[int]:
    app = create_demo_app(_STORE, faults=True, fault_seed=seed)
    app.state.faults.add(Fault("status", status=503, times=None, probability=0.3))
    async with client(app) as http:
        return [(await http.get(LIST)).status_code for _ in range(n)]


_STORE = build_demo_store()


async def test_probability_is_seeded_and_deterministic() -> None:
    first, again, other = await _pattern(7), await _pattern(7), await _pattern(8)
    assert first == again
    assert first != other
    assert set(first) == {200, 503}
    assert 5 <= first.count(503) <= 35


def test_probability_draws_restart_after_clear() -> None:
    plan = FaultPlan(seed=3)

    def run() -> list[bool]:
        plan.add(Fault("drop", times=None, probability=0.5))
        hits = [plan.take("/p") is not None for _ in range(40)]
        plan.clear()
        return hits

    assert run() == run()
    plan.reseed(4)
    plan.add(Fault("drop", times=None, probability=0.0))
    assert all(plan.take("/p") is None for _ in range(10)) and plan.hits == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "explode"},
        {"kind": "status", "status": 200},
        {"kind": "latency", "delay": -1},
        {"kind": "drop", "times": 0},
        {"kind": "drop", "probability": 1.5},
        {"kind": "rate_limit", "concurrent_limit": 0},
    ],
)
def test_bad_faults_are_refused(kwargs) -> None:
    with pytest.raises(ValueError):
        Fault(**kwargs)


# -- the control endpoint ----------------------------------------------------------------------


async def test_control_endpoint_adds_lists_and_clears(app) -> None:
    async with client(app) as http:
        empty = await http.get("/_demo/faults")
        assert empty.status_code == 200 and empty.json() == {"faults": [], "hits": 0, "seed": 0}
        added = await http.post(
            "/_demo/faults",
            json={
                "faults": [
                    {"kind": "rate_limit", "path_contains": "/latest/", "reset_in": 2},
                    {"kind": "latency", "delay": 0.01, "times": None, "probability": 0.5},
                ],
                "seed": 11,
            },
        )
        assert added.status_code == 200
        listing = added.json()
        assert listing["seed"] == 11 and listing["hits"] == 0
        assert listing["faults"][0] == {
            "kind": "rate_limit",
            "status": 500,
            "delay": 0.0,
            "times": 1,
            "path_contains": "/latest/",
            "probability": 1.0,
            "reset_in": 2,
            "retry_after": None,
            "concurrent_limit": 3,
        }
        assert listing["faults"][1]["times"] is None
        assert (await http.get(DETAIL)).status_code == 429
        after = (await http.get("/_demo/faults/")).json()
        assert after["hits"] == 1 and [f["kind"] for f in after["faults"]] == ["latency"]
        cleared = await http.delete("/_demo/faults")
        assert cleared.status_code == 200 and cleared.json() == {"faults": [], "hits": 0, "seed": 11}
        assert app.state.faults.faults == []
        assert (await http.put("/_demo/faults")).status_code == 405
    assert app.state.requests and all(r.path == DETAIL for r in app.state.requests)  # control is unrecorded


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"faults": {"kind": "drop"}}',
        b'{"faults": [{"kind": "drop"}], "extra": 1}',
        b'{"faults": [{"kind": "nope"}]}',
        b'{"faults": [{"status": 500}]}',
        b'{"faults": [{"kind": "drop", "colour": "red"}]}',
        b'{"faults": [{"kind": "drop", "times": true}]}',
        b'{"faults": [{"kind": "status", "status": "500"}]}',
        b'{"faults": [{"kind": "drop"}], "seed": "x"}',
        b'{"faults": [{"kind": "drop"}, {"kind": "drop", "probability": 2}]}',
    ],
)
async def test_control_endpoint_rejects_bad_bodies_whole(app, body: bytes) -> None:
    async with client(app) as http:
        response = await http.post("/_demo/faults", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and isinstance(response.json()["detail"], str)
    assert app.state.faults.faults == []


@pytest.mark.parametrize("address", ["192.168.1.10", "10.0.0.1", "203.0.113.5", "2001:db8::1", "testclient"])
async def test_control_endpoint_is_404_off_loopback(app, address: str) -> None:
    async with client(app, address=address) as http:
        assert (await http.get("/_demo/faults")).status_code == 404
        assert (await http.post("/_demo/faults", json={"faults": [{"kind": "drop"}]})).status_code == 404
        assert (await http.delete("/_demo/faults")).status_code == 404
    assert app.state.faults.faults == []


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
async def test_control_endpoint_answers_loopback(app, address: str) -> None:
    async with client(app, address=address) as http:
        assert (await http.get("/_demo/faults")).status_code == 200


def test_is_loopback() -> None:
    assert is_loopback(("127.0.0.1", 1)) and is_loopback(["::1", 1]) and is_loopback(("127.255.0.1", 1))
    assert not is_loopback(None) and not is_loopback(("128.0.0.1", 1)) and not is_loopback(("localhost", 1))


def test_cli_flag_enables_faults(monkeypatch) -> None:
    import gateway.demo.__main__ as cli

    served: list = []
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    cli.main(["--port", "9999"])
    cli.main(["--port", "9999", "--faults", "--fault-seed", "5"])
    assert served[0][0].state.faults is None
    assert isinstance(served[1][0].state.faults, FaultPlan) and served[1][0].state.faults.seed == 5
    assert served[1][1]["host"] == "127.0.0.1"


# -- over a real uvicorn -----------------------------------------------------------------------


@pytest.fixture
def served(store) -> Iterator[tuple[str, object]]:
    app = create_demo_app(store, faults=True)
    base, stop = serve_in_thread(app)
    try:
        yield base, app
    finally:
        stop()




class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def uvicorn_errors() -> Iterator[list[str]]:
    """What uvicorn logs as errors (its loggers do not propagate to caplog)."""
    handler = _Errors()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def test_truncated_and_drop_over_uvicorn(served, uvicorn_errors) -> None:
    base, app = served
    with httpx.Client(base_url=base, headers=AUTH, timeout=5) as http:
        full = http.get(LIST)
        assert full.status_code == 200
        arm = http.post("/_demo/faults", json={"faults": [{"kind": "truncated"}, {"kind": "drop"}]})
        assert arm.status_code == 200 and len(arm.json()["faults"]) == 2

        with pytest.raises(httpx.RemoteProtocolError, match="peer closed connection without sending complete message body"):
            http.get(LIST)
        with pytest.raises(httpx.RemoteProtocolError, match="^Server disconnected without sending a response.$") as info:
            http.get(LIST)
        assert not isinstance(info.value, ConnectionDropped)  # httpx's own, from the socket
        assert http.get(LIST).content == full.content
        assert http.get("/_demo/faults").json()["hits"] == 2

        # With stream=True the truncated answer's headers do arrive; reading the body fails.
        http.post("/_demo/faults", json={"faults": [{"kind": "truncated"}]})
        with http.stream("GET", LIST) as streamed:
            assert streamed.status_code == 200
            assert int(streamed.headers["content-length"]) == len(full.content)
            with pytest.raises(httpx.RemoteProtocolError):
                streamed.read()
    # The app logs a closed request once the server has seen the connection go, a few
    # milliseconds after the client did: wait for it, and compare without order.
    deadline = time.monotonic() + 5
    while len(app.state.requests) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(r.status for r in app.state.requests) == [0, 200, 200, 200, 200]
    assert uvicorn_errors == []  # no "ASGI callable returned without ..." and no 500 sent


def test_latency_over_uvicorn_meets_the_client_timeout(served) -> None:
    base, app = served
    app.state.faults.add(Fault("latency", delay=0.6))
    with httpx.Client(base_url=base, headers=AUTH) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get(DETAIL, timeout=0.15)
        time.sleep(0.6)
        assert http.get(DETAIL, timeout=5).status_code == 200
