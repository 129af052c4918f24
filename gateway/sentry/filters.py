"""The filter arguments of the events endpoints, as one hashable value.

The same value keys the DataLoaders, binds GraphQL cursors to their
connection, and renders the query string, so the three can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["EventFilters", "format_sentry_datetime"]


@dataclass(frozen=True, slots=True)
class EventFilters:
    """Sentry's filter parameters for the list and detail endpoints.

    `start` and `end` are aware datetimes; `environment` keeps the caller's
    order (Sentry accepts the parameter repeated).
    """

    query: str | None = None
    environment: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    stats_period: str | None = None
    sample: bool = False

    def to_params(self) -> list[tuple[str, str]]:
        """The query parameters Sentry reads, in a stable order."""
        params: list[tuple[str, str]] = []
        if self.query:
            params.append(("query", self.query))
        params.extend(("environment", name) for name in self.environment)
        if self.stats_period:
            params.append(("statsPeriod", self.stats_period))
        if self.start is not None:
            params.append(("start", format_sentry_datetime(self.start)))
        if self.end is not None:
            params.append(("end", format_sentry_datetime(self.end)))
        if self.sample:
            params.append(("sample", "true"))
        return params


def format_sentry_datetime(value: dt.datetime) -> str:
    """A UTC timestamp in the layout Sentry's ``parse_datetime_string`` reads:
    ``%Y-%m-%dT%H:%M:%S``, with ``.%f`` when there are microseconds (which is
    what ``isoformat`` writes for a naive datetime, at a fraction of ``strftime``'s cost;
    years before 1000 keep ISO 8601's four digits, where ``strftime`` writes fewer).

    Sentry assumes UTC and drops any offset, so convert first and send none.
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat()
