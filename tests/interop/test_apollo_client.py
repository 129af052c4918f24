"""Apollo Client pages through a whole issue with relayStylePagination and fetchMore.

node/client-walk.mjs is the "load more" loop of a frontend: InMemoryCache with
`relayStylePagination()` on `Issue.events`, one `watchQuery`, then `fetchMore({after:
endCursor})` until `hasNextPage` is false. The merged list in the cache (and what the watcher
shows) must be the issue's events in Sentry's order, each once, one REST call per page.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import DemoUpstream

ISSUE = "2"  # 320 events in the demo


@pytest.mark.parametrize("page_size", [50, 100])
def test_fetch_more_walks_every_page_in_upstream_order(
    run_node: Any, gateway_url: str, demo_upstream: DemoUpstream, page_size: int
) -> None:
    expected = demo_upstream.store.gateway_order(ISSUE)
    assert len(expected) == 320
    demo_upstream.reset()

    out = run_node("client-walk.mjs", gateway_url, ISSUE, str(page_size))

    full, rest = divmod(len(expected), page_size)
    assert [p["size"] for p in out["pages"]] == [page_size] * full + ([rest] if rest else [])
    assert [p["hasNextPage"] for p in out["pages"]] == [True] * (len(out["pages"]) - 1) + [False]
    assert out["eventIDs"] == expected  # same order, nothing skipped
    assert len(set(out["eventIDs"])) == len(out["eventIDs"])  # nothing repeated
    assert len(set(out["ids"])) == len(expected)  # global ids are distinct cache keys
    assert out["watchedEventIDs"] == expected  # what the watching UI renders
    assert out["pageInfo"]["hasNextPage"] is False

    # Each worker process discovers the organization once per credential: not a page.
    calls = [call for call in demo_upstream.calls() if call[0] != "/api/0/organizations/"]
    # Pages are asked for by value (whole-second `end` below the last edge, offset 0), never
    # by an offset kept between pages; a page costs one call, two when it ends inside a burst
    # of same-second events or holds 100 (one Sentry page cannot show the 101st event).
    assert len(out["pages"]) <= len(calls) <= 2 * len(out["pages"]), calls
    assert all("cursor" not in params and "end" in params for _, params in calls), calls
