"""Sentry's cursors, its two paginators the demo needs, and the ``Link`` header.

* `Cursor` ports ``sentry.utils.cursors.Cursor`` (string form ``value:offset:is_prev``,
  ``bool()`` is ``has_results``).
* `offset_page` ports ``GenericOffsetPaginator.get_result``: the issue-events list of
  today. Only the offset matters; value is always 0.
* `value_page` ports the *old* ``BasePaginator.get_result`` +
  ``utils.cursors.build_cursor`` pair, as ``DateTimePaginator`` used it with
  ``order_by="-timestamp"``: the key is the timestamp in whole milliseconds and a
  cursor is ``<key>:<offset among rows sharing that key>:<is_prev>``. The seed
  fixture's Link (``1534962224000:100:0``) comes from this paginator. It is ported
  bug-for-bug (e.g. the ``len(results) == offset + limit + extra`` check).
* `link_header` ports ``Endpoint.build_cursor_link`` / ``add_cursor_headers``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import quote

__all__ = ["Cursor", "CursorResult", "offset_page", "value_page", "build_cursor", "link_header"]

T = TypeVar("T")

LINK_TEMPLATE = '<{uri}&cursor={cursor}>; rel="{name}"; results="{has_results}"; cursor="{cursor}"'


@dataclass(frozen=True)
class Cursor:
    """``value:offset:is_prev``; ``has_results`` only travels in the Link header."""

    value: int | float = 0
    offset: int = 0
    is_prev: bool = False
    has_results: bool | None = None

    def __str__(self) -> str:
        return f"{self.value}:{self.offset}:{int(self.is_prev)}"

    def __bool__(self) -> bool:
        return bool(self.has_results)

    @classmethod
    def from_string(cls, text: str) -> Cursor:
        """Exactly ``Cursor.from_string``: 3 parts, float value iff it has a ``.``."""
        bits = text.split(":")
        if len(bits) != 3:
            raise ValueError(text)
        try:
            value: int | float = float(bits[0]) if "." in bits[0] else int(bits[0])
            return cls(value, int(bits[1]), bool(int(bits[2])))
        except (TypeError, ValueError):
            raise ValueError(text) from None


@dataclass(frozen=True)
class CursorResult(Generic[T]):
    """One page of rows with its previous and next cursors."""

    results: list[T]
    prev: Cursor
    next: Cursor


def offset_page(rows: Sequence[T], limit: int, cursor: Cursor | None) -> CursorResult[T]:
    """``GenericOffsetPaginator.get_result`` over an already ordered sequence.

    The caller guarantees ``limit > 0`` and ``offset >= 0`` (Sentry fails with a 500
    otherwise, and so does the app before calling this).
    """
    offset = cursor.offset if cursor is not None else 0
    data = list(rows[offset : offset + limit + 1])
    has_more = len(data) == limit + 1
    if has_more:
        data.pop()
    return CursorResult(
        results=data,
        prev=Cursor(0, max(0, offset - limit), True, offset > 0),
        next=Cursor(0, offset + limit, False, has_more),
    )


def value_page(
    rows_desc: Sequence[T], key: Callable[[T], int], limit: int, cursor: Cursor | None
) -> CursorResult[T]:
    """Old ``BasePaginator.get_result`` with ``desc=True`` over rows sorted by key, newest first.

    ``rows_desc`` must be in descending key order with a total tie order; the ascending
    query of a "previous" cursor is its exact reverse, as a database would give it.
    """
    if cursor is None:
        cursor = Cursor(0, 0, False)
    cursor_value = cursor.value or 0
    if cursor.is_prev:
        # desc paginator + prev cursor: ORDER BY key ASC, WHERE key >= value
        queryset = [r for r in reversed(rows_desc) if not cursor_value or key(r) >= cursor_value]
    else:
        queryset = [r for r in rows_desc if not cursor_value or key(r) <= cursor_value]

    offset = cursor.offset
    extra = 2 if (cursor.is_prev and cursor.value) else 1
    stop = offset + limit + extra
    results = queryset[offset:stop]

    if cursor.is_prev and cursor.value:
        if results and key(results[0]) == cursor.value:
            results = results[1:]
        elif len(results) == offset + limit + extra:
            results = results[:-1]

    if cursor.is_prev:
        results.reverse()

    return build_cursor(results, key, limit, cursor)


def build_cursor(
    results: list[T], key: Callable[[T], int], limit: int, cursor: Cursor | None
) -> CursorResult[T]:
    """Old ``sentry.utils.cursors.build_cursor`` (2018), line for line."""
    if cursor is None:
        cursor = Cursor(0, 0, False)
    value: int | float = cursor.value
    offset = cursor.offset
    is_prev = cursor.is_prev
    num_results = len(results)

    if is_prev:
        has_prev = num_results > limit
    elif value or offset:
        # it's likely there is a previous page if they passed a value or an offset
        has_prev = True
    else:
        has_prev = False

    next_value: int | float
    if is_prev:
        next_value, next_offset, has_next = value, offset, True
    elif num_results:
        if not value:
            value = int(key(results[0]))
        has_next = num_results > limit
        next_value = int(key(results[-1]))
        if next_value == value:
            next_offset = offset + limit
        else:
            next_offset = 0
            # skip the last result: the next page starts *at* it
            for result in list(reversed(results))[1:]:
                if int(key(result)) == next_value:
                    next_offset += 1
                else:
                    break
    else:
        next_value, next_offset, has_next = value, offset, False

    prev_value: int | float
    if is_prev and num_results:
        prev_value = int(key(results[0]))
        if num_results > 2:
            i = 1
            while i < num_results and prev_value == int(key(results[i])):
                i += 1
            i -= 1
        else:
            i = 0
        prev_offset = offset + i if prev_value == value else i
    else:
        prev_value, prev_offset = value, offset

    return CursorResult(
        results=list(results[:limit]),
        prev=Cursor(prev_value or 0, prev_offset, True, has_prev),
        next=Cursor(next_value or 0, next_offset, False, has_next),
    )


def link_header(url_prefix: str, path: str, query_without_cursor: str, page: CursorResult[T]) -> str:
    """The ``Link`` value: previous first, then next, joined by ``", "``.

    ``uri`` is ``url_prefix + quote(path)`` then ``?`` and the re-encoded query string
    (without ``cursor``); the template appends ``&cursor=...`` so an otherwise empty
    query reads ``?&cursor=0:100:0``. The cursor itself is not URL-encoded.
    """
    uri = url_prefix.rstrip("/") + quote(path, safe="/")
    uri = f"{uri}?{query_without_cursor}" if query_without_cursor else f"{uri}?"
    return ", ".join(
        LINK_TEMPLATE.format(
            uri=uri, cursor=str(c), name=name, has_results="true" if bool(c) else "false"
        )
        for name, c in (("previous", page.prev), ("next", page.next))
    )
