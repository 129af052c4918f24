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

import functools
import re
from dataclasses import dataclass

__all__ = ["SentryCursor", "PageLink", "PageLinks", "parse_cursor", "parse_link_header"]


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


# One link: <uri>; then `name="value"` parameters. The URI may contain commas
# and semicolons (query strings), so it is matched as everything up to `>`.
_LINK = re.compile(r"<(?P<uri>[^>]*)>(?P<params>(?:\s*;\s*[A-Za-z_-]+\s*=\s*\"[^\"]*\")*)")
_PARAM = re.compile(r";\s*(?P<name>[A-Za-z_-]+)\s*=\s*\"(?P<value>[^\"]*)\"")


@functools.lru_cache(maxsize=512)
def parse_link_header(header: str | None) -> PageLinks:
    """Read Sentry's ``Link`` header into `PageLinks`.

    Remembered for the 512 most recent headers (the same page asked for
    again answers the same header; `PageLinks` is immutable).

    ``results`` is true only when it reads exactly ``"true"`` (sentry-api-schema's
    ``parseSentryLinkHeader`` treats anything else as "no page"). A link whose
    cursor does not parse is dropped rather than trusted. No header (the
    unknown-environment and direct-hit answers) gives empty `PageLinks`.
    """
    if not header:
        return PageLinks()
    found: dict[str, PageLink] = {}
    for match in _LINK.finditer(header):
        params = {m["name"].lower(): m["value"] for m in _PARAM.finditer(match["params"])}
        rel = params.get("rel")
        if rel not in ("previous", "next") or rel in found or "cursor" not in params:
            continue
        try:
            cursor = parse_cursor(params["cursor"])
        except ValueError:
            continue
        found[rel] = PageLink(cursor=cursor, results=params.get("results") == "true")
    return PageLinks(previous=found.get("previous"), next=found.get("next"))
