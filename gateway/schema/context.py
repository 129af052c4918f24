"""What the schema needs from each request, and nothing of HTTP.

The app builds one `RequestContext` per request; resolvers read the loaders
(bound to that request's credential) and the process-wide cursor codec.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from gateway.sentry.loaders import SentryLoaders

from .pagination import CursorCodec


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class RequestContext:
    """Per-request state shared by all resolvers of one GraphQL request."""

    loaders: SentryLoaders
    codec: CursorCodec
    now: Callable[[], dt.datetime] = field(default=utc_now)
