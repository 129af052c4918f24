"""What the schema needs from each request, and nothing of HTTP.

The app builds one `RequestContext` per request; resolvers read the loaders
(bound to that request's credential) and the process-wide cursor codec.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gateway.sentry.loaders import SentryLoaders

from gateway.schema.paging.pagination import CursorCodec


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class RequestContext:
    """Per-request state shared by all resolvers of one GraphQL request."""

    loaders: SentryLoaders
    codec: CursorCodec
    #: The request's own "now": every connection of one request pins the same
    #: window, so aliases of the same page share one upstream call.
    now: dt.datetime = field(default_factory=utc_now)
    #: ``PAGING_INEXACT`` notes of this request's connections, for the
    #: response's ``extensions.pagingWarnings`` (see `traversal.resolve_events`).
    paging_warnings: list[dict[str, Any]] = field(default_factory=list)
    #: The caller presented the federation router's secret (GATEWAY_ROUTER_SECRET):
    #: it may read ``_service`` while introspection is off.
    router: bool = False
