"""Compiled completion: everything below the resolvers in one pass.

graphql-core completes a value field by field: for each of the tens of
thousands of leaves in a page of full events it builds a resolve info, calls
strawberry's default resolver, checks awaitability and coerces the leaf
(about 3 µs a field here). Below ``Issue.events`` every field of this schema
is plain data (a dataclass attribute, no resolver, no arguments), so that
walk only ever reads attributes.

`CompiledExecutionContext` compiles, once per selection, a tree of small
closures ("completers") that read the same attributes and build the same
dicts, and uses it in place of graphql-core's completion wherever a whole
subtree is plain data. The resolvers above it (the issue, the connection and
its loaders) still run through graphql-core, asynchronously, as before.

graphql-core stays the reference. A selection is compiled only when it has
nothing a completer does not reproduce exactly: a field with a resolver or
arguments, ``@defer``, resolver middleware (a schema extension with a
``resolve`` hook, e.g. OpenTelemetry's) make graphql-core complete that part
itself. And a completer never reports an error: on any value that is not the
plain, valid data it expects (null in a non-null field, a leaf that needs
coercion that fails, an object of an unexpected class) it gives up, and
graphql-core completes the same value again, producing the errors, paths and
null propagation of the spec. Completion has no side effects, so doing it
twice is only slower. ``tests/test_compiled.py`` checks both give identical
responses on generated queries.
"""

from __future__ import annotations

import keyword
import logging
import math
from collections.abc import Callable
from typing import Any, NamedTuple

from graphql import (
    GraphQLAbstractType,
    GraphQLError,
    GraphQLBoolean,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    is_union_type,
)
from gateway import compat
from gateway.compat import (
    DEFINITION_BACKREF,
    TYPE_CAST_ATTRIBUTE,
    FieldDetails,
    StrawberryExecutionContext,
    is_default_resolver,
)
from gateway.observability.metrics import observe_compiled_fallback

from gateway.schema.execution.identity_map import WeakIdentityMap

__all__ = ["CompiledExecutionContext", "execution_context_class"]

logger = logging.getLogger("gateway.compiled")

Completer = Callable[[Any], Any]
FieldDetailsList = list[FieldDetails]

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1


class _GiveUp(Exception):
    """A value the compiled completion does not reproduce; graphql-core completes it."""


def execution_context_class() -> type[CompiledExecutionContext] | None:
    """The class to give strawberry, or None (its own) when strawberry lacks the base class.

    With any other mismatch found by `gateway.compat` the class is still used
    but compiles nothing, so each operation counts as a ``disabled`` fallback.
    """
    return CompiledExecutionContext if compat.HAS_STRAWBERRY_EXECUTION_CONTEXT else None


