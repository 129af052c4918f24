"""Every private strawberry and graphql-core name the gateway uses, checked at import.

The gateway otherwise uses only the libraries' public names (``from graphql
import ...``, ``strawberry.types``, ``strawberry.extensions``, ...). A few
things have no public form: the compiled completion path
(`gateway.schema.execution.compiled`) extends strawberry's execution context and reads
how strawberry marks a plain-data field; the validation cache calls
strawberry's own ``validate_document``; the IDE page starts from strawberry's
GraphiQL HTML; the SDL export reads the graphql-core schema behind a
strawberry one. Those names may change in any release, so they are imported
here only, and this module checks at import that each one still has the shape
relied upon (signatures, tuple fields, attributes, and a tiny schema converted
the way the compiled path expects).

A mismatch never breaks the gateway: `COMPILED_PATH_PROBLEMS` lists it, a
warning is logged once, and the compiled path switches itself off
(graphql-core's own completion serves everything, slower; the
``gateway_compiled_fallbacks_total{reason="disabled"}`` counter shows it per
operation). The other helpers fall back to strawberry's own behaviour.
``.ci/run`` runs the fast suite against the newest strawberry and graphql-core
releases too, and ``tests/test_compat.py`` fails on any problem listed here,
so drift is seen the day a release ships.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import DocumentNode, GraphQLError, GraphQLSchema, NoFragmentCyclesRule, VariableValues, visit

__all__ = [
    "COMPILED_PATH_PROBLEMS",
    "DEFINITION_BACKREF",
    "TYPE_CAST_ATTRIBUTE",
    "HAS_STRAWBERRY_EXECUTION_CONTEXT",
    "FieldDetails",
    "StrawberryExecutionContext",
    "compiled_path_supported",
    "fragment_cycle_errors",
    "graphql_ide_html",
    "graphql_schema",
    "is_default_resolver",
    "validate_document",
]

logger = logging.getLogger("gateway.compat")

_problems: list[str] = []


def _problem(what: str) -> None:
    _problems.append(what)


# graphql-core: the executor's completion and field collection (private module).

try:
    from graphql.execution.collect_fields import CollectedFields, FieldDetails
except ImportError as error:  # pragma: no cover - only on a graphql-core that moved them
    FieldDetails = Any  # type: ignore[misc, assignment]
    CollectedFields = None  # type: ignore[misc, assignment]
    _problem(f"graphql.execution.collect_fields: {error}")

# strawberry: the execution context it gives graphql-core, and its markers.

try:
    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext as _StrawberryContext
except ImportError as error:  # pragma: no cover
    _StrawberryContext = None  # type: ignore[assignment, misc]
    _problem(f"strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext: {error}")

try:
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    #: The key of a GraphQL type's or field's ``extensions`` holding its strawberry definition.
    DEFINITION_BACKREF: str = GraphQLCoreConverter.DEFINITION_BACKREF
except (ImportError, AttributeError) as error:  # pragma: no cover
    DEFINITION_BACKREF = "strawberry-definition"
    _problem(f"GraphQLCoreConverter.DEFINITION_BACKREF: {error}")

try:
    from strawberry.types.cast import TYPE_CAST_ATTRIBUTE as _CAST
except ImportError as error:  # pragma: no cover
    _CAST = "__as_strawberry_type__"
    _problem(f"strawberry.types.cast.TYPE_CAST_ATTRIBUTE: {error}")
#: The attribute ``strawberry.cast`` sets on an object to choose its union member.
TYPE_CAST_ATTRIBUTE: str = _CAST

try:
    from strawberry.resolvers import is_default_resolver as _is_default_resolver
except ImportError as error:  # pragma: no cover
    _is_default_resolver = None  # type: ignore[assignment]
    _problem(f"strawberry.resolvers.is_default_resolver: {error}")

# Used outside the compiled path (each has a fallback of its own).

try:
    from strawberry.schema.schema import validate_document as _validate_document
except ImportError as error:  # pragma: no cover
    _validate_document = None  # type: ignore[assignment]
    logger.warning("strawberry has no validate_document (%s): validation results are not cached", error)

try:
    from strawberry.http.ides import get_graphql_ide_html as _get_graphql_ide_html
except ImportError:  # pragma: no cover
    _get_graphql_ide_html = None  # type: ignore[assignment]

try:
    from graphql.validation import ASTValidationContext as _ASTValidationContext
except ImportError as error:  # pragma: no cover
    _ASTValidationContext = None  # type: ignore[assignment, misc]
    logger.warning("graphql-core has no ASTValidationContext (%s): fragment cycles are checked by validation only", error)


if TYPE_CHECKING:
    from strawberry.schema.schema import (
        StrawberryGraphQLCoreExecutionContext as StrawberryExecutionContext,
    )
elif _StrawberryContext is not None:
    StrawberryExecutionContext = _StrawberryContext
else:  # pragma: no cover - a placeholder base; `compiled_path_supported()` is False

    class StrawberryExecutionContext:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("strawberry's execution context class is not available")


#: Whether strawberry still has the execution context class the compiled one extends.
HAS_STRAWBERRY_EXECUTION_CONTEXT: bool = _StrawberryContext is not None


def is_default_resolver(resolve: Callable[..., Any] | None) -> bool:
    """Whether a converted GraphQL field's resolver is strawberry's attribute read."""
    if resolve is None or _is_default_resolver is None:
        return False
    return bool(_is_default_resolver(resolve))


def validate_document(schema: Any, document: Any, rules: tuple[Any, ...]) -> list[Any] | None:
    """strawberry's validation of `document` against a strawberry `schema`
    (graphql-core's rules plus strawberry's own).

    None when this strawberry lacks what that takes: the caller then leaves
    validation to strawberry itself (uncached).
    """
    inner = getattr(schema, "_schema", None)
    if _validate_document is None or not isinstance(inner, GraphQLSchema):  # pragma: no cover
        return None
    return list(_validate_document(inner, document, rules))


def fragment_cycle_errors(document: DocumentNode) -> list[GraphQLError]:
    """graphql-core's own ``NoFragmentCyclesRule`` on `document` alone: the rule reads
    no schema, so it runs on graphql-core's schema-free validation context.

    Empty when this graphql-core lacks that context (validation finds the cycles later).
    """
    if _ASTValidationContext is None:  # pragma: no cover
        return []
    errors: list[GraphQLError] = []
    visit(document, NoFragmentCyclesRule(_ASTValidationContext(document, errors.append)))
    return errors


def graphql_schema(schema: Any) -> GraphQLSchema:
    """The graphql-core schema a strawberry schema built (strawberry keeps it as ``_schema``)."""
    inner = getattr(schema, "_schema", None)
    if not isinstance(inner, GraphQLSchema):
        raise RuntimeError(
            f"{type(schema).__name__} has no graphql-core schema in _schema: "
            "strawberry changed; update gateway/compat.py"
        )
    return inner


def graphql_ide_html() -> str:
    """strawberry's GraphiQL page."""
    if _get_graphql_ide_html is None:  # pragma: no cover
        raise RuntimeError("strawberry.http.ides.get_graphql_ide_html is gone; update gateway/compat.py")
    return str(_get_graphql_ide_html("graphiql"))


