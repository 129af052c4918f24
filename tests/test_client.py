"""The REST client: URLs, credentials, and every upstream outcome as a typed exception.

Most tests run against the demo upstream; the faults the demo does not
produce yet (5xx, timeouts, broken bodies) come from small httpx transports.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest

from gateway.demo import create_demo_app
from gateway.sentry import errors
from gateway.sentry.client import SentryClient
from gateway.sentry.filters import EventFilters
from gateway.sentry.loaders import SentryLoaders

pytestmark = pytest.mark.anyio

TOKEN = "Bearer sntryu_demo"


def demo_client(**kwargs: Any) -> tuple[SentryClient, Any]:
    # These tests are about one route at a time; discovery has its own (test_organizations.py).
    kwargs.setdefault("discover_org", False)
    demo = create_demo_app()
    return SentryClient(httpx.ASGITransport(app=demo), base_url="http://sentry.test", **kwargs), demo


def fake_client(handler: Any, **kwargs: Any) -> SentryClient:
    kwargs.setdefault("max_retries", 2)
    kwargs.setdefault("discover_org", False)
    return SentryClient(httpx.MockTransport(handler), base_url="http://sentry.test", **kwargs)


async def test_list_reads_events_and_links_from_the_demo() -> None:
    client, demo = demo_client()
    page = await client.list_issue_events(TOKEN, "2", per_page=3)
    assert [e["eventID"] for e in page.events] == demo.state.store.event_ids("2")[:3]
    assert page.links.next is not None and page.links.next.results
    assert str(page.links.next.cursor) == "0:3:0"
    assert page.links.previous is not None and not page.links.previous.results


async def test_filters_and_full_reach_the_query_string() -> None:
    client, demo = demo_client()
    filters = EventFilters(query="level:error", environment=("production", "staging"), sample=True)
    await client.list_issue_events(TOKEN, "2", cursor="0:5:0", per_page=5, full=True, filters=filters)
    record = demo.state.requests[-1]
    assert record.path == "/api/0/issues/2/events/"
    assert record.query_string == (
        "full=true&query=level%3Aerror&environment=production&environment=staging"
        "&sample=true&per_page=5&cursor=0%3A5%3A0"
    )


async def test_org_scoped_paths_percent_encode_ids() -> None:
    client, demo = demo_client(org="demo")
    event = await client.get_issue_event(TOKEN, "DEMO-2", "latest")
    assert event["eventID"] == demo.state.store.event_ids("2")[0]
    assert demo.state.requests[-1].path == "/api/0/organizations/demo/issues/DEMO-2/events/latest/"


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (400, {"detail": "Invalid cursor parameter."}, errors.BadRequest, "Invalid cursor parameter."),
        (401, {"detail": "Invalid token"}, errors.Unauthenticated, "Invalid token"),
        (401, {"detail": {"code": "2fa-required", "message": "Organization requires 2FA", "extra": {}}}, errors.Unauthenticated, "Organization requires 2FA"),
        (403, {"detail": "You do not have permission to perform this action."}, errors.Forbidden, "permission"),
        (404, {"detail": "The requested resource does not exist"}, errors.NotFound, "does not exist"),
        (500, {"detail": "Internal Error", "errorId": "abc"}, errors.UpstreamUnavailable, "500"),
        (418, {}, errors.BadUpstreamResponse, "418"),
    ],
)
async def test_statuses_become_typed_errors(status: int, body: Any, kind: type, message: str) -> None:
    client = fake_client(lambda request: httpx.Response(status, json=body))
    with pytest.raises(kind, match=message):
        await client.list_issue_events(TOKEN, "1")


async def test_rate_limit_reports_retry_after_from_sentrys_reset_header() -> None:
    reset = int(time.time()) + 30

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            content=b'{"detail": "You are attempting to use this endpoint too frequently. Limit is 15 requests in 1 seconds"}',
            headers={"Content-Type": "text/html; charset=utf-8", "X-Sentry-Rate-Limit-Reset": str(reset)},
        )

    with pytest.raises(errors.RateLimited) as info:
        await fake_client(handler).list_issue_events(TOKEN, "1")
    assert 28 <= (info.value.retry_after or 0) <= 30
    assert "too frequently" in info.value.message


async def test_retry_after_header_wins() -> None:
    client = fake_client(lambda r: httpx.Response(429, json={"detail": "slow"}, headers={"Retry-After": "7"}))
    with pytest.raises(errors.RateLimited) as info:
        await client.list_issue_events(TOKEN, "1", deadline=time.monotonic() + 1)
    assert info.value.retry_after == 7


async def test_502_503_504_are_retried_then_succeed() -> None:
    statuses = iter([502, 503, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(statuses)
        return httpx.Response(status, json=[] if status == 200 else {"detail": "x"})

    page = await fake_client(handler, max_retries=2).list_issue_events(TOKEN, "1")
    assert page.events == []


async def test_retries_are_bounded() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"detail": "down"})

    with pytest.raises(errors.UpstreamUnavailable):
        await fake_client(handler, max_retries=2).list_issue_events(TOKEN, "1")
    assert len(calls) == 3


async def test_connection_refused_is_upstream_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(errors.UpstreamUnavailable):
        await fake_client(handler, max_retries=1).list_issue_events(TOKEN, "1")


async def test_timeout_is_upstream_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(errors.UpstreamTimeout):
        await fake_client(handler, max_retries=0).list_issue_events(TOKEN, "1")


async def test_a_passed_deadline_sends_nothing() -> None:
    calls = []
    client = fake_client(lambda r: calls.append(r) or httpx.Response(200, json=[]))
    with pytest.raises(errors.UpstreamTimeout):
        await client.list_issue_events(TOKEN, "1", deadline=time.monotonic() - 1)
    assert calls == []


@pytest.mark.parametrize(
    "content",
    [b"<html>oops</html>", b'[{"eventID": "a"', b'{"not": "a list"}', b'[{"id": 1}]', b"[1, 2]"],
)
async def test_bodies_that_are_not_the_json_expected(content: bytes) -> None:
    client = fake_client(lambda r: httpx.Response(200, content=content))
    with pytest.raises(errors.BadUpstreamResponse):
        await client.list_issue_events(TOKEN, "1")


async def test_a_body_cut_off_mid_way_is_a_bad_response() -> None:
    class Truncating(httpx.AsyncByteStream):
        async def __aiter__(self):
            yield b'[{"eventID": '
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")

    client = fake_client(lambda r: httpx.Response(200, stream=Truncating()))
    with pytest.raises(errors.BadUpstreamResponse, match="cut off"):
        await client.list_issue_events(TOKEN, "1")


async def test_the_credential_is_sent_as_is_and_never_in_errors() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(401, json={"detail": "Invalid token"})

    with pytest.raises(errors.Unauthenticated) as info:
        await fake_client(handler).list_issue_events("Bearer sntryu_s3cret", "1")
    assert seen == ["Bearer sntryu_s3cret"]
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize("issue_id", ["../2", "2/events", "2?x=1", "PROJ-1A"])
async def test_ids_are_validated_before_any_request(issue_id: str) -> None:
    calls = []
    client = fake_client(lambda r: calls.append(r) or httpx.Response(200, json=[]))
    with pytest.raises(errors.InvalidInput):
        await client.list_issue_events(TOKEN, issue_id)
    assert calls == []


def counting_concurrency(respond: Any) -> tuple[Any, dict[str, int]]:
    """A MockTransport handler answering `respond(request)` after 20 ms, and its
    ``peak``: the most requests it had in flight at once."""
    state = {"in_flight": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["in_flight"] += 1
        state["peak"] = max(state["peak"], state["in_flight"])
        await asyncio.sleep(0.02)
        state["in_flight"] -= 1
        return respond(request)

    return handler, state


async def test_loaders_fetch_distinct_pages_concurrently_within_the_bound() -> None:
    handler, state = counting_concurrency(
        lambda request: httpx.Response(200, json=[{"eventID": request.url.params.get("cursor", "0")}])
    )
    client = SentryClient(httpx.MockTransport(handler), base_url="http://sentry.test")
    loaders = SentryLoaders(client, credential=TOKEN, max_concurrency=3)
    pages = await asyncio.gather(
        *(
            loaders.page("1", cursor=f"0:{i}:0", per_page=1, full=False, filters=EventFilters())
            for i in [1, 2, 3, 4, 5, 6, 1, 2]
        )
    )
    assert [p.page.events[0]["eventID"] for p in pages] == ["0:1:0", "0:2:0", "0:3:0", "0:4:0", "0:5:0", "0:6:0", "0:1:0", "0:2:0"]
    assert loaders.upstream_calls == 6  # duplicates fetched once
    assert state["peak"] == 3  # concurrent, but never more than the bound


async def test_a_simple_page_beside_its_full_twin_is_served_from_the_full_one() -> None:
    client, demo = demo_client()
    loaders = SentryLoaders(client, credential=TOKEN)
    simple, full = await asyncio.gather(
        loaders.page("2", cursor=None, per_page=2, full=False, filters=EventFilters()),
        loaders.page("2", cursor=None, per_page=2, full=True, filters=EventFilters()),
    )
    assert simple is full and full.full
    assert len(demo.state.requests) == 1


async def test_a_body_that_does_not_match_its_content_encoding_is_a_bad_response() -> None:
    client = fake_client(
        lambda r: httpx.Response(200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    )
    with pytest.raises(errors.BadUpstreamResponse):
        await client.list_issue_events(TOKEN, "1")


async def test_protocol_garbage_before_a_response_is_upstream_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.LocalProtocolError("bad")

    with pytest.raises(errors.UpstreamUnavailable):
        await fake_client(handler, max_retries=0).list_issue_events(TOKEN, "1")


async def test_a_429_whose_reset_falls_inside_the_deadline_is_waited_out() -> None:
    answers = iter(
        [
            httpx.Response(429, json={"detail": "slow down"}, headers={"X-Sentry-Rate-Limit-Reset": str(int(time.time()))}),
            httpx.Response(200, json=[], headers={"X-Sentry-Rate-Limit-Remaining": "14", "X-Sentry-Rate-Limit-Limit": "15"}),
        ]
    )
    client = fake_client(lambda r: next(answers))
    page = await client.list_issue_events(TOKEN, "1", deadline=time.monotonic() + 5)
    assert page.events == []
    info = client.rate_limit(TOKEN)
    assert info is not None and info.remaining == 14 and info.limit == 15
    assert client.rate_limit("Bearer someone-else") is None


async def test_a_429_whose_reset_is_past_the_deadline_fails_at_once() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(429, json={"detail": "slow down"}, headers={"X-Sentry-Rate-Limit-Reset": str(int(time.time()) + 60)})

    started = time.monotonic()
    with pytest.raises(errors.RateLimited) as info:
        await fake_client(handler).list_issue_events(TOKEN, "1", deadline=time.monotonic() + 5)
    assert time.monotonic() - started < 1
    assert len(calls) == 1 and 58 <= (info.value.retry_after or 0) <= 60


async def test_the_concurrency_limit_sentry_reports_is_followed_per_credential() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        who = request.headers["authorization"]
        in_flight[who] = in_flight.get(who, 0) + 1
        peak[who] = max(peak.get(who, 0), in_flight[who])
        await asyncio.sleep(0.02)
        in_flight[who] -= 1
        return httpx.Response(200, json=[], headers={"X-Sentry-Rate-Limit-ConcurrentLimit": "2"})

    client = SentryClient(httpx.MockTransport(handler), base_url="http://s")
    await client.list_issue_events("Bearer a", "1")  # learns the limit for "a" only
    await asyncio.gather(
        *(client.list_issue_events("Bearer a", "1", cursor=f"0:{i}:0") for i in range(8)),
        *(client.list_issue_events("Bearer b", "1", cursor=f"0:{i}:0") for i in range(8)),
    )
    assert peak["Bearer a"] == 2
    assert peak["Bearer b"] > 2  # another caller is not held to "a"'s limit


async def test_loaders_refuse_calls_past_the_request_budget() -> None:
    client, demo = demo_client()
    loaders = SentryLoaders(client, credential=TOKEN, max_calls=2)
    results = await asyncio.gather(
        *(loaders.event("2", "latest", EventFilters(environment=(env,))) for env in ("production", "staging", "nope")),
        return_exceptions=True,
    )
    assert sum(isinstance(r, errors.UpstreamBudgetExceeded) for r in results) == 1
    assert len(demo.state.requests) == 2


async def test_cookies_set_by_sentry_never_go_back_out() -> None:
    """One client serves every caller's credential: a cookie one caller's answer set
    must not ride along with another caller's request (there is no cookie jar)."""
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[], headers={"Set-Cookie": "sentrysid=alice-session; Path=/"})

    client = fake_client(handler)
    await client.list_issue_events("Bearer alice", "1")
    await client.list_issue_events("Bearer bob", "1")
    assert [r.headers.get("cookie") for r in seen] == [None, None]
    assert seen[1].headers["authorization"] == "Bearer bob"
    assert seen[1].headers["user-agent"].startswith("sentry-events-gateway")
    assert seen[1].headers["accept-encoding"] == "gzip, deflate"