class CompiledExecutionContext(StrawberryExecutionContext):
    """graphql-core's executor, completing plain-data subtrees with compiled completers.

    Every time graphql-core completes something a completer was meant to, the
    counter ``gateway_compiled_fallbacks_total`` counts it by reason:

    * ``disabled``: the operation ran without compiling, the installed
      libraries failed `gateway.compat`'s checks (logged at start-up);
    * ``middleware``: resolver middleware (a schema extension with a
      ``resolve`` hook, e.g. tracing) must see every field;
    * ``value``: a value that is not the plain, valid data a completer expects
      (graphql-core then reports its errors). A list of awaitables is not one:
      graphql-core awaits the items, then each is completed here;
    * ``variables``: a selection whose fields cannot be collected (an
      ``@include``/``@skip`` whose variable is null: graphql-core reports it);
    * ``error``: a completer or the compiler raised something unexpected, a
      bug or a library change (also logged, once per process and exception type).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiling = False
        if not compat.compiled_path_supported():
            observe_compiled_fallback("disabled")
        else:
            middleware = self.middleware_manager
            #: Resolver middleware must see every field, so then nothing is compiled.
            self._compiling = middleware is None or not middleware.middlewares
            if not self._compiling:
                observe_compiled_fallback("middleware")
        # (return type, id(field details list)) -> (the list, kept alive so its
        # id is not reused during this execution; its completer or None).
        self._completers: dict[tuple[Any, int], tuple[FieldDetailsList, Completer | None]] = {}
        self._boolean_variables: tuple[Any, ...] | None = None
        self._compile_failed = False
        self._shared: Any = _MISSING  # this document's shared completers, looked up once

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        if self._compiling and not isinstance(result, Exception):
            completer = self._completer(return_type, field_details_list)
            if completer is not None:
                try:
                    return completer(result)
                except _GiveUp:  # graphql-core completes it again, with the errors
                    if not self._awaits(result):
                        observe_compiled_fallback("value")
                except Exception as error:  # noqa: BLE001 - graphql-core is the reference
                    _unexpected(error, "completing", return_type)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _awaits(self, result: Any) -> bool:
        """Whether `result` is a list with awaitable items (e.g. ``issues(ids:)``'s).

        Not a fallback: graphql-core awaits each item, then completes it here,
        compiled. Checked only after a completer gave up.
        """
        return (type(result) is list or type(result) is tuple) and any(self.is_awaitable(item) for item in result)

    # Compilation

    def _completer(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> Completer | None:
        key = (return_type, id(details))
        cached = self._completers.get(key)
        if cached is not None:
            return cached[1]
        shared = self._shared_entries()
        shared_key = None if shared is None else self._shared_key(return_type, details)
        found = _MISSING if shared_key is None else shared.get(shared_key, _MISSING)  # type: ignore[union-attr]
        completer: Completer | None
        if found is not _MISSING:
            completer = found  # a completer, or None: graphql-core completes this selection
        else:
            try:
                completer = self._compile(return_type, details)
            except GraphQLError:
                # Collecting the fields failed (e.g. a null where @include needs a
                # Boolean): graphql-core raises that error at the field it belongs to.
                completer = None
                self._compile_failed = True
                observe_compiled_fallback("variables")
            except Exception as error:  # noqa: BLE001 - graphql-core is the reference
                completer = None
                self._compile_failed = True
                _unexpected(error, "compiling", return_type)
            if shared_key is not None and not self._compile_failed:
                shared[shared_key] = completer  # type: ignore[index]
        self._completers[key] = (details, completer)
        return completer

    def _shared_entries(self) -> dict[tuple[Any, ...], Completer | None] | None:
        """This document's completers, shared by every request that sends it.

        Kept per operation node, weakly and by identity (`WeakIdentityMap`):
        the entries live exactly as long as the parsed document (which the
        parse cache holds), so they can be neither stale nor hoarded.
        """
        if self._shared is _MISSING:  # once per execution
            try:
                self._shared = _SHARED.get(self.operation)
                if self._shared is None:
                    self._shared = _SHARED[self.operation] = {}
            except TypeError:  # not weakly referenceable: compile per request
                self._shared = None
        shared: dict[tuple[Any, ...], Completer | None] | None = self._shared
        return shared

    def _shared_key(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> tuple[Any, ...] | None:
        """The key of a completer among its document's (see `_shared_entries`).

        A completer depends on the return type, the field nodes (the
        document's own, so their ids are stable while it lives), the
        fragments they spread (the same document's) and the values of
        ``@skip``/``@include`` conditions: only Boolean variables can feed those.
        """
        if any(d.fragment_variable_values is not None for d in details):
            return None
        if self._boolean_variables is None:
            coerced = self.variable_values.coerced
            self._boolean_variables = tuple(
                (definition.variable.name.value, coerced.get(definition.variable.name.value))
                for definition in self.operation.variable_definitions or ()
                if _type_name(definition.type) == "Boolean"
            )
        return (return_type, tuple(id(d.node) for d in details), self._boolean_variables)

    def _compile(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> Completer | None:
        """The completer of a (possibly null) value of `return_type`, or None."""
        nullable = not is_non_null_type(return_type)
        if not nullable:
            return_type = return_type.of_type  # type: ignore[union-attr]
        if is_leaf_type(return_type):
            return _leaf(return_type, nullable=nullable)
        inner = self._compile_present(return_type, details)
        if inner is None:
            return None
        return _nullable(inner) if nullable else _non_null(inner)

    def _compile_present(self, return_type: GraphQLOutputType, details: FieldDetailsList) -> Completer | None:
        """The completer of a non-null value of a nullable, composite `return_type`."""
        if is_list_type(return_type):
            return self._compile_list(return_type, details)
        if is_abstract_type(return_type):
            return self._compile_abstract(return_type, details)
        if is_object_type(return_type):
            return self._compile_object(return_type, details)
        return None

    def _compile_list(self, return_type: GraphQLList[Any], details: FieldDetailsList) -> Completer | None:
        item_type = return_type.of_type
        if is_leaf_type(item_type) or (is_non_null_type(item_type) and is_leaf_type(item_type.of_type)):
            item = self._compile(item_type, details)  # a leaf completer checks nulls itself
            if item is None:
                return None

            def complete_leaf_list(value: Any) -> list[Any]:
                if type(value) is not list and type(value) is not tuple:
                    raise _GiveUp
                return [item(element) for element in value]

            return complete_leaf_list
        non_null = is_non_null_type(item_type)
        inner = self._compile_present(item_type.of_type if non_null else item_type, details)
        if inner is None:
            return None
        if non_null:

            def complete_list(value: Any) -> list[Any]:
                if type(value) is not list and type(value) is not tuple:
                    raise _GiveUp
                return [
                    inner(element) if element is not None and element is not Undefined else _give_up()
                    for element in value
                ]

            return complete_list

        def complete_nullable_items(value: Any) -> list[Any]:
            if type(value) is not list and type(value) is not tuple:
                raise _GiveUp
            return [inner(element) if element is not None and element is not Undefined else None for element in value]

        return complete_nullable_items

    def _compile_abstract(self, return_type: GraphQLAbstractType, details: FieldDetailsList) -> Completer | None:
        if not is_union_type(return_type):
            return None  # an interface may resolve types its own way (resolve_type)
        by_definition: dict[Any, Completer] = {}
        for possible in self.schema.get_possible_types(return_type):
            definition = possible.extensions.get(DEFINITION_BACKREF)
            if definition is None or getattr(definition, "concrete_of", None) is not None:
                return None  # generics resolve by their fields' values: not reproduced here
            completer = self._compile_object(possible, details)
            if completer is None:
                return None
            by_definition[definition] = completer

        def complete_abstract(value: Any) -> Any:
            # Strawberry resolves a plain (not generic, not cast) object to the
            # member whose definition it carries.
            if getattr(value, TYPE_CAST_ATTRIBUTE, None) is not None:
                raise _GiveUp
            completer = by_definition.get(getattr(value, "__strawberry_definition__", None))
            if completer is None:
                raise _GiveUp
            return completer(value)

        return complete_abstract

    def _compile_object(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> Completer | None:
        collected = self.collect_subfields(object_type, details)
        if collected.new_defer_usages:
            return None
        fields: list[_FieldPlan] = []
        for response_key, sub_details in collected.grouped_field_set.items():
            field_name = sub_details[0].node.name.value
            if field_name == "__typename":
                fields.append(_FieldPlan(response_key, None, None, _identity))
                continue
            field_def = self.schema.get_field(object_type, field_name)
            if field_def is None:
                continue  # graphql-core leaves such a key out too
            attribute = _plain_attribute(field_def)
            if attribute is None or any(d.node.arguments for d in sub_details):
                return None
            child = self._completer(field_def.type, sub_details)
            if child is None:
                return None
            fields.append(_FieldPlan(response_key, attribute, field_def.type, child))
        return _object_completer(object_type, fields)


class _FieldPlan(NamedTuple):
    """One entry of an object's response: where it comes from and how it is completed."""

    response_key: str
    attribute: str | None  # None: ``__typename``
    return_type: GraphQLOutputType | None
    complete: Completer


#: Inline checks for the values of built-in scalars that pass output coercion
#: unchanged; ``{}`` is the value's variable.
_UNCHANGED = {
    "String": "type({}) is str",
    "ID": "type({}) is str",
    "Int": f"type({{}}) is int and {_INT_MIN} <= {{}} <= {_INT_MAX}",
    "Boolean": "type({}) is bool",
}


def _object_completer(object_type: GraphQLObjectType, fields: list[_FieldPlan]) -> Completer:
    """Generate the completer of one object selection as straight-line Python.

    The generated function builds the response dict in one display: each
    attribute read inline, and a built-in scalar's valid value kept inline
    (only other values call their completer). This is the hot loop of a page
    of events, and a generated display is about twice as fast as a loop over
    the fields.
    """
    namespace: dict[str, Any] = {"_GiveUp": _GiveUp, "is_type_of": object_type.is_type_of}
    items = []
    for index, plan in enumerate(fields):
        completer = f"_c{index}"
        namespace[completer] = plan.complete
        key = repr(plan.response_key)
        if plan.attribute is None:
            items.append(f"{key}: {object_type.name!r}")
            continue
        if plan.attribute.isidentifier() and not keyword.iskeyword(plan.attribute):
            read = f"value.{plan.attribute}"
        else:
            read = f"getattr(value, {plan.attribute!r})"
        named = get_nullable_type(plan.return_type)
        unchanged = _UNCHANGED.get(named.name) if is_leaf_type(named) and named in _BUILT_IN else None
        if unchanged is None:
            items.append(f"{key}: {completer}({read})")
        else:
            test = unchanged.replace("{}", f"(_v := {read})", 1).replace("{}", "_v")
            items.append(f"{key}: (_v if {test} else {completer}(_v))")
    lines = ["def complete_object(value):"]
    if object_type.is_type_of is not None:
        lines.append("    if is_type_of(value, None) is not True:")
        lines.append("        raise _GiveUp")
    lines.append("    return {" + ", ".join(items) + "}")
    exec("\n".join(lines), namespace)  # noqa: S102 - generated from schema names only
    complete: Completer = namespace["complete_object"]
    return complete


_BUILT_IN = (GraphQLString, GraphQLID, GraphQLInt, GraphQLBoolean)


def _give_up() -> Any:
    raise _GiveUp


def _type_name(type_node: Any) -> str:
    """The name inside a variable's type (``Boolean`` for ``Boolean!`` or ``[Boolean]``)."""
    while not hasattr(type_node, "name"):
        type_node = type_node.type
    name: str = type_node.name.value
    return name


_MISSING: Any = object()

#: Operation node -> its completers (see `CompiledExecutionContext._shared_entries`).
_SHARED: WeakIdentityMap[Any, dict[tuple[Any, ...], Completer | None]] = WeakIdentityMap()


def _plain_attribute(field_def: Any) -> str | None:
    """The name of the attribute the field reads when the field is plain data, else None.

    Strawberry marks a field without resolver, permissions or extensions by
    giving it its default resolver (`gateway.compat.is_default_resolver`);
    that resolver reads the attribute with the configured default resolver
    (``getattr``).
    """
    if field_def.args or not is_default_resolver(field_def.resolve):
        return None
    strawberry_field = field_def.extensions.get(DEFINITION_BACKREF)
    if (
        strawberry_field is None
        or not strawberry_field.is_basic_field  # permission classes or field extensions
        or strawberry_field.default_resolver is not getattr
    ):
        return None
    name: str = strawberry_field.python_name
    return name


_reported: set[tuple[str, type[BaseException]]] = set()


def _unexpected(error: Exception, doing: str, return_type: Any) -> None:
    """Count an unexpected failure of the compiled path; log it once per kind."""
    observe_compiled_fallback("error")
    kind = (doing, type(error))
    if kind not in _reported:
        _reported.add(kind)
        logger.warning(
            "Compiled completion failed %s %s; graphql-core completed it instead "
            "(a bug, or a strawberry/graphql-core change: see gateway/compat.py)",
            doing,
            return_type,
            exc_info=error,
        )


def _non_null(inner: Completer) -> Completer:
    def complete_non_null(value: Any) -> Any:
        if value is None or value is Undefined:
            raise _GiveUp  # graphql-core reports the null and propagates it
        return inner(value)

    return complete_non_null


def _nullable(inner: Completer) -> Completer:
    def complete_nullable(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        return inner(value)

    return complete_nullable


def _identity(value: Any) -> Any:
    return value


def _leaf(leaf_type: GraphQLLeafType, *, nullable: bool) -> Completer:
    """A leaf's output coercion; valid values of the built-in scalars pass as they are.

    One closure per leaf (null check and coercion together): leaves are most
    of a response, so every call saved here counts.
    """
    coerce = leaf_type.coerce_output_value

    def coerced(value: Any) -> Any:
        if value is None or value is Undefined:
            if nullable:
                return None
            raise _GiveUp  # graphql-core reports the null and propagates it
        if isinstance(value, Exception):
            raise _GiveUp
        result = coerce(value)
        if result is None or result is Undefined:
            raise _GiveUp
        return result

    if leaf_type is GraphQLString or leaf_type is GraphQLID:

        def complete_string(value: Any) -> Any:
            return value if type(value) is str else coerced(value)

        return complete_string
    if leaf_type is GraphQLInt:

        def complete_int(value: Any) -> Any:
            if type(value) is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return coerced(value)

        return complete_int
    if leaf_type is GraphQLFloat:

        def complete_float(value: Any) -> Any:
            if type(value) is float and math.isfinite(value):
                return value
            return coerced(value)

        return complete_float
    if leaf_type is GraphQLBoolean:

        def complete_boolean(value: Any) -> Any:
            return value if type(value) is bool else coerced(value)

        return complete_boolean
    return coerced
