"""In-process timing of one workload: the app called as ASGI, no HTTP server, no load tool.

    python bench/inprocess.py full 60            # median and min ms per request
    python bench/inprocess.py full 10 --profile  # + cProfile, 25 costliest functions
    GATEWAY_GC_THRESHOLD=python python bench/inprocess.py full 60   # Python's collector defaults
    python bench/inprocess.py small 3000 --instant  # upstream answered in-process at once:
                                                    # what the gateway itself costs

For quick before/after checks of one change (`bench/run.py` is the real measurement).
It starts `bench/upstream.py` on port 9177, builds the app the way a served worker
does (`gateway.serving.create_served_app`, so the collector is tuned as in
production), and calls it directly with each workload's body from `bench/run.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run as bench_run  # noqa: E402

import httpx  # noqa: E402

PORT = 9177


async def call(app: object, body: bytes) -> bytes:
    """POST /graphql through the ASGI interface; the response body."""
    sent: list[dict] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json"), (b"host", b"localhost")],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
    }  # fmt: skip
    await app(scope, receive, send)  # type: ignore[operator]
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


class InstantUpstream(httpx.AsyncBaseTransport):
    """An httpx transport answering `bench/upstream.py`'s pages at once, in-process
    (what remains is the gateway's own cost, httpx's client included)."""

    def __init__(self) -> None:
        import upstream

        self._pages = upstream.Pages(["2"])  # built before the event loop runs

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = dict(parse_qsl(request.url.query.decode()))
        raw = self._pages.get("2", params.get("full") == "true", params)
        head, body = raw.split(b"\r\n\r\n", 1)
        headers = [tuple(line.split(b": ", 1)) for line in head.split(b"\r\n")[1:]]
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))


async def measure(workload: str, requests: int, profile: bool, instant: InstantUpstream | None = None) -> None:
    import json

    from gateway.app import create_app
    from gateway.serving import create_served_app, tune_garbage_collector
    from gateway.settings import load_settings

    if instant is not None:
        settings = load_settings()
        app = create_app(settings, transport=instant)
        tune_garbage_collector(settings)
    else:
        app = create_served_app()
    query = {w.name: w for w in bench_run.WORKLOADS}[workload].query
    body = json.dumps({"query": query}).encode()
    async with app.router.lifespan_context(app):
        out = await call(app, body)
        assert b'"errors"' not in out, out[:500]
        for _ in range(3):
            await call(app, body)
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            await call(app, body)
            times.append(time.perf_counter() - start)
        if profiler:
            profiler.disable()
        times.sort()
        print(
            f"{workload}: median {times[len(times) // 2] * 1000:.2f} ms, min {times[0] * 1000:.2f} ms "
            f"over {requests} requests ({len(out)} bytes)"
        )
        if profiler and os.environ.get("BENCH_PACKAGES"):
            _by_package(pstats.Stats(profiler), requests)
        elif profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(int(os.environ.get("BENCH_TOP", "25")))


def _by_package(stats: pstats.Stats, requests: int) -> None:
    """Self time per request, summed by package (BENCH_PACKAGES=1)."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, self_time, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
        elif "/gateway/" in filename:
            key = "gateway/" + filename.split("/gateway/")[1]
        elif filename.startswith("~") or filename.startswith("<"):
            key = "builtins"
        else:
            key = "stdlib/" + filename.rsplit("/", 1)[-1]
        totals[key] = totals.get(key, 0.0) + self_time
    overall = sum(totals.values())
    for key, value in sorted(totals.items(), key=lambda kv: -kv[1])[:30]:
        print(f"{100 * value / overall:5.1f}%  {value / requests * 1e6:7.1f} us/request  {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", choices=[w.name for w in bench_run.WORKLOADS])
    parser.add_argument("requests", type=int, nargs="?", default=60)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--instant", action="store_true", help="no upstream process: pages answered in-process")
    args = parser.parse_args()
    os.environ.update(
        {"SENTRY_BASE_URL": f"http://127.0.0.1:{PORT}", "SENTRY_AUTH_TOKEN": "sntryu_demo", "GATEWAY_ACCESS_LOG": "0"}
    )
    if args.instant:
        asyncio.run(measure(args.workload, args.requests, args.profile, instant=InstantUpstream()))
        return
    upstream = subprocess.Popen(
        [sys.executable, str(BENCH / "upstream.py"), "--port", str(PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.5)
        asyncio.run(measure(args.workload, args.requests, args.profile))
    finally:
        upstream.terminate()
        upstream.wait()


if __name__ == "__main__":
    main()
