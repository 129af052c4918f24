"""The gateway's steps around each operation, as one strawberry extension.

Strawberry wraps every hook of every extension in a context manager, for
every request. With the seven extensions these steps used to be (parse and
validation caches, error codes, the cost check, and strawberry's token,
depth/alias and introspection limiters), that bookkeeping cost ~35 µs per
request on the bench machine, a tenth of a small query's own work. One
extension runs the same steps, in the order they depend on each other:

1. operation starts: this operation's limits (`protection.Limits`) set the
   parse options and validation rules, so both caches key on them;
2. parse: `caches.parse_cached`;
3. validate: `caches.validate_cached` (with `protection.Limits.refuse_document`
   first: a document too costly to validate is refused without it), then
   `errors.require_operation_name`
   (after, so its error is added to the cached ones, not cached with them);
4. execute: `protection.check_budget`;
5. results: `protection.cost_results` (``extensions.cost``/``rateLimit``);
6. operation ends: `errors.code_errors`, last, so every error has its code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from gateway.schema.execution.cost import Estimate
from gateway.schema.execution.caches import parse_cached, validate_cached
from gateway.schema.execution.errors import code_errors, require_operation_name
from gateway.schema.execution.protection import Limits, check_budget, cost_results

__all__ = ["OperationPipeline"]


class OperationPipeline(SchemaExtension):
    """One per operation (pass `OperationPipeline.factory(limits)` to the schema)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.estimate: Estimate | None = None

    @classmethod
    def factory(cls, limits: Limits) -> Any:
        return lambda: cls(limits)

    def on_operation(self) -> Iterator[None]:
        self.limits.apply(self.execution_context)
        yield
        code_errors(self.execution_context)

    def on_parse(self) -> Iterator[None]:
        parse_cached(self.execution_context)
        yield

    def on_validate(self) -> Iterator[None]:
        validate_cached(self.execution_context, self.limits.refuse_document)
        require_operation_name(self.execution_context)
        yield

    def on_execute(self) -> Iterator[None]:
        self.estimate = check_budget(self.execution_context, self.limits)
        yield

    def get_results(self) -> dict[str, Any]:
        return cost_results(self.execution_context, self.estimate)
