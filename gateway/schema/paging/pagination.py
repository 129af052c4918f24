"""GraphQL cursors <-> places in Sentry's list: pure functions, no I/O.

An edge's GraphQL cursor records where its event sits in one traversal:

* ``value`` mode (today's Sentry, newest first): the event's whole second and
  event id, its place in the gateway's order (see `gateway.schema.paging.seek`, which
  explains why an offset is not a position while events arrive), plus hints
  that size the next calls;
* ``offset`` mode (``sample=true`` only, where Sentry orders by a hash that no
  time bound can follow): the event's absolute offset;
* ``page`` mode (older Sentry, value cursors such as ``1534962224000:100:0``,
  which cannot be computed for an arbitrary position): the Sentry cursor of
  the page that held the event, that page's size, and the index within it.

Every cursor also carries the traversal's pinned time window in whole seconds
(Sentry drops sub-second parts of ``start``/``end``), and a binding digest of
the issue id and filter arguments, so it cannot be replayed on another
connection. The whole
payload is authenticated with HMAC-SHA256 (key from ``GATEWAY_CURSOR_SECRET``,
else a fixed key: tampering is still detected, forging is not prevented), then
base64url-encoded. Cursors never expire and hold no credential.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from gateway.sentry.filters import EventFilters

__all__ = [
    "CURSOR_VERSION",
    "DEFAULT_WINDOW",
    "Mark",
    "MAX_PAGE_SIZE",
    "CursorCodec",
    "CursorError",
    "CursorState",
    "PagingError",
    "Position",
    "Span",
    "backward_span",
    "check_date_range",
    "connection_binding",
    "forward_span",
    "locate_end",
    "parse_stats_period",
    "pin_window",
    "validate_page_size",
    "window_filters",
]

CURSOR_VERSION = 2
MAX_PAGE_SIZE = 100
#: Sentry's window when no date parameters are given (``MAX_STATS_PERIOD``).
DEFAULT_WINDOW = dt.timedelta(days=90)
_MAX_CURSOR_LENGTH = 2048
_MAC_BYTES = 12
_UNSIGNED_KEY = b"sentry-events-gateway/cursor/v1"
_STATS_PERIOD = re.compile(r"^(\d+)([hdmsw]?)$")
_EVENT_ID = re.compile(r"[0-9a-f-]{1,64}")
_PERIOD_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.timezone.utc)


class PagingError(ValueError):
    """The paging or filter arguments break a rule; the message names it."""


class CursorError(PagingError):
    """A cursor is malformed, tampered with, or from another connection."""


def validate_page_size(first: int | None, last: int | None) -> None:
    """Exactly one of `first` / `last`, between 1 and 100."""
    if first is None and last is None:
        raise PagingError("Pass exactly one of `first` or `last` to page `events` (neither was given).")
    if first is not None and last is not None:
        raise PagingError("Pass exactly one of `first` or `last` to page `events`, not both.")
    name, value = ("first", first) if first is not None else ("last", last)
    assert value is not None
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise PagingError(f"`{name}` must be between 1 and {MAX_PAGE_SIZE}, not {value}.")


def parse_stats_period(text: str) -> dt.timedelta:
    """Sentry's ``statsPeriod``: digits and an optional unit (s, m, h, d, w); bare is seconds."""
    match = _STATS_PERIOD.match(text)
    if not match:
        raise PagingError(f"Invalid statsPeriod: {text!r}. Use digits and a unit (s, m, h, d or w), like 14d or 24h.")
    seconds = int(match[1]) * _PERIOD_UNITS[match[2]]
    if seconds <= 0:
        raise PagingError(f"Invalid statsPeriod: {text!r}. Use digits and a unit (s, m, h, d or w), like 14d or 24h.")
    try:
        return dt.timedelta(seconds=seconds)
    except OverflowError:
        raise PagingError(
            f"Invalid statsPeriod: {text!r}. Use digits and a unit (s, m, h, d or w), like 14d or 24h."
        ) from None


def check_date_range(filters: EventFilters) -> None:
    """The date rules Sentry applies, checked before any call."""
    for name, value in (("start", filters.start), ("end", filters.end)):
        if value is not None and not (_EPOCH <= value <= _LATEST):
            raise PagingError(f"{name} must be a date between 1970 and 2199")
    if (filters.start is None) != (filters.end is None) and not filters.stats_period:
        raise PagingError("start and end are both required")
    if filters.stats_period:
        parse_stats_period(filters.stats_period)
    elif filters.start is not None and filters.end is not None and filters.start >= filters.end:
        raise PagingError("start must be before end")


