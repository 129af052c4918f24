"""Query protection: limits checked before execution, and what each response cost.

* Token limits (graphql-core's parser), fragment counts (checked before any
  validation rule runs), depth and alias limits (`document_limits`: linear in
  the document, where strawberry's validators walk every spread path), and,
  when introspection is off, graphql-core's rule refusing it.
* The estimate of `cost` (upstream calls, and the bytes of events they would
  bring) against the request's budgets: over either, the query does not run
  and answers ``QUERY_TOO_COMPLEX`` with the figures.
* Every response carries ``extensions.cost`` (calls estimated and made) and,
  when Sentry reported them, ``extensions.rateLimit`` (the caller's limits).

All are steps of `gateway.schema.execution.pipeline.OperationPipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    ValidationRule,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.types import ExecutionContext

from gateway.schema.execution.cost import Estimate, estimate
from gateway.schema.execution.document_limits import (
    TOO_COMPLEX,
    alias_rule,
    depth_rule,
    fragment_counts,
    fragment_cycles,
    overlap,
)

__all__ = ["Limits", "check_budget", "cost_results"]


#: The longest ``operationName`` accepted.
MAX_OPERATION_NAME = 1024
#: Fields a document may expand to (fragments spread), and pairs of fields at
#: one response path graphql-core may have to compare (100 fields asking for
#: the same thing at one place: ~0.1 s of validation; 400: seconds).
MAX_EXPANDED_FIELDS = 20_000
MAX_FIELD_PAIRS = 5_000


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
    #: Fragment definitions, and fragment spreads, a document may hold.
    max_fragments: int | None = None
    max_spreads: int | None = None
    #: The most bytes of events the estimate may say Sentry would send.
    max_upstream_bytes: int | None = None

    @classmethod
    def build(
        cls,
        *,
        max_depth: int | None,
        max_aliases: int | None,
        max_tokens: int | None,
        introspection: bool,
        max_fragments: int | None = None,
        max_spreads: int | None = None,
        max_upstream_bytes: int | None = None,
    ) -> Limits:
        rules: list[type[ASTValidationRule]] = []
        # strawberry's limiter extensions, used for the rule each one builds.
        if max_depth is not None:
            rules.append(depth_rule(max_depth))
        if max_aliases is not None:
            rules.append(alias_rule(max_aliases))
        router_rules = list(rules)
        if not introspection:
            rules += [NoSchemaIntrospectionCustomRule, NoFederationServiceRule]
            router_rules.append(NoSchemaIntrospectionCustomRule)
        return cls(
            max_tokens=max_tokens,
            rules=tuple(rules),
            router_rules=tuple(router_rules),
            max_fragments=max_fragments,
            max_spreads=max_spreads,
            max_upstream_bytes=max_upstream_bytes,
        )

    def refuse_document(self, document: DocumentNode) -> list[GraphQLError] | None:
        """The error for a document too costly to validate, before any rule runs; else None."""
        definitions, spreads = fragment_counts(document)
        for count, limit, what in (
            (definitions, self.max_fragments, "fragment definitions"),
            (spreads, self.max_spreads, "fragment spreads"),
        ):
            if limit is not None and count > limit:
                return [
                    GraphQLError(
                        f"The document has {count} {what}; at most {limit} are allowed. Inline or reuse fragments.",
                        extensions={"code": TOO_COMPLEX, "count": count, "limit": limit},
                    )
                ]
        # A fragment cycle through a field expands without end, and `overlap`'s
        # walk of it grows quadratic (seconds): it is invalid, refused first.
        cycles = fragment_cycles(document) if definitions else None
        if cycles:
            return cycles
        shape = overlap(document, MAX_EXPANDED_FIELDS)
        if shape.fields > MAX_EXPANDED_FIELDS:
            return [
                GraphQLError(
                    f"The document expands to more than {MAX_EXPANDED_FIELDS} fields once its "
                    "fragments are spread. Ask for less at once.",
                    extensions={"code": TOO_COMPLEX, "limit": MAX_EXPANDED_FIELDS},
                )
            ]
        if shape.pairs > MAX_FIELD_PAIRS:
            where = ".".join(shape.path)[:200]
            return [
                GraphQLError(
                    f"The document asks for `{where}` {shape.count} times (in all, {shape.pairs} "
                    f"pairs of fields at the same place; at most {MAX_FIELD_PAIRS}). Give repeated "
                    "fields aliases of their own, or ask once.",
                    extensions={"code": TOO_COMPLEX, "pairs": shape.pairs, "limit": MAX_FIELD_PAIRS},
                )
            ]
        return None

    def apply(self, context: ExecutionContext) -> None:
        """Set this operation's parse options and validation rules.

        An ``operationName`` longer than any real one is refused here, before
        it is looked up (graphql-core's "Unknown operation named" error
        would carry it whole back to the caller).
        """
        name = context._provided_operation_name
        if isinstance(name, str) and len(name) > MAX_OPERATION_NAME:
            raise GraphQLError(
                f"operationName is {len(name)} characters long; at most {MAX_OPERATION_NAME} "
                "are accepted. Pass the name of one operation of the document.",
                extensions={"code": "BAD_USER_INPUT"},
            )
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


def check_budget(context: ExecutionContext, limits: Limits) -> Estimate | None:
    """The operation's estimate; over a budget (calls, or bytes of events), the
    operation gets its ``QUERY_TOO_COMPLEX`` result instead of running."""
    if context.graphql_document is None:
        return None
    figures = estimate(context.graphql_document, context.operation_name, context.variables)
    calls = _budget(context.context)
    message = None
    if calls is not None and figures.calls > calls:
        message = f"This query could make up to {figures.calls} calls to Sentry; one request may make at most {calls}."
    elif limits.max_upstream_bytes is not None and figures.bytes > limits.max_upstream_bytes:
        message = (
            f"This query could make Sentry send about {_mib(figures.bytes)} of events; "
            f"one request may ask for at most {_mib(limits.max_upstream_bytes)}."
        )
    if message is not None:
        context.result = GraphQLExecutionResult(
            data=None,
            errors=[
                GraphQLError(
                    message + " Ask for fewer issues, pages or events at once, or fewer "
                    "fields that need Sentry's full events (entries, contexts, sdk...).",
                    extensions={
                        "code": TOO_COMPLEX,
                        "cost": figures.calls,
                        "budget": calls,
                        "estimatedUpstreamBytes": figures.bytes,
                        "upstreamBytesBudget": limits.max_upstream_bytes,
                    },
                )
            ],
        )
    return figures


def _mib(size: int) -> str:
    return f"{size / 1048576:.1f} MiB"


def cost_results(context: ExecutionContext, figures: Estimate | None) -> dict[str, Any]:
    """The response's ``extensions``: ``cost``, and ``rateLimit`` when known."""
    loaders = getattr(context.context, "loaders", None)
    if loaders is None:
        return {}
    results: dict[str, Any] = {
        "cost": {
            "estimatedUpstreamCalls": None if figures is None else figures.calls,
            "estimatedUpstreamBytes": None if figures is None else figures.bytes,
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
