"""Fixtures for the interop tests: pinned Node tools, a demo upstream that counts, a gateway.

* `node_tools` installs the exact npm packages of ``package.json`` / ``package-lock.json``
  (``npm ci``) once into a cache folder keyed by the hash of both files, and reuses it.
  Without ``node`` or ``npm`` on PATH the tests skip, saying so; a failed install fails them.
* `demo_upstream` serves the embedded Sentry-compatible demo app under uvicorn in a thread
  of this process, so its request log (`RequestRecord`s) is the upstream call count.
* `gateway_url` runs the real gateway (``python -m gateway serve``) as a subprocess pointed
  at that upstream, the way it runs against Sentry.
* `run_node` runs one of the small scripts in ``node/`` and returns the JSON it prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.request import ProxyHandler, Request, build_opener

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE_FILES = ("package.json", "package-lock.json")
MIN_NODE_MAJOR = 20
_LOOPBACK = build_opener(ProxyHandler({}))  # urllib without the environment's proxies
NPM_CI_TIMEOUT = 900
NODE_TIMEOUT = 300


# --------------------------------------------------------------------------- Node tools


@dataclass(frozen=True)
class NodeTools:
    node: str
    prefix: Path  # the cache folder holding node_modules/
    scripts: Path  # a per-session copy of node/, beside a node_modules link

    @property
    def node_modules(self) -> Path:
        return self.prefix / "node_modules"

    def bin(self, name: str) -> Path:
        return self.node_modules / ".bin" / name


def _cache_root() -> Path:
    override = os.environ.get("INTEROP_NODE_CACHE")
    if override:
        return Path(override)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "sentry-events-gateway" / "interop-node"


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in PACKAGE_FILES:
        digest.update(name.encode() + b"\0" + (HERE / name).read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _install(node: str, npm: str) -> Path:
    """The cache folder for this lockfile, running ``npm ci`` there unless already done."""
    root = _cache_root()
    root.mkdir(parents=True, exist_ok=True)
    prefix = root / _lock_digest()
    marker = prefix / ".installed"
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two pytest runs never install into one folder
        if marker.exists():
            return prefix
        staging = root / f"{prefix.name}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for name in PACKAGE_FILES:
            shutil.copyfile(HERE / name, staging / name)
        # --ignore-scripts: nothing we use needs an install script (relay-compiler ships its
        # binaries inside the package), and none may download anything.
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
        try:
            result = subprocess.run(
                command, cwd=staging, capture_output=True, text=True, timeout=NPM_CI_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.fail(f"`npm ci` in {staging} did not finish within {NPM_CI_TIMEOUT}s", pytrace=False)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            pytest.fail(
                f"`{' '.join(command)}` failed with exit code {result.returncode} "
                f"(npm is present, so this is a failure, not a skip):\n{result.stderr[-4000:]}",
                pytrace=False,
            )
        (staging / ".installed").write_text(json.dumps({"node": _node_version(node)}) + "\n")
        shutil.rmtree(prefix, ignore_errors=True)
        staging.rename(prefix)
        return prefix


def _node_version(node: str) -> str:
    return subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="session")
def node_tools(tmp_path_factory: pytest.TempPathFactory) -> NodeTools:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if path is None)
        pytest.skip(f"{missing} not found on PATH: the interop tests need Node {MIN_NODE_MAJOR}+ and npm")
    version = _node_version(node)
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < MIN_NODE_MAJOR:
        pytest.fail(f"node {version} is too old: the pinned packages need Node {MIN_NODE_MAJOR}+", pytrace=False)
    prefix = _install(node, npm)
    # Node resolves packages from the script's own folder upwards, so the scripts run from
    # a session folder that links to the cached node_modules.
    work = tmp_path_factory.mktemp("interop-node")
    (work / "node_modules").symlink_to(prefix / "node_modules", target_is_directory=True)
    shutil.copyfile(HERE / "package.json", work / "package.json")  # "type": "module"
    scripts = work / "node"
    shutil.copytree(HERE / "node", scripts)
    return NodeTools(node=node, prefix=prefix, scripts=scripts)


@pytest.fixture(scope="session")
def run_node(node_tools: NodeTools) -> Callable[..., Any]:
    """``run_node("compose.mjs", *args, stdin=obj)``: the JSON the script prints last on stdout."""

    def run(script: str, *args: str, stdin: Any = None, timeout: float = NODE_TIMEOUT) -> Any:
        command = [node_tools.node, str(node_tools.scripts / script), *args]
        result = subprocess.run(
            command,
            input=None if stdin is None else json.dumps(stdin),
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "NODE_NO_WARNINGS": "1", "NO_PROXY": _no_proxy()},
        )
        assert result.returncode == 0, (
            f"{script} exited with {result.returncode}\nstdout:\n{result.stdout[-4000:]}\n"
            f"stderr:\n{result.stderr[-4000:]}"
        )
        lines = result.stdout.strip().splitlines()
        try:
            return json.loads(lines[-1])  # libraries may log lines of their own before it
        except (IndexError, json.JSONDecodeError):
            pytest.fail(f"{script} printed no JSON:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")

    return run


# --------------------------------------------------------------------------- servers


def _no_proxy() -> str:
    """NO_PROXY plus loopback: the servers here are never reached through a proxy."""
    return ",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"]))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DemoUpstream:
    """The demo upstream under uvicorn in a thread; `calls()` is what it was asked."""

    def __init__(self) -> None:
        import uvicorn

        from gateway.demo import create_demo_app
        from gateway.demo.issues import add_many_issues

        self.app = create_demo_app()
        self.many_issues = add_many_issues(self.app.state.store, 50)  # ids 100-149
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the demo upstream did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()

    @property
    def store(self) -> Any:
        return self.app.state.store

    def reset(self) -> None:
        self.app.state.requests.clear()

    def calls(self) -> list[tuple[str, dict[str, list[str]]]]:
        """(path, query parameters) of every request so far, in arrival order."""
        return [(r.path, parse_qs(r.query_string, keep_blank_values=True)) for r in list(self.app.state.requests)]


@pytest.fixture(scope="session")
def demo_upstream() -> Iterator[DemoUpstream]:
    upstream = DemoUpstream()
    upstream.start()
    try:
        yield upstream
    finally:
        upstream.stop()


@pytest.fixture(scope="session")
def gateway_url(demo_upstream: DemoUpstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m gateway serve`` over `demo_upstream`; yields its /graphql URL."""
    log_path = tmp_path_factory.mktemp("gateway") / "gateway.log"
    port = _free_port()
    env = {
        **os.environ,
        "SENTRY_BASE_URL": demo_upstream.url,
        "SENTRY_AUTH_TOKEN": "sntryu_demo",
        "GATEWAY_DEMO": "0",
        "NO_PROXY": _no_proxy(),
    }
    for name in ("SENTRY_ORG", "GATEWAY_CURSOR_SECRET"):
        env.pop(name, None)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the gateway exited with {process.returncode}:\n{log_path.read_text()}", pytrace=False)
            with contextlib.suppress(OSError):
                with _LOOPBACK.open(f"{base}/healthz", timeout=2) as response:
                    health = json.load(response)
                    assert health["mode"] == "sentry" and health["upstream"] == demo_upstream.url, health
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the gateway did not answer /healthz within 30s:\n{log_path.read_text()}", pytrace=False)
            time.sleep(0.1)
        yield f"{base}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def graphql(url: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST one operation to `url`; the whole response body."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = Request(url, data=body, headers={"Content-Type": "application/json"})
    with _LOOPBACK.open(request, timeout=30) as response:
        return json.load(response)
