"""The pure cursor mapping: codec, windows, offset arithmetic, end finding."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.schema.paging.pagination import (
    DEFAULT_WINDOW,
    CursorCodec,
    CursorError,
    CursorState,
    PagingError,
    Position,
    backward_span,
    connection_binding,
    forward_span,
    locate_end,
    parse_stats_period,
    pin_window,
    validate_page_size,
    window_filters,
)
from gateway.sentry.filters import EventFilters

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
WINDOW = (NOW - DEFAULT_WINDOW, NOW)

windows = st.tuples(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.timezone.utc)),
    st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=400)),
).map(lambda t: (t[0], t[0] + t[1]))
positions = st.one_of(
    st.integers(min_value=0, max_value=10**9).map(Position.at_offset),
    st.builds(
        lambda c, size, i: Position.in_page(c, size, i % size),
        st.one_of(st.none(), st.from_regex(r"\A1[0-9]{12}:[0-9]{1,3}:[01]\Z")),
        st.integers(min_value=1, max_value=100),
        st.integers(min_value=0, max_value=99),
    ),
)


@given(window=windows, position=positions, secret=st.one_of(st.none(), st.text(min_size=1)))
def test_cursors_round_trip(window, position, secret) -> None:
    codec = CursorCodec(secret)
    state = CursorState("b" * 16, window, position)
    text = codec.encode(state)
    assert codec.decode(text, binding="b" * 16) == state
    assert all(c.isalnum() or c in "-_" for c in text)  # safe in URLs and JSON


@given(position=positions, flip=st.integers(min_value=0, max_value=10**6))
def test_any_altered_byte_is_rejected(position, flip) -> None:
    codec = CursorCodec("secret")
    raw = bytearray(base64.urlsafe_b64decode(_pad(codec.encode(CursorState("x", WINDOW, position)))))
    index = flip % len(raw)
    raw[index] ^= 1 + flip % 255
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(CursorError):
        codec.decode(tampered, binding="x")


def test_a_cursor_from_another_connection_is_rejected() -> None:
    codec = CursorCodec()
    a = connection_binding("2", EventFilters(environment=("production",)))
    b = connection_binding("2", EventFilters(environment=("staging",)))
    text = codec.encode(CursorState(a, WINDOW, Position.at_offset(3)))
    with pytest.raises(CursorError, match="another connection"):
        codec.decode(text, binding=b)


def test_a_cursor_signed_with_another_secret_is_rejected() -> None:
    text = CursorCodec("one").encode(CursorState("x", WINDOW, Position.at_offset(3)))
    with pytest.raises(CursorError):
        CursorCodec("two").decode(text, binding="x")


def test_cursors_survive_a_new_codec_with_the_same_secret() -> None:
    # Another worker, another replica, or the same process after a restart.
    text = CursorCodec("k").encode(CursorState("x", WINDOW, Position.at_offset(42)))
    assert CursorCodec("k").decode(text, binding="x").position.offset == 42


@pytest.mark.parametrize("text", ["", "!!!", "a" * 5000, "YWJj", base64.urlsafe_b64encode(b"x" * 40).decode()])
def test_garbage_is_a_cursor_error(text: str) -> None:
    with pytest.raises(CursorError):
        CursorCodec().decode(text, binding="x")


@pytest.mark.parametrize(
    ("filters_a", "filters_b"),
    [
        (EventFilters(query="a"), EventFilters(query="b")),
        (EventFilters(environment=("a", "b")), EventFilters(environment=("b", "a"))),
        (EventFilters(stats_period="24h"), EventFilters(stats_period="1d")),
        (EventFilters(sample=True), EventFilters()),
        (EventFilters(start=NOW - dt.timedelta(1), end=NOW), EventFilters(start=NOW - dt.timedelta(2), end=NOW)),
    ],
)
def test_the_binding_covers_every_filter(filters_a, filters_b) -> None:
    assert connection_binding("1", filters_a) != connection_binding("1", filters_b)
    assert connection_binding("1", filters_a) != connection_binding("2", filters_a)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30), ("30s", 30), ("5m", 300), ("24h", 86400), ("14d", 14 * 86400), ("2w", 14 * 86400)],
)
def test_stats_period_units_follow_sentry(text: str, seconds: int) -> None:
    assert parse_stats_period(text) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["lol", "1y", "-1d", "1.5h", "0", "h"])
def test_bad_stats_periods_use_sentrys_message(text: str) -> None:
    with pytest.raises(PagingError, match=r"^Invalid statsPeriod: "):
        parse_stats_period(text)


def test_window_pinning() -> None:
    assert pin_window(EventFilters(), NOW) == (NOW - dt.timedelta(days=90), NOW)
    assert pin_window(EventFilters(stats_period="24h"), NOW) == (NOW - dt.timedelta(hours=24), NOW)
    explicit = EventFilters(start=NOW - dt.timedelta(3), end=NOW - dt.timedelta(1))
    assert pin_window(explicit, NOW) == (explicit.start, explicit.end)
    # statsPeriod wins over start/end, as in Sentry
    both = EventFilters(stats_period="1h", start=explicit.start, end=explicit.end)
    assert pin_window(both, NOW) == (NOW - dt.timedelta(hours=1), NOW)
    sent = window_filters(EventFilters(stats_period="1h", query="x"), (NOW - dt.timedelta(hours=1), NOW))
    assert sent.stats_period is None and sent.query == "x" and sent.end == NOW


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (EventFilters(start=NOW), "start and end are both required"),
        (EventFilters(end=NOW), "start and end are both required"),
        (EventFilters(start=NOW, end=NOW), "start must be before end"),
    ],
)
def test_date_rules(filters: EventFilters, message: str) -> None:
    with pytest.raises(PagingError, match=message):
        pin_window(filters, NOW)


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (None, None, "neither"),
        (1, 1, "not both"),
        (0, None, "`first` must be between 1 and 100"),
        (101, None, "`first` must be between 1 and 100"),
        (None, -3, "`last` must be between 1 and 100"),
    ],
)
def test_page_size_rules(first, last, message) -> None:
    with pytest.raises(PagingError, match=message):
        validate_page_size(first, last)


@settings(max_examples=300)
@given(total=st.integers(0, 400), size=st.integers(1, 100))
def test_walking_forward_then_backward_visits_the_same_events(total: int, size: int) -> None:
    """Pages of `first` from the start and of `last` from the end cover the same positions."""
    forward: list[int] = []
    after = None
    while True:
        span = forward_span(size, after, None)
        page = list(range(span.start, min(span.stop, total)))
        forward += page
        if not page or span.stop >= total:
            break
        after = page[-1]
    backward: list[int] = []
    before = total
    while before > 0:
        span = backward_span(size, None, before)
        backward = list(range(span.start, span.stop)) + backward
        before = span.start
    assert forward == backward == list(range(total))


@given(
    total=st.integers(0, 300), after=st.integers(-1, 299), before=st.integers(0, 300), size=st.integers(1, 100)
)
def test_spans_stay_between_the_cursors(total, after, before, size) -> None:
    a = None if after < 0 else after
    fwd = forward_span(size, a, before)
    bwd = backward_span(size, a, before)
    for span in (fwd, bwd):
        assert span.size <= size
        assert span.start >= (0 if a is None else a + 1)
        if span.size:
            assert span.stop <= before


@settings(max_examples=300)
@given(total=st.integers(0, 200_000))
def test_locate_end_finds_the_exact_total_in_few_calls(total: int) -> None:
    calls: list[int] = []

    async def probe(offset: int) -> tuple[int, bool]:
        calls.append(offset)
        return max(0, min(100, total - offset)), total > offset + 100

    assert asyncio.run(locate_end(probe)) == total
    assert len(calls) == len(set(calls))
    walking = total // 100 + 1
    assert len(calls) <= min(walking + 1, 2 * max(1, total // 100).bit_length() + 3)


def _pad(text: str) -> str:
    return text + "=" * (-len(text) % 4)
