"""The one place where failures become GraphQL errors with `extensions.code`.

Resolvers raise plain exceptions (`gateway.sentry.errors`, `PagingError`,
`InvalidGlobalId`); `code_errors`, a step of `gateway.schema.execution.pipeline`,
rewrites every error of a result so each carries a code from the contract.
Anything unexpected is masked as ``INTERNAL_SERVER_ERROR`` and logged once
with its traceback; expected upstream outcomes are not logged as failures of ours.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.types import ExecutionContext

from gateway.sentry import errors as upstream

from gateway.schema.types.node import InvalidGlobalId
from gateway.schema.paging.pagination import PagingError

__all__ = ["code_errors", "code_for", "is_expected", "require_operation_name"]

logger = logging.getLogger("gateway.errors")

_CODES: tuple[tuple[type[Exception], str], ...] = (
    (upstream.InvalidInput, "BAD_USER_INPUT"),
    (upstream.BadRequest, "BAD_USER_INPUT"),
    (PagingError, "BAD_USER_INPUT"),
    (InvalidGlobalId, "BAD_USER_INPUT"),
    (upstream.Unauthenticated, "UNAUTHENTICATED"),
    (upstream.Forbidden, "FORBIDDEN"),
    (upstream.NotFound, "NOT_FOUND"),
    (upstream.RateLimited, "RATE_LIMITED"),
    (upstream.UpstreamTimeout, "UPSTREAM_TIMEOUT"),
    (upstream.UpstreamUnavailable, "UPSTREAM_ERROR"),
    (upstream.RouteGone, "UPSTREAM_ERROR"),
    (upstream.BadUpstreamResponse, "UPSTREAM_BAD_RESPONSE"),
    (upstream.UpstreamBudgetExceeded, "QUERY_TOO_COMPLEX"),
)

INTERNAL_MESSAGE = "Internal server error."


def code_for(error: BaseException | None) -> str | None:
    """The contract's code for an exception a resolver raised, or None if unexpected."""
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    return None


