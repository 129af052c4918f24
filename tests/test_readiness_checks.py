"""`/readyz` means it: the configured token must be able to read the configured
organization, and the JSON says why not; `serve` logs the same check at start-up."""

from __future__ import annotations

import pytest

from gateway.cli import main

from .conftest import running_gateway

pytestmark = pytest.mark.anyio

SENTRY = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_ORG": "demo", "SENTRY_AUTH_TOKEN": "sntryu_demo"}


async def readyz(env: dict[str, str]) -> tuple[int, dict]:
    async with running_gateway(env) as gw:
        response = await gw.http.get("/readyz")
        calls = gw.upstream_calls()
    body = response.json()
    assert "sntryu_" not in response.text  # the token never shows
    body["_calls"] = [path for path, _ in calls]
    return response.status_code, body


async def test_ready_when_the_token_can_read_the_organization() -> None:
    status, body = await readyz(SENTRY)
    assert status == 200 and body["status"] == "ready"
    assert body["checks"]["credential"]["ok"] is True
    assert "organization 'demo'" in body["upstream"]
    assert body["_calls"] == ["/api/0/", "/api/0/organizations/demo/issues/"]


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"SENTRY_AUTH_TOKEN": "sntryu_typo"}, ["refused SENTRY_AUTH_TOKEN", "Invalid token"]),
        ({"SENTRY_ORG": "acme"}, ["organization 'acme' was not found", "SENTRY_ORG"]),
        ({"SENTRY_AUTH_TOKEN": "sntryu_noscope"}, ["may not read issues", "event:read"]),
    ],
)
async def test_not_ready_with_the_reason_when_the_token_or_org_is_wrong(env: dict, words: list[str]) -> None:
    status, body = await readyz({**SENTRY, **env})
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["reachable"]["ok"] is True
    assert body["checks"]["credential"]["ok"] is False
    assert body["checks"]["credential"]["upstreamStatus"] in (401, 403, 404)
    for word in words:
        assert word in body["upstream"]


DISCOVERED = {"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_AUTH_TOKEN": "sntryu_demo"}


async def test_without_sentry_org_the_discovered_organization_is_checked() -> None:
    status, body = await readyz(DISCOVERED)
    assert status == 200 and body["status"] == "ready"
    credential = body["checks"]["credential"]
    assert credential["ok"] is True
    assert credential["organization"] == "demo" and credential["organizationSource"] == "discovered"
    assert "organization 'demo' (discovered" in body["upstream"]
    assert body["_calls"] == ["/api/0/", "/api/0/organizations/", "/api/0/organizations/demo/issues/"]
    # With SENTRY_ORG, no discovery, and the JSON says where the organization came from.
    _, configured = await readyz(SENTRY)
    assert configured["checks"]["credential"]["organizationSource"] == "SENTRY_ORG"


@pytest.mark.parametrize(
    ("token", "ready", "ok", "words", "calls"),
    [
        # Lists the organization, but may not read its issues: not ready, the org named.
        ("sntryu_noscope", False, False, ["may not read issues of organization 'demo' (discovered", "event:read"], 3),
        ("sntryu_typo", False, False, ["refused SENTRY_AUTH_TOKEN", "Invalid token"], 2),
        # May not list organizations (no org:read): the gateway cannot discover one either.
        ("sntryu_events", True, None, ["may not list organizations", "Set SENTRY_ORG"], 2),
        ("sntryu_multiorg", True, None, ["lists several organizations", "Set SENTRY_ORG"], 2),
    ],
)
async def test_without_sentry_org_readiness_says_what_discovery_found(
    token: str, ready: bool, ok: bool | None, words: list[str], calls: int
) -> None:
    status, body = await readyz({**DISCOVERED, "SENTRY_AUTH_TOKEN": token})
    assert (status, body["status"]) == ((200, "ready") if ready else (503, "unavailable"))
    assert body["checks"]["credential"]["ok"] is ok
    for word in words:
        assert word in body["upstream"], body["upstream"]
    assert body["_calls"][:2] == ["/api/0/", "/api/0/organizations/"] and len(body["_calls"]) == calls


async def test_without_a_token_it_is_ready_and_says_nothing_was_checked() -> None:
    status, body = await readyz({"SENTRY_BASE_URL": "http://sentry.test", "SENTRY_ORG": "demo"})
    assert status == 200
    assert body["checks"]["credential"]["ok"] is None
    assert "SENTRY_AUTH_TOKEN is unset" in body["checks"]["credential"]["reason"]
    assert body["_calls"] == ["/api/0/"]


def test_serve_logs_one_readiness_line_and_starts_anyway(monkeypatch, capsys) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setenv("SENTRY_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("SENTRY_ORG", "demo")
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "sntryu_secret")
    monkeypatch.setenv("GATEWAY_GRAPHIQL", "0")
    monkeypatch.delenv("GATEWAY_DEMO", raising=False)  # another test's `serve --demo` may have set it
    assert main(["serve", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "Sentry at http://127.0.0.1:9" in line]
    assert len(lines) == 1 and "NOT READY" in lines[0] and "unreachable" in lines[0]
    assert "connection refused" in lines[0]
    assert "sntryu_secret" not in err


async def test_the_access_log_of_an_upstream_failure_names_the_host_and_why(caplog) -> None:
    import json
    import logging

    from gateway.app import create_app
    from gateway.settings import load_settings

    app = create_app(load_settings({"SENTRY_BASE_URL": "http://127.0.0.1:9", "SENTRY_MAX_RETRIES": "0"}))
    import httpx

    caplog.set_level(logging.INFO, logger="gateway.access")
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http:
            await http.post("/graphql", json={"query": '{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }'})
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "gateway.access"]
    # Without SENTRY_ORG the gateway first asks for the organization, then falls back to the list.
    assert {"host": "127.0.0.1:9", "endpoint": "list", "error": "connection refused"} in line["upstream_failures"]
    assert all(f["host"] == "127.0.0.1:9" and f["error"] == "connection refused" for f in line["upstream_failures"])


async def test_the_access_log_names_the_status_of_a_refusal(caplog) -> None:
    import json
    import logging

    caplog.set_level(logging.INFO, logger="gateway.access")
    async with running_gateway({"SENTRY_BASE_URL": "http://sentry.test"}) as gw:
        await gw.post('{ issue(id: "2") { events(first: 1) { nodes { eventID } } } }')
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "gateway.access"]
    assert {"host": "sentry.test", "endpoint": "list", "status": 401} in line["upstream_failures"]
    assert all(f["host"] == "sentry.test" and f["status"] == 401 for f in line["upstream_failures"])
