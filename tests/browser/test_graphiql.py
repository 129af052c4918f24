"""GraphiQL in a real browser, with the network to every other host cut off.

Debian's headless Chromium loads ``/graphql`` from a gateway serving the
demo and the pinned GraphiQL assets; every request to a host other than
127.0.0.1 is aborted (and recorded, so the test also proves the page never
tried one). GraphiQL's run button executes the example query, and the event
ids the gateway returns must show in the result pane. A screenshot goes to
``test-artifacts/graphiql.png``.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import httpx

from gateway.ide import CONTENT_SECURITY_POLICY, EXAMPLE_QUERY, EXAMPLE_VARIABLES

from .conftest import ARTIFACTS, CHROMIUM_ARGS

#: Generous for a cold browser on a slow CI machine.
TIMEOUT_MS = 30_000


def expected_event_ids(base: str) -> list[str]:
    body = httpx.post(
        f"{base}/graphql", json={"query": EXAMPLE_QUERY, "variables": EXAMPLE_VARIABLES}, timeout=30
    ).json()
    assert "errors" not in body, body
    ids = [edge["node"]["eventID"] for edge in body["data"]["issue"]["events"]["edges"]]
    assert len(ids) == EXAMPLE_VARIABLES["first"]
    return ids


def test_graphiql_runs_the_example_query_offline(chromium_path: str, gateway_url: str) -> None:
    from playwright.sync_api import Route, sync_playwright

    ids = expected_event_ids(gateway_url)
    blocked: list[str] = []
    loaded: list[str] = []
    problems: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname != "127.0.0.1":
            blocked.append(url)
            route.abort("blockedbyclient")
        else:
            loaded.append(url)
            route.continue_()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

            response = page.goto(f"{gateway_url}/graphql", wait_until="load", timeout=TIMEOUT_MS)
            assert response is not None and response.ok
            assert response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, (
                "the gateway did not serve the local GraphiQL page (is gateway.ide.render_ide wired "
                "into gateway/app.py, and did the assets fetch succeed?)"
            )

            run = page.locator(".graphiql-execute-button")
            run.wait_for(state="visible", timeout=TIMEOUT_MS)
            # The example query and the explorer plugin are there before running anything.
            page.locator(".graphiql-query-editor").get_by_text("query IssueEvents").wait_for(timeout=TIMEOUT_MS)
            page.get_by_role("button", name="Show GraphiQL Explorer").wait_for(timeout=TIMEOUT_MS)
            run.click()

            pane = page.locator(".graphiql-response")
            pane.get_by_text(ids[0]).first.wait_for(state="visible", timeout=TIMEOUT_MS)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "graphiql.png"))

            # The whole result, as CodeMirror holds it (it renders only the visible lines).
            text = page.evaluate("document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()")
            shown = json.loads(text)
            assert [e["node"]["eventID"] for e in shown["data"]["issue"]["events"]["edges"]] == ids
        finally:
            browser.close()

    assert blocked == [], f"the page tried other hosts: {blocked}"
    assert any("/graphql/ide/vendor/graphiql@" in url for url in loaded), loaded
    assert problems == [], problems
