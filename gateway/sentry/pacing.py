"""Keep a credential's calls to one rate-limited route under Sentry's limit, across requests.

sentry.io limits the issue detail route to 5 requests per second per caller
(SENTRY_ISSUES_API.md §0). The gateway uses that route only where nothing
batches (short ids; issues without a known organization), and spaces the calls
so that no window of `per` seconds holds more than `rate` of them for one
credential, whichever GraphQL requests they come from. A little slack on `per`
covers the clock and network between here and Sentry.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from .errors import UpstreamTimeout

__all__ = ["Pacer"]


class Pacer:
    """At most `rate` starts per `per` seconds for each key (a credential fingerprint).

    Keys are kept in a bounded least-recently-used map: memory stays flat
    whatever the number of credentials.
    """

    def __init__(
        self,
        rate: int,
        per: float,
        *,
        max_keys: int = 4096,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = asyncio.sleep,
    ) -> None:
        self.rate = rate
        self.per = per
        self._max_keys = max_keys
        self._clock = clock
        self._sleep = sleep
        self._starts: OrderedDict[str, deque[float]] = OrderedDict()

    async def wait(self, key: str, deadline: float | None, what: str) -> None:
        """Return when one more call for `key` keeps to the rate (and count it).

        Raises `UpstreamTimeout` if that moment comes after `deadline`.
        """
        # Once it has slept until a start leaves the window, that start has left it, whatever
        # the clock says: a timer may fire a hair early, and `now + (ready - now)` may round
        # below `ready`; comparing the clock alone would then spin on ever tinier sleeps.
        woke_at = -math.inf
        while True:
            now = max(self._clock(), woke_at)
            starts = self._starts.get(key)
            if starts is None:
                starts = self._starts[key] = deque()
                while len(self._starts) > self._max_keys:
                    self._starts.popitem(last=False)
            self._starts.move_to_end(key)
            while starts and starts[0] + self.per <= now:
                starts.popleft()
            if len(starts) < self.rate:
                starts.append(now)
                return
            ready = starts[0] + self.per
            if deadline is not None and ready >= deadline:
                raise UpstreamTimeout(
                    f"Sentry allows {self.rate} calls per second to {what}, and the request's "
                    "deadline came first. Set SENTRY_ORG (or use a token with org:read) so "
                    "issues are fetched in batches, or ask for fewer issues."
                )
            await self._sleep(ready - now)  # type: ignore[misc]
            woke_at = ready
