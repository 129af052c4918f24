"""Query protection: limits checked before execution, and what each response cost.

* Depth, alias and token limits (strawberry's own limiters, configured here).
* The upstream-call estimate of `cost` against the request's budget: over it,
  the query does not run and answers ``QUERY_TOO_COMPLEX`` with the figure.
* Every response carries ``extensions.cost`` (calls estimated and made) and,
  when Sentry reported them, ``extensions.rateLimit`` (the caller's limits).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator

from .cost import estimate_upstream_calls

__all__ = ["QueryCost", "limit_extensions"]


def limit_extensions(*, max_depth: int, max_aliases: int, max_tokens: int) -> list[Any]:
    """Strawberry's limiters, as factories (a fresh extension for each request).

    The depth and alias rules are built once and shared: a new rule class per
    request would make every document miss the validation cache.
    """
    rules = [
        depth_validator(max_depth, should_ignore=None),
        alias_validator(max_aliases),
    ]
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: AddValidationRules(rules),
    ]


class QueryCost(SchemaExtension):
    """Refuse operations whose upstream-call estimate is over budget; report costs."""

    def __init__(self, *, execution_context: Any = None) -> None:
        self.estimate: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        budget = _budget(context.context)
        if context.graphql_document is not None:
            self.estimate = estimate_upstream_calls(
                context.graphql_document, context.operation_name, context.variables
            )
            if budget is not None and self.estimate > budget:
                context.result = GraphQLExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"This query could make up to {self.estimate} calls to Sentry; "
                            f"one request may make at most {budget}. Ask for fewer issues, "
                            "pages or events at once.",
                            extensions={
                                "code": "QUERY_TOO_COMPLEX",
                                "cost": self.estimate,
                                "budget": budget,
                            },
                        )
                    ],
                )
        yield

    def get_results(self) -> dict[str, Any]:
        loaders = getattr(self.execution_context.context, "loaders", None)
        if loaders is None:
            return {}
        results: dict[str, Any] = {
            "cost": {
                "estimatedUpstreamCalls": self.estimate,
                "upstreamCalls": loaders.upstream_calls,
                "budget": loaders.max_calls,
            }
        }
        limits = loaders.rate_limit()
        if limits is not None:
            results["rateLimit"] = limits.as_dict()
        return results


def _budget(context: Any) -> int | None:
    loaders = getattr(context, "loaders", None)
    return None if loaders is None else loaders.max_calls