async def test_each_worker_keeps_to_its_share_of_the_reported_concurrency_limit() -> None:
    handler, state = counting_concurrency(
        lambda request: httpx.Response(200, json=[], headers={"X-Sentry-Rate-Limit-ConcurrentLimit": "6"})
    )
    client = SentryClient(httpx.MockTransport(handler), base_url="http://s", processes=3)
    await client.list_issue_events("Bearer a", "1")  # learns 6 / 3 workers = 2
    await asyncio.gather(*(client.list_issue_events("Bearer a", "1", cursor=f"0:{i}:0") for i in range(8)))
    assert state["peak"] == 2


def test_rate_limit_headers_as_httpx_joins_them() -> None:
    from gateway.sentry.ratelimits import RateLimitInfo, parse_rate_limit_headers

    headers = httpx.Headers(
        [
            (b"X-Sentry-Rate-Limit-Limit", b"40"),
            (b"x-sentry-rate-limit-remaining", b"39.0"),
            (b"X-Sentry-Rate-Limit-Reset", b"inf"),
            (b"X-Sentry-Rate-Limit-ConcurrentLimit", b"5"),
            (b"X-Sentry-Rate-Limit-ConcurrentLimit", b"6"),  # twice: unknown, as "5, 6" would be
            (b"Link", b"<x>"),
        ]
    )
    assert headers["x-sentry-rate-limit-concurrentlimit"] == "5, 6"
    assert parse_rate_limit_headers(headers) == RateLimitInfo(limit=40, remaining=39)
    assert parse_rate_limit_headers({"x-sentry-rate-limit-remaining": "3"}) == RateLimitInfo(remaining=3)
    assert parse_rate_limit_headers(httpx.Headers({"Content-Type": "application/json"})) is None


