"""Benchmark harness: the gateway against the "Python limit", on issue 5's workloads
(and, gateway only, issue 14's "issue page" and "many issues", with upstream calls per query).

    python bench/run.py --quick            # 5 s per measurement (~2.5 min in all)
    python bench/run.py                    # 10 s per measurement
    python bench/run.py --write            # also rewrite the tables in bench/RESULTS.md
    python bench/run.py --profile full     # + py-spy on the gateway under that workload
    python bench/run.py --mesh bench/mesh  # + the GraphQL Mesh peer (after `cd bench/mesh && npm install`)

Layout (a 2-core machine): the gateway (``python -m gateway serve``) and the Python
limit (`bench/limit.py`) are pinned to core 0 with ``taskset -c 0``; the fast upstream
(`bench/upstream.py`, pre-serialized pages, ~1.9 MB for 100 full events) and the load
tool (``wrk``, Debian package ``wrk``) to core 1. With ``--mesh``, Hive Gateway over
`bench/mesh/openapi.json` (composed by ``mesh-compose``) is a third target on core 0. Both targets stay up for the whole
run and are measured back to back, workload by workload, so their ratios come from
the same conditions.

For each workload and target: a 2 s warm-up at 16 connections, throughput and
p50/p99 latency at 16 connections for ``--seconds``, then 1-client p50 (one
connection, requests back to back) for ``--seconds``, and the target's peak RSS
during that workload (VmHWM after resetting it through ``/proc/PID/clear_refs``;
sampled VmRSS if that is refused). Before measuring, one request per workload is
checked: HTTP 200, no ``errors``, the expected number of events.

Everything is bounded: each wrk run has a fixed duration and a 10 s request timeout,
and the child processes are stopped at the end (or on error).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GATEWAY_CORE = "0"
LOAD_CORE = "1"

FRAME_FIELDS = "filename absPath module function lineNo colNo inApp context { lineNo line }"
CRUMB_FIELDS = "type category level message timestamp data"


@dataclass
class Workload:
    name: str
    what: str
    query: str
    limit_params: str  # query string for bench/limit.py
    expect_events: int
    mesh_query: str = ""  # the same selection on the Mesh peer's schema (bench/mesh/openapi.json)
    #: Only the gateway can express it (the limit and the Mesh peer have no issue endpoints).
    gateway_only: bool = False


def _mesh_fanout_query() -> str:
    parts = [f'i{n}: issueEvents(issue_id: "{n}", per_page: 20) {{ eventID title dateCreated tags {{ key value }} }}' for n in range(2, 12)]
    return "{ " + " ".join(parts) + " }"


MESH_FULL = (
    '{ issueEvents(issue_id: "2", per_page: 100, full: true) { eventID title dateCreated entries { type data { values { '
    "type value module stacktrace { frames { filename absPath module function lineNo colNo inApp context } } "
    "category level message timestamp data } } } } }"
)


def _fanout_query() -> str:
    parts = [
        f'i{n}: issue(id: "{n}") {{ events(first: 20) {{ nodes {{ eventID title dateCreated tags {{ key value }} }} }} }}'
        for n in range(2, 12)
    ]
    return "{ " + " ".join(parts) + " }"


WORKLOADS = [
    Workload(
        "small",
        "first 10 events, 3 fields",
        '{ issue(id: "2") { events(first: 10) { nodes { eventID title dateCreated } } } }',
        "issues=2&per_page=10",
        10,
        '{ issueEvents(issue_id: "2", per_page: 10) { eventID title dateCreated } }',
    ),
    Workload(
        "list",
        "first 100 events: eventID, title, dateCreated, tags",
        '{ issue(id: "2") { events(first: 100) { nodes { eventID title dateCreated tags { key value } } } } }',
        "issues=2&per_page=100",
        100,
        '{ issueEvents(issue_id: "2", per_page: 100) { eventID title dateCreated tags { key value } } }',
    ),
    Workload(
        "full",
        "first 100 events with exception frames (context lines) and breadcrumbs",
        '{ issue(id: "2") { events(first: 100) { nodes { eventID title dateCreated entries { __typename '
        f"... on ExceptionEntry {{ values {{ type value module stacktrace {{ frames {{ {FRAME_FIELDS} }} }} }} }} "
        f"... on BreadcrumbsEntry {{ values {{ {CRUMB_FIELDS} }} }} }} }} }} }} }}",
        "issues=2&per_page=100&full=1",
        100,
        MESH_FULL,
    ),
    Workload(
        "fanout",
        "10 issues aliased in one query, 20 events each (eventID, title, dateCreated, tags)",
        _fanout_query(),
        "issues=2-11&per_page=20",
        200,
        _mesh_fanout_query(),
    ),
]


ISSUE_PAGE = (
    '{ issue(id: "2") { shortId title culprit level status count userCount firstSeen lastSeen '
    "project { slug } assignedTo { __typename } tags(limit: 5) { key name totalValues topValues { value count } } "
    "events(first: 25) { nodes { eventID dateCreated user { email } } pageInfo { hasNextPage endCursor } } "
    "latestEvent { entries { ... on ExceptionEntry { values { type value stacktrace { frames { filename function lineNo } } } } } } } }"
)
MANY_ISSUES = (
    "{ issues(ids: [" + ", ".join(f'"{n}"' for n in range(100, 150)) + "]) "
    "{ issueId shortId title status count lastSeen assignedTo { __typename } } }"
)
WORKLOADS += [
    Workload(
        "issue page",
        "issue fields + 5 tag facets + first 25 events + the latest event's exception (issue 14)",
        ISSUE_PAGE,
        "",
        25,
        gateway_only=True,
    ),
    Workload(
        "many issues",
        "issues(ids:) with 50 ids: title, status, count, lastSeen, assignee (issue 14)",
        MANY_ISSUES,
        "",
        0,
        gateway_only=True,
    ),
]


@dataclass
class Measure:
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    one_p50_ms: float = 0.0
    one_rps: float = 0.0
    rss_mib: float = 0.0
    rss_how: str = ""


@dataclass
class Target:
    name: str
    port: int
    proc: subprocess.Popen
    path: str = "/graphql"
    results: dict[str, Measure] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited early with status {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on {port} within {timeout}s")


def start(cmd: list[str], core: str, log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            ["taskset", "-c", core, *cmd],
            stdout=subprocess.DEVNULL,  # the gateway's JSON access log: written, not kept
            stderr=out,
            env={**os.environ, **(env or {})},
            cwd=ROOT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def rss_pids(pid: int) -> list[int]:
    """The target's python process: taskset execs, so ``pid`` is it (plus uvicorn workers, if any)."""
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    return pids


