"""Fixtures for the browser tests: Debian's Chromium, pinned GraphiQL assets, a live gateway.

Chromium is the system one (``/usr/bin/chromium``, Debian's ``chromium``
package), driven by Playwright from PyPI; Playwright's own browser download
(``playwright install``) is never used. When the binary is missing the
fixture tries ``apt-get install -y chromium`` (as root, with apt-get); the
tests skip only when that is impossible too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path(os.environ.get("GATEWAY_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"


def _install_chromium() -> str | None:
    """Try to install Debian's chromium; the reason it cannot be, or None on success."""
    apt = shutil.which("apt-get")
    if apt is None:
        return "apt-get is not available"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return "not running as root, so apt-get cannot install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([apt, "update", "-qq"], [apt, "install", "-y", "-qq", "chromium"]):
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if proc.returncode != 0:
            return f"`{' '.join(command)}` failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
    return None if CHROMIUM.exists() else f"apt-get installed chromium but {CHROMIUM} is still missing"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        reason = _install_chromium()
        if reason is not None:
            pytest.skip(f"{CHROMIUM} is absent and not installable: {reason}")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def ide_assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned GraphiQL assets, fetched from npm by the documented command."""
    dest = tmp_path_factory.mktemp("ide-assets")
    proc = subprocess.run(
        [sys.executable, "-m", "gateway.ide", "fetch", "--dest", str(dest)],
        cwd=dest,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, f"python -m gateway.ide fetch failed:\n{proc.stdout}\n{proc.stderr}"
    assert (dest / "manifest.json").is_file()
    return dest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _serving(env: dict[str, str], cwd: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise AssertionError(f"gateway exited early:\n{process.stdout.read()}")  # type: ignore[union-attr]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError("gateway did not start in 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


@pytest.fixture(scope="session")
def gateway_url(ide_assets: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m gateway serve --demo`` on loopback, serving the fetched assets."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_"))}
    env["GATEWAY_IDE_ASSETS"] = str(ide_assets)
    # cwd outside the repo: the gateway that runs is the installed package.
    with _serving(env, tmp_path_factory.mktemp("gateway-cwd")) as base:
        yield base
