"""The gateway reaches Sentry through a real egress proxy, as the environment says.

Debian's ``tinyproxy`` (installed by ``.ci/run``) runs on a loopback port; the
demo upstream runs on another. The gateway is pointed at the upstream with
``HTTP_PROXY`` (or ``HTTPS_PROXY`` for https, through a CONNECT tunnel)
set, and the proxy's log must show the request; with ``NO_PROXY`` covering
the host it must not, and the answer is the same.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.demo import DEMO_TOKEN, create_demo_app
from gateway.settings import load_settings

from .servers import serve_in_thread

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(
        shutil.which("tinyproxy") is None,
        reason="tinyproxy is not installed (apt-get install tinyproxy; .ci/run installs it)",
    ),
]

QUERY = '{ issue(id: "2") { events(first: 3) { nodes { eventID } } } }'
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy")


class Proxy:
    """A tinyproxy process on a free loopback port, logging every request it forwards."""

    def __init__(self, directory: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = directory / "tinyproxy.log"
        config = directory / "tinyproxy.conf"
        # No ConnectPort line: CONNECT to any port (the test upstream's).
        config.write_text(
            f"Port {self.port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\n"
            f'LogFile "{self.log}"\nLogLevel Connect\n'
        )
        self.process = subprocess.Popen(
            ["tinyproxy", "-d", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"tinyproxy did not start: {self.text()}")
                time.sleep(0.05)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    running = Proxy(tmp_path_factory.mktemp("proxy"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    base, stop = serve_in_thread(create_demo_app())
    yield base
    stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


async def ask(base: str) -> dict[str, Any]:
    """The events of issue 2 through a gateway pointed at `base` (the environment read at start-up)."""
    app = create_app(load_settings({"SENTRY_BASE_URL": base, "SENTRY_AUTH_TOKEN": DEMO_TOKEN, "SENTRY_MAX_RETRIES": "0"}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost") as http,
    ):
        response = await http.post("/graphql", json={"query": QUERY})
    body = response.json()
    assert "errors" not in body, body
    return body


def _requests_seen(proxy: Proxy, marker: str) -> int:
    return sum(marker in line for line in proxy.text().splitlines())


async def test_requests_go_through_http_proxy_unless_no_proxy_covers_the_host(
    proxy: Proxy, upstream: str, clean_env: pytest.MonkeyPatch
) -> None:
    marker = f"GET {upstream}/api/0/issues/2/events/"
    clean_env.setenv("HTTP_PROXY", proxy.url)
    before = _requests_seen(proxy, marker)
    through_proxy = await ask(upstream)
    assert _requests_seen(proxy, marker) == before + 1, proxy.text()[-2000:]

    clean_env.setenv("NO_PROXY", "127.0.0.1")
    direct = await ask(upstream)
    assert _requests_seen(proxy, marker) == before + 1  # not one more: NO_PROXY was honoured
    assert direct == through_proxy and len(direct["data"]["issue"]["events"]["nodes"]) == 3


async def test_all_proxy_is_honoured(proxy: Proxy, upstream: str, clean_env: pytest.MonkeyPatch) -> None:
    marker = f"GET {upstream}/api/0/issues/2/events/"
    clean_env.setenv("ALL_PROXY", proxy.url)
    before = _requests_seen(proxy, marker)
    await ask(upstream)
    assert _requests_seen(proxy, marker) == before + 1


@pytest.fixture(scope="module")
def tls_upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo upstream over https, its certificate from a test authority (the CA file's path)."""
    import trustme

    authority = trustme.CA()
    directory = tmp_path_factory.mktemp("tls")
    server_pem, ca_pem = directory / "server.pem", directory / "ca.pem"
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    authority.cert_pem.write_to_path(str(ca_pem))
    base, stop = serve_in_thread(create_demo_app(), ssl_certfile=str(server_pem), ssl_keyfile=str(server_pem))
    yield base, str(ca_pem)
    stop()


async def test_https_goes_through_a_connect_tunnel_with_the_certificate_checked(
    proxy: Proxy, tls_upstream: tuple[str, str], clean_env: pytest.MonkeyPatch
) -> None:
    base, ca_file = tls_upstream
    host = base.removeprefix("https://")
    marker = f"CONNECT {host}"
    clean_env.setenv("HTTPS_PROXY", proxy.url)
    clean_env.setenv("SSL_CERT_FILE", ca_file)
    before = _requests_seen(proxy, marker)
    await ask(base)
    assert _requests_seen(proxy, marker) == before + 1, proxy.text()[-2000:]
