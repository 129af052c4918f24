"""Hostile soak: the red team's attacks mixed with normal queries, against one worker.

Loopback only, bounded in requests and in time. Starts the demo upstream with
a few upstream faults (`python -m gateway.demo --faults`) and the gateway
under ``sentry-events-gateway serve`` with one worker, then:

1. warm-up: normal queries; RSS measured ("start");
2. hostile phase: every attack of issue 13 items 1-4 (fragment fan-out,
   alias fan-out, repeated fields, 100 full pages at once, 8 full pages (the
   most the default budget allows),
   distinct 900 KB documents, distinct credentials, absurd filters, a long
   operationName, request bodies nested 2,000 deep) mixed with normal
   queries, while ``/healthz`` is probed; RSS sampled throughout ("peak");
3. normal traffic again; RSS measured ("after").

    python bench/hostile.py --seconds 60 --max-requests 4000

Prints a JSON report: each attack's time alone on an idle worker
(``alone_s``), the slowest of each under the mixed load, the slowest
``/healthz`` probe, statuses and codes, and RSS. Exit status 1 when a
gateway-originated 5xx, an error without a code, a crash, or RSS after more
than 20% above start was seen.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from soak import FAULTS, QUERIES, free_port, rss_kib, wait_up

FULL_FIELDS = (
    "eventID title message dateCreated tags { key value } "
    "entries { __typename ... on ExceptionEntry { values { type value stacktrace { frames { function filename lineNo context { line } } } } } }"
)


def fanout(levels: int, leaf: str = "id") -> str:
    """The fragment fan-out family: each level spreads the next twice."""
    fragments = "\n".join(f"fragment F{i} on Issue {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f'{{ issue(id: "2") {{ ...F0 }} }}\n{fragments}\nfragment F{levels} on Issue {{ {leaf} }}'


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def attacks(rng: random.Random) -> list[tuple[str, dict, dict]]:
    """(name, JSON body or raw, headers) of each attack; some vary per call."""
    unique = rng.getrandbits(64)
    hundred_full = " ".join(
        f'a{i}: issue(id: "2") {{ events(first: 100) {{ nodes {{ {FULL_FIELDS} }} }} }}' for i in range(100)
    )
    eight_full = " ".join(
        f'a{i}: issue(id: "2") {{ events(first: 100) {{ nodes {{ {FULL_FIELDS} }} }} }}' for i in range(8)
    )
    return [
        ("fanout_22", {"query": fanout(22)}, {}),
        ("fanout_60", {"query": fanout(60)}, {}),
        ("fanout_aliases", {"query": fanout(30, "a: id")}, {}),
        (
            "fragment_cycle_through_fields",
            {"query": '{ issue(id: "2") { ...A } } fragment A on Issue { events(first: 1) { nodes { ...B } } } '
             "fragment B on Event { ...A }"},
            {},
        ),
        ("repeated_fields", {"query": '{ issue(id: "2") { ' + "events(first:1){nodes{eventID}} " * 400 + "} }"}, {}),
        ("hundred_full_pages", {"query": "{ " + hundred_full + " }"}, {}),
        ("eight_full_pages", {"query": "{ " + eight_full + " }"}, {}),
        (
            "distinct_900kb_document",
            {"query": f"# {unique}\n" + " " * 900_000 + '{ issue(id: "2") { issueId } }'},
            {},
        ),
        (
            "distinct_credential",
            {"query": '{ issue(id: "2") { latestEvent { eventID } } }'},
            {"Authorization": f"Bearer sntryu_{unique:x}"},
        ),
        (
            "stats_period_5000_digits",
            {"query": '{ issue(id: "2") { events(first: 1, statsPeriod: "%s") { nodes { eventID } } } }' % ("9" * 5000)},
            {},
        ),
        (
            "query_filter_500kb",
            {
                "query": 'query($q: String) { issue(id: "2") { events(first: 1, query: $q) { nodes { eventID } } } }',
                "variables": {"q": "a" * 500_000},
            },
            {},
        ),
        (
            "environment_1000",
            {
                "query": 'query($e: [String!]) { issue(id: "2") { latestEvent(environment: $e) { eventID } } }',
                "variables": {"e": [f"env{i}" for i in range(1000)]},
            },
            {},
        ),
        ("operation_name_400kb", {"query": "{ __typename }", "operationName": "x" * 400_000}, {}),
        ("body_nested_2000", {"raw": '{"query": "{ __typename }", "variables": {"a": ' + nested(2000) + "}}"}, {}),
    ]


class Sampler(threading.Thread):
    """RSS of the gateway every 100 ms: the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                self.peak = max(self.peak, rss_kib(self.pid))
            except (OSError, ValueError):
                pass
            time.sleep(0.1)


async def normal(http: httpx.AsyncClient, count: int, rng: random.Random, stats: dict) -> None:
    for _ in range(count):
        query, variables = rng.choice(QUERIES)
        await record(http, "normal", {"query": query, "variables": variables}, {}, stats)


async def record(http: httpx.AsyncClient, name: str, body: dict, headers: dict, stats: dict) -> None:
    started = time.perf_counter()
    try:
        if "raw" in body:
            response = await http.post(
                "/graphql", content=body["raw"], headers={"Content-Type": "application/json", **headers}
            )
        else:
            response = await http.post("/graphql", json=body, headers=headers)
    except httpx.HTTPError as exc:
        stats["transport_errors"][f"{name}:{type(exc).__name__}"] += 1
        return
    elapsed = time.perf_counter() - started
    stats["slowest"][name] = max(stats["slowest"].get(name, 0.0), round(elapsed, 3))
    stats["status"][f"{name}:{response.status_code}"] += 1
    try:
        payload = response.json()
    except ValueError:
        stats["uncoded"][name] += 1
        return
    for error in payload.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code is None:
            stats["uncoded"][name] += 1
        stats["codes"][f"{name}:{code}"] += 1


