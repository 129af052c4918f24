"""The per-request `Observation`, carried in a context variable.

The access-log middleware sets it before the app runs; the GraphQL view
records the operation name and error codes, the instrumented transport counts
upstream calls. Tasks spawned inside the request (DataLoader batches) inherit
the context, so they add to the same object.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Observation", "current_observation"]


@dataclass
class Observation:
    """What one HTTP request did, for its log line and its metrics."""

    request_id: str
    operation: str | None = None
    graphql: bool = False
    codes: list[str] = field(default_factory=list)
    upstream_calls: int = 0
    #: Calls to Sentry that did not end in a 2xx: which host, and why (the first few).
    upstream_failures: list[dict[str, Any]] = field(default_factory=list)

    def add_upstream_failure(self, failure: dict[str, Any], limit: int = 5) -> None:
        if len(self.upstream_failures) < limit:
            self.upstream_failures.append(failure)

    def add_codes(self, codes: list[str]) -> None:
        for code in codes:
            if code not in self.codes:
                self.codes.append(code)

    @property
    def outcome(self) -> str:
        """``ok``, or the request's first error code (the one metrics label)."""
        return self.codes[0] if self.codes else "ok"


_current: contextvars.ContextVar[Observation | None] = contextvars.ContextVar(
    "gateway_observation", default=None
)


def current_observation() -> Observation | None:
    """The observation of the request being served, if any."""
    return _current.get()


def set_observation(observation: Observation | None) -> contextvars.Token[Observation | None]:
    return _current.set(observation)


def reset_observation(token: contextvars.Token[Observation | None]) -> None:
    _current.reset(token)
