"""/readyz: always ready in demo mode, 503 when the upstream cannot be reached."""

from __future__ import annotations

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import load_settings

from .conftest import running_gateway

pytestmark = pytest.mark.anyio


async def test_ready_in_demo_mode() -> None:
    async with running_gateway() as gw:
        response = await gw.http.get("/readyz")
        assert response.status_code == 200
        assert response.json()["status"] == "ready"
        assert (await gw.http.get("/healthz")).status_code == 200


async def _serve(app):
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")
    return lifespan, http


async def test_unavailable_when_upstream_is_down() -> None:
    # Nothing listens on the discard port: the real network transport is refused.
    app = create_app(load_settings({"SENTRY_BASE_URL": "http://127.0.0.1:9"}))
    lifespan, http = await _serve(app)
    try:
        response = await http.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        assert (await http.get("/healthz")).status_code == 200  # alive, just not ready
    finally:
        await http.aclose()
        await lifespan.__aexit__(None, None, None)


async def test_probe_result_is_cached_and_5xx_is_not_ready() -> None:
    calls: list[str] = []
    status = {"code": 200}

    def upstream(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == "/api/0/organizations/":  # no SENTRY_ORG: the token's, discovered
            return httpx.Response(200, json=[])
        assert "authorization" not in request.headers  # the reachability probe sends no credential
        return httpx.Response(status["code"], json={"version": "0"})

    env = {
        "SENTRY_BASE_URL": "https://sentry.example",
        "SENTRY_AUTH_TOKEN": "sntrys_probe_must_not_send",
        "GATEWAY_READINESS_CACHE": "60",
    }
    app = create_app(load_settings(env), transport=httpx.MockTransport(upstream))
    lifespan, http = await _serve(app)
    try:
        for _ in range(3):
            assert (await http.get("/readyz")).status_code == 200
        assert calls == ["/api/0/", "/api/0/organizations/"]
        metrics = (await http.get("/metrics")).text
        assert 'gateway_upstream_requests_total{endpoint="probe",status="200"}' in metrics
        app.state.gateway.readiness.cache_seconds = 0
        status["code"] = 503
        assert (await http.get("/readyz")).status_code == 503
        status["code"] = 401  # reachable, even if the probe is not authorised
        assert (await http.get("/readyz")).status_code == 200
    finally:
        await http.aclose()
        await lifespan.__aexit__(None, None, None)


def test_serve_passes_graceful_timeout_and_its_own_logging(monkeypatch) -> None:
    import uvicorn

    from gateway.cli import main

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setenv("GATEWAY_DEMO", "1")
    assert main(["serve", "--graceful-timeout", "7.5"]) == 0
    assert seen["timeout_graceful_shutdown"] == 7.5
    assert seen["access_log"] is False
    assert seen["http"] == "gateway.http_guard:GuardedHttpToolsProtocol"  # header limit, read timeouts
    assert seen["log_config"]["loggers"]["gateway.access"]["handlers"] == ["gateway_access"]
    assert main(["serve"]) == 0 and seen["timeout_graceful_shutdown"] == 20.0
