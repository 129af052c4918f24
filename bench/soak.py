"""Load and soak run: many clients against a real gateway over a faulty upstream.

Loopback only, bounded in time and in requests. Starts the demo upstream with
fault injection (`python -m gateway.demo --faults`) and the gateway under
uvicorn, warms up, then runs concurrent clients for a while with a share of
upstream faults while events are stored late and deleted in the upstream
(``/_demo/events``), and reports requests served, HTTP statuses, error codes by
kind, p50/p99 latency and the gateway's memory after warm-up and at the end.

    python bench/soak.py --clients 32 --seconds 180

Exit status 1 when a gateway-originated 5xx, an error without a code, or a
crash was seen, or memory grew more than 20% past warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

QUERIES = [
    ('{ issue(id: "2") { events(first: 20) { nodes { eventID title tags { key value } } pageInfo { endCursor } } } }', None),
    ('{ issue(id: "2") { events(first: 10) { nodes { eventID message entries { __typename } } } } }', None),
    ('{ issue(id: "3") { latestEvent { eventID entries { __typename } } oldestEvent { eventID } } }', None),
    ('{ issue(id: "2") { events(last: 5) { nodes { eventID } } } }', None),
    ('{ a: issue(id: "4") { events(first: 5) { nodes { eventID } } } b: issue(id: "1") { events(first: 5) { nodes { eventID } } } }', None),
    ('{ issue(id: "987654") { events(first: 1) { nodes { eventID } } } }', None),
]

FAULTS = [
    {"kind": "status", "status": 503, "probability": 0.04, "times": None},
    {"kind": "status", "status": 500, "probability": 0.01, "times": None},
    {"kind": "rate_limit", "probability": 0.02, "times": None, "reset_in": 1},
    {"kind": "malformed", "probability": 0.01, "times": None},
    {"kind": "truncated", "probability": 0.01, "times": None},
    {"kind": "drop", "probability": 0.01, "times": None},
    {"kind": "latency", "delay": 0.2, "probability": 0.03, "times": None},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (uvicorn workers), in KiB."""
    total = 0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def wait_up(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url} exited early with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


async def client(http: httpx.AsyncClient, stop_at: float, budget: list[int], stats: dict, rng: random.Random) -> None:
    while time.monotonic() < stop_at and budget[0] > 0:
        budget[0] -= 1
        query, variables = rng.choice(QUERIES)
        started = time.perf_counter()
        try:
            response = await http.post("/graphql", json={"query": query, "variables": variables})
        except httpx.HTTPError as exc:
            stats["transport_errors"][type(exc).__name__] += 1
            continue
        stats["latency"].append(time.perf_counter() - started)
        stats["status"][response.status_code] += 1
        try:
            body = response.json()
        except ValueError:
            stats["uncoded"] += 1
            continue
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if code is None:
                stats["uncoded"] += 1
            stats["codes"][code or "NONE"] += 1
        stats["served"] += 1


async def churn(upstream: str, stop_at: float, rng: random.Random, stats: dict) -> None:
    """Make the list change as Sentry's does: events stored late (seconds to days) and deleted."""
    async with httpx.AsyncClient(base_url=upstream, timeout=10) as http:
        while time.monotonic() < stop_at:
            issue = rng.choice(["2", "3", "4"])
            stored = await http.post(
                "/_demo/events",
                json={"issueId": issue, "count": rng.randint(1, 3), "ageSeconds": rng.choice([2, 30, 3600, 3 * 86400])},
            )
            stats["churn"]["stored"] += len(stored.json().get("eventIds", []))
            if rng.random() < 0.3:
                gone = await http.request("DELETE", "/_demo/events", json={"issueId": issue, "eventIds": stored.json()["eventIds"][:1]})
                stats["churn"]["deleted"] += len(gone.json().get("deleted", []))
            await asyncio.sleep(0.5)


async def run_load(
    base: str, clients: int, seconds: float, max_requests: int, seed: int, upstream: str | None = None
) -> dict:
    stats: dict = {
        "served": 0,
        "uncoded": 0,
        "latency": [],
        "status": collections.Counter(),
        "codes": collections.Counter(),
        "transport_errors": collections.Counter(),
        "churn": collections.Counter(),
    }
    budget = [max_requests]
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        tasks = [client(http, stop_at, budget, stats, random.Random(seed + i)) for i in range(clients)]
        if upstream is not None:
            tasks.append(churn(upstream, stop_at, random.Random(seed - 1), stats))
        await asyncio.gather(*tasks)
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--warmup", type=float, default=15)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--no-churn", dest="churn", action="store_false",
        help="do not store events late / delete events in the upstream during the run",
    )
    args = parser.parse_args()

    upstream_port, gateway_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_"))}
    upstream = subprocess.Popen(
        [sys.executable, "-m", "gateway.demo", "--faults", "--port", str(upstream_port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    gateway_env = {
        **env,
        "SENTRY_BASE_URL": f"http://127.0.0.1:{upstream_port}",
        "SENTRY_AUTH_TOKEN": "sntryu_demo",
        "GATEWAY_REQUEST_DEADLINE": "5",
        "SENTRY_TIMEOUT": "3",
    }
    gateway_log = open("/tmp/soak-gateway.log", "w")
    gateway = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--port", str(gateway_port)],
        env=gateway_env, stdout=gateway_log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{gateway_port}"
    try:
        wait_up(f"http://127.0.0.1:{upstream_port}/api/0/issues/2/events/", upstream)
        wait_up(f"{base}/healthz", gateway)
        asyncio.run(run_load(base, args.clients, args.warmup, args.max_requests, args.seed))
        rss_start = rss_kib(gateway.pid)
        control = httpx.post(f"http://127.0.0.1:{upstream_port}/_demo/faults", json={"faults": FAULTS})
        control.raise_for_status()
        upstream_url = f"http://127.0.0.1:{upstream_port}" if args.churn else None
        stats = asyncio.run(run_load(base, args.clients, args.seconds, args.max_requests, args.seed, upstream_url))
        rss_end = rss_kib(gateway.pid)
        alive = gateway.poll() is None and httpx.get(f"{base}/healthz").status_code == 200
    finally:
        for process in (gateway, upstream):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    latency = sorted(stats["latency"])
    report = {
        "command": " ".join(["python", "bench/soak.py", *sys.argv[1:]]),
        "clients": args.clients,
        "seconds": args.seconds,
        "requests_served": stats["served"],
        "http_status": dict(stats["status"]),
        "error_codes": dict(stats["codes"]),
        "uncoded_errors": stats["uncoded"],
        "transport_errors": dict(stats["transport_errors"]),
        "upstream_churn": dict(stats["churn"]),
        "p50_ms": round(statistics.median(latency) * 1000, 1) if latency else None,
        "p99_ms": round(latency[int(len(latency) * 0.99) - 1] * 1000, 1) if latency else None,
        "rss_after_warmup_kib": rss_start,
        "rss_end_kib": rss_end,
        "rss_growth_pct": round((rss_end - rss_start) * 100 / rss_start, 1),
        "gateway_alive": alive,
    }
    print(json.dumps(report, indent=2))
    server_errors = sum(n for status, n in stats["status"].items() if status >= 500)
    ok = (
        alive
        and server_errors == 0
        and stats["uncoded"] == 0
        and not stats["transport_errors"]
        and report["rss_growth_pct"] <= 20
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
