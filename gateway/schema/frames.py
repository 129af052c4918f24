"""Stack traces: `Stacktrace`, `Frame` and `SourceLine`, after Sentry's
``src/sentry/interfaces/stacktrace.py`` (``Stacktrace.get_api_context`` and
``Frame.get_api_context``).

A stacktrace object is the data of a top-level ``stacktrace`` entry and the
``stacktrace`` / ``rawStacktrace`` of an exception value or a thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import strawberry

from gateway.schema._convert import (
    Malformed,
    boolean,
    int_list,
    integer,
    object_items,
    optional_mapping,
    require_list,
    string,
)
from gateway.schema.scalars import JSON

__all__ = [
    "SourceLine",
    "Frame",
    "Stacktrace",
    "source_lines_from_json",
    "frame_from_json",
    "stacktrace_from_json",
    "optional_stacktrace_from_json",
]


@strawberry.type(
    description="One line of source code around a frame or template position: one "
    "`[lineNo, line]` pair of Sentry's `context` list."
)
class SourceLine:
    lineNo: Optional[int] = strawberry.field(
        description="The 1-based line number (first item of Sentry's pair); null if Sentry "
        "sent something other than an integer."
    )
    line: Optional[str] = strawberry.field(
        description="The text of the line (second item of Sentry's pair); null when Sentry "
        "has no text for it."
    )


@strawberry.type(
    description="One stack frame as Sentry's stacktrace interface serializes it "
    "(`Frame.get_api_context`). Keys Sentry always sends are always here (null when "
    "unknown); the ones Sentry adds only when relevant (`addrMode`, sourcemap fields, "
    "`symbolicatorStatus`, `minGroupingLevel`, and in older events `isSentinel`, "
    "`isPrefix`, `instructionOffset`) are null when it left them out. `raw` has the frame "
    "as sent."
)
class Frame:
    filename: Optional[str] = strawberry.field(
        description="The file the frame's code is in, relative to the project where known; "
        "null if unknown."
    )
    absPath: Optional[str] = strawberry.field(
        description="Absolute path or URL of the file (`absPath`); null if unknown."
    )
    module: Optional[str] = strawberry.field(
        description="Platform-specific module path (e.g. a Python module or Java class); "
        "null if unknown."
    )
    package: Optional[str] = strawberry.field(
        description="Native frames: the binary or library containing the code; null "
        "otherwise."
    )
    platform: Optional[str] = strawberry.field(
        description="The frame's own platform when it differs from the event's; usually "
        "null."
    )
    instructionAddr: Optional[str] = strawberry.field(
        description="Native frames: the instruction address, `0x`-prefixed and zero-padded "
        "to the longest address in the stacktrace; null otherwise."
    )
    symbolAddr: Optional[str] = strawberry.field(
        description="Native frames: the start address of the function, formatted like "
        "`instructionAddr`; null otherwise."
    )
    function: Optional[str] = strawberry.field(
        description="Name of the function being called (demangled/sourcemapped where "
        "Sentry could); null if unknown."
    )
    rawFunction: Optional[str] = strawberry.field(
        description="The original, unprocessed function name when it differs from "
        "`function`; null otherwise and in events from before 2021."
    )
    symbol: Optional[str] = strawberry.field(
        description="Native frames: the mangled symbol; null otherwise."
    )
    context: list[SourceLine] = strawberry.field(
        description="Source lines around `lineNo` (pre-context, the line, post-context) "
        "from Sentry's list of `[lineNo, line]` pairs; empty when Sentry has no source "
        "context."
    )
    lineNo: Optional[int] = strawberry.field(
        description="1-based line number of the call; null if unknown."
    )
    colNo: Optional[int] = strawberry.field(
        description="1-based column number of the call; null if unknown."
    )
    inApp: Optional[bool] = strawberry.field(
        description="Whether the frame is part of the application (as opposed to a library "
        "or the runtime); null if Sentry did not say."
    )
    trust: Optional[str] = strawberry.field(
        description="Native frames: how the frame was found by stack walking (`context`, "
        "`cfi`, `scan`, ...); null otherwise."
    )
    errors: Optional[JSON] = strawberry.field(
        description="Processing errors Sentry attached to this frame, as sent; usually null."
    )
    lock: Optional[JSON] = strawberry.field(
        description="The lock the thread is waiting on at this frame (Java thread dumps), "
        "as Sentry sends it; null otherwise and in events from before 2021."
    )
    sourceLink: Optional[str] = strawberry.field(
        description="A link to this line in the source repository when Sentry has one; "
        "null otherwise and in older events."
    )
    vars: Optional[JSON] = strawberry.field(
        description="Local variables at this frame, as the SDK sent them (keys are often "
        "repr-quoted, e.g. `\"'self'\"`); null when none were captured or the view hides them."
    )
    addrMode: Optional[str] = strawberry.field(
        description="Native frames: how `instructionAddr` is to be read when it is not "
        "absolute (e.g. `rel:0`); null when absolute or not sent."
    )
    map: Optional[str] = strawberry.field(
        description="The sourcemap that was applied to this frame; null when none was."
    )
    mapUrl: Optional[str] = strawberry.field(
        description="URL of the applied sourcemap when it is a URL; null otherwise."
    )
    origFunction: Optional[str] = strawberry.field(
        description="`function` before the sourcemap was applied; null when none was."
    )
    origAbsPath: Optional[str] = strawberry.field(
        description="`absPath` before the sourcemap was applied; null when none was."
    )
    origFilename: Optional[str] = strawberry.field(
        description="`filename` before the sourcemap was applied; null when none was."
    )
    origLineNo: Optional[int] = strawberry.field(
        description="`lineNo` before the sourcemap was applied; null when none was, and "
        "when the sourcemap gave no original position: Sentry then sends the text `\"?\"`, "
        "which `raw` keeps (`raw.origLineNo`)."
    )
    origColNo: Optional[int] = strawberry.field(
        description="`colNo` before the sourcemap was applied; null when none was, and when "
        "Sentry sent `\"?\"` for no original position (kept in `raw.origColNo`)."
    )
    symbolicatorStatus: Optional[str] = strawberry.field(
        description="Native frames: Symbolicator's outcome for this frame (`symbolicated`, "
        "`missing`, ...); null when not sent."
    )
    minGroupingLevel: Optional[int] = strawberry.field(
        description="The lowest grouping level at which this frame contributes to the "
        "issue's grouping; null when not sent."
    )
    isSentinel: Optional[bool] = strawberry.field(
        description="Older events (2021-23): true when a grouping enhancement rule marked "
        "this frame a sentinel (`+sentinel`); Sentry sends the key only when true, so null "
        "otherwise."
    )
    isPrefix: Optional[bool] = strawberry.field(
        description="Older events (2021-23): true when a grouping enhancement rule marked "
        "this frame a prefix frame (`+prefix`); Sentry sends the key only when true, so null "
        "otherwise."
    )
    instructionOffset: Optional[int] = strawberry.field(
        description="Events from 2019 or earlier: the instruction offset Sentry sent for the "
        "frame; null in newer events."
    )
    raw: Optional[JSON] = strawberry.field(
        description="The whole frame object exactly as Sentry sent it (camelCase keys). It "
        "keeps what the typed fields cannot carry, such as the `\"?\"` Sentry puts in "
        "`origLineNo` / `origColNo` (and the other `orig*` keys) when a sourcemap had no "
        "original position, and keys added after this schema."
    )


@strawberry.type(
    description="A stack trace (Sentry's stacktrace interface): the data of a `stacktrace` "
    "entry and the `stacktrace` / `rawStacktrace` of exceptions and threads."
)
class Stacktrace:
    frames: list[Frame] = strawberry.field(
        description="The frames, oldest call first and the crashing frame last, as Sentry "
        "orders them; empty when there are none."
    )
    framesOmitted: Optional[list[int]] = strawberry.field(
        description="`[start, end]` of frames the SDK dropped from the middle of a very "
        "deep stack; null when none were dropped."
    )
    registers: Optional[JSON] = strawberry.field(
        description="Native crashes: CPU register values (name to `0x` string); null otherwise."
    )
    hasSystemFrames: Optional[bool] = strawberry.field(
        description="Whether the trace mixes in-app and system frames (the UI's \"full "
        "stack\" toggle); null if Sentry did not say."
    )


def source_lines_from_json(value: Any, what: str = "context") -> list[SourceLine]:
    """Sentry's ``[[lineNo, line], ...]`` list; a non-pair item is `Malformed`."""
    lines = []
    for item in require_list(value, what):
        if not isinstance(item, list) or len(item) != 2:
            raise Malformed(f"an item of {what} is not a [lineNo, line] pair")
        lines.append(SourceLine(lineNo=integer(item[0]), line=string(item[1])))
    return lines


