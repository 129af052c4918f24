"""Every upstream fault, injected into the demo upstream, reaches the caller as
its exact code; the rest of the query resolves; the next query succeeds."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from gateway.demo.faults import Fault

from .conftest import Gateway, running_gateway

pytestmark = pytest.mark.anyio

TWO_ISSUES = """{
  a: issue(id: "2") { events(first: 3) { nodes { eventID } } }
  b: issue(id: "3") { events(first: 3) { nodes { eventID } } }
}"""


@pytest.fixture
async def faulty() -> AsyncIterator[Gateway]:
    env = {"GATEWAY_REQUEST_DEADLINE": "3", "SENTRY_TIMEOUT": "1", "SENTRY_MAX_RETRIES": "2"}
    async with running_gateway(env, faults=True) as gw:
        yield gw


def add(gw: Gateway, **fault: object) -> None:
    gw.demo_app.state.faults.add(Fault(path_contains="/issues/2/", **fault))  # type: ignore[arg-type]


async def assert_recovers(gw: Gateway) -> None:
    gw.demo_app.state.faults.clear()
    data = await gw.data(TWO_ISSUES)
    assert len(data["a"]["events"]["nodes"]) == 3


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"kind": "status", "status": 500, "times": None}, "UPSTREAM_ERROR"),
        ({"kind": "status", "status": 502, "times": None}, "UPSTREAM_ERROR"),
        ({"kind": "status", "status": 503, "times": None}, "UPSTREAM_ERROR"),
        ({"kind": "malformed"}, "UPSTREAM_BAD_RESPONSE"),
        ({"kind": "wrong_shape"}, "UPSTREAM_BAD_RESPONSE"),
        ({"kind": "truncated"}, "UPSTREAM_BAD_RESPONSE"),
        ({"kind": "drop", "times": None}, "UPSTREAM_ERROR"),
        ({"kind": "latency", "delay": 5.0, "times": None}, "UPSTREAM_TIMEOUT"),
        ({"kind": "rate_limit", "reset_in": 60, "times": None}, "RATE_LIMITED"),
    ],
)
async def test_each_fault_has_its_code_and_spares_the_rest(faulty: Gateway, fault: dict, code: str) -> None:
    add(faulty, **fault)
    started = time.monotonic()
    body = await faulty.post(TWO_ISSUES)
    assert time.monotonic() - started < 4  # within the deadline, never hung
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["path"] == ["a", "events"]
    assert body["data"]["a"] is None
    assert len(body["data"]["b"]["events"]["nodes"]) == 3
    if code == "RATE_LIMITED":
        assert 58 <= error["extensions"]["retryAfter"] <= 60
        assert body["extensions"]["rateLimit"]["limit"] == 15  # the latest limits Sentry reported
    assert "Traceback" not in str(body) and "127.0.0.1" not in str(body)
    await assert_recovers(faulty)


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 503}, {"kind": "drop"}])
async def test_one_passing_fault_is_retried_away(faulty: Gateway, fault: dict) -> None:
    add(faulty, **fault)
    data = await faulty.data(TWO_ISSUES)
    assert len(data["a"]["events"]["nodes"]) == 3
    assert faulty.demo_app.state.faults.hits == 1


async def test_a_rate_limit_resetting_within_the_deadline_is_waited_out(faulty: Gateway) -> None:
    add(faulty, kind="rate_limit", reset_in=1)
    data = await faulty.data(TWO_ISSUES)
    assert len(data["a"]["events"]["nodes"]) == 3


async def test_rate_limit_headroom_is_reported(faulty: Gateway) -> None:
    body = await faulty.post('{ issue(id: "2") { latestEvent { eventID } } }')
    rate = body["extensions"]["rateLimit"]
    assert rate["limit"] == 15 and rate["remaining"] is not None and rate["concurrentLimit"] is not None
