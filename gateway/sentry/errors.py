"""Every upstream outcome that is not a usable answer, as a typed exception.

The client raises these and knows nothing of GraphQL; `gateway.schema.errors`
is the one place that turns them into GraphQL errors with `extensions.code`.
Messages are safe to show a caller: they never hold a credential, and only
the path of the upstream URL (never its host or query string).
"""

from __future__ import annotations


class SentryError(Exception):
    """Base class: something kept Sentry from answering the request usefully."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class InvalidInput(SentryError):
    """The caller's input was rejected before any request was sent."""


class BadRequest(SentryError):
    """Sentry answered 400; `detail` is Sentry's own explanation."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, status=400)
        self.detail = detail


class Unauthenticated(SentryError):
    """Sentry answered 401: no credential, or one it does not accept."""


class Forbidden(SentryError):
    """Sentry answered 403: the credential may not read this issue."""


class NotFound(SentryError):
    """Sentry answered 404: no such issue or event (or not visible on this route)."""


class RateLimited(SentryError):
    """Sentry answered 429. `retry_after` is whole seconds, when it could be learned."""

    def __init__(self, message: str, *, retry_after: int | None) -> None:
        super().__init__(message, status=429)
        self.retry_after = retry_after


class UpstreamUnavailable(SentryError):
    """5xx after retries, or the connection was refused or dropped."""


class RouteGone(SentryError):
    """Sentry answered 410 on a deprecated unscoped route (its brownout, or for good).

    The gateway uses those routes only when it knows no organization for the
    credential; the message says so and how to fix it (SENTRY_ORG).
    """

    def __init__(self, path: str) -> None:
        super().__init__(
            f"Sentry no longer serves the unscoped route {path} (410: This API no longer "
            "exists.). The gateway used it because it could not find this credential's "
            "organization (listing organizations needs the org:read scope and exactly one "
            "organization). Set SENTRY_ORG to your organization's slug so the gateway uses "
            "the organization routes.",
            status=410,
        )
        self.path = path


class UpstreamTimeout(SentryError):
    """Sentry did not answer within the deadline."""


class UpstreamBudgetExceeded(SentryError):
    """One request wanted more upstream calls than the gateway allows per request."""

    def __init__(self, budget: int) -> None:
        super().__init__(
            f"This query needs more than {budget} calls to Sentry, the most one request may "
            "make. Ask for fewer issues, pages or events at once."
        )
        self.budget = budget


class BadUpstreamResponse(SentryError):
    """Sentry's body was not the JSON expected (not JSON, truncated, wrong shape)."""