def frame_from_json(data: Mapping[str, Any]) -> Frame:
    """One frame of a stacktrace object."""
    get = data.get
    return Frame(
        filename=string(get("filename")),
        absPath=string(get("absPath")),
        module=string(get("module")),
        package=string(get("package")),
        platform=string(get("platform")),
        instructionAddr=string(get("instructionAddr")),
        symbolAddr=string(get("symbolAddr")),
        function=string(get("function")),
        rawFunction=string(get("rawFunction")),
        symbol=string(get("symbol")),
        context=source_lines_from_json(get("context"), "frame context"),
        lineNo=integer(get("lineNo")),
        colNo=integer(get("colNo")),
        inApp=boolean(get("inApp")),
        trust=string(get("trust")),
        errors=get("errors"),
        lock=get("lock"),
        sourceLink=string(get("sourceLink")),
        vars=get("vars"),
        addrMode=string(get("addrMode")),
        map=string(get("map")),
        mapUrl=string(get("mapUrl")),
        origFunction=string(get("origFunction")),
        origAbsPath=string(get("origAbsPath")),
        origFilename=string(get("origFilename")),
        origLineNo=integer(get("origLineNo")),
        origColNo=integer(get("origColNo")),
        symbolicatorStatus=string(get("symbolicatorStatus")),
        minGroupingLevel=integer(get("minGroupingLevel")),
        isSentinel=boolean(get("isSentinel")),
        isPrefix=boolean(get("isPrefix")),
        instructionOffset=integer(get("instructionOffset")),
        raw=data,
    )


def stacktrace_from_json(data: Mapping[str, Any]) -> Stacktrace:
    """A stacktrace object; wrongly shaped frames are `Malformed`."""
    get = data.get
    return Stacktrace(
        frames=[frame_from_json(frame) for frame in object_items(get("frames"), "frames")],
        framesOmitted=int_list(get("framesOmitted")),
        registers=get("registers"),
        hasSystemFrames=boolean(get("hasSystemFrames")),
    )


def optional_stacktrace_from_json(value: Any, what: str) -> Stacktrace | None:
    """A stacktrace object or null (a non-object is `Malformed`)."""
    data = optional_mapping(value, what)
    return None if data is None else stacktrace_from_json(data)
