"""CPU per upstream call against the size of the connection pool (`GATEWAY_UPSTREAM_CONNECTIONS`).

    python bench/pool.py                 # 16 concurrent callers, pools of 16, 8 and 4
    python bench/pool.py --callers 1 --sizes 8

Starts `bench/upstream.py` on core 1 and, pinned to core 0 under uvloop as a
served worker is, makes `--callers` concurrent streams of small-page GETs
through the gateway's `Upstream` (one ``httpx.AsyncClient``) with each pool
size. Reports process CPU time per call and calls per second. httpcore checks
every pooled connection (an idle one by polling its socket) whenever a call
starts or ends, so the cost per call grows with the number of connections the
pool holds, which under load is the number of calls in flight, up to the cap.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import run as bench_run  # noqa: E402

HEADERS = {"Accept": "application/json", "Accept-Encoding": "gzip, deflate", "Authorization": "Bearer sntryu_demo"}


async def _caller(upstream: Any, url: str, count: int) -> None:
    for _ in range(count):
        await upstream.get(url, HEADERS, 30.0)
        await asyncio.sleep(0)


async def measure(url: str, callers: int, sizes: list[int], calls: int) -> None:
    from gateway.sentry.upstream import Upstream

    for size in sizes:
        upstream = Upstream(max_connections=size, max_keepalive_connections=size)

        await asyncio.gather(*(_caller(upstream, url, 20) for _ in range(callers)))  # warm: the pool fills
        per_caller = max(1, calls // callers)
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(_caller(upstream, url, per_caller) for _ in range(callers)))
        done = per_caller * callers
        cpu_ms = (time.process_time() - cpu) * 1000 / done
        rate = done / (time.perf_counter() - wall)
        print(f"pool {size:4d}, {callers} callers: {cpu_ms:.3f} ms CPU per call, {rate:.0f} calls/s", flush=True)
        await upstream.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--sizes", default="16,8,4", help="comma-separated pool sizes")
    parser.add_argument("--calls", type=int, default=3200)
    args = parser.parse_args()
    port = bench_run.free_port()
    upstream = subprocess.Popen(
        ["taskset", "-c", bench_run.LOAD_CORE, sys.executable, str(BENCH / "upstream.py"), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        bench_run.wait_port(port, upstream, "upstream")
        import os

        import uvloop

        os.sched_setaffinity(0, {int(bench_run.GATEWAY_CORE)})
        url = f"http://127.0.0.1:{port}/api/0/issues/2/events/?per_page=18"
        sizes = [int(size) for size in args.sizes.split(",")]
        uvloop.run(measure(url, args.callers, sizes, args.calls))
    finally:
        upstream.terminate()
        upstream.wait(timeout=10)


if __name__ == "__main__":
    main()
