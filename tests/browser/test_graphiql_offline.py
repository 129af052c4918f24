"""GraphiQL without its CDN: the page says so, and what to run, instead of "Loading..." forever.

The gateway serves the demo with no local GraphiQL assets (an empty
``GATEWAY_IDE_ASSETS`` folder), so ``/graphql`` is the CDN page. Headless
Chromium loads it with every host but 127.0.0.1 cut off: once with the CDN
requests refused (a firewall that rejects, or no DNS), once with them left
hanging (a firewall that drops). Either way the page must show the message
naming ``python -m gateway.ide fetch`` within a few seconds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from gateway.ide.page import CDN_TIMEOUT_SECONDS, FETCH_COMMAND

from .conftest import ARTIFACTS, CHROMIUM_ARGS, _serving



@pytest.fixture(scope="module")
def cdn_gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``serve --demo`` with an empty assets folder: the CDN page."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "GATEWAY_"))}
    env["GATEWAY_IDE_ASSETS"] = str(tmp_path_factory.mktemp("no-ide-assets"))
    with _serving(env, tmp_path_factory.mktemp("gateway-cwd")) as base:
        yield base


@pytest.mark.parametrize("network", ["refused", "hanging"])
def test_the_cdn_page_says_what_to_run_when_the_cdn_is_unreachable(
    chromium_path: str, cdn_gateway_url: str, network: str
) -> None:
    from playwright.sync_api import Route, sync_playwright

    outside: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
            return
        outside.append(route.request.url)
        if network == "refused":
            route.abort("connectionrefused")
        # "hanging": never answered; the browser waits as for a dropped packet.

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route("**/*", only_loopback)
            page.goto(f"{cdn_gateway_url}/graphql", wait_until="commit", timeout=30_000)
            alert = page.locator("#graphiql-cdn-unreachable")
            # A few seconds at most after the page starts, with margin for a slow CI machine.
            alert.wait_for(state="visible", timeout=(CDN_TIMEOUT_SECONDS + 6) * 1000)
            text = alert.inner_text()
            if network == "refused":  # a page still loading (hanging) cannot be captured
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "graphiql-cdn-unreachable.png"))
        finally:
            browser.close()

    assert FETCH_COMMAND in text
    assert "unpkg.com" in text and "could not load" in text
    assert any("unpkg.com" in url for url in outside), outside
