"""Date handling exactly as Sentry's API does it, so the demo's 400s match Sentry's bytes.

* `format_dt` is how Sentry's serializers print datetimes today: ISO-8601 UTC with a
  ``Z``, six-digit microseconds, or no fraction at all when the microseconds are zero
  (``2025-04-08T21:15:04.700878Z``, ``2025-04-08T21:15:04Z``).
* `parse_datetime_string` ports ``sentry.search.utils.parse_datetime_string``: any
  layout `datetime.fromisoformat` reads (with ``Z``, an offset, a fraction, or a bare
  date), naive values taken as UTC, else a unix timestamp.
* `parse_stats_period` ports ``sentry.utils.dates.parse_stats_period``: the regex
  ``^(\\d+)([hdmsw]?)$`` where a bare number means seconds.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

__all__ = [
    "InvalidQuery",
    "format_dt",
    "parse_datetime_string",
    "parse_stats_period",
    "to_ms",
]

_STATS_PERIOD_RE = re.compile(r"^(\d+)([hdmsw]?)$")
_UNITS = {"h": "hours", "d": "days", "m": "minutes", "s": "seconds", "w": "weeks"}


class InvalidQuery(Exception):
    """A date string Sentry would refuse; the message is Sentry's."""


def format_dt(value: datetime) -> str:
    """Print a datetime the way Sentry's serializers do (UTC, ``Z``, 6 or 0 fraction digits)."""
    value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_ms(value: datetime) -> int:
    """Whole milliseconds since the epoch (floor), the key of the legacy value cursors."""
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400_000) + (delta.seconds * 1000) + (delta.microseconds // 1000)


def _parse_iso_timestamp(value: str) -> datetime:
    date = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if date.tzinfo is None:
        # Sentry means to read naive values as UTC (its code forgets to assign the
        # replace(); on its UTC servers the outcome is the same).
        date = date.replace(tzinfo=UTC)
    return date.astimezone(UTC)


def parse_datetime_string(value: str) -> datetime:
    """Parse a ``start``/``end`` value, or raise `InvalidQuery` with Sentry's message."""
    try:
        return _parse_iso_timestamp(value)
    except ValueError:
        pass
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        # Sentry only catches ValueError here; an overflowing timestamp (e.g. "1e300")
        # would be a 500 there. The demo answers the 400 instead: documented deviation.
        pass
    raise InvalidQuery(f"{value} is not a valid ISO8601 date query")


def parse_stats_period(period: str) -> timedelta | None:
    """``"24h"`` -> 1 day, ``"90"`` -> 90 seconds, anything else -> None."""
    match = _STATS_PERIOD_RE.match(period)
    if match is None:
        return None
    value, unit = match.groups()
    try:
        return timedelta(**{_UNITS[unit or "s"]: int(value)})
    except OverflowError:
        return timedelta.max
