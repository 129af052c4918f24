"""Query protection: limits checked before execution, and what each response cost.

* Depth, alias and token limits (strawberry's own validators, configured here),
  and, when introspection is off, graphql-core's rule refusing it.
* The upstream-call estimate of `cost` against the request's budget: over it,
  the query does not run and answers ``QUERY_TOO_COMPLEX`` with the figure.
* Every response carries ``extensions.cost`` (calls estimated and made) and,
  when Sentry reported them, ``extensions.rateLimit`` (the caller's limits).

All are steps of `gateway.schema.pipeline.OperationPipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import ASTValidationRule, FieldNode, GraphQLError, NoSchemaIntrospectionCustomRule, ValidationRule
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator
from strawberry.types import ExecutionContext

from .cost import estimate_upstream_calls

__all__ = ["Limits", "check_budget", "cost_results"]


@dataclass(frozen=True)
class Limits:
    """What an operation may be: its tokens, and the validation rules it must pass.

    The rules are built once and shared: a new rule class per request would
    make every document miss the validation cache.
    """

    max_tokens: int | None = None
    rules: tuple[type[ASTValidationRule], ...] = ()
    #: The rules for a caller that presented the router secret (`RequestContext.router`).
    router_rules: tuple[type[ASTValidationRule], ...] = ()

    @classmethod
    def build(
        cls,
        *,
        max_depth: int | None,
        max_aliases: int | None,
        max_tokens: int | None,
        introspection: bool,
    ) -> Limits:
        rules: list[type[ASTValidationRule]] = []
        if max_depth is not None:
            rules.append(depth_validator(max_depth, should_ignore=None))
        if max_aliases is not None:
            rules.append(alias_validator(max_aliases))
        router_rules = list(rules)
        if not introspection:
            rules += [NoSchemaIntrospectionCustomRule, NoFederationServiceRule]
            router_rules.append(NoSchemaIntrospectionCustomRule)
        return cls(max_tokens=max_tokens, rules=tuple(rules), router_rules=tuple(router_rules))

    def apply(self, context: ExecutionContext) -> None:
        """Set this operation's parse options and validation rules."""
        if self.max_tokens is not None:
            context.parse_options["max_tokens"] = self.max_tokens
        rules = self.router_rules if getattr(context.context, "router", False) else self.rules
        if rules:
            context.validation_rules = context.validation_rules + rules


class NoFederationServiceRule(ValidationRule):
    """``_service { sdl }`` is the whole schema: refused with introspection, unless
    the caller is the federation router (it presents GATEWAY_ROUTER_SECRET)."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        if node.name.value == "_service" and self.context.get_parent_type() is self.context.schema.query_type:
            self.report_error(
                GraphQLError(
                    "The `_service` field is off while introspection is off. A federation "
                    "router presents GATEWAY_ROUTER_SECRET in the X-Router-Secret header.",
                    node,
                )
            )


def check_budget(context: ExecutionContext) -> int | None:
    """The operation's upstream-call estimate; over the request's budget, the
    operation gets its ``QUERY_TOO_COMPLEX`` result instead of running."""
    budget = _budget(context.context)
    if context.graphql_document is None:
        return None
    estimate = estimate_upstream_calls(context.graphql_document, context.operation_name, context.variables)
    if budget is not None and estimate > budget:
        context.result = GraphQLExecutionResult(
            data=None,
            errors=[
                GraphQLError(
                    f"This query could make up to {estimate} calls to Sentry; "
                    f"one request may make at most {budget}. Ask for fewer issues, "
                    "pages or events at once.",
                    extensions={"code": "QUERY_TOO_COMPLEX", "cost": estimate, "budget": budget},
                )
            ],
        )
    return estimate


def cost_results(context: ExecutionContext, estimate: int | None) -> dict[str, Any]:
    """The response's ``extensions``: ``cost``, and ``rateLimit`` when known."""
    loaders = getattr(context.context, "loaders", None)
    if loaders is None:
        return {}
    results: dict[str, Any] = {
        "cost": {
            "estimatedUpstreamCalls": estimate,
            "upstreamCalls": loaders.upstream_calls,
            "budget": loaders.max_calls,
        }
    }
    limits = loaders.rate_limit()
    if limits is not None:
        results["rateLimit"] = limits.as_dict()
    warnings = getattr(context.context, "paging_warnings", None)
    if warnings:
        results["pagingWarnings"] = list(warnings)
    return results


def _budget(context: Any) -> int | None:
    loaders = getattr(context, "loaders", None)
    return None if loaders is None else loaders.max_calls
