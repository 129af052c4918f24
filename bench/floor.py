"""The framework floor beside the gateway, for the `small` workload.

    python bench/floor.py            # 5 s per measurement

Starts `bench/upstream.py`, the gateway (``serve``, one worker) and the two
floor apps of `bench/floor_app.py` (strawberry alone; strawberry with the one
httpx call `small` needs), pinned as `bench/run.py` pins them, and measures
each with wrk at 16 connections and at 1. What it shows: how much of the
gateway's time on the smallest query is the chosen stack itself, which no
code of ours can take away (see bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="floor-"))
    py = sys.executable
    ports = {name: run.free_port() for name in ("upstream", "gateway", "strawberry", "strawberry+httpx")}
    upstream_url = f"http://127.0.0.1:{ports['upstream']}"
    procs = []
    try:
        upstream = run.start(
            [py, str(BENCH / "upstream.py"), "--port", str(ports["upstream"])], run.LOAD_CORE, tmp / "u.log"
        )
        procs.append(upstream)
        run.wait_port(ports["upstream"], upstream, "upstream")
        gateway = run.start(
            [py, "-m", "gateway", "serve", "--port", str(ports["gateway"])], run.GATEWAY_CORE, tmp / "g.log",
            env={"SENTRY_BASE_URL": upstream_url, "SENTRY_AUTH_TOKEN": "sntryu_demo"},
        )  # fmt: skip
        procs.append(gateway)
        run.wait_port(ports["gateway"], gateway, "gateway")
        body = {
            "gateway": '{"query": "{ issue(id: \\"2\\") { events(first: 10) { nodes { eventID title dateCreated } } } }"}',
            "strawberry": '{"query": "{ events { eventID title dateCreated } }"}',
        }
        for floor in ("strawberry", "strawberry+httpx"):
            proc = run.start(
                [py, "-m", "uvicorn", "floor_app:app", "--port", str(ports[floor]), "--log-level", "warning",
                 "--no-access-log", "--app-dir", str(BENCH)],
                run.GATEWAY_CORE, tmp / f"{floor}.log", env={"FLOOR": floor, "FLOOR_UPSTREAM": upstream_url},
            )  # fmt: skip
            procs.append(proc)
            run.wait_port(ports[floor], proc, floor)
        print(f"small, {args.seconds:g} s per measurement, wrk on core {run.LOAD_CORE}\n")
        print("| target | req/s @16 | p50 @16 | 1-client p50 |\n|---|---|---|---|")
        for name in ("gateway", "strawberry", "strawberry+httpx"):
            script = run.lua_script(body["gateway" if name == "gateway" else "strawberry"], tmp, name.replace("+", "_"))
            url = f"http://127.0.0.1:{ports[name]}/graphql"
            run.wrk(url, script, 16, 2)  # warm-up
            loaded = run.wrk(url, script, 16, args.seconds)
            single = run.wrk(url, script, 1, args.seconds)
            if loaded["errors"] or single["errors"]:
                raise SystemExit(f"{name}: errors\n{loaded['raw']}")
            print(f"| {name} | {loaded['rps']:.1f} | {loaded['p50']:.2f} ms | {single['p50']:.2f} ms |")
    finally:
        for proc in reversed(procs):
            run.stop(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
