"""Filters as Sentry reads them: the timestamp layout of ``start`` and ``end``."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from gateway.sentry.filters import format_sentry_datetime


def _reference(value: dt.datetime) -> str:
    """The layout spelled out: Sentry's ``parse_datetime_string`` formats, UTC, no offset."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    layout = "%Y-%m-%dT%H:%M:%S.%f" if value.microsecond else "%Y-%m-%dT%H:%M:%S"
    return value.strftime(layout)


@given(
    st.datetimes(
        min_value=dt.datetime(1000, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.one_of(st.none(), st.timezones(), st.just(dt.timezone.utc)),
    )
)
def test_timestamps_have_the_layout_sentry_reads(value: dt.datetime) -> None:
    assert format_sentry_datetime(value) == _reference(value)


def test_years_before_1000_keep_four_digits() -> None:
    """Where ``strftime`` writes "999", ``isoformat`` writes "0999": ISO 8601's four digits."""
    assert format_sentry_datetime(dt.datetime(999, 1, 2, 3, 4, 5)) == "0999-01-02T03:04:05"


def test_examples() -> None:
    assert format_sentry_datetime(dt.datetime(2026, 11, 26, 12, 0, 1)) == "2026-11-26T12:00:01"
    assert format_sentry_datetime(dt.datetime(2026, 11, 26, 12, 0, 1, 50)) == "2026-11-26T12:00:01.000050"
    offset = dt.timezone(dt.timedelta(hours=2))
    assert format_sentry_datetime(dt.datetime(2026, 11, 26, 14, 0, tzinfo=offset)) == "2026-11-26T12:00:00"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["query", "environment", "start", "per_page", "cursor", "a b", "ü"]),
            st.text(max_size=30),
        ),
        max_size=6,
    )
)
def test_query_strings_are_urlencode_byte_for_byte(params: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    from gateway.sentry.client import query_string

    assert query_string(params) == urlencode(params)


def test_query_string_examples() -> None:
    from gateway.sentry.client import query_string

    params = [("query", "user.email:a@b.c url:/x/y,z"), ("start", "2026-11-26T12:00:01.000050"), ("per_page", "10")]
    assert query_string(params) == (
        "query=user.email%3Aa%40b.c+url%3A%2Fx%2Fy%2Cz&start=2026-11-26T12%3A00%3A01.000050&per_page=10"
    )