def pin_window(filters: EventFilters, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The explicit window a traversal keeps for all its pages, in whole seconds.

    ``statsPeriod`` wins over ``start``/``end`` (as in Sentry) and becomes
    ``[now - period, now)``; no date arguments means Sentry's 90-day default,
    ``[now - 90 days, now)``. Sentry drops the sub-second part of both bounds
    and reads them as ``start <= timestamp < end``, so the pinned bounds are
    those whole seconds: the same window on every page, whatever the clock.
    """
    check_date_range(filters)
    if filters.stats_period:
        period = parse_stats_period(filters.stats_period)
        start, end = (now - period if period < now - _EPOCH else _EPOCH), now
    elif filters.start is not None and filters.end is not None:
        # An end in the future would let events that arrive mid-walk in.
        start, end = filters.start, (now if filters.start < now < filters.end else filters.end)
    else:
        start, end = now - DEFAULT_WINDOW, now
    return whole_second(start), whole_second(end)


def whole_second(value: dt.datetime) -> dt.datetime:
    """`value` without its sub-second part, in UTC (what Sentry's query builder sends Snuba)."""
    return value.astimezone(dt.timezone.utc).replace(microsecond=0)


def epoch_seconds(value: dt.datetime) -> int:
    """Whole seconds since the epoch (floor)."""
    delta = value - _EPOCH
    return delta.days * 86400 + delta.seconds


def from_epoch_seconds(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=value)


def window_filters(filters: EventFilters, window: tuple[dt.datetime, dt.datetime]) -> EventFilters:
    """The filters sent upstream: the caller's, with the window made explicit."""
    return replace(filters, stats_period=None, start=window[0], end=window[1])


def connection_binding(issue_id: str, filters: EventFilters) -> str:
    """A digest of what defines a connection: issue id and every filter argument."""
    parts = [
        issue_id,
        filters.query,
        list(filters.environment),
        _iso(filters.start),
        _iso(filters.end),
        filters.stats_period,
        filters.sample,
    ]
    text = json.dumps(parts, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Mark:
    """An edge's place in the gateway's order (`gateway.schema.paging.seek`): its second and event id.

    ``rank`` (events above it in the traversal's window when it was placed, -1
    unknown), ``k`` (its 1-based place among the events of its second) and
    ``m`` (how many events its second held) are hints that size the next
    calls; exactness never depends on them.
    """

    second: int
    event_id: str
    rank: int = -1
    k: int = 1
    m: int = 1

    @property
    def key(self) -> tuple[int, str]:
        return (self.second, self.event_id)


@dataclass(frozen=True, slots=True)
class Position:
    """Where an edge's event sits: a place by value, an absolute offset, or a page and an index in it."""

    mark: Mark | None = None
    offset: int | None = None
    page_cursor: str | None = None
    page_size: int | None = None
    index: int | None = None

    @classmethod
    def at_mark(cls, mark: Mark) -> Position:
        return cls(mark=mark)

    @classmethod
    def at_offset(cls, offset: int) -> Position:
        return cls(offset=offset)

    @classmethod
    def in_page(cls, page_cursor: str | None, page_size: int, index: int) -> Position:
        return cls(page_cursor=page_cursor or "", page_size=page_size, index=index)

    @property
    def mode(self) -> str:
        if self.mark is not None:
            return "value"
        return "offset" if self.offset is not None else "page"

    @property
    def is_offset(self) -> bool:
        return self.offset is not None


@dataclass(frozen=True, slots=True)
class CursorState:
    """What a GraphQL cursor holds."""

    binding: str
    window: tuple[dt.datetime, dt.datetime]
    position: Position


class CursorCodec:
    """Encodes and authenticates GraphQL cursors; one per process."""

    def __init__(self, secret: str | None = None) -> None:
        self._key = secret.encode() if secret else _UNSIGNED_KEY

    def encode(self, state: CursorState) -> str:
        pos = state.position
        body: list[object] = [
            CURSOR_VERSION,
            state.binding,
            _micros(state.window[0]),
            _micros(state.window[1]),
        ]
        if pos.mark is not None:
            mark = pos.mark
            body += ["v", mark.second, mark.event_id, mark.rank, mark.k, mark.m]
        elif pos.offset is not None:
            body += ["o", pos.offset]
        else:
            body += ["p", pos.page_cursor or "", pos.page_size, pos.index]
        payload = json.dumps(body, separators=(",", ":")).encode()
        token = self._mac(payload) + payload
        return base64.urlsafe_b64encode(token).decode("ascii").rstrip("=")

    def decode(self, text: str, *, binding: str) -> CursorState:
        """The state of a cursor this gateway issued for the connection `binding`."""
        if not text or len(text) > _MAX_CURSOR_LENGTH:
            raise CursorError("Invalid cursor: it is empty or too long.")
        try:
            token = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise CursorError("Invalid cursor: it is not a cursor this gateway issued.") from None
        mac, payload = token[:_MAC_BYTES], token[_MAC_BYTES:]
        if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise CursorError("Invalid cursor: it is not a cursor this gateway issued, or it was altered.")
        state = _parse_payload(payload)
        if state.binding != binding:
            raise CursorError(
                "Invalid cursor: it belongs to another connection (a different issue or "
                "different filter arguments). Cursors only work with the arguments they came from."
            )
        return state

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _parse_payload(payload: bytes) -> CursorState:
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise CursorError("Invalid cursor: unreadable.") from None
    if not isinstance(body, list) or len(body) < 6 or body[0] != CURSOR_VERSION:
        raise CursorError("Invalid cursor: unknown cursor version.")
    _, binding, start, end, mode, *rest = body
    if not (isinstance(binding, str) and _is_int(start) and _is_int(end)):
        raise CursorError("Invalid cursor: unreadable.")
    window = (_from_micros(start), _from_micros(end))
    if (
        mode == "v"
        and len(rest) == 5
        and _is_int(rest[0])
        and isinstance(rest[1], str)
        and _EVENT_ID.fullmatch(rest[1])
        and all(_is_int(value) for value in rest[2:])
        and rest[2] >= -1
        and 1 <= rest[3] <= rest[4]
    ):
        return CursorState(binding, window, Position.at_mark(Mark(rest[0], rest[1], rest[2], rest[3], rest[4])))
    if mode == "o" and len(rest) == 1 and _is_int(rest[0]) and rest[0] >= 0:
        return CursorState(binding, window, Position.at_offset(rest[0]))
    if (
        mode == "p"
        and len(rest) == 3
        and isinstance(rest[0], str)
        and _is_int(rest[1])
        and 1 <= rest[1] <= MAX_PAGE_SIZE
        and _is_int(rest[2])
        and 0 <= rest[2] < rest[1]
    ):
        return CursorState(binding, window, Position.in_page(rest[0], rest[1], rest[2]))
    raise CursorError("Invalid cursor: unreadable.")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _micros(value: dt.datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_micros(value: int) -> dt.datetime:
    try:
        return _EPOCH + dt.timedelta(microseconds=value)
    except OverflowError:
        raise CursorError("Invalid cursor: unreadable.") from None


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.timezone.utc).isoformat()


# -- offset arithmetic --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Positions ``[start, stop)`` of the events a page returns."""

    start: int
    stop: int

    @property
    def size(self) -> int:
        return max(0, self.stop - self.start)


def forward_span(first: int, after: int | None, before: int | None) -> Span:
    """``first`` events after position `after` and before position `before`."""
    start = 0 if after is None else after + 1
    stop = start + first
    if before is not None:
        stop = min(stop, before)
    return Span(start, max(start, stop))


def backward_span(last: int, after: int | None, before: int) -> Span:
    """``last`` events before position `before` (the end when there is no `before`)."""
    floor = 0 if after is None else after + 1
    start = max(floor, before - last)
    return Span(start, max(start, before))


Probe = Callable[[int], Awaitable[tuple[int, bool]]]
_MAX_PROBES = 64


async def locate_end(probe: Probe, page_size: int = MAX_PAGE_SIZE) -> int:
    """The number of events in the list, in few calls, without a hit count.

    `probe(offset)` fetches ``page_size`` events from `offset` and returns how
    many came back and whether Sentry said more follow. Offsets grow with a
    doubling step (0, 100, 300, 700, ...), so a short list costs what walking
    it would and a long one only a logarithmic number of calls; an overshoot
    is narrowed by bisection (about two calls per doubling of the list).
    """
    low, high = 0, None  # low <= total <= high
    offset, step = 0, page_size
    for _ in range(_MAX_PROBES):
        count, more = await probe(offset)
        if count > 0 and not more:
            return offset + count
        if count > 0:
            low = offset + count + 1
            if high is None:
                offset, step = max(offset + step, low - 1), step * 2
                continue
        elif offset <= low:
            return offset  # nothing at `offset`, and at least `low` events: total == offset
        else:
            high = offset
        assert high is not None
        if low > high:  # the list changed under us (events deleted): take what we saw
            return high
        if high - low < page_size:
            offset = low - 1  # the page [low-1, low-1+page_size) holds the end
        else:
            # A probe at `offset` settles totals in (offset, offset+page_size]
            # outright; split what remains on either side evenly.
            offset = (low - 1 + high - page_size) // 2
    raise RuntimeError("locate_end did not converge; the upstream list keeps changing")