def test_integers_beyond_64_bits_stay_exact() -> None:
    """orjson would make them floats (another number, or another id)."""
    from gateway.sentry.client import loads

    assert loads(b'{"n":123456789012345678901234567890,"m":-12345678901234567890}') == {
        "n": 123456789012345678901234567890,
        "m": -12345678901234567890,
    }
    assert loads(b'{"x": NaN}')["x"] != loads(b'{"x": NaN}')["x"]  # what only the stdlib reads
    with pytest.raises(json.JSONDecodeError):
        loads(b'{"a":')


async def test_a_big_integer_variable_reaches_the_resolver_exactly() -> None:
    from .conftest import running_gateway

    async with running_gateway() as gw:
        body = await gw.post(
            "query($id: ID!) { node(id: $id) { id } }", {"id": 123456789012345678901234567890}
        )
    assert "123456789012345678901234567890" in body["errors"][0]["message"]


async def test_a_cancelled_waiter_passes_its_wake_up_on() -> None:
    from gateway.sentry.ratelimits import ConcurrencyLimiter

    limiter = ConcurrencyLimiter(1)
    release = asyncio.Event()
    order: list[str] = []

    async def holder() -> None:
        async with limiter.slot():
            await release.wait()

    async def waiter(name: str) -> None:
        async with limiter.slot():
            order.append(name)

    a = asyncio.create_task(holder())
    await asyncio.sleep(0)
    b = asyncio.create_task(waiter("b"))
    c = asyncio.create_task(waiter("c"))
    await asyncio.sleep(0)
    release.set()
    await asyncio.sleep(0)  # a releases and notifies b ...
    b.cancel()  # ... which is cancelled before it wakes
    await asyncio.wait_for(c, 2)  # c must still get the free slot
    await a
    assert order == ["c"]