def compiled_path_supported() -> bool:
    """Whether the installed libraries have every shape the compiled path relies on."""
    return not COMPILED_PATH_PROBLEMS


# The checks

_COMPLETE_VALUE = ["self", "return_type", "field_details_list", "info", "path", "result", "position_context"]
_COLLECT_SUBFIELDS = ["self", "return_type", "field_details_list"]


def _parameters(function: Any) -> list[str] | None:
    try:
        return list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return None


def _check_tuple(cls: Any, name: str, fields: tuple[str, ...]) -> None:
    present = getattr(cls, "_fields", ())
    missing = [f for f in fields if f not in present]
    if missing:
        _problem(f"{name} lacks {', '.join(missing)} (has {', '.join(present) or 'no fields'})")


def _check_signatures() -> None:
    context = _StrawberryContext
    if context is None:
        return
    for method, expected in (("complete_value", _COMPLETE_VALUE), ("collect_subfields", _COLLECT_SUBFIELDS)):
        found = _parameters(getattr(context, method, None))
        if found != expected:
            _problem(f"{context.__name__}.{method}{tuple(found or ())} is not {method}{tuple(expected)}")


def _check_conversion() -> None:
    """Convert and run a tiny schema, and look at it the way the compiled path does."""
    seen: list[str] = []
    base: Any = _StrawberryContext

    class ProbeContext(base):  # type: ignore[misc]
        """Reads, during a real execution, what `CompiledExecutionContext` reads."""

        def complete_value(self, return_type: Any, details: Any, *args: Any) -> Any:
            _ = self.middleware_manager, self.schema, self.operation.variable_definitions, self.is_awaitable
            if self.variable_values.coerced.get("v") is not True:
                seen.append("variable_values.coerced lacks the operation's variables")
            if getattr(return_type, "name", None) == "CompatProbe":  # the object, not its NonNull
                collected = self.collect_subfields(return_type, details)
                grouped = collected.grouped_field_set
                if list(grouped) != ["name"] or collected.new_defer_usages:
                    seen.append(f"collect_subfields gave {collected!r}")
                elif grouped["name"][0].node.name.value != "name" or grouped["name"][0].fragment_variable_values:
                    seen.append(f"field details look like {grouped['name'][0]!r}")
                else:
                    seen.append("ok")
            return super().complete_value(return_type, details, *args)

    schema = strawberry.Schema(query=CompatQuery, execution_context_class=ProbeContext if base else None)
    converted = graphql_schema(schema)
    object_type = converted.type_map["CompatProbe"]
    definition = object_type.extensions.get(DEFINITION_BACKREF)
    if definition is None or getattr(CompatProbe, "__strawberry_definition__", None) is not definition:
        _problem("a type's extensions no longer hold its __strawberry_definition__")
    elif not hasattr(definition, "concrete_of"):
        _problem("a type definition has no concrete_of")
    field = object_type.fields["name"]  # type: ignore[attr-defined]
    if not is_default_resolver(field.resolve):
        _problem("a plain field's resolver is not marked as strawberry's default resolver")
    strawberry_field = field.extensions.get(DEFINITION_BACKREF)
    if strawberry_field is None:
        _problem("a field's extensions no longer hold its StrawberryField")
    else:
        for attribute, expected in (("is_basic_field", True), ("default_resolver", getattr), ("python_name", "name")):
            value = getattr(strawberry_field, attribute, _ABSENT)
            if value is not expected and value != expected:
                _problem(f"StrawberryField.{attribute} is {value!r}, expected {expected!r}")
    if base is None:
        return
    result = schema.execute_sync(
        "query Probe($v: Boolean = true) { probe { name @include(if: $v) } }",
        root_value=CompatQuery(probe=CompatProbe(name="probe")),
    )
    if result.errors or result.data != {"probe": {"name": "probe"}}:
        _problem(f"a probe query through a subclassed execution context answered {result!r}")
    _problems.extend(entry for entry in seen if entry != "ok")
    if "ok" not in seen:
        _problem("complete_value was never called for the probe's object field")


_ABSENT = object()


@strawberry.type
class CompatProbe:
    name: str


@strawberry.type
class CompatQuery:
    probe: CompatProbe


def _run_checks() -> tuple[str, ...]:
    if CollectedFields is not None:
        _check_tuple(CollectedFields, "CollectedFields", ("grouped_field_set", "new_defer_usages"))
        _check_tuple(FieldDetails, "FieldDetails", ("node", "fragment_variable_values"))
    _check_tuple(VariableValues, "VariableValues", ("coerced",))
    _check_signatures()
    try:
        _check_conversion()
    except Exception as error:  # noqa: BLE001 - any failure of the probe is a mismatch
        _problem(f"converting a probe schema failed: {error!r}")
    return tuple(_problems)


#: What the installed libraries lack for the compiled path (empty: it runs).
COMPILED_PATH_PROBLEMS: tuple[str, ...] = _run_checks()

if COMPILED_PATH_PROBLEMS:
    logger.warning(
        "Compiled completion is OFF (graphql-core completes every field, 2-3x slower on "
        "large pages): the installed strawberry/graphql-core differ from what "
        "gateway/compat.py expects: %s",
        "; ".join(COMPILED_PATH_PROBLEMS),
    )
