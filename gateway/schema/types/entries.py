"""The `EventEntry` union: one member per kind of entry in an event's ``entries``.

Sentry sends each entry as ``{"type": <kind>, "data": <interface data>}``
(``src/sentry/api/serializers/models/event.py`` and ``src/sentry/interfaces/``).
Each member here is flat: ``type`` (Sentry's entry type) plus the fields of
``data`` directly, typed after SENTRY_API.md section 4.

`entry_from_json` never raises. An entry kind this gateway does not know, or a
known kind whose ``data`` has a shape it cannot read (a string where a list
of frames belongs, a context item that is not a pair ...), becomes an
`UnknownEntry` carrying Sentry's raw ``data``, so nothing is lost and one odd
entry never fails a page. Single leaves of the wrong type (a string line
number, a float port) only become null.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Annotated, Any, Optional, Union

import strawberry

from gateway.schema.mapping.declare import WHOLE, build, each, given_field, item, nested, plan_of, sentry_field
from gateway.schema.mapping.readers import (
    boolean,
    cookie_pairs,
    header_pairs,
    identifier,
    image_list,
    int_list,
    integer,
    legacy_query_string,
    line_pairs,
    number,
    query_pairs,
    require_mapping,
    string,
)
from gateway.schema.types.frames import Frame, SourceLine, Stacktrace, optional_stacktrace
from gateway.schema.types.reports import CspEntry, ExpectCtEntry, ExpectStapleEntry, HpkpEntry, NelEntry
from gateway.schema.types.scalars import JSON, DateTime

__all__ = [
    "EventEntry",
    "ENTRY_CLASSES",
    "ENTRY_TYPES",
    "entries_from_json",
    "entry_from_json",
    "ExceptionEntry",
    "ExceptionValue",
    "Mechanism",
    "StacktraceEntry",
    "MessageEntry",
    "TemplateEntry",
    "RequestEntry",
    "NameValue",
    "BreadcrumbsEntry",
    "Breadcrumb",
    "ThreadsEntry",
    "Thread",
    "DebugMetaEntry",
    "SpansEntry",
    "Span",
    "UnknownEntry",
    "CspEntry",
    "HpkpEntry",
    "ExpectCtEntry",
    "ExpectStapleEntry",
    "NelEntry",
    "Frame",
    "Stacktrace",
    "SourceLine",
]

_TYPE = "Sentry's entry type (`{}`)."


# --- exception ---------------------------------------------------------------------------


@strawberry.type(
    description="How an exception was caught (Sentry's exception mechanism). Sentry sends "
    "its keys in snake_case and drops the empty ones; a dropped key is null here."
)
class Mechanism:
    type: Optional[str] = sentry_field(
        "type", string, description="The mechanism's type (`generic`, `onerror`, `signalhandler`, ...)."
    )
    synthetic: Optional[bool] = sentry_field(
        "synthetic",
        boolean,
        description="True when the exception was made up by the SDK (e.g. from a signal) "
        "and its type and value are not meaningful; null when not sent.",
    )
    description: Optional[str] = sentry_field(
        "description", string, description="Human-readable details of the mechanism; null when not sent."
    )
    helpLink: Optional[str] = sentry_field(
        "help_link", string, description="`help_link`: a URL to documentation about this mechanism; null when not sent."
    )
    handled: Optional[bool] = sentry_field(
        "handled",
        boolean,
        description="Whether user code handled the exception (false: it crashed the "
        "process or reached a global handler); null when unknown.",
    )
    data: Optional[JSON] = sentry_field(
        "data", description="Arbitrary extra data of the mechanism, as sent; null when not sent."
    )
    meta: Optional[JSON] = sentry_field(
        "meta",
        description="Operating-system error details (`signal`, `mach_exception`, `errno`, "
        "...), as sent; null when not sent.",
    )
    source: Optional[str] = sentry_field(
        "source",
        string,
        description="Exception groups: the attribute of the parent holding this exception "
        "(e.g. `__context__`, `exceptions[0]`); null when not sent.",
    )
    isExceptionGroup: Optional[bool] = sentry_field(
        "is_exception_group",
        boolean,
        description="`is_exception_group`: whether this exception is a group of others; null when not sent.",
    )
    exceptionId: Optional[int] = sentry_field(
        "exception_id",
        integer,
        description="`exception_id`: this exception's number within an exception group (an "
        "integer, as Sentry sends it; 0 is the root); null when not sent.",
    )
    parentId: Optional[int] = sentry_field(
        "parent_id",
        integer,
        description="`parent_id`: the `exceptionId` of the group this exception belongs to "
        "(an integer); null when not sent.",
    )


@strawberry.type(description="One exception of an `exception` entry (one item of `values`).")
class ExceptionValue:
    type: Optional[str] = sentry_field(
        "type", string, description="The exception's type or class name (e.g. `ValueError`); null if unknown."
    )
    value: Optional[str] = sentry_field("value", string, description="The exception's message; null when empty.")
    mechanism: Optional[Mechanism] = sentry_field(
        "mechanism",
        nested(Mechanism, strict=True),
        description="How the exception was caught; null when the SDK did not say.",
    )
    threadId: Optional[strawberry.ID] = sentry_field(
        "threadId",
        identifier,
        description="The `id` of the thread (in the `threads` entry) that raised it, as a "
        "string whether the SDK sent an int or a string; null if unknown.",
    )
    module: Optional[str] = sentry_field(
        "module", string, description="The module or package the exception type is defined in; null if unknown."
    )
    stacktrace: Optional[Stacktrace] = sentry_field(
        "stacktrace",
        optional_stacktrace,
        description="The stack trace of the exception (processed: symbolicated / "
        "sourcemapped); null when there is none.",
    )
    rawStacktrace: Optional[Stacktrace] = sentry_field(
        "rawStacktrace",
        optional_stacktrace,
        description="The stack trace as the SDK sent it, before processing; null when "
        "processing changed nothing or there is none.",
    )


@strawberry.type(
    description="The exceptions of an event (entry type `exception`): usually one, several "
    "for chained exceptions, with the most recent (the one that was raised last) last."
)
class ExceptionEntry:
    type: str = given_field(description=_TYPE.format("exception"))
    values: list[ExceptionValue] = sentry_field(
        "values", each(ExceptionValue), description="The exceptions, in Sentry's order; empty when there are none."
    )
    hasSystemFrames: Optional[bool] = sentry_field(
        "hasSystemFrames",
        boolean,
        description="Whether any of the stack traces mixes in-app and system frames; null if Sentry did not say.",
    )
    excOmitted: Optional[list[int]] = sentry_field(
        "excOmitted", int_list, description="`[start, end]` of chained exceptions the SDK dropped; null when none were."
    )


# --- stacktrace / message / template ---------------------------------------------------


@strawberry.type(
    description="A stack trace that is not attached to an exception (entry type "
    "`stacktrace`), e.g. from `attach_stacktrace` on a message. Its fields are those of "
    "`Stacktrace`."
)
class StacktraceEntry(Stacktrace):
    type: str = given_field(description=_TYPE.format("stacktrace"))


@strawberry.type(
    description="The log message of an event (entry type `message`, Sentry's logentry "
    "interface). Sentry drops empty keys; a dropped key is null here."
)
class MessageEntry:
    type: str = given_field(description=_TYPE.format("message"))
    message: Optional[str] = sentry_field(
        "message",
        string,
        description="The message template (e.g. `This is a warning: %s`), or the message "
        "itself when it has no parameters; null when not sent.",
    )
    formatted: Optional[str] = sentry_field(
        "formatted", string, description="The message with its parameters filled in; null when not sent."
    )
    params: Optional[JSON] = sentry_field(
        "params",
        description="The parameters of the template (a list, or an object for named "
        "parameters), as sent; null when not sent.",
    )


@strawberry.type(
    description="The position in a template where an error happened (entry type `template`), e.g. a Django template."
)
class TemplateEntry:
    type: str = given_field(description=_TYPE.format("template"))
    lineNo: Optional[int] = sentry_field(
        "lineNo", integer, description="1-based line number in the template; null if unknown."
    )
    filename: Optional[str] = sentry_field("filename", string, description="The template's file name; null if unknown.")
    context: list[SourceLine] = sentry_field(
        "context",
        each(SourceLine, line_pairs),
        description="Template lines around `lineNo`, from Sentry's `[lineNo, line]` pairs; empty when Sentry has none.",
    )


# --- request -----------------------------------------------------------------------------


@strawberry.type(
    description="One name/value pair of a request's headers, cookies or query string (one "
    "`[name, value]` pair in Sentry's JSON)."
)
class NameValue:
    name: str = sentry_field(item(0), description="The header, cookie or query parameter name.")
    value: Optional[str] = sentry_field(
        item(1),
        string,
        description="Its value (`[Filtered]` when Sentry scrubbed it); null when Sentry "
        "sent null or a value that is not a string.",
    )


@strawberry.type(
    description="The HTTP request during which the event happened (entry type `request`, "
    "Sentry's http interface). Scrubbed values read `[Filtered]`."
)
class RequestEntry:
    type: str = given_field(description=_TYPE.format("request"))
    apiTarget: Optional[str] = sentry_field(
        "apiTarget",
        string,
        description="The API style of the request (`graphql`, ...); null when not known and "
        "in events from before 2022.",
    )
    method: Optional[str] = sentry_field(
        "method", string, description="The HTTP method (`GET`, `POST`, ...); null if unknown."
    )
    url: Optional[str] = sentry_field(
        "url", string, description="The URL without query string and fragment; null if unknown."
    )
    query: list[NameValue] = sentry_field(
        "query",
        each(NameValue, query_pairs),
        description="The query string as name/value pairs, in Sentry's order. Very old events "
        "store a raw string (`foo=bar&x=1`); it is parsed here (percent-decoded, blank values "
        "kept) and also given unchanged in `queryString`. An object form becomes pairs sorted "
        "by name. Empty when there is no query string.",
    )
    queryString: Optional[str] = sentry_field(
        "query",
        legacy_query_string,
        description="The query string exactly as Sentry sent it, only for very old events "
        "that store it as one string; null when Sentry sent pairs (read `query`).",
    )
    fragment: Optional[str] = sentry_field(
        "fragment", string, description="The URL fragment (after `#`); null or empty when there is none."
    )
    data: Optional[JSON] = sentry_field(
        "data", description="The request body: parsed JSON or form data, or a string; null when not captured."
    )
    headers: list[NameValue] = sentry_field(
        "headers",
        each(NameValue, header_pairs),
        description="The request headers as name/value pairs (Sentry turns an object into "
        "pairs sorted by name, and so does the gateway); empty when none were captured.",
    )
    cookies: list[NameValue] = sentry_field(
        "cookies",
        each(NameValue, cookie_pairs),
        description="The request cookies as name/value pairs; empty when none were captured.",
    )
    env: Optional[JSON] = sentry_field(
        "env", description="CGI/WSGI environment values (e.g. `SERVER_NAME`, `REMOTE_ADDR`); null when none."
    )
    inferredContentType: Optional[str] = sentry_field(
        "inferredContentType",
        string,
        description="The content type Sentry inferred for `data` (e.g. `application/json`); null if none.",
    )


# --- breadcrumbs -------------------------------------------------------------------------


@strawberry.type(description="One breadcrumb: something that happened before the event.")
class Breadcrumb:
    type: Optional[str] = sentry_field(
        "type",
        string,
        description="The breadcrumb type (`default`, `http`, `navigation`, `error`, ...), "
        "which decides how `data` is read; null if not sent.",
    )
    timestamp: Optional[DateTime] = sentry_field("timestamp", string, description="When it happened; null if unknown.")
    level: Optional[str] = sentry_field(
        "level", string, description="Severity (`fatal`, `error`, `warning`, `info`, `debug`); null if not sent."
    )
    message: Optional[str] = sentry_field(
        "message",
        string,
        description="Human-readable message (SQL breadcrumbs: re-indented on the detail endpoint); null if none.",
    )
    category: Optional[str] = sentry_field(
        "category", string, description="Dotted category (`ui.click`, `xhr`, `query`, ...); null if none."
    )
    data: Optional[JSON] = sentry_field(
        "data",
        description="Extra data whose keys depend on `type` (e.g. `url`, `method`, "
        "`status_code` for `http`); null when empty.",
    )
    eventId: Optional[str] = sentry_field(
        "event_id",
        string,
        description="`event_id`: the id of the Sentry event this breadcrumb stands for; usually null.",
    )
    messageFormat: Optional[str] = sentry_field(
        "messageFormat",
        string,
        description="Detail endpoint only: `sql` for breadcrumbs in category `query` or "
        "`sql.query`, whose `message` was re-indented; null otherwise.",
    )
    messageRaw: Optional[str] = sentry_field(
        "messageRaw",
        string,
        description="Detail endpoint only: the SQL `message` before it was re-indented; null otherwise.",
    )


@strawberry.type(description="The breadcrumbs of an event (entry type `breadcrumbs`).")
class BreadcrumbsEntry:
    type: str = given_field(description=_TYPE.format("breadcrumbs"))
    values: list[Breadcrumb] = sentry_field(
        "values", each(Breadcrumb), description="The breadcrumbs, oldest first; empty when there are none."
    )


# --- threads -----------------------------------------------------------------------------


@strawberry.type(description="One thread of the process at the time of the event.")
class Thread:
    id: Optional[strawberry.ID] = sentry_field(
        "id",
        identifier,
        description="The thread's id as the SDK sent it (an int or a string), as a string; null if unknown.",
    )
    current: Optional[bool] = sentry_field(
        "current", boolean, description="Whether this thread sent the event; null if Sentry sent no boolean."
    )
    crashed: Optional[bool] = sentry_field(
        "crashed", boolean, description="Whether this thread crashed; null if Sentry sent no boolean."
    )
    name: Optional[str] = sentry_field("name", string, description="The thread's name; null if unknown.")
    state: Optional[str] = sentry_field(
        "state", string, description="The thread's state (`RUNNABLE`, `WAITING`, ...), mostly Java; null if unknown."
    )
    heldLocks: Optional[JSON] = sentry_field(
        "heldLocks",
        description="The locks the thread holds (keyed by lock address, inner keys as stored); null when none.",
    )
    stacktrace: Optional[Stacktrace] = sentry_field(
        "stacktrace", optional_stacktrace, description="The thread's stack trace; null when the thread has no frames."
    )
    rawStacktrace: Optional[Stacktrace] = sentry_field(
        "rawStacktrace",
        optional_stacktrace,
        description="The stack trace before processing; null when there is none or it did not change.",
    )


@strawberry.type(description="The threads of the process (entry type `threads`).")
class ThreadsEntry:
    type: str = given_field(description=_TYPE.format("threads"))
    values: list[Thread] = sentry_field(
        "values", each(Thread), description="The threads, in the SDK's order; empty when there are none."
    )


# --- debugmeta ---------------------------------------------------------------------------


@strawberry.type(
    description="Debug information files needed to symbolicate native frames (entry type "
    "`debugmeta`). Sentry drops empty keys; a dropped key is null here."
)
class DebugMetaEntry:
    type: str = given_field(description=_TYPE.format("debugmeta"))
    images: Optional[list[JSON]] = sentry_field(
        "images",
        image_list,
        description="The loaded images (modules) as stored; each object's keys depend on its "
        "`type` (`macho`, `elf`, `pe`, `sourcemap`, ...). Null when not sent.",
    )
    sdkInfo: Optional[JSON] = sentry_field(
        "sdk_info",
        description="`sdk_info`: the platform SDK the app was built against (`sdk_name`, "
        "`version_major`, ...), as sent; null when not sent.",
    )
    isDebugBuild: Optional[bool] = sentry_field(
        "is_debug_build", boolean, description="`is_debug_build`: whether the app is a debug build; null when not sent."
    )


# --- spans -------------------------------------------------------------------------------


@strawberry.type(
    description="One span of a transaction. The common keys are typed (Sentry's snake_case "
    "keys in camelCase); `raw` has the whole span as sent, including keys not typed here. "
    "Sentry drops empty keys; a dropped key is null."
)
class Span:
    traceId: Optional[str] = sentry_field("trace_id", string, description="`trace_id`: the trace's id.")
    spanId: Optional[str] = sentry_field("span_id", string, description="`span_id`: this span's id.")
    parentSpanId: Optional[str] = sentry_field(
        "parent_span_id", string, description="`parent_span_id`: the parent span's id; null for a root span."
    )
    op: Optional[str] = sentry_field("op", string, description="The operation (`db`, `http.client`, ...).")
    description: Optional[str] = sentry_field(
        "description",
        string,
        description="What the span did (e.g. the SQL, the URL); SQL is pretty-printed on the detail endpoint.",
    )
    startTimestamp: Optional[float] = sentry_field(
        "start_timestamp", number, description="`start_timestamp`: start time in seconds since the Unix epoch."
    )
    timestamp: Optional[float] = sentry_field(
        "timestamp", number, description="End time in seconds since the Unix epoch."
    )
    status: Optional[str] = sentry_field(
        "status", string, description="The span's status (`ok`, `internal_error`, ...)."
    )
    sameProcessAsParent: Optional[bool] = sentry_field(
        "same_process_as_parent",
        boolean,
        description="`same_process_as_parent`: whether the span ran in its parent's process.",
    )
    hash: Optional[str] = sentry_field(
        "hash", string, description="The span's grouping hash (used for performance issue detection)."
    )
    exclusiveTime: Optional[float] = sentry_field(
        "exclusive_time",
        number,
        description="`exclusive_time`: milliseconds spent in this span and not in its children.",
    )
    tags: Optional[JSON] = sentry_field("tags", description="The span's tags, as sent.")
    data: Optional[JSON] = sentry_field("data", description="The span's data, as sent.")
    raw: Optional[JSON] = sentry_field(WHOLE, description="The whole span object as Sentry sent it (snake_case keys).")


@strawberry.type(
    description="The spans of a transaction event (entry type `spans`). Sentry keeps this entry even when it is empty."
)
class SpansEntry:
    type: str = given_field(description=_TYPE.format("spans"))
    spans: list[Span] = sentry_field(
        WHOLE, each(Span), description="The spans (Sentry's `data` list), as stored; empty when there are none."
    )


# --- unknown -----------------------------------------------------------------------------


@strawberry.type(
    description="An entry this gateway cannot type: an entry kind Sentry added later, or a "
    "known kind whose data does not have the documented shape. Nothing is lost: `data` holds "
    "Sentry's data unchanged."
)
class UnknownEntry:
    type: str = given_field(
        description='Sentry\'s entry type; `""` when the entry had no string `type` (then '
        "`data` is the whole entry as sent)."
    )
    data: Optional[JSON] = sentry_field(WHOLE, description="Sentry's `data` for this entry, unchanged.")


EventEntry = Annotated[
    Union[
        ExceptionEntry,
        StacktraceEntry,
        MessageEntry,
        TemplateEntry,
        RequestEntry,
        BreadcrumbsEntry,
        ThreadsEntry,
        DebugMetaEntry,
        SpansEntry,
        CspEntry,
        HpkpEntry,
        ExpectCtEntry,
        ExpectStapleEntry,
        NelEntry,
        UnknownEntry,
    ],
    strawberry.union(
        "EventEntry",
        description="One entry of an event (Sentry's `entries`): the exception, stack trace, "
        "message, request, breadcrumbs ... Each member is Sentry's `{type, data}` flattened: "
        "`type` plus the fields of `data`. `UnknownEntry` keeps kinds added later and data "
        "this gateway cannot read.",
    ),
]


# --- reading an entry -------------------------------------------------------------------


ENTRY_CLASSES: Mapping[str, type] = MappingProxyType(
    {
        "exception": ExceptionEntry,
        "stacktrace": StacktraceEntry,
        "message": MessageEntry,
        "template": TemplateEntry,
        "request": RequestEntry,
        "breadcrumbs": BreadcrumbsEntry,
        "threads": ThreadsEntry,
        "debugmeta": DebugMetaEntry,
        "spans": SpansEntry,
        "csp": CspEntry,
        "hpkp": HpkpEntry,
        "expectct": ExpectCtEntry,
        "expectstaple": ExpectStapleEntry,
        "nel": NelEntry,
    }
)
"""Sentry's entry type -> the `EventEntry` member that reads its ``data``."""

