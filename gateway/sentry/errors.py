"""Every upstream outcome that is not a usable answer, as a typed exception.

The client raises these and knows nothing of GraphQL; `gateway.schema.execution.errors`
is the one place that turns them into GraphQL errors with `extensions.code`.
Messages are safe to show a caller: they never hold a credential, and only
the path of the upstream URL (never its host or query string).

Sentry's own texts for refusals ("Authentication credentials were not
provided.", "The requested resource does not exist") say neither what was
refused nor what to change. `SentryError.about` adds what the request was
about (issue, event, organization, whether a credential was sent), and the
messages of `Unauthenticated`, `Forbidden` and `NotFound` are then
rebuilt from it by `explain`: which object, what Sentry said, and what to do.
"""

from __future__ import annotations

from typing import Any

#: Sentry's detail text for an unknown issue or organization (and an unknown environment).
RESOURCE_NOT_FOUND = "The requested resource does not exist"
#: Sentry's detail text when latest/oldest/recommended find no event for the filters.
NO_MATCHING_EVENT = "No matching event found"
#: What a caller may set; named in every message about credentials.
BEARER_FORM = "`Authorization: Bearer <token>`"


class SentryError(Exception):
    """Base class: something kept Sentry from answering the request usefully."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        issue_id: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """`issue_id` and `event_id` name what the error is about (in ``extensions``)
        when `message` already says it; `about` also rewrites the message."""
        super().__init__(message)
        self.message = message
        self.status = status
        #: Sentry's own text, before `about` rewrites the message.
        self.detail: str | None = None
        self.issue_id: str | None = issue_id
        self.event_id: str | None = event_id
        self.organization: str | None = None
        self.credential_sent: bool | None = None

    def about(
        self,
        *,
        issue_id: str | None = None,
        event_id: str | None = None,
        organization: str | None = None,
        credential_sent: bool | None = None,
    ) -> SentryError:
        """Record what the failed request was about, and say it in the message (returns self)."""
        if self.detail is None:
            self.detail = self.message
        self.issue_id = issue_id if issue_id is not None else self.issue_id
        self.event_id = event_id if event_id is not None else self.event_id
        self.organization = organization if organization is not None else self.organization
        if credential_sent is not None:
            self.credential_sent = credential_sent
        self.message = explain(self)
        self.args = (self.message,)
        return self

    def for_issue(self, issue_id: str) -> SentryError:
        """A copy of this error about `issue_id`.

        One failed call to the issue index fails every issue it was asked for;
        each of their GraphQL errors then names its own issue.
        """
        clone = type(self).__new__(type(self))
        clone.args = self.args
        clone.__dict__.update(self.__dict__)
        return clone.about(issue_id=issue_id)

    def extensions(self) -> dict[str, Any]:
        """The machine-readable parts for a GraphQL error's ``extensions``."""
        parts: dict[str, Any] = {}
        if self.issue_id is not None:
            parts["issueId"] = self.issue_id
        if self.event_id is not None:
            parts["eventId"] = self.event_id
        if self.organization is not None:
            parts["organization"] = self.organization
        if self.status is not None:
            parts["upstreamStatus"] = self.status
        return parts


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

    @classmethod
    def missing_issue(cls, issue_id: str, organization: str | None) -> NotFound:
        """An issue the issue index left out of its answer: unknown, or not visible."""
        error = cls("")
        error.issue_id = issue_id
        error.organization = organization
        error.message = (
            f"{_subject(error)} does not exist, or this credential may not see it. "
            f"{_not_found_advice(error)}"
        )
        error.args = (error.message,)
        return error

    @property
    def no_matching_event(self) -> bool:
        """True when latest/oldest/recommended found the issue but no event matching the filters."""
        return (self.detail or self.message).startswith(NO_MATCHING_EVENT)


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


def explain(error: SentryError) -> str:
    """The message for `error`: what was refused, Sentry's words, and what to change.

    Only refusals get new words; other failures keep their message with the
    object they concern in front.
    """
    subject = _subject(error)
    if error.status is None:  # refused before anything reached Sentry: the reason is ours
        return f"{subject}: {error.detail}" if error.detail else subject
    said = f'Sentry answered {error.status}: "{_clip(error.detail)}"' if error.detail else (
        f"Sentry answered {error.status}"
    )
    if isinstance(error, Unauthenticated):
        return f"{subject}: {said}. {_credential_advice(error)}"
    if isinstance(error, Forbidden):
        return (
            f"{subject}: {said}. The credential is valid but may not read this issue: use a token "
            "with the event:read scope, of a member of the issue's project"
            + (f" in organization {error.organization!r}." if error.organization else ".")
        )
    if isinstance(error, NotFound):
        return f"{subject}: {said}. {_not_found_advice(error)}"
    if isinstance(error, BadRequest):
        return error.detail or subject  # Sentry's own words about the caller's input, unchanged
    return f"{subject}: {error.detail}" if error.detail else subject


def _subject(error: SentryError) -> str:
    where = f" in organization {error.organization!r}" if error.organization else ""
    if error.event_id in ("latest", "oldest", "recommended") and error.issue_id is not None:
        return f"The {error.event_id} event of issue {error.issue_id!r}{where}"
    if error.event_id is not None and error.issue_id is not None:
        return f"Event {error.event_id!r} of issue {error.issue_id!r}{where}"
    if error.issue_id is not None:
        return f"Issue {error.issue_id!r}{where}"
    if error.organization is not None:
        return f"Organization {error.organization!r}"
    return "The request to Sentry"


def _credential_advice(error: SentryError) -> str:
    detail = error.detail or ""
    if error.credential_sent is False:
        return (
            "No credential was sent: set SENTRY_AUTH_TOKEN on the gateway, or send an "
            f"{BEARER_FORM} header with the request."
        )
    if "limited to organization endpoints" in detail:
        return (
            "This token only works on organization routes: set SENTRY_ORG to its organization's "
            "slug."
        )
    if "Unauthorized organization access" in detail:
        return (
            f"The token belongs to another organization than {error.organization!r}: set "
            "SENTRY_ORG to the token's organization, or use a token of this one."
        )
    return (
        "Sentry did not accept the credential: check the token sent as "
        f"{BEARER_FORM} (or SENTRY_AUTH_TOKEN, used when the request sends none); it may be "
        "mistyped, expired or revoked."
    )


def _not_found_advice(error: NotFound) -> str:
    if error.no_matching_event:
        return "No event of this issue matches the filters: widen the environment, time window or query."
    if error.event_id is not None and error.detail and error.detail != RESOURCE_NOT_FOUND:
        return "Check the event id; events older than the retention period are gone."
    if error.organization is not None:
        return (
            "Check the issue id (numeric, or a short id such as PROJ-1A) and any environment "
            f"filter. If no issue is found at all, the organization {error.organization!r} "
            "(SENTRY_ORG, or the one discovered for the credential) may not be the issue's: "
            "/readyz says whether the credential can read it."
        )
    return (
        "Check the numeric issue id and any environment filter; the issue may have been deleted "
        "or merged, or belong to an organization the credential cannot see."
    )


def _clip(text: str | None, limit: int = 300) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit] + "..."
