"""Metrics, access log and request ids, through the real app over the demo upstream."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.observability.access_log import request_id_from
from gateway.observability.metrics import operation_label

from .conftest import running_gateway

pytestmark = pytest.mark.anyio

QUERY = """
query LatestAndPage($first: Int!) {
  issue(id: "2") {
    latestEvent { eventID }
    a: events(first: $first) { nodes { eventID } }
    b: events(first: 2) { nodes { eventID } }
  }
}
"""


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(metrics: dict, name: str, **labels: str) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(gw) -> dict:
    response = await gw.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_metrics_move_after_queries() -> None:
    async with running_gateway() as gw:
        before = await scrape(gw)
        for _ in range(3):
            await gw.data(QUERY, {"first": 5})
        body = await gw.post('{ issue(id: "999999") { latestEvent { eventID } } }')
        code = body["errors"][0]["extensions"]["code"]
        await gw.post("query Broken { issue(", {})
        after = await scrape(gw)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("gateway_graphql_requests_total", operation="LatestAndPage", outcome="ok") == 3
    assert delta("gateway_graphql_requests_total", operation="anonymous", outcome=code) == 1
    assert delta("gateway_graphql_requests_total", operation="Broken", outcome="GRAPHQL_PARSE_FAILED") == 1
    assert delta("gateway_graphql_request_duration_seconds_count", operation="LatestAndPage", outcome="ok") == 3
    # latestEvent is one detail call; the two aliases are two pages, loaded in one batch.
    assert delta("gateway_upstream_requests_total", endpoint="list", status="200") == 6
    assert delta("gateway_upstream_requests_total", endpoint="detail", status="200") == 3
    assert delta("gateway_upstream_request_duration_seconds_count", endpoint="list") == 6
    assert delta("gateway_dataloader_batch_size_count", loader="pages") == 3
    assert delta("gateway_dataloader_batch_size_sum", loader="pages") == 6  # two keys a batch
    assert delta("gateway_dataloader_batch_size_count", loader="events") >= 3
    assert delta("gateway_graphql_upstream_calls_count") == 5
    # The demo's detail answers carry Sentry's rate-limit headers.
    assert ("gateway_upstream_rate_limit_remaining", ()) in after
    assert delta("gateway_upstream_rate_limit_headroom_ratio_count") >= 3


async def test_metrics_can_be_turned_off() -> None:
    async with running_gateway({"GATEWAY_METRICS": "0"}) as gw:
        assert (await gw.http.get("/metrics")).status_code == 404


async def test_access_log_line_carries_request_id_and_never_a_token(caplog) -> None:
    token = "sntrys_verysecret_token_value"
    secret_variable = "variable-value-that-must-not-be-logged"
    caplog.set_level(logging.INFO, logger="gateway.access")
    async with running_gateway() as gw:
        response = await gw.http.post(
            "/graphql",
            json={
                "query": 'query Named($env: [String!]) { issue(id: "2") { events(first: 2, environment: $env) { nodes { eventID } } latestEvent { eventID } } }',
                "variables": {"env": [secret_variable]},
                "operationName": "Named",
            },
            headers={"X-Request-ID": "req-42.abc", "Authorization": f"Bearer {token}"},
        )
        assert response.headers["x-request-id"] == "req-42.abc"
        generated = await gw.http.get("/healthz", headers={"X-Request-ID": "bad id\twith junk" + "x" * 200})
    new_id = generated.headers["x-request-id"]
    assert new_id != "" and " " not in new_id and len(new_id) == 32

    lines = [r for r in caplog.records if r.name == "gateway.access"]
    assert len(lines) == 2
    for record in lines:
        text = record.getMessage()
        assert token not in text and secret_variable not in text and "Bearer" not in text
    first = json.loads(lines[0].getMessage())
    assert first["request_id"] == "req-42.abc"
    assert first["method"] == "POST" and first["path"] == "/graphql"
    assert first["operation"] == "Named"
    assert first["status"] == response.status_code
    assert first["upstream_calls"] == 2
    assert first["duration_ms"] >= 0
    assert first["outcome"] == ("ok" if not response.json().get("errors") else first["codes"][0])
    second = json.loads(lines[1].getMessage())
    assert second["request_id"] == new_id and second["path"] == "/healthz" and second["operation"] is None


async def test_access_log_reports_error_codes(caplog) -> None:
    caplog.set_level(logging.INFO, logger="gateway.access")
    async with running_gateway() as gw:
        await gw.post("{ nope }")
    record = json.loads([r for r in caplog.records if r.name == "gateway.access"][-1].getMessage())
    assert record["outcome"] == "GRAPHQL_VALIDATION_FAILED" and record["codes"] == ["GRAPHQL_VALIDATION_FAILED"]


async def test_access_log_can_be_turned_off(caplog) -> None:
    caplog.set_level(logging.INFO, logger="gateway.access")
    async with running_gateway({"GATEWAY_ACCESS_LOG": "false"}) as gw:
        response = await gw.http.get("/healthz")
        assert response.headers["x-request-id"]
    assert not [r for r in caplog.records if r.name == "gateway.access"]


def test_request_ids_and_operation_labels_are_bounded() -> None:
    assert request_id_from("abc-123") == "abc-123"
    assert request_id_from("a" * 129) != "a" * 129
    assert request_id_from("x\ny") != "x\ny"
    assert operation_label(None) == "anonymous"
    assert operation_label("weird name{}") == "weird_name__"
    assert len(operation_label("n" * 500)) == 64


def test_tracing_is_off_by_default_and_costs_no_import() -> None:
    code = (
        "import os, sys\n"
        "for k in ('OTEL_EXPORTER_OTLP_ENDPOINT', 'GATEWAY_OTEL'): os.environ.pop(k, None)\n"
        "from gateway.app import create_app\n"
        "from gateway.observability import tracing\n"
        "create_app()\n"
        "assert not tracing.tracing_enabled()\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')], 'imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PATH": ""})


def test_otel_setting() -> None:
    from gateway.settings import load_settings

    assert load_settings({}).otel is False
    assert load_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}).otel is True
    assert load_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "GATEWAY_OTEL": "0"}).otel is False
    assert load_settings({"GATEWAY_OTEL": "1"}).otel is True