ENTRY_TYPES: frozenset[str] = frozenset(ENTRY_CLASSES)
"""Sentry entry types that have a typed member; every other type is an `UnknownEntry`."""


def entries_from_json(value: Any) -> list[Any]:
    """An event's ``entries``: null items skipped; not a list reads as empty."""
    if not isinstance(value, list):
        return []
    return [entry_from_json(entry) for entry in value if entry is not None]


def entry_from_json(entry: Mapping[str, Any]) -> Any:
    """One of Sentry's ``{"type", "data"}`` entries as its `EventEntry` member.

    Never raises: unknown kinds and unreadable data become `UnknownEntry`.
    """
    if not (type(entry) is dict or isinstance(entry, Mapping)) or type(entry.get("type")) is not str:
        return build(UnknownEntry, entry, type="")
    entry_type: str = entry["type"]
    data = entry.get("data")
    cls = ENTRY_CLASSES.get(entry_type)
    if cls is None:
        return build(UnknownEntry, data, type=entry_type)
    try:
        if plan_of(cls).reads_keys:
            require_mapping(data, f"{entry_type} data")
        return build(cls, data, type=entry_type)
    except Exception:  # noqa: BLE001 - any unreadable shape keeps its raw data instead
        return build(UnknownEntry, data, type=entry_type)
