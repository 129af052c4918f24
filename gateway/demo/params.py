"""Query-string handling and the exact error responses Sentry gives for bad parameters.

Django's ``QueryDict`` semantics matter for byte-exact answers:

* ``get(name)`` returns the *last* value of a repeated parameter; ``getlist`` all of them;
* ``urlencode()`` groups repeated keys at their first position (a dict of lists) and
  encodes with ``urllib.parse.urlencode`` (``quote_plus``: space -> ``+``, ``/`` and
  ``:`` escaped). Sentry's Link header re-encodes the request's query this way.

Every helper raises `ApiError`, which the app turns into ``{"detail": ...}``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from .dates import InvalidQuery, parse_datetime_string, parse_stats_period
from .paginators import Cursor

__all__ = [
    "ApiError",
    "QueryParams",
    "DateRange",
    "get_date_range",
    "get_per_page",
    "get_cursor",
    "is_true_flag",
    "internal_error",
    "MAX_STATS_PERIOD",
]

MAX_STATS_PERIOD = timedelta(days=90)
PER_PAGE_DEFAULT = 100
PER_PAGE_MAX = 100


@dataclass
class ApiError(Exception):
    """An HTTP error answer: status, JSON body, extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def detail(cls, status: int, message: Any, **headers: str) -> ApiError:
        return cls(status, {"detail": message}, dict(headers))


def internal_error() -> ApiError:
    """Sentry's unhandled-exception answer: 500 with a fresh error id."""
    return ApiError(500, {"detail": "Internal Error", "errorId": uuid.uuid4().hex})


class QueryParams:
    """A read-only ``QueryDict``: ordered keys, each with its list of values."""

    def __init__(self, query_string: str | bytes) -> None:
        if isinstance(query_string, bytes):
            query_string = query_string.decode("utf-8", "replace")
        self._lists: dict[str, list[str]] = {}
        # Django decodes the percent-escapes as UTF-8, replacing what does not decode.
        for key, value in parse_qsl(
            query_string, keep_blank_values=True, encoding="utf-8", errors="replace"
        ):
            self._lists.setdefault(key, []).append(value)

    def get(self, name: str, default: str | None = None) -> str | None:
        values = self._lists.get(name)
        return values[-1] if values else default

    def getlist(self, name: str) -> list[str]:
        return list(self._lists.get(name, []))

    def __contains__(self, name: object) -> bool:
        return name in self._lists

    def urlencode(self, *, without: str | None = None) -> str:
        """Django's ``QueryDict.urlencode()``, optionally after ``pop(without)``."""
        return "&".join(
            urlencode({key: value})
            for key, values in self._lists.items()
            if key != without
            for value in values
        )


def is_true_flag(value: str | None) -> bool:
    """``full``/``sample``: true only for exactly ``"1"`` or ``"true"``."""
    return value in ("1", "true")


@dataclass(frozen=True)
class DateRange:
    """A half-open window ``start <= timestamp < end`` (either side may be open), in whole seconds.

    Snuba's ``timestamp`` column is a ``DateTime`` (whole seconds) and Sentry's query
    builder drops the sub-second part of both bounds (facts doc, section 1 "Time
    precision"): ``end=12:00:00.9`` excludes every event of second 12:00:00.
    """

    start: datetime | None
    end: datetime | None

    def contains(self, when: datetime) -> bool:
        second = when.replace(microsecond=0)
        if self.start is not None and second < self.start.replace(microsecond=0):
            return False
        if self.end is not None and second >= self.end.replace(microsecond=0):
            return False
        return True


def _from_period(raw: str, now: datetime) -> datetime:
    period = parse_stats_period(raw)
    if period is None:
        raise InvalidQuery(f"Invalid statsPeriod: {raw!r}")
    try:
        return now - period
    except OverflowError:
        raise InvalidQuery(f"Invalid statsPeriod: {raw!r}") from None


def get_date_range(params: QueryParams, now: datetime, *, optional: bool) -> DateRange:
    """Port of ``get_date_range_from_params``; raises `InvalidQuery` with Sentry's text.

    With ``optional`` and no date parameter at all, the range is open on both sides
    (the detail endpoint); otherwise it defaults to the last 90 days ending ``now``.
    """
    start, end = now - MAX_STATS_PERIOD, now
    stats_period = params.get("statsPeriod")
    period_start = params.get("statsPeriodStart")
    period_end = params.get("statsPeriodEnd")
    timeframe = params.get("timeframe")
    timeframe_start = params.get("timeframeStart")
    timeframe_end = params.get("timeframeEnd")

    if stats_period is not None:
        start = _from_period(stats_period, now)
    elif period_start or period_end:
        if not (period_start and period_end):
            raise InvalidQuery("statsPeriodStart and statsPeriodEnd are both required")
        start = _from_period(period_start, now)
        end = _from_period(period_end, now)
    elif timeframe is not None:
        start = _from_period(timeframe, now)
    elif timeframe_start or timeframe_end:
        if not (timeframe_start and timeframe_end):
            raise InvalidQuery("timeframeStart and timeframeEnd are both required")
        start = _from_period(timeframe_start, now)
        end = _from_period(timeframe_end, now)
    elif params.get("start") or params.get("end"):
        raw_start, raw_end = params.get("start"), params.get("end")
        if not (raw_start and raw_end):
            raise InvalidQuery("start and end are both required")
        start = parse_datetime_string(raw_start)
        end = parse_datetime_string(raw_end)
    elif optional:
        return DateRange(None, None)

    if start >= end:
        raise InvalidQuery("start must be before end")
    return DateRange(start, end)


def get_per_page(params: QueryParams) -> int:
    """Port of ``clamp_pagination_per_page``: int() of the value, at most 100.

    Zero and negative values pass here, as in Sentry; the paginator then fails (500).
    """
    raw = params.get("per_page")
    try:
        per_page = int(raw or PER_PAGE_DEFAULT)
    except ValueError:
        raise ApiError.detail(400, "Invalid per_page parameter.") from None
    if per_page > PER_PAGE_MAX:
        raise ApiError.detail(400, f"Invalid per_page value. Cannot exceed {PER_PAGE_MAX}.")
    return per_page


def get_cursor(params: QueryParams) -> Cursor | None:
    """Port of ``get_cursor_from_request``: empty means none; bad is a 400."""
    raw = params.get("cursor")
    if not raw:
        return None
    try:
        return Cursor.from_string(raw)
    except ValueError:
        raise ApiError.detail(400, "Invalid cursor parameter.") from None