async def test_a_closed_upstream_refuses_instead_of_reopening() -> None:
    from gateway.sentry.upstream import Upstream

    sent: list[httpx.Request] = []
    upstream = Upstream(httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200, json=[])))
    await upstream.aclose()
    client = SentryClient(upstream, base_url="http://127.0.0.1:9", max_retries=0)
    with pytest.raises(errors.UpstreamUnavailable, match="closed"):
        await client.list_issue_events("Bearer x", "1")
    assert sent == []


async def test_a_credential_that_is_not_ascii_is_refused_without_a_request() -> None:
    """Starlette reads header bytes as latin-1; such a credential could not go out as it came."""
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=[])

    client = fake_client(handler)
    with pytest.raises(errors.Unauthenticated, match="ASCII"):
        await client.list_issue_events("Bearer caf\xe9", "1")
    assert sent == []


def test_a_credential_shows_only_its_fingerprint() -> None:
    from gateway.sentry.credentials import ANONYMOUS, Credential, credential_fingerprint

    credential = Credential.of("Bearer sntryu_secret")
    assert "sntryu_secret" not in repr(credential) and credential.fingerprint in repr(credential)
    assert credential.fingerprint == credential_fingerprint("Bearer sntryu_secret")
    assert Credential.of(credential) is credential
    assert Credential.of(None).fingerprint == Credential.of("").fingerprint == ANONYMOUS
    assert Credential.of("").header is None