async def hostile(base: str, seconds: float, max_requests: int, seed: int, clients: int) -> dict:
    stats: dict = {
        "status": collections.Counter(),
        "codes": collections.Counter(),
        "uncoded": collections.Counter(),
        "transport_errors": collections.Counter(),
        "slowest": {},
        "healthz_max_s": 0.0,
        "requests": 0,
    }
    stop_at = time.monotonic() + seconds
    budget = [max_requests]

    async def caller(index: int) -> None:
        rng = random.Random(seed + index)
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.monotonic() < stop_at and budget[0] > 0:
                budget[0] -= 1
                stats["requests"] += 1
                if rng.random() < 0.5:
                    await normal(http, 1, rng, stats)
                else:
                    name, body, headers = rng.choice(attacks(rng))
                    await record(http, name, body, headers, stats)

    async def probe() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while time.monotonic() < stop_at and budget[0] > 0:
                started = time.perf_counter()
                await http.get("/healthz")
                stats["healthz_max_s"] = max(stats["healthz_max_s"], round(time.perf_counter() - started, 3))
                await asyncio.sleep(0.5)

    await asyncio.gather(probe(), *(caller(i) for i in range(clients)))
    return stats


async def alone(base: str, seed: int) -> dict[str, float]:
    """Each attack once, one at a time on an idle worker: how long it holds the worker."""
    stats: dict = {"status": collections.Counter(), "codes": collections.Counter(),
                   "uncoded": collections.Counter(), "transport_errors": collections.Counter(), "slowest": {}}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for name, body, headers in attacks(random.Random(seed)):
            await record(http, name, body, headers, stats)
    return stats["slowest"]


async def run_normal(base: str, count: int, seed: int) -> dict:
    stats: dict = {"status": collections.Counter(), "codes": collections.Counter(),
                   "uncoded": collections.Counter(), "transport_errors": collections.Counter(), "slowest": {}}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        await asyncio.gather(*(normal(http, count // 4, random.Random(seed + i), stats) for i in range(4)))
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--normal", type=int, default=400, help="normal requests before and after")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    upstream_port, gateway_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_"))}
    upstream = subprocess.Popen(
        [sys.executable, "-m", "gateway.demo", "--faults", "--port", str(upstream_port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    gateway_env = {
        **env,
        "SENTRY_BASE_URL": f"http://127.0.0.1:{upstream_port}",
        "SENTRY_AUTH_TOKEN": "sntryu_demo",
        "GATEWAY_ACCESS_LOG": "0",
    }
    log_path = Path("/tmp/hostile-gateway.log")
    gateway_log = log_path.open("w")
    gateway = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--port", str(gateway_port), "--workers", "1"],
        env=gateway_env, stdout=gateway_log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{gateway_port}"
    sampler = None
    try:
        wait_up(f"http://127.0.0.1:{upstream_port}/api/0/issues/2/events/", upstream)
        wait_up(f"{base}/healthz", gateway)
        asyncio.run(run_normal(base, args.normal, args.seed))
        time.sleep(1)
        rss_start = rss_kib(gateway.pid)
        sampler = Sampler(gateway.pid)
        sampler.start()
        each_alone = asyncio.run(alone(base, args.seed))
        control = httpx.post(f"http://127.0.0.1:{upstream_port}/_demo/faults", json={"faults": FAULTS})
        control.raise_for_status()
        started = time.monotonic()
        stats = asyncio.run(hostile(base, args.seconds, args.max_requests, args.seed, args.clients))
        hostile_seconds = round(time.monotonic() - started, 1)
        httpx.post(f"http://127.0.0.1:{upstream_port}/_demo/faults", json={"faults": []}).raise_for_status()
        after = asyncio.run(run_normal(base, args.normal, args.seed + 1))
        time.sleep(1)
        rss_after = rss_kib(gateway.pid)
        sampler.running = False
        alive = gateway.poll() is None and httpx.get(f"{base}/healthz").status_code == 200
    finally:
        if sampler is not None:
            sampler.running = False
        for process in (gateway, upstream):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    tracebacks = log_path.read_text(errors="replace").count("Traceback")
    server_errors = {k: n for k, n in stats["status"].items() if int(k.rsplit(":", 1)[1]) >= 500}
    report = {
        "command": " ".join(["python", "bench/hostile.py", *sys.argv[1:]]),
        "hostile_seconds": hostile_seconds,
        "hostile_requests": stats["requests"],
        "http_status": dict(sorted(stats["status"].items())),
        "error_codes": dict(sorted(stats["codes"].items())),
        "uncoded_errors": dict(stats["uncoded"]),
        "transport_errors": dict(stats["transport_errors"]),
        "alone_s": each_alone,
        "slowest_under_load_s": dict(sorted(stats["slowest"].items())),
        "healthz_max_s": stats["healthz_max_s"],
        "normal_after_status": dict(after["status"]),
        "tracebacks_in_log": tracebacks,
        "rss_start_kib": rss_start,
        "rss_peak_kib": max(sampler.peak, rss_start),
        "rss_after_kib": rss_after,
        "rss_after_vs_start_pct": round((rss_after - rss_start) * 100 / rss_start, 1),
        "gateway_alive": alive,
    }
    print(json.dumps(report, indent=2))
    ok = (
        alive
        and not server_errors
        and not stats["uncoded"]
        and report["rss_after_vs_start_pct"] <= 20
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
