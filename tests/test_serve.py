"""The real thing: the console script under uvicorn, over TCP on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping

import httpx

PAGE = """query($after: String) { issue(id: "2") { events(first: 40, after: $after) {
  nodes { eventID } pageInfo { hasNextPage endCursor } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(args: list[str], port: int, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run ``python -m gateway <args>`` until the block ends; yield its base URL."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_"))}
    full_env.update(env or {})
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", *args, "--port", str(port)],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited early:\n{process.stdout.read()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/healthz" if args[0] == "serve" else f"{base}/api/0/issues/1/events/", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not start in 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        serving.last_output = output  # type: ignore[attr-defined]


def walk(base: str) -> list[str]:
    seen: list[str] = []
    after = None
    with httpx.Client(base_url=base, timeout=30) as http:
        while True:
            body = http.post("/graphql", json={"query": PAGE, "variables": {"after": after}}).json()
            assert "errors" not in body, body
            conn = body["data"]["issue"]["events"]
            seen += [n["eventID"] for n in conn["nodes"]]
            if not conn["pageInfo"]["hasNextPage"]:
                return seen
            after = conn["pageInfo"]["endCursor"]


def test_serve_on_the_demo_answers_graphql_and_says_demo() -> None:
    port = free_port()
    with serving(["serve", "--demo"], port) as base:
        health = httpx.get(f"{base}/healthz").json()
        assert health["mode"] == "demo"
        ids = walk(base)
        assert len(ids) == len(set(ids)) > 250
        html = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert "graphiql" in html.text.lower()
    assert "demo upstream" in serving.last_output  # type: ignore[attr-defined]


def test_gateway_over_a_real_http_upstream_with_several_workers() -> None:
    upstream_port, gateway_port = free_port(), free_port()
    with serving(["demo-upstream"], upstream_port) as upstream:
        env = {
            "SENTRY_BASE_URL": upstream,
            "SENTRY_AUTH_TOKEN": "sntryu_demo",
            "GATEWAY_CURSOR_SECRET": "shared-between-workers",
        }
        with serving(["serve", "--workers", "2"], gateway_port, env) as base:
            assert httpx.get(f"{base}/healthz").json()["mode"] == "sentry"
            ids = walk(base)
        direct = httpx.get(
            f"{upstream}/api/0/issues/2/events/",
            params={"per_page": 100},
            headers={"Authorization": "Bearer sntryu_demo"},
        )
        assert direct.status_code == 200
    # The same events; the gateway orders ties (events of one second) by event id.
    listed = direct.json()
    by_id = {e["eventID"]: e["dateCreated"] for e in listed}
    # Sentry's first 100 and the gateway's may differ only inside the second the page cuts.
    cut = min(by_id.values())
    assert {i for i, when in by_id.items() if when > cut} <= set(ids[:100])
    newer = [i for i in ids[:100] if by_id.get(i, cut) > cut]
    assert newer == sorted(newer, key=lambda i: (by_id[i], i), reverse=True)  # ties by event id
    assert len(ids) == len(set(ids)) > 250


def test_serve_without_sentry_base_url_refuses_to_serve_synthetic_data_unasked() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_"))}
    for extra in ({}, {"GATEWAY_DEMO": "0"}, {"SENTRY_BASE_URL": "  "}):
        result = subprocess.run(
            [sys.executable, "-m", "gateway", "serve", "--port", str(free_port())],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, extra
        assert "SENTRY_BASE_URL" in result.stderr and "--demo" in result.stderr and "GATEWAY_DEMO=1" in result.stderr
        assert "Traceback" not in result.stderr


def test_gateway_demo_1_is_the_same_as_the_flag() -> None:
    port = free_port()
    with serving(["serve"], port, {"GATEWAY_DEMO": "1"}) as base:
        assert httpx.get(f"{base}/healthz").json()["mode"] == "demo"


def test_a_bad_setting_stops_start_up_with_a_clear_message() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--port", str(free_port())],
        env={**os.environ, "SENTRY_TIMEOUT": "soon"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "SENTRY_TIMEOUT" in result.stderr and "Traceback" not in result.stderr


def test_export_schema_prints_the_sdl() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "export-schema"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "type Query" in result.stdout
