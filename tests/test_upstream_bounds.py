"""`Upstream`'s bounds as properties: any body, any split into reads, any cap.

A body within the cap reads back exactly as gzip / zlib would decode it; one
over the cap, on the wire or decoded, is `BodyRefused`; so is anything but one
known content coding. (Over real sockets: ``tests/test_hostile_upstream.py``.)
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.sentry.upstream import BodyRefused, Upstream


class Chunks(httpx.AsyncByteStream):
    """A response body arriving in the given pieces, as a socket would give them."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece


def _encode(payload: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(payload)
    if coding == "deflate":
        return zlib.compress(payload)
    if coding == "raw-deflate":
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        return compressor.compress(payload) + compressor.flush()
    return payload


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)]) if b > a]


def fetch(body: list[bytes], headers: dict[str, str], cap: int) -> bytes | str:
    async def run() -> bytes | str:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers, stream=Chunks(body)))
        async with Upstream(transport, max_body_bytes=cap) as upstream:
            try:
                return (await upstream.get("http://sentry.test/x", {}, 5)).content
            except BodyRefused as exc:
                return f"refused: {exc.reason}"

    return asyncio.run(run())


@settings(max_examples=150, deadline=None)
@given(
    payload=st.one_of(st.binary(max_size=3000), st.integers(0, 50_000).map(bytes)),
    coding=st.sampled_from(["identity", "gzip", "deflate", "raw-deflate"]),
    cuts=st.lists(st.integers(0, 60_000), max_size=6),
    cap=st.integers(1, 20_000),
)
def test_a_body_reads_back_exactly_or_is_refused_over_the_cap(payload: bytes, coding: str, cuts: list[int], cap: int) -> None:
    encoded = _encode(payload, coding)
    header = {"identity": {}, "gzip": {"Content-Encoding": "gzip"}}.get(coding, {"Content-Encoding": "deflate"})
    result = fetch(_split(encoded, cuts), header, cap)
    if len(payload) <= cap and len(encoded) <= cap:
        assert result == payload
    else:
        assert isinstance(result, str) and "cap" in result


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("gzip, gzip", "2 content codings"),
        ("gzip,deflate", "2 content codings"),
        ("br", "never asked for"),
        ("zstd", "never asked for"),
    ],
)
def test_one_known_content_coding_at_most(header: str, reason: str) -> None:
    body = gzip.compress(gzip.compress(b"[]"))
    result = fetch([body], {"Content-Encoding": header}, 1_000_000)
    assert isinstance(result, str) and reason in result


def test_a_gzip_body_cut_short_is_refused() -> None:
    body = gzip.compress(b"[" + b'{"eventID": "a"},' * 1000 + b"]")
    assert "cut off" in str(fetch([body[: len(body) // 2]], {"Content-Encoding": "gzip"}, 1_000_000))


def test_identity_is_no_coding() -> None:
    assert fetch([b"[]"], {"Content-Encoding": "identity"}, 100) == b"[]"


def test_the_bomb_is_stopped_within_one_step_of_the_cap() -> None:
    """A read of 1 KiB that inflates to 1 MiB is never inflated past the cap."""
    body = gzip.compress(bytes(50 * 1024 * 1024), compresslevel=1)
    assert "over the size cap" in str(fetch(_split(body, list(range(0, len(body), 1024))), {"Content-Encoding": "gzip"}, 100_000))
