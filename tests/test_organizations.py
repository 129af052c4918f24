"""Organization routes by default (issue 11, item 4), and the demo's deprecated unscoped routes.

The demo upstream first (SENTRY_ISSUES_API.md §0 and §4): ``GET /api/0/organizations/``,
``X-Sentry-Deprecation-Date`` on what the unscoped views return, the 410 brownout. Then
the gateway, over HTTP, with no SENTRY_ORG: which routes it uses for which token, and how
many upstream calls that costs (counted in the demo's request log).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.demo import DEMO_TOKEN, create_demo_app
from gateway.sentry.errors import Forbidden, UpstreamTimeout
from gateway.sentry.organizations import OrganizationDirectory

from .conftest import running_gateway

pytestmark = pytest.mark.anyio

DEPRECATION = "x-sentry-deprecation-date"
GONE = {"message": "This API no longer exists."}
SENTRY_ENV = {"SENTRY_BASE_URL": "http://sentry.test"}
EVENTS = 'query($id: ID!) { issue(id: $id) { issueId events(first: 2) { nodes { eventID } } } }'


async def get(app: Any, url: str, token: str | None = DEMO_TOKEN, client: tuple[str, int] = ("127.0.0.1", 5)) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app, client=client)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.local") as http:
        return await http.get(url, headers=headers)


# -- the demo upstream: the organization list ---------------------------------------------


async def test_organization_list_items_and_link_bytes() -> None:
    response = await get(create_demo_app(), "/api/0/organizations/")
    assert response.status_code == 200
    (org,) = response.json()
    assert (org["id"], org["slug"], org["name"]) == ("1", "demo", "Demo Organization")
    assert list(org) == [
        "id", "slug", "status", "name", "dateCreated", "isEarlyAdopter", "require2FA", "avatar",
        "links", "hasAuthProvider", "allowMemberInvite", "allowMemberProjectCreation", "allowSuperuserAccess",
    ]
    # The facts' example: created 2020-01-01T00:00:00.000500Z; ms rounded down going back, up going on.
    assert org["dateCreated"] == "2020-01-01T00:00:00.000500Z"
    assert response.headers["link"] == (
        '<https://sentry.io/api/0/organizations/?&cursor=1577836800000:0:1>; rel="previous"; '
        'results="false"; cursor="1577836800000:0:1", '
        '<https://sentry.io/api/0/organizations/?&cursor=1577836800001:100:0>; rel="next"; '
        'results="false"; cursor="1577836800001:100:0"'
    )
    assert not any(name.startswith("x-sentry-rate-limit") for name in response.headers)
    assert DEPRECATION not in response.headers


async def test_organization_list_needs_org_read_and_lists_memberships_newest_first() -> None:
    app = create_demo_app()
    refused = await get(app, "/api/0/organizations/", "sntryu_events")
    assert (refused.status_code, refused.json()) == (403, {"detail": "You do not have permission to perform this action."})
    assert (await get(app, "/api/0/organizations/", None)).status_code == 401
    several = await get(app, "/api/0/organizations/", "sntryu_multiorg")
    assert [org["slug"] for org in several.json()] == ["other", "demo"]
    assert [org["slug"] for org in (await get(app, "/api/0/organizations/?query=slug:demo", "sntryu_multiorg")).json()] == ["demo"]
    assert (await get(app, "/api/0/organizations/?query=email:x", "sntryu_multiorg")).json() == []
    assert (await get(app, "/api/0/organizations/?per_page=101")).status_code == 400


# -- the demo upstream: deprecation header and brownout -----------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/0/issues/2/events/?per_page=1", "/api/0/groups/2/events/latest/", "/api/0/issues/2/events/?environment=nowhere"],
)
async def test_unscoped_views_carry_the_deprecation_date(path: str) -> None:
    response = await get(create_demo_app(), path)
    assert response.status_code == 200
    assert response.headers[DEPRECATION] == "2026-01-01T00:00:00+00:00"


@pytest.mark.parametrize(
    ("path", "token", "status"),
    [
        ("/api/0/issues/2/events/", "sntryu_nope", 401),  # authentication comes first
        ("/api/0/issues/2/events/", "sntryu_noscope", 403),  # so do the scopes
        ("/api/0/issues/6/events/", "sntryu_alice", 403),  # and the access
        ("/api/0/issues/987654/events/", DEMO_TOKEN, 404),  # and the issue lookup
        ("/api/0/issues/2/events/?per_page=x", DEMO_TOKEN, 400),  # errors the view raises
        ("/api/0/organizations/demo/issues/2/events/", DEMO_TOKEN, 200),  # org routes are not deprecated
    ],
)
async def test_no_deprecation_date_outside_the_unscoped_views(path: str, token: str, status: int) -> None:
    # During a brownout the 400 never happens: the 410 replaces the whole view.
    for brownout in (False, True) if status != 400 else (False,):
        response = await get(create_demo_app(brownout=brownout), path, token)
        assert response.status_code == status
        assert DEPRECATION not in response.headers


async def test_brownout_switch_answers_410_on_unscoped_routes_only() -> None:
    app = create_demo_app()
    control = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo.local")
    async with control:
        assert (await control.get("/_demo/brownout")).json()["active"] is False
        assert (await control.post("/_demo/brownout", json={"active": "yes"})).status_code == 400
        assert (await control.post("/_demo/brownout", json={"active": True})).json()["active"] is True
        for path in ("/api/0/issues/2/events/", "/api/0/issues/2/events/latest/"):
            gone = await get(app, path)
            assert (gone.status_code, gone.json()) == (410, GONE)
            assert gone.headers[DEPRECATION] == "2026-01-01T00:00:00+00:00"
        assert (await get(app, "/api/0/organizations/demo/issues/2/events/latest/")).status_code == 200
        assert (await control.delete("/_demo/brownout")).json()["active"] is False
        assert (await get(app, "/api/0/issues/2/events/")).status_code == 200
    # Only loopback callers reach the switch; anyone else meets Sentry's catch-all.
    outside = await get(app, "/_demo/brownout", client=("203.0.113.9", 5))
    assert outside.status_code == 404 and app.state.brownout.active is False


# -- the gateway: which route, at what cost -----------------------------------------------


def routes(calls: list[tuple[str, dict[str, list[str]]]]) -> list[str]:
    return [path for path, _ in calls]


async def test_one_organization_is_discovered_once_and_its_routes_used() -> None:
    async with running_gateway(SENTRY_ENV) as gw:
        auth = {"Authorization": f"Bearer {DEMO_TOKEN}"}
        first = await gw.data(EVENTS, {"id": "2"}, headers=auth)
        assert len(first["issue"]["events"]["nodes"]) == 2
        assert routes(gw.upstream_calls()) == ["/api/0/organizations/", "/api/0/organizations/demo/issues/2/events/"]
        gw.reset_calls()
        # Cached for this credential: no second discovery; short ids now work.
        short = await gw.data(EVENTS, {"id": "DEMO-2"}, headers=auth)
        assert short["issue"]["events"] == first["issue"]["events"]
        assert routes(gw.upstream_calls()) == ["/api/0/organizations/demo/issues/DEMO-2/events/"]


async def test_concurrent_first_requests_share_one_discovery() -> None:
    async with running_gateway(SENTRY_ENV) as gw:
        auth = {"Authorization": f"Bearer {DEMO_TOKEN}"}
        await asyncio.gather(*(gw.data(EVENTS, {"id": str(n)}, headers=auth) for n in (2, 3, 4, 2)))
        assert routes(gw.upstream_calls()).count("/api/0/organizations/") == 1


@pytest.mark.parametrize("token", ["sntryu_events", "sntryu_multiorg"])
async def test_undecided_credentials_keep_working_on_the_unscoped_routes(token: str) -> None:
    # No org:read (403 on the list), or several organizations: nothing decides.
    async with running_gateway(SENTRY_ENV) as gw:
        auth = {"Authorization": f"Bearer {token}"}
        data = await gw.data(EVENTS, {"id": "2"}, headers=auth)
        assert len(data["issue"]["events"]["nodes"]) == 2
        assert routes(gw.upstream_calls()) == ["/api/0/organizations/", "/api/0/issues/2/events/"]
        gw.reset_calls()
        await gw.data(EVENTS, {"id": "3"}, headers=auth)
        assert routes(gw.upstream_calls()) == ["/api/0/issues/3/events/"]  # the decision is kept


async def test_brownout_is_a_coded_error_naming_sentry_org() -> None:
    async with running_gateway(SENTRY_ENV) as gw:
        gw.demo_app.state.brownout.active = True
        body = await gw.post(EVENTS, {"id": "2"}, headers={"Authorization": "Bearer sntryu_events"})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "UPSTREAM_ERROR"
        assert error["extensions"]["upstreamStatus"] == 410
        assert "no longer" in error["message"] and "SENTRY_ORG" in error["message"]
        assert "sntryu_events" not in str(body)
        assert body["data"] == {"issue": None}
        # The same brownout changes nothing for a credential whose organization was found.
        ok = await gw.data(EVENTS, {"id": "2"}, headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
        assert len(ok["issue"]["events"]["nodes"]) == 2


async def test_configured_org_never_discovers() -> None:
    async with running_gateway({**SENTRY_ENV, "SENTRY_ORG": "demo"}) as gw:
        await gw.data(EVENTS, {"id": "DEMO-2"}, headers={"Authorization": "Bearer sntryu_events"})
        assert routes(gw.upstream_calls()) == ["/api/0/organizations/demo/issues/DEMO-2/events/"]


async def test_an_invalid_token_gets_sentrys_401_not_a_discovery_error() -> None:
    async with running_gateway(SENTRY_ENV) as gw:
        body = await gw.post(EVENTS, {"id": "2"}, headers={"Authorization": "Bearer sntryu_wrong"})
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        gw.reset_calls()
        await gw.post(EVENTS, {"id": "2"}, headers={"Authorization": "Bearer sntryu_wrong"})
        # A 401 says nothing about organizations: not remembered, asked again.
        assert routes(gw.upstream_calls()) == ["/api/0/organizations/", "/api/0/issues/2/events/"]


# -- the directory: bounded, expiring, shared ---------------------------------------------


async def test_directory_forgets_transient_failures_and_keeps_answers() -> None:
    now = [0.0]
    directory = OrganizationDirectory(ttl=10, clock=lambda: now[0])
    calls = []

    def failing(exc: Exception) -> Any:
        async def discover() -> list[dict[str, Any]]:
            calls.append(exc)
            raise exc

        return discover

    assert await directory.organization("a", failing(UpstreamTimeout("slow"))) is None
    assert await directory.organization("a", failing(Forbidden("no org:read", status=403))) is None
    assert len(calls) == 2  # the timeout was not remembered; the 403 is

    async def one() -> list[dict[str, Any]]:
        calls.append("one")
        return [{"id": "1", "slug": "acme"}]

    assert await directory.organization("a", one) is None  # still the 403's decision
    now[0] = 11.0  # expired: learned again
    assert await directory.organization("a", one) == "acme"
    assert len(calls) == 3


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=200), st.integers(min_value=1, max_value=8))
def test_directory_never_holds_more_than_its_bound(fingerprints: list[int], bound: int) -> None:
    directory = OrganizationDirectory(max_entries=bound)

    async def listed() -> list[dict[str, Any]]:
        return [{"slug": "acme"}]

    async def run() -> None:
        for fingerprint in fingerprints:
            assert await directory.organization(str(fingerprint), listed) == "acme"
            assert len(directory) <= bound
        if fingerprints:  # the most recent one is always kept
            assert directory.known(str(fingerprints[-1])) == "acme"

    asyncio.run(run())


def test_demo_upstream_command_has_the_brownout_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from gateway import cli

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: served.append(app))
    assert cli.main(["demo-upstream", "--brownout"]) == 0
    assert served[0].state.brownout.active is True
    assert cli.main(["demo-upstream"]) == 0
    assert served[1].state.brownout.active is False