async def test_one_request_hashes_its_credential_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.sentry import credentials

    calls = []
    original = credentials.credential_fingerprint
    monkeypatch.setattr(credentials, "credential_fingerprint", lambda c: calls.append(c) or original(c))
    client, _demo = demo_client()
    loaders = SentryLoaders(client, credential=TOKEN)
    await loaders.page("2", cursor=None, per_page=2, full=False, filters=EventFilters())
    await loaders.page("2", cursor="0:2:0", per_page=2, full=False, filters=EventFilters())
    loaders.rate_limit()  # looked up by the same fingerprint
    assert calls == [TOKEN]


# Bounds on what the upstream sends (issue 13).


async def test_a_page_with_more_events_than_per_page_is_refused() -> None:
    events = [{"eventID": f"{i:032x}"} for i in range(6)]
    client = fake_client(lambda request: httpx.Response(200, json=events))
    assert len((await client.list_issue_events(TOKEN, "2", per_page=6)).events) == 6
    with pytest.raises(errors.BadUpstreamResponse, match="6 events for per_page=5"):
        await client.list_issue_events(TOKEN, "2", per_page=5)


@pytest.mark.parametrize(
    ("detail", "expected"),
    [
        ("x" * 10_000, "x" * 299 + "…"),
        ({"code": "c", "message": "y" * 10_000}, "y" * 299 + "…"),
        ("short", "short"),
    ],
)
async def test_sentrys_detail_reaches_the_caller_clipped(detail: Any, expected: str) -> None:
    client = fake_client(lambda request: httpx.Response(403, json={"detail": detail}))
    with pytest.raises(errors.Forbidden) as info:
        await client.list_issue_events(TOKEN, "2")
    assert info.value.detail == expected  # Sentry's words, clipped
    assert f'"{expected}"' in info.value.message  # quoted in the message that says what to do


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "9" * 20}, 86_400),
        ({"Retry-After": "9" * 5000}, 86_400),  # past int()'s digit limit
        ({"Retry-After": "7"}, 7),
        ({"X-Sentry-Rate-Limit-Reset": "1e400"}, None),  # inf
        ({"X-Sentry-Rate-Limit-Reset": "nan"}, None),
        ({"X-Sentry-Rate-Limit-Reset": "9" * 400}, 86_400),  # far in the future
        ({"Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"}, 86_400),
    ],
)
async def test_absurd_retry_after_values_are_bounded(headers: dict[str, str], expected: int | None) -> None:
    client = fake_client(lambda request: httpx.Response(429, json={"detail": "slow"}, headers=headers), max_retries=0)
    with pytest.raises(errors.RateLimited) as info:
        await client.list_issue_events(TOKEN, "2")
    assert info.value.retry_after == expected