def status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


class RssWatch:
    """Peak RSS over a stretch of time: VmHWM after a reset, else VmRSS sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pids = rss_pids(pid)
        self.sampled = 0
        self.stop_flag = threading.Event()
        self.reset_ok = True
        for each in self.pids:
            try:
                Path(f"/proc/{each}/clear_refs").write_text("5")
            except OSError:
                self.reset_ok = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop_flag.wait(0.02):
            self.sampled = max(self.sampled, sum(status_kib(p, "VmRSS") for p in self.pids))

    def done(self) -> tuple[float, str]:
        self.stop_flag.set()
        self.thread.join()
        if self.reset_ok:
            return sum(status_kib(p, "VmHWM") for p in self.pids) / 1024, "VmHWM"
        return self.sampled / 1024, "sampled VmRSS"


def lua_script(body: str, directory: Path, name: str) -> Path:
    path = directory / f"{name}.lua"
    path.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [==[{body}]==]\n"
    )
    return path


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"latency {text!r}")
    return float(match.group(1)) * _UNIT[match.group(2)]


def wrk(url: str, script: Path, connections: int, seconds: float) -> dict:
    cmd = [
        "taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", "10s", "--latency", "-s", str(script), url,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30).stdout
    result = {"rps": 0.0, "p50": 0.0, "p99": 0.0, "errors": 0, "raw": out}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        result["rps"] = float(m.group(1))
    if m := re.search(r"^\s+50%\s+(\S+)", out, re.M):
        result["p50"] = _ms(m.group(1))
    if m := re.search(r"^\s+99%\s+(\S+)", out, re.M):
        result["p99"] = _ms(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out):
        result["errors"] += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        result["errors"] += sum(int(x) for x in m.groups())
    return result


def count_events(data: object) -> int:
    """Events in a response: nodes of every connection (gateway) or elements of every page (limit)."""
    if isinstance(data, dict):
        if "nodes" in data and isinstance(data["nodes"], list):
            return len(data["nodes"])
        return sum(count_events(v) for v in data.values())
    if isinstance(data, list) and data and isinstance(data[0], dict) and "eventID" in data[0]:
        return len(data)
    return 0


def query_for(target: Target, workload: Workload) -> str:
    return workload.mesh_query if target.name == "mesh" else workload.query


def check(target: Target, workload: Workload) -> int:
    url = f"http://127.0.0.1:{target.port}{target_path(target, workload)}"
    response = httpx.post(url, json={"query": query_for(target, workload)}, timeout=30)
    payload = response.json()
    if response.status_code != 200 or payload.get("errors"):
        raise SystemExit(f"{target.name}/{workload.name}: HTTP {response.status_code} {str(payload)[:500]}")
    events = count_events(payload.get("data"))
    if events != workload.expect_events:
        raise SystemExit(f"{target.name}/{workload.name}: {events} events, expected {workload.expect_events}")
    return len(response.content)


def upstream_calls(upstream_url: str, target: Target, workload: Workload) -> int:
    """Upstream requests one query makes (after one warm-up query), from bench/upstream.py's count."""
    url = f"http://127.0.0.1:{target.port}{target_path(target, workload)}"
    httpx.post(url, json={"query": query_for(target, workload)}, timeout=30)
    before = int(httpx.get(f"{upstream_url}/_bench/requests", timeout=10).text)
    httpx.post(url, json={"query": query_for(target, workload)}, timeout=30)
    return int(httpx.get(f"{upstream_url}/_bench/requests", timeout=10).text) - before


