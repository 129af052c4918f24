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

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Optional, Union
from urllib.parse import parse_qsl

import strawberry

from gateway.schema._convert import (
    Malformed,
    boolean,
    identifier,
    int_list,
    integer,
    number,
    object_items,
    optional_mapping,
    require_list,
    require_mapping,
    string,
)
from gateway.schema.frames import (
    Frame,
    SourceLine,
    Stacktrace,
    frame_from_json,
    optional_stacktrace_from_json,
    source_lines_from_json,
)
from gateway.schema.reports import (
    CspEntry,
    ExpectCtEntry,
    ExpectStapleEntry,
    HpkpEntry,
    NelEntry,
    csp_entry_from_json,
    expectct_entry_from_json,
    expectstaple_entry_from_json,
    hpkp_entry_from_json,
    nel_entry_from_json,
)
from gateway.schema.scalars import JSON, DateTime

__all__ = [
    "EventEntry",
    "ENTRY_TYPES",
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
    type: Optional[str] = strawberry.field(
        description="The mechanism's type (`generic`, `onerror`, `signalhandler`, ...)."
    )
    synthetic: Optional[bool] = strawberry.field(
        description="True when the exception was made up by the SDK (e.g. from a signal) "
        "and its type and value are not meaningful; null when not sent."
    )
    description: Optional[str] = strawberry.field(
        description="Human-readable details of the mechanism; null when not sent."
    )
    helpLink: Optional[str] = strawberry.field(
        description="`help_link`: a URL to documentation about this mechanism; null when "
        "not sent."
    )
    handled: Optional[bool] = strawberry.field(
        description="Whether user code handled the exception (false: it crashed the "
        "process or reached a global handler); null when unknown."
    )
    data: Optional[JSON] = strawberry.field(
        description="Arbitrary extra data of the mechanism, as sent; null when not sent."
    )
    meta: Optional[JSON] = strawberry.field(
        description="Operating-system error details (`signal`, `mach_exception`, `errno`, "
        "...), as sent; null when not sent."
    )
    source: Optional[str] = strawberry.field(
        description="Exception groups: the attribute of the parent holding this exception "
        "(e.g. `__context__`, `exceptions[0]`); null when not sent."
    )
    isExceptionGroup: Optional[bool] = strawberry.field(
        description="`is_exception_group`: whether this exception is a group of others; "
        "null when not sent."
    )
    exceptionId: Optional[int] = strawberry.field(
        description="`exception_id`: this exception's number within an exception group (an "
        "integer, as Sentry sends it; 0 is the root); null when not sent."
    )
    parentId: Optional[int] = strawberry.field(
        description="`parent_id`: the `exceptionId` of the group this exception belongs to "
        "(an integer); null when not sent."
    )


@strawberry.type(description="One exception of an `exception` entry (one item of `values`).")
class ExceptionValue:
    type: Optional[str] = strawberry.field(
        description="The exception's type or class name (e.g. `ValueError`); null if unknown."
    )
    value: Optional[str] = strawberry.field(
        description="The exception's message; null when empty."
    )
    mechanism: Optional[Mechanism] = strawberry.field(
        description="How the exception was caught; null when the SDK did not say."
    )
    threadId: Optional[strawberry.ID] = strawberry.field(
        description="The `id` of the thread (in the `threads` entry) that raised it, as a "
        "string whether the SDK sent an int or a string; null if unknown."
    )
    module: Optional[str] = strawberry.field(
        description="The module or package the exception type is defined in; null if unknown."
    )
    stacktrace: Optional[Stacktrace] = strawberry.field(
        description="The stack trace of the exception (processed: symbolicated / "
        "sourcemapped); null when there is none."
    )
    rawStacktrace: Optional[Stacktrace] = strawberry.field(
        description="The stack trace as the SDK sent it, before processing; null when "
        "processing changed nothing or there is none."
    )


@strawberry.type(
    description="The exceptions of an event (entry type `exception`): usually one, several "
    "for chained exceptions, with the most recent (the one that was raised last) last."
)
class ExceptionEntry:
    type: str = strawberry.field(description=_TYPE.format("exception"))
    values: list[ExceptionValue] = strawberry.field(
        description="The exceptions, in Sentry's order; empty when there are none."
    )
    hasSystemFrames: Optional[bool] = strawberry.field(
        description="Whether any of the stack traces mixes in-app and system frames; null "
        "if Sentry did not say."
    )
    excOmitted: Optional[list[int]] = strawberry.field(
        description="`[start, end]` of chained exceptions the SDK dropped; null when none were."
    )


# --- stacktrace / message / template ---------------------------------------------------


@strawberry.type(
    description="A stack trace that is not attached to an exception (entry type "
    "`stacktrace`), e.g. from `attach_stacktrace` on a message. Its fields are those of "
    "`Stacktrace`."
)
class StacktraceEntry:
    type: str = strawberry.field(description=_TYPE.format("stacktrace"))
    frames: list[Frame] = strawberry.field(
        description="The frames, oldest call first and the most recent last; empty when "
        "there are none."
    )
    framesOmitted: Optional[list[int]] = strawberry.field(
        description="`[start, end]` of frames the SDK dropped; null when none were."
    )
    registers: Optional[JSON] = strawberry.field(
        description="Native events: CPU register values; null otherwise."
    )
    hasSystemFrames: Optional[bool] = strawberry.field(
        description="Whether the trace mixes in-app and system frames; null if Sentry did not "
        "say."
    )


@strawberry.type(
    description="The log message of an event (entry type `message`, Sentry's logentry "
    "interface). Sentry drops empty keys; a dropped key is null here."
)
class MessageEntry:
    type: str = strawberry.field(description=_TYPE.format("message"))
    message: Optional[str] = strawberry.field(
        description="The message template (e.g. `This is a warning: %s`), or the message "
        "itself when it has no parameters; null when not sent."
    )
    formatted: Optional[str] = strawberry.field(
        description="The message with its parameters filled in; null when not sent."
    )
    params: Optional[JSON] = strawberry.field(
        description="The parameters of the template (a list, or an object for named "
        "parameters), as sent; null when not sent."
    )


@strawberry.type(
    description="The position in a template where an error happened (entry type "
    "`template`), e.g. a Django template."
)
class TemplateEntry:
    type: str = strawberry.field(description=_TYPE.format("template"))
    lineNo: Optional[int] = strawberry.field(
        description="1-based line number in the template; null if unknown."
    )
    filename: Optional[str] = strawberry.field(
        description="The template's file name; null if unknown."
    )
    context: list[SourceLine] = strawberry.field(
        description="Template lines around `lineNo`, from Sentry's `[lineNo, line]` pairs; "
        "empty when Sentry has none."
    )


# --- request -----------------------------------------------------------------------------


@strawberry.type(
    description="One name/value pair of a request's headers, cookies or query string (one "
    "`[name, value]` pair in Sentry's JSON)."
)
class NameValue:
    name: str = strawberry.field(description="The header, cookie or query parameter name.")
    value: Optional[str] = strawberry.field(
        description="Its value (`[Filtered]` when Sentry scrubbed it); null when Sentry "
        "sent null or a value that is not a string."
    )


@strawberry.type(
    description="The HTTP request during which the event happened (entry type `request`, "
    "Sentry's http interface). Scrubbed values read `[Filtered]`."
)
class RequestEntry:
    type: str = strawberry.field(description=_TYPE.format("request"))
    apiTarget: Optional[str] = strawberry.field(
        description="The API style of the request (`graphql`, ...); null when not known and "
        "in events from before 2022."
    )
    method: Optional[str] = strawberry.field(
        description="The HTTP method (`GET`, `POST`, ...); null if unknown."
    )
    url: Optional[str] = strawberry.field(
        description="The URL without query string and fragment; null if unknown."
    )
    query: list[NameValue] = strawberry.field(
        description="The query string as name/value pairs, in Sentry's order. Very old events "
        "store a raw string (`foo=bar&x=1`); it is parsed here (percent-decoded, blank values "
        "kept) and also given unchanged in `queryString`. An object form becomes pairs sorted "
        "by name. Empty when there is no query string."
    )
    queryString: Optional[str] = strawberry.field(
        description="The query string exactly as Sentry sent it, only for very old events "
        "that store it as one string; null when Sentry sent pairs (read `query`)."
    )
    fragment: Optional[str] = strawberry.field(
        description="The URL fragment (after `#`); null or empty when there is none."
    )
    data: Optional[JSON] = strawberry.field(
        description="The request body: parsed JSON or form data, or a string; null when "
        "not captured."
    )
    headers: list[NameValue] = strawberry.field(
        description="The request headers as name/value pairs (Sentry turns an object into "
        "pairs sorted by name, and so does the gateway); empty when none were captured."
    )
    cookies: list[NameValue] = strawberry.field(
        description="The request cookies as name/value pairs; empty when none were captured."
    )
    env: Optional[JSON] = strawberry.field(
        description="CGI/WSGI environment values (e.g. `SERVER_NAME`, `REMOTE_ADDR`); null "
        "when none."
    )
    inferredContentType: Optional[str] = strawberry.field(
        description="The content type Sentry inferred for `data` (e.g. `application/json`); "
        "null if none."
    )


# --- breadcrumbs -------------------------------------------------------------------------


@strawberry.type(description="One breadcrumb: something that happened before the event.")
class Breadcrumb:
    type: Optional[str] = strawberry.field(
        description="The breadcrumb type (`default`, `http`, `navigation`, `error`, ...), "
        "which decides how `data` is read; null if not sent."
    )
    timestamp: Optional[DateTime] = strawberry.field(
        description="When it happened; null if unknown."
    )
    level: Optional[str] = strawberry.field(
        description="Severity (`fatal`, `error`, `warning`, `info`, `debug`); null if not sent."
    )
    message: Optional[str] = strawberry.field(
        description="Human-readable message (SQL breadcrumbs: re-indented on the detail "
        "endpoint); null if none."
    )
    category: Optional[str] = strawberry.field(
        description="Dotted category (`ui.click`, `xhr`, `query`, ...); null if none."
    )
    data: Optional[JSON] = strawberry.field(
        description="Extra data whose keys depend on `type` (e.g. `url`, `method`, "
        "`status_code` for `http`); null when empty."
    )
    eventId: Optional[str] = strawberry.field(
        description="`event_id`: the id of the Sentry event this breadcrumb stands for; "
        "usually null."
    )
    messageFormat: Optional[str] = strawberry.field(
        description="Detail endpoint only: `sql` for breadcrumbs in category `query` or "
        "`sql.query`, whose `message` was re-indented; null otherwise."
    )
    messageRaw: Optional[str] = strawberry.field(
        description="Detail endpoint only: the SQL `message` before it was re-indented; null "
        "otherwise."
    )


@strawberry.type(description="The breadcrumbs of an event (entry type `breadcrumbs`).")
class BreadcrumbsEntry:
    type: str = strawberry.field(description=_TYPE.format("breadcrumbs"))
    values: list[Breadcrumb] = strawberry.field(
        description="The breadcrumbs, oldest first; empty when there are none."
    )


# --- threads -----------------------------------------------------------------------------


@strawberry.type(description="One thread of the process at the time of the event.")
class Thread:
    id: Optional[strawberry.ID] = strawberry.field(
        description="The thread's id as the SDK sent it (an int or a string), as a string; "
        "null if unknown."
    )
    current: Optional[bool] = strawberry.field(
        description="Whether this thread sent the event; null if Sentry sent no boolean."
    )
    crashed: Optional[bool] = strawberry.field(
        description="Whether this thread crashed; null if Sentry sent no boolean."
    )
    name: Optional[str] = strawberry.field(description="The thread's name; null if unknown.")
    state: Optional[str] = strawberry.field(
        description="The thread's state (`RUNNABLE`, `WAITING`, ...), mostly Java; null if "
        "unknown."
    )
    heldLocks: Optional[JSON] = strawberry.field(
        description="The locks the thread holds (keyed by lock address, inner keys as "
        "stored); null when none."
    )
    stacktrace: Optional[Stacktrace] = strawberry.field(
        description="The thread's stack trace; null when the thread has no frames."
    )
    rawStacktrace: Optional[Stacktrace] = strawberry.field(
        description="The stack trace before processing; null when there is none or it did "
        "not change."
    )


@strawberry.type(description="The threads of the process (entry type `threads`).")
class ThreadsEntry:
    type: str = strawberry.field(description=_TYPE.format("threads"))
    values: list[Thread] = strawberry.field(
        description="The threads, in the SDK's order; empty when there are none."
    )


# --- debugmeta ---------------------------------------------------------------------------


@strawberry.type(
    description="Debug information files needed to symbolicate native frames (entry type "
    "`debugmeta`). Sentry drops empty keys; a dropped key is null here."
)
class DebugMetaEntry:
    type: str = strawberry.field(description=_TYPE.format("debugmeta"))
    images: Optional[list[JSON]] = strawberry.field(
        description="The loaded images (modules) as stored; each object's keys depend on its "
        "`type` (`macho`, `elf`, `pe`, `sourcemap`, ...). Null when not sent."
    )
    sdkInfo: Optional[JSON] = strawberry.field(
        description="`sdk_info`: the platform SDK the app was built against (`sdk_name`, "
        "`version_major`, ...), as sent; null when not sent."
    )
    isDebugBuild: Optional[bool] = strawberry.field(
        description="`is_debug_build`: whether the app is a debug build; null when not sent."
    )


# --- spans -------------------------------------------------------------------------------


@strawberry.type(
    description="One span of a transaction. The common keys are typed (Sentry's snake_case "
    "keys in camelCase); `raw` has the whole span as sent, including keys not typed here. "
    "Sentry drops empty keys; a dropped key is null."
)
class Span:
    traceId: Optional[str] = strawberry.field(description="`trace_id`: the trace's id.")
    spanId: Optional[str] = strawberry.field(description="`span_id`: this span's id.")
    parentSpanId: Optional[str] = strawberry.field(
        description="`parent_span_id`: the parent span's id; null for a root span."
    )
    op: Optional[str] = strawberry.field(
        description="The operation (`db`, `http.client`, ...)."
    )
    description: Optional[str] = strawberry.field(
        description="What the span did (e.g. the SQL, the URL); SQL is pretty-printed on the "
        "detail endpoint."
    )
    startTimestamp: Optional[float] = strawberry.field(
        description="`start_timestamp`: start time in seconds since the Unix epoch."
    )
    timestamp: Optional[float] = strawberry.field(
        description="End time in seconds since the Unix epoch."
    )
    status: Optional[str] = strawberry.field(
        description="The span's status (`ok`, `internal_error`, ...)."
    )
    sameProcessAsParent: Optional[bool] = strawberry.field(
        description="`same_process_as_parent`: whether the span ran in its parent's process."
    )
    hash: Optional[str] = strawberry.field(
        description="The span's grouping hash (used for performance issue detection)."
    )
    exclusiveTime: Optional[float] = strawberry.field(
        description="`exclusive_time`: milliseconds spent in this span and not in its children."
    )
    tags: Optional[JSON] = strawberry.field(description="The span's tags, as sent.")
    data: Optional[JSON] = strawberry.field(description="The span's data, as sent.")
    raw: Optional[JSON] = strawberry.field(
        description="The whole span object as Sentry sent it (snake_case keys)."
    )


@strawberry.type(
    description="The spans of a transaction event (entry type `spans`). Sentry keeps this "
    "entry even when it is empty."
)
class SpansEntry:
    type: str = strawberry.field(description=_TYPE.format("spans"))
    spans: list[Span] = strawberry.field(
        description="The spans (Sentry's `data` list), as stored; empty when there are none."
    )


# --- unknown -----------------------------------------------------------------------------


@strawberry.type(
    description="An entry this gateway cannot type: an entry kind Sentry added later, or a "
    "known kind whose data does not have the documented shape. Nothing is lost: `data` holds "
    "Sentry's data unchanged."
)
class UnknownEntry:
    type: str = strawberry.field(
        description="Sentry's entry type; `\"\"` when the entry had no string `type` (then "
        "`data` is the whole entry as sent)."
    )
    data: Optional[JSON] = strawberry.field(
        description="Sentry's `data` for this entry, unchanged."
    )


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


# --- converters --------------------------------------------------------------------------


def _mechanism_from_json(value: Any) -> Mechanism | None:
    data = optional_mapping(value, "mechanism")
    if data is None:
        return None
    get = data.get
    return Mechanism(
        type=string(get("type")),
        synthetic=boolean(get("synthetic")),
        description=string(get("description")),
        helpLink=string(get("help_link")),
        handled=boolean(get("handled")),
        data=get("data"),
        meta=get("meta"),
        source=string(get("source")),
        isExceptionGroup=boolean(get("is_exception_group")),
        exceptionId=integer(get("exception_id")),
        parentId=integer(get("parent_id")),
    )


def _exception_value_from_json(data: Mapping[str, Any]) -> ExceptionValue:
    get = data.get
    return ExceptionValue(
        type=string(get("type")),
        value=string(get("value")),
        mechanism=_mechanism_from_json(get("mechanism")),
        threadId=identifier(get("threadId")),
        module=string(get("module")),
        stacktrace=optional_stacktrace_from_json(get("stacktrace"), "stacktrace"),
        rawStacktrace=optional_stacktrace_from_json(get("rawStacktrace"), "rawStacktrace"),
    )


def _exception_entry(entry_type: str, data: Any) -> ExceptionEntry:
    data = require_mapping(data, "exception data")
    return ExceptionEntry(
        type=entry_type,
        values=[_exception_value_from_json(v) for v in object_items(data.get("values"), "values")],
        hasSystemFrames=boolean(data.get("hasSystemFrames")),
        excOmitted=int_list(data.get("excOmitted")),
    )


def _stacktrace_entry(entry_type: str, data: Any) -> StacktraceEntry:
    data = require_mapping(data, "stacktrace data")
    return StacktraceEntry(
        type=entry_type,
        frames=[frame_from_json(f) for f in object_items(data.get("frames"), "frames")],
        framesOmitted=int_list(data.get("framesOmitted")),
        registers=data.get("registers"),
        hasSystemFrames=boolean(data.get("hasSystemFrames")),
    )


def _message_entry(entry_type: str, data: Any) -> MessageEntry:
    data = require_mapping(data, "message data")
    return MessageEntry(
        type=entry_type,
        message=string(data.get("message")),
        formatted=string(data.get("formatted")),
        params=data.get("params"),
    )


def _template_entry(entry_type: str, data: Any) -> TemplateEntry:
    data = require_mapping(data, "template data")
    return TemplateEntry(
        type=entry_type,
        lineNo=integer(data.get("lineNo")),
        filename=string(data.get("filename")),
        context=source_lines_from_json(data.get("context"), "template context"),
    )


def _pairs_from_json(value: Any, what: str) -> list[NameValue]:
    """Sentry's ``[[name, value], ...]``; an object becomes pairs sorted by name."""
    if type(value) is dict or isinstance(value, Mapping):
        return [
            NameValue(name=str(name), value=string(value[name]))
            for name in sorted(value, key=str)
        ]
    pairs = []
    for item in require_list(value, what):
        if not isinstance(item, list) or len(item) != 2 or type(item[0]) is not str:
            raise Malformed(f"an item of {what} is not a [name, value] pair")
        pairs.append(NameValue(name=item[0], value=string(item[1])))
    return pairs


def _query_from_json(value: Any) -> tuple[list[NameValue], str | None]:
    """The query pairs, and the raw string when Sentry sent the legacy string form."""
    if isinstance(value, str):
        text = value[1:] if value.startswith("?") else value
        return [NameValue(name=k, value=v) for k, v in parse_qsl(text, keep_blank_values=True)], value
    return _pairs_from_json(value, "query"), None


def _cookies_from_json(value: Any) -> list[NameValue]:
    if isinstance(value, str):  # a raw Cookie header, as very old events stored it
        pairs = []
        for part in value.split(";"):
            name, sep, val = part.strip().partition("=")
            if name or sep:
                pairs.append(NameValue(name=name, value=val))
        return pairs
    return _pairs_from_json(value, "cookies")


def _request_entry(entry_type: str, data: Any) -> RequestEntry:
    data = require_mapping(data, "request data")
    get = data.get
    query, query_string = _query_from_json(get("query"))
    return RequestEntry(
        type=entry_type,
        apiTarget=string(get("apiTarget")),
        method=string(get("method")),
        url=string(get("url")),
        query=query,
        queryString=query_string,
        fragment=string(get("fragment")),
        data=get("data"),
        headers=_pairs_from_json(get("headers"), "headers"),
        cookies=_cookies_from_json(get("cookies")),
        env=get("env"),
        inferredContentType=string(get("inferredContentType")),
    )


def _breadcrumb_from_json(data: Mapping[str, Any]) -> Breadcrumb:
    get = data.get
    return Breadcrumb(
        type=string(get("type")),
        timestamp=string(get("timestamp")),
        level=string(get("level")),
        message=string(get("message")),
        category=string(get("category")),
        data=get("data"),
        eventId=string(get("event_id")),
        messageFormat=string(get("messageFormat")),
        messageRaw=string(get("messageRaw")),
    )


def _breadcrumbs_entry(entry_type: str, data: Any) -> BreadcrumbsEntry:
    data = require_mapping(data, "breadcrumbs data")
    return BreadcrumbsEntry(
        type=entry_type,
        values=[_breadcrumb_from_json(b) for b in object_items(data.get("values"), "values")],
    )


def _thread_from_json(data: Mapping[str, Any]) -> Thread:
    get = data.get
    return Thread(
        id=identifier(get("id")),
        current=boolean(get("current")),
        crashed=boolean(get("crashed")),
        name=string(get("name")),
        state=string(get("state")),
        heldLocks=get("heldLocks"),
        stacktrace=optional_stacktrace_from_json(get("stacktrace"), "stacktrace"),
        rawStacktrace=optional_stacktrace_from_json(get("rawStacktrace"), "rawStacktrace"),
    )


def _threads_entry(entry_type: str, data: Any) -> ThreadsEntry:
    data = require_mapping(data, "threads data")
    return ThreadsEntry(
        type=entry_type,
        values=[_thread_from_json(t) for t in object_items(data.get("values"), "values")],
    )


def _debugmeta_entry(entry_type: str, data: Any) -> DebugMetaEntry:
    data = require_mapping(data, "debugmeta data")
    images = data.get("images")
    if images is not None and (
        not isinstance(images, list) or any(image is None for image in images)
    ):
        raise Malformed("debugmeta images is not a list of images")
    return DebugMetaEntry(
        type=entry_type,
        images=images,
        sdkInfo=data.get("sdk_info"),
        isDebugBuild=boolean(data.get("is_debug_build")),
    )


def _span_from_json(data: Mapping[str, Any]) -> Span:
    get = data.get
    return Span(
        traceId=string(get("trace_id")),
        spanId=string(get("span_id")),
        parentSpanId=string(get("parent_span_id")),
        op=string(get("op")),
        description=string(get("description")),
        startTimestamp=number(get("start_timestamp")),
        timestamp=number(get("timestamp")),
        status=string(get("status")),
        sameProcessAsParent=boolean(get("same_process_as_parent")),
        hash=string(get("hash")),
        exclusiveTime=number(get("exclusive_time")),
        tags=get("tags"),
        data=get("data"),
        raw=data,
    )


def _spans_entry(entry_type: str, data: Any) -> SpansEntry:
    return SpansEntry(
        type=entry_type,
        spans=[_span_from_json(span) for span in object_items(data, "spans data")],
    )


_BUILDERS: dict[str, Callable[[str, Any], Any]] = {
    "exception": _exception_entry,
    "stacktrace": _stacktrace_entry,
    "message": _message_entry,
    "template": _template_entry,
    "request": _request_entry,
    "breadcrumbs": _breadcrumbs_entry,
    "threads": _threads_entry,
    "debugmeta": _debugmeta_entry,
    "spans": _spans_entry,
    "csp": csp_entry_from_json,
    "hpkp": hpkp_entry_from_json,
    "expectct": expectct_entry_from_json,
    "expectstaple": expectstaple_entry_from_json,
    "nel": nel_entry_from_json,
}

ENTRY_TYPES: frozenset[str] = frozenset(_BUILDERS)
"""Sentry entry types that have a typed member; every other type is an `UnknownEntry`."""


def entry_from_json(entry: Mapping[str, Any]) -> Any:
    """One of Sentry's ``{"type", "data"}`` entries as its `EventEntry` member.

    Never raises: unknown kinds and unreadable data become `UnknownEntry`.
    """
    if not (type(entry) is dict or isinstance(entry, Mapping)) or type(entry.get("type")) is not str:
        return UnknownEntry(type="", data=entry)
    entry_type: str = entry["type"]
    data = entry.get("data")
    builder = _BUILDERS.get(entry_type)
    if builder is None:
        return UnknownEntry(type=entry_type, data=data)
    try:
        return builder(entry_type, data)
    except Exception:  # noqa: BLE001 - any unreadable shape keeps its raw data instead
        return UnknownEntry(type=entry_type, data=data)
