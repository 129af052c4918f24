"""A request's upstream pages are freed when it ends, not at the next full garbage collection.

graphql-core's executor is a reference cycle that holds the request context;
the loaders' caches (pages of parsed JSON) must not hang off it, or a busy
gateway holds megabytes per past request until a full collection.
"""

from __future__ import annotations

import gc

import pytest

from .conftest import Gateway

pytestmark = pytest.mark.anyio

QUERY = """{ issue(id: "2") { events(first: 100) { nodes { eventID title tags { key value }
  entries { __typename ... on ExceptionEntry { values { type stacktrace { frames { function context { line } } } } } } } } } }"""


async def test_a_full_page_is_not_left_in_reference_cycles(gateway: Gateway) -> None:
    await gateway.data(QUERY)  # warm: caches, first-time imports
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            await gateway.data(QUERY)
        left_in_cycles = gc.collect()
    finally:
        gc.enable()
    # The page alone is ~10,000 containers (100 events, their entries, frames, tags).
    # What remains is the executor's own small cycle.
    assert left_in_cycles < 3 * 600, left_in_cycles