def target_path(target: Target, workload: Workload) -> str:
    return target.path + (f"?{workload.limit_params}" if target.name == "limit" else "")


def settle(url: str, query: str) -> None:
    """Wait out the requests wrk abandoned at the end of a run: one request must get through."""
    httpx.post(url, json={"query": query}, timeout=120)
    time.sleep(0.2)


def measure(target: Target, workload: Workload, script: Path, seconds: float, connections: int) -> Measure:
    url = f"http://127.0.0.1:{target.port}{target_path(target, workload)}"
    wrk(url, script, connections, 2)  # warm-up: connection pools, caches, allocator
    settle(url, query_for(target, workload))
    watch = RssWatch(target.proc.pid)
    loaded = wrk(url, script, connections, seconds)
    settle(url, query_for(target, workload))
    single = wrk(url, script, 1, seconds)
    rss, how = watch.done()
    if loaded["rps"] == 0:
        print(loaded["raw"], file=sys.stderr)
    return Measure(
        rps=loaded["rps"],
        p50_ms=loaded["p50"],
        p99_ms=loaded["p99"],
        errors=loaded["errors"] + single["errors"],
        one_p50_ms=single["p50"],
        one_rps=single["rps"],
        rss_mib=rss,
        rss_how=how,
    )


def profile(target: Target, workload: Workload, script: Path, seconds: float, connections: int) -> Path:
    """py-spy record (collapsed stacks) of the gateway while wrk loads it; prints the top self-time frames."""
    pyspy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    out = BENCH / "profiles" / f"profile-{workload.name}.txt"
    out.parent.mkdir(exist_ok=True)
    url = f"http://127.0.0.1:{target.port}{target_path(target, workload)}"
    spy = subprocess.Popen(
        [pyspy, "record", "--pid", str(target.proc.pid), "--duration", str(round(seconds)), "--rate", "200",
         "--format", "raw", "--output", str(out), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(0.5)
    wrk(url, script, connections, seconds)
    spy.wait(timeout=seconds + 60)
    self_time: dict[str, int] = {}
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        leaf = stack.rsplit(";", 1)[-1]
        self_time[leaf] = self_time.get(leaf, 0) + int(count)
        total += int(count)
    print(f"\npy-spy, {workload.name}: top self time ({total} samples, stacks in {out.relative_to(ROOT)})")
    for leaf, count in sorted(self_time.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {100 * count / total:5.1f}%  {leaf}")
    return out


def table(workload: Workload, results: dict[str, Measure]) -> str:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b else "n/a"

    names = {"gateway": "gateway", "limit": "Python limit", "mesh": "Mesh peer (Hive Gateway)"}
    rows = [
        "| target | req/s @16 | p50 @16 | p99 @16 | 1-client p50 | peak RSS | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, m in results.items():
        rows.append(
            f"| {names[key]} | {m.rps:.1f} | {m.p50_ms:.1f} ms | {m.p99_ms:.1f} ms | {m.one_p50_ms:.2f} ms "
            f"| {m.rss_mib:.0f} MiB | {m.errors} |"
        )
    gateway = results["gateway"]
    for key in ("limit", "mesh"):
        if key in results:
            other = results[key]
            rows.append(
                f"| **gateway / {names[key]}** | {ratio(gateway.rps, other.rps)} | {ratio(gateway.p50_ms, other.p50_ms)} "
                f"| {ratio(gateway.p99_ms, other.p99_ms)} | {ratio(gateway.one_p50_ms, other.one_p50_ms)} "
                f"| {ratio(gateway.rss_mib, other.rss_mib)} | |"
            )
    return f"### {workload.name}: {workload.what}\n\n" + "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s per measurement instead of 10")
    parser.add_argument("--seconds", type=float, help="seconds per measurement (overrides --quick)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workloads", default=",".join(w.name for w in WORKLOADS), help="comma-separated subset")
    parser.add_argument("--profile", metavar="WORKLOAD", help="also py-spy the gateway under this workload")
    parser.add_argument("--write", action="store_true", help="write the tables into bench/RESULTS.md")
    parser.add_argument(
        "--mesh",
        metavar="DIR",
        help="also measure the GraphQL Mesh peer: DIR holds node_modules from bench/mesh/package.json "
        "(e.g. `cd bench/mesh && npm install`, then --mesh bench/mesh)",
    )
    parser.add_argument("--label", default="baseline", help="heading of the section written by --write")
    args = parser.parse_args()
    seconds = args.seconds or (5.0 if args.quick else 10.0)
    chosen = [w for w in WORKLOADS if w.name in args.workloads.split(",")]
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: apt-get install -y wrk")
    if (os.cpu_count() or 1) < 2:
        print("warning: fewer than 2 cores; the pinning below shares one core", file=sys.stderr)

    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    up_port, gw_port, lim_port = free_port(), free_port(), free_port()
    upstream_url = f"http://127.0.0.1:{up_port}"
    py = sys.executable
    procs: list[subprocess.Popen] = []
    try:
        upstream = start([py, str(BENCH / "upstream.py"), "--port", str(up_port)], LOAD_CORE, tmp / "upstream.log")
        procs.append(upstream)
        gateway = start(
            [py, "-m", "gateway", "serve", "--port", str(gw_port)],
            GATEWAY_CORE,
            tmp / "gateway.log",
            env={"SENTRY_BASE_URL": upstream_url, "SENTRY_AUTH_TOKEN": "sntryu_demo"},
        )
        procs.append(gateway)
        limit = start(
            [py, str(BENCH / "limit.py"), "--port", str(lim_port), "--upstream", upstream_url],
            GATEWAY_CORE,
            tmp / "limit.log",
        )
        procs.append(limit)
        wait_port(up_port, upstream, "upstream")
        wait_port(gw_port, gateway, "gateway")
        wait_port(lim_port, limit, "limit")
        targets = [Target("gateway", gw_port, gateway), Target("limit", lim_port, limit)]
        if args.mesh:
            mesh_port = free_port()
            mesh = start_mesh(Path(args.mesh).resolve(), upstream_url, mesh_port, tmp)
            procs.append(mesh)
            wait_port(mesh_port, mesh, "mesh peer")
            targets.append(Target("mesh", mesh_port, mesh))

        print(f"upstream {upstream_url} (core {LOAD_CORE}), gateway :{gw_port} and limit :{lim_port} (core {GATEWAY_CORE})")
        print(f"{args.connections} connections, {seconds:g} s per measurement, wrk on core {LOAD_CORE}\n")
        sections = []
        for workload in chosen:
            measured = [t for t in targets if t.name == "gateway" or not workload.gateway_only]
            scripts = {
                t.name: lua_script(json.dumps({"query": query_for(t, workload)}), tmp, f"{workload.name}-{t.name}".replace(" ", "-"))
                for t in measured
            }
            script = scripts["gateway"]
            sizes = {t.name: check(t, workload) for t in measured}
            calls = {t.name: upstream_calls(upstream_url, t, workload) for t in measured}
            for t in measured:
                t.results[workload.name] = measure(t, workload, scripts[t.name], seconds, args.connections)
            section = table(workload, {t.name: t.results[workload.name] for t in measured})
            section += "\nresponse bytes: " + ", ".join(f"{name} {size}" for name, size in sizes.items()) + "\n"
            section += "upstream calls per query: " + ", ".join(f"{name} {n}" for name, n in calls.items()) + "\n"
            sections.append(section)
            print(section, flush=True)
            if args.profile == workload.name:
                profile(targets[0], workload, script, seconds, args.connections)

        how = {m.rss_how for t in targets for m in t.results.values()}
        footer = f"peak RSS: {', '.join(sorted(how))}; latencies from wrk --latency (HdrHistogram)."
        print(footer)
        if args.write:
            write_results(args, seconds, sections, footer)
        return 0
    finally:
        for proc in reversed(procs):
            stop(proc)
        for log in sorted(tmp.glob("*.log")):
            text = log.read_text(errors="replace").strip()
            if "Traceback" in text:
                print(f"--- {log.name} ---\n{text[-3000:]}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def start_mesh(directory: Path, upstream_url: str, port: int, tmp: Path) -> subprocess.Popen:
    """Compose the supergraph from bench/mesh/openapi.json in DIR, then run Hive Gateway on core 0."""
    for name in ("mesh.config.ts", "openapi.json"):
        if directory != BENCH / "mesh":
            shutil.copy(BENCH / "mesh" / name, directory / name)
    bin_dir = directory / "node_modules" / ".bin"
    subprocess.run(
        [str(bin_dir / "mesh-compose"), "-o", "supergraph.graphql"],
        cwd=directory, env={**os.environ, "UPSTREAM": upstream_url}, check=True, timeout=120,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with open(tmp / "mesh.log", "wb") as out:
        return subprocess.Popen(
            ["taskset", "-c", GATEWAY_CORE, str(bin_dir / "hive-gateway"), "supergraph", "supergraph.graphql",
             "--port", str(port), "--fork", "1"],
            cwd=directory, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def write_results(args: argparse.Namespace, seconds: float, sections: list[str], footer: str) -> None:
    path = BENCH / "RESULTS.md"
    command = "python bench/run.py" + (" --quick" if args.quick and not args.seconds else "")
    if args.seconds:
        command += f" --seconds {args.seconds:g}"
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = (
        f"## {args.label} ({stamp})\n\n`{command}`, {args.connections} connections, {seconds:g} s per measurement.\n\n"
        + "\n".join(sections)
        + f"\n{footer}\n"
    )
    text = path.read_text() if path.exists() else ""
    marker = "<!-- results -->"
    if marker in text:
        text = text.replace(marker, marker + "\n\n" + block, 1)
    else:
        text = text + "\n" + block
    path.write_text(text)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