async def test_a_retry_after_of_a_digit_int_cannot_read_is_ignored() -> None:
    """``Retry-After: \\xb2`` decodes (latin-1) to "²", which `str.isdigit` accepts and `int` refuses."""
    headers = [(b"Retry-After", b"\xb2")]
    client = fake_client(lambda request: httpx.Response(429, json={"detail": "slow"}, headers=headers), max_retries=0)
    with pytest.raises(errors.RateLimited) as info:
        await client.list_issue_events(TOKEN, "2")
    assert info.value.retry_after is None


async def test_an_over_long_url_is_refused_before_any_call() -> None:
    sent: list[httpx.Request] = []
    client = fake_client(lambda request: sent.append(request) or httpx.Response(200, json=[]))
    with pytest.raises(errors.InvalidInput, match="Shorten the query"):
        await client.list_issue_events(TOKEN, "2", filters=EventFilters(query="a" * 500_000))
    assert sent == []


async def test_json_nested_deeper_than_python_reads_is_a_bad_response() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    client = fake_client(lambda request: httpx.Response(200, content=b'{"eventID": "a", "x": ' + deep + b"}"))
    with pytest.raises(errors.BadUpstreamResponse, match="not valid JSON"):
        await client.get_issue_event(TOKEN, "2", "latest")
    # The same nesting in an error body: no detail, the status's own message.
    client = fake_client(lambda request: httpx.Response(404, content=b'{"detail": ' + deep + b"}"))
    with pytest.raises(errors.NotFound, match="does not exist"):
        await client.get_issue_event(TOKEN, "2", "latest")


async def test_an_over_long_link_header_is_a_bad_response() -> None:
    link = '<x>; rel="next"; results="true"; cursor="0:5:0"' + " " * 40_000
    client = fake_client(lambda request: httpx.Response(200, json=[], headers={"Link": link}))
    with pytest.raises(errors.BadUpstreamResponse, match="Link header"):
        await client.list_issue_events(TOKEN, "2")


def test_absurd_rate_limit_headers_read_as_unknown() -> None:
    from gateway.sentry.ratelimits import RateLimitInfo, parse_rate_limit_headers

    headers = httpx.Headers(
        {
            "X-Sentry-Rate-Limit-Limit": "9" * 5000,
            "X-Sentry-Rate-Limit-Remaining": "-3",
            "X-Sentry-Rate-Limit-Reset": "1e300",
            "X-Sentry-Rate-Limit-ConcurrentLimit": "4",
        }
    )
    assert parse_rate_limit_headers(headers) == RateLimitInfo(concurrentLimit=4)