def root_cause(error: GraphQLError) -> BaseException | None:
    """The exception a resolver raised, through graphql-core's wrapping."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def is_expected(error: GraphQLError) -> bool:
    """True for errors that are the caller's or the upstream's, not a bug of ours."""
    return error.path is None or _expected_code(error) is not None


def _expected_code(error: GraphQLError) -> str | None:
    """The code of an error that is the caller's or the upstream's, else None.

    Besides our own exceptions, graphql-core itself refuses an argument while
    executing when a variable's value does not fit it there (a null sent for
    ``$v: Boolean = true`` used in ``@skip(if: $v)``): it raises a plain
    `GraphQLError`, with a path when that happens below the root.
    """
    cause = root_cause(error)
    code = code_for(cause)
    if code is None and _argument_refused(cause if isinstance(cause, GraphQLError) else error):
        return "BAD_USER_INPUT"
    return code


def require_operation_name(context: ExecutionContext) -> None:
    """The GraphQL spec requires a name to pick one of several operations;
    without this, strawberry would silently run the first one."""
    document = context.graphql_document
    if document is not None and context._provided_operation_name is None:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1:
            context.pre_execution_errors = [
                *(context.pre_execution_errors or []),
                GraphQLError(
                    "Must provide operationName if the query contains several operations.",
                    nodes=operations,
                ),
            ]


def code_errors(context: ExecutionContext) -> None:
    """Give every error of the result an `extensions.code`, masking the unexpected."""
    result = context.result
    if result is None or not result.errors:
        return
    parsed = context.graphql_document is not None
    for error in result.errors:
        _forget_traceback(error)
    result.errors[:] = [_coded(error, parsed=parsed) for error in result.errors]


def _forget_traceback(error: GraphQLError) -> None:
    """Drop the traceback of an expected failure: nobody logs it.

    Its frames keep their locals (the upstream answer that failed, whole)
    in a cycle with graphql-core's ``handle_field_error`` frame, which only
    a full collection would free. Unexpected errors keep theirs for the log.
    """
    chain: list[BaseException] = [error]
    while isinstance(chain[-1], GraphQLError) and chain[-1].original_error is not None:
        chain.append(chain[-1].original_error)
    if _expected_code(error) is not None:
        seen: set[int] = set()
        while chain:
            each = chain.pop()
            if id(each) in seen:
                continue
            seen.add(id(each))
            each.__traceback__ = None
            # An exception raised while handling another (``raise ... from None``
            # included) keeps it as its context, with that one's frames.
            chain += [e for e in (each.__context__, each.__cause__) if e is not None]


def _has_code(error: GraphQLError) -> bool:
    return bool(error.extensions and error.extensions.get("code"))


def _code(error: GraphQLError, *, parsed: bool) -> str:
    code = _expected_code(error)
    if code is not None:
        return code
    if _TOO_COMPLEX.search(error.message):
        return "QUERY_TOO_COMPLEX"
    if not parsed:
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        # Before execution: a variable's value that does not fit its type is
        # the caller's input; anything else failed validation.
        if _is_variable_coercion(error.message):
            return "BAD_USER_INPUT"
        return "GRAPHQL_VALIDATION_FAILED"
    return "INTERNAL_SERVER_ERROR"  # raised while resolving, and not one of ours


# graphql-core's messages when a variable's value does not fit its declared
# type (``coerce_variable_values``); validation messages about variables
# ("is never used", "is not defined", "used in position expecting") differ.
_COERCION = re.compile(
    r"^Variable '\$[_A-Za-z][_0-9A-Za-z]*' (has invalid (default )?value|got invalid value|of required type .* was not provided"
    r"|of non-null type .* must not be null)"
)


# graphql-core's messages when it refuses an argument while executing
# (``coerce_argument``): validation checks literals, but a variable's value is
# only known then. Validation's own messages about arguments differ ("Argument
# 'x' of type 'T' is required, but it was not provided.").
_ARGUMENT_COERCION = re.compile(
    r"^Argument '[_A-Za-z][_0-9A-Za-z]*' (has invalid value|of required type .* was not provided)"
)
# The null case of those, to say what to send instead.
_NULL_VARIABLE = re.compile(r"Expected variable '(\$[_A-Za-z][_0-9A-Za-z]*)' provided to non-null type")
# graphql-core's NoFragmentCyclesRule, to say what to change.
_FRAGMENT_CYCLE = re.compile(r"^Cannot spread fragment '[_A-Za-z][_0-9A-Za-z]*' within itself")


# strawberry's depth, alias and token limiters report plain errors.
_TOO_COMPLEX = re.compile(
    r"exceeds maximum operation depth of \d+|^\d+ aliases found\. Allowed: \d+"
    r"|contains more than \d+ tokens"
)


def _is_variable_coercion(message: str) -> bool:
    return _COERCION.match(message) is not None


def _argument_refused(error: GraphQLError) -> bool:
    """True when graphql-core refused an argument's value at execution (not a bug of ours)."""
    return error.original_error is None and _ARGUMENT_COERCION.match(error.message) is not None


def _message(error: GraphQLError, code: str) -> str:
    """The caller's message: masked when unexpected, with advice where graphql-core gives none."""
    if code == "INTERNAL_SERVER_ERROR":
        return INTERNAL_MESSAGE
    if code == "GRAPHQL_VALIDATION_FAILED" and _FRAGMENT_CYCLE.match(error.message):
        return (
            f"{error.message} A fragment may not spread itself, directly or through other "
            "fragments: remove one of the spreads at these locations."
        )
    null = _NULL_VARIABLE.search(error.message) if code == "BAD_USER_INPUT" else None
    if null is not None:
        return (
            f"{error.message} Send a non-null value for {null.group(1)}, or leave it out of "
            "`variables` so its default applies."
        )
    return error.message


def _coded(error: GraphQLError, *, parsed: bool) -> GraphQLError:
    if _has_code(error):
        return error
    cause = root_cause(error)
    code = _code(error, parsed=parsed)
    extensions: dict[str, Any] = dict(error.extensions or {})
    extensions["code"] = code
    if isinstance(cause, upstream.RateLimited) and cause.retry_after is not None:
        extensions["retryAfter"] = cause.retry_after
    if isinstance(cause, upstream.UpstreamBudgetExceeded):
        extensions["upstreamCallBudget"] = cause.budget
    if isinstance(cause, upstream.SentryError):
        # What the error is about (issueId, eventId, organization) and Sentry's status.
        extensions.update(cause.extensions())
    return GraphQLError(
        _message(error, code),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )
