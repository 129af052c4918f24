"""The GraphQL over HTTP spec, audited by the npm package ``graphql-http`` (its
``serverAudits``), against the real gateway (``python -m gateway serve``) over the demo upstream.

The gateway runs with a token of its own (``SENTRY_AUTH_TOKEN``), so its CSRF guard is on:
every MUST and SHOULD audit still passes. The audits that fail are listed by the test, and
any failing MUST or SHOULD fails it. The only audits a plain caller may fail are MAY ones
sent as GETs without a header that forces a browser preflight (the CSRF guard refuses
them); a caller with its own ``Authorization`` passes every audit, the MAYs included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: MAY audits a caller without a credential of its own fails because of the CSRF guard:
#: each is a GET carrying no header that would force a browser to ask first.
GETS_WITHOUT_PREFLIGHT = {"5A70", "D6D5", "6A70"}


def _audit(run_node: Callable[..., Any], url: str, *args: str) -> list[dict[str, Any]]:
    results = run_node("audit.mjs", url, *args)["results"]
    assert len(results) > 50, results  # the whole suite ran
    return results


def _failures(results: list[dict[str, Any]], *statuses: str) -> list[str]:
    return [
        f"{r['id']} {r['name']}: {r['reason']} (HTTP {r['responseStatus']})"
        for r in results
        if r["status"] in statuses
    ]


def test_every_must_and_should_of_the_graphql_over_http_audit_passes(
    run_node: Callable[..., Any], gateway_url: str
) -> None:
    results = _audit(run_node, gateway_url)
    failed = _failures(results, "error", "warn")
    assert not failed, "GraphQL over HTTP audits failed:\n" + "\n".join(failed)
    optional = {r["id"] for r in results if r["status"] == "notice"}
    assert optional <= GETS_WITHOUT_PREFLIGHT, _failures(results, "notice")


def test_a_caller_with_its_own_token_passes_every_audit(run_node: Callable[..., Any], gateway_url: str) -> None:
    results = _audit(run_node, gateway_url, "Bearer sntryu_demo")
    failed = _failures(results, "error", "warn", "notice")
    assert not failed, "GraphQL over HTTP audits failed:\n" + "\n".join(failed)
