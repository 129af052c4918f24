"""Every field of every demo event, through HTTP, the loaders and the demo upstream.

The schema-level twin of this test lives in `test_event_types.py`; this one
proves the same for what really crosses the wire: the gateway's answer for
demo issue 1 (every shared fixture event) and issue 3 (every entry kind, and
the older and odd shapes: both NEL shapes, JSON OCSP responses, `"?"` frame
positions, older frame keys) is compared, field by field, with the full REST
page the demo upstream serves for it, and every leaf of that JSON must have
been compared.
"""

from __future__ import annotations

import httpx
import pytest

from gateway.schema import build_schema

from .conftest import Gateway
from .test_event_types import Comparison, _selection, unvisited

pytestmark = pytest.mark.anyio

SCHEMA = build_schema()._schema
EVENT = SCHEMA.get_type("Event")
ALL_EVENT_FIELDS = _selection(EVENT)


@pytest.mark.parametrize("issue", ["1", "3"])
async def test_every_demo_field_survives_the_whole_path(gateway: Gateway, issue: str) -> None:
    query = f'{{ issue(id: "{issue}") {{ events(first: 100) {{ nodes {ALL_EVENT_FIELDS} }} }} }}'
    data = await gateway.data(query)
    nodes = data["issue"]["events"]["nodes"]

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway.demo_app), base_url="http://upstream"
    ) as upstream:
        response = await upstream.get(
            f"/api/0/issues/{issue}/events/",
            params={"full": "true", "per_page": 100},
            headers={"Authorization": "Bearer sntryu_demo"},
        )
    rest = response.json()
    assert len(rest) == len(nodes) >= 10

    for sent, answered in zip(rest, nodes):
        comparison = Comparison()
        comparison.object(EVENT, sent, answered, ())
        missing = unvisited(sent, comparison.visited)
        assert not missing, f"{sent['eventID']}: fields never compared: {missing[:10]}"
