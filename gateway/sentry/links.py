"""Sentry's cursor grammar and its `Link` header, parsed and built.

Sentry pages with a ``Link`` header holding two links, previous first, then
next, each built from the template (``src/sentry/api/base.py``)::

    <{uri}&cursor={cursor}>; rel="{name}"; results="{true|false}"; cursor="{cursor}"

Only the ``rel``, ``results`` and ``cursor`` parameters matter to a client.
The URI is never followed: its host comes from Sentry's configured URL
prefix, not from where we sent the request, so following it could send the
caller's credential to another host. We re-issue the request against our own
base URL with the cursor instead.

A cursor is ``value:offset:is_prev`` (``src/sentry/utils/cursors.py``). The
issue-events list uses offset cursors (``0:<offset>:<is_prev>``); older Sentry
versions used value cursors such as ``1534962224000:100:0``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PageLink", "PageLinks", "SentryCursor", "parse_cursor", "parse_link_header"]


@dataclass(frozen=True, slots=True)
class SentryCursor:
    """One of Sentry's cursors; `str()` gives its wire form."""

    value: int | float
    offset: int
    is_prev: bool

    def __str__(self) -> str:
        return f"{self.value}:{self.offset}:{int(self.is_prev)}"

    @property
    def is_offset_cursor(self) -> bool:
        """True for the offset cursors of today's list endpoint (value is always 0)."""
        return self.value == 0


def parse_cursor(text: str) -> SentryCursor:
    """Parse a cursor exactly as ``Cursor.from_string`` does, or raise ``ValueError``.

    Three ``:``-separated parts; the value is a float when it contains a ``.``,
    otherwise an int; offset and is_prev are ints.
    """
    parts = text.split(":")
    if len(parts) != 3:
        raise ValueError(f"invalid Sentry cursor {text!r}")
    value_text, offset_text, prev_text = parts
    try:
        value: int | float = float(value_text) if "." in value_text else int(value_text)
        offset = int(offset_text)
        is_prev = bool(int(prev_text))
    except ValueError:
        raise ValueError(f"invalid Sentry cursor {text!r}") from None
    return SentryCursor(value=value, offset=offset, is_prev=is_prev)


@dataclass(frozen=True, slots=True)
class PageLink:
    """One link of the header: the cursor to send and whether it has results."""

    cursor: SentryCursor
    results: bool


@dataclass(frozen=True, slots=True)
class PageLinks:
    """The previous and next links of one page (either may be absent)."""

    previous: PageLink | None = None
    next: PageLink | None = None


#: The longest ``Link`` header read. Sentry's holds two URIs that repeat the
#: request's query string (at most `gateway.sentry.client.MAX_URL_LENGTH`).
MAX_LINK_HEADER_CHARS = 32 * 1024

_PARAM_NAME = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")


def parse_link_header(header: str | None) -> PageLinks:
    """Read Sentry's ``Link`` header into `PageLinks`, in time linear in its length.

    ``results`` is true only when it reads exactly ``"true"`` (sentry-api-schema's
    ``parseSentryLinkHeader`` treats anything else as "no page"). A link whose
    cursor does not parse is dropped rather than trusted. No header (the
    unknown-environment and direct-hit answers) gives empty `PageLinks`; a
    header over `MAX_LINK_HEADER_CHARS` raises `ValueError`.

    Each link is ``<uri>`` then ``; name="value"`` parameters up to the next
    ``<``. The URI may hold commas and semicolons (query strings), so it runs
    to the first ``>``; it is never read (see the module's docstring).
    """
    if not header:
        return PageLinks()
    if len(header) > MAX_LINK_HEADER_CHARS:
        raise ValueError(f"a Link header of {len(header)} characters, over {MAX_LINK_HEADER_CHARS}")
    found: dict[str, PageLink] = {}
    start = header.find("<")
    while start != -1:
        end = header.find(">", start + 1)
        if end == -1:
            break
        following = header.find("<", end + 1)
        params = _params(header[end + 1 : None if following == -1 else following])
        start = following
        rel = params.get("rel")
        if rel not in ("previous", "next") or rel in found or "cursor" not in params:
            continue
        try:
            cursor = parse_cursor(params["cursor"])
        except ValueError:
            continue
        found[rel] = PageLink(cursor=cursor, results=params.get("results") == "true")
    return PageLinks(previous=found.get("previous"), next=found.get("next"))


def _params(text: str) -> dict[str, str]:
    """``; name="value"`` pairs (names lower-cased; the first of a name wins),
    up to the first piece that is not one."""
    params: dict[str, str] = {}
    pieces = text.split(";")
    for piece in pieces[1:]:
        name, equals, value = piece.partition("=")
        name = name.strip()
        value = value.strip().rstrip(",").rstrip()
        if (
            not equals
            or not name
            or not _PARAM_NAME.issuperset(name)
            or len(value) < 2
            or value[0] != '"'
            or value.find('"', 1) != len(value) - 1
        ):
            break
        params.setdefault(name.lower(), value[1:-1])
    return params
