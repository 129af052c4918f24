"""`gateway.sentry.wire`'s pure parts: bodies decoded and headers joined exactly as httpx does."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.sentry.wire import decode_content, join_headers


def _deflate(data: bytes, raw: bool) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "deflate": lambda data: _deflate(data, raw=False),
    "raw-deflate": lambda data: _deflate(data, raw=True),
    "identity": lambda data: data,
    "garbage": lambda data: b"\x00not compressed\xff" + data,  # sent as gzip or deflate
}
HEADER_NAME = {"raw-deflate": "deflate", "garbage": "gzip"}


def _httpx_outcome(body: bytes, content_encoding: str) -> bytes | str:
    try:
        return httpx.Response(200, headers={"Content-Encoding": content_encoding}, content=body).content
    except httpx.DecodingError:
        return "undecodable"


def _our_outcome(body: bytes, content_encoding: str) -> bytes | str:
    try:
        return decode_content(body, content_encoding)
    except zlib.error:
        return "undecodable"


@settings(max_examples=300, deadline=None)
@given(
    payload=st.binary(max_size=2000),
    codings=st.lists(st.sampled_from(sorted(ENCODERS)), min_size=1, max_size=3),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    spelling=st.sampled_from(["{}", "{} ", " {}", "{}".upper()]),
)
def test_bodies_decode_as_httpx_decodes_them(payload: bytes, codings: list[str], cut: int | None, spelling: str) -> None:
    body = payload
    for coding in codings:
        body = ENCODERS[coding](body)
    if cut is not None:
        body = body[: max(0, len(body) - cut)]  # cut short, as a dropped connection would leave it
    header = ",".join(spelling.format(HEADER_NAME.get(c, c)) for c in codings)
    assert _our_outcome(body, header) == _httpx_outcome(body, header)


@pytest.mark.parametrize("header", ["", "br", "compress", "identity"])
def test_codings_never_asked_for_are_left_alone(header: str) -> None:
    assert decode_content(b"as sent", header) == b"as sent" == _httpx_outcome(b"as sent", header or "identity")


@given(
    st.lists(
        st.tuples(
            st.sampled_from([b"Link", b"link", b"X-Sentry-Rate-Limit-Remaining", b"Content-Type", b"X-Odd"]),
            st.binary(max_size=20).filter(lambda v: b"\r" not in v and b"\n" not in v),
        ),
        max_size=8,
    )
)
def test_headers_read_as_httpx_headers_get_reads_them(raw: list[tuple[bytes, bytes]]) -> None:
    joined = join_headers(raw)
    reference = httpx.Headers(raw, encoding="latin-1")
    for name in {name.decode().lower() for name, _ in raw}:
        assert joined[name] == reference.get(name)
    assert set(joined) == {name.decode().lower() for name, _ in raw}
