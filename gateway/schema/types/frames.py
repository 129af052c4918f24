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

from gateway.schema.mapping.declare import WHOLE, build, each, item, nested, sentry_field
from gateway.schema.mapping.readers import boolean, int_list, integer, line_pairs, string
from gateway.schema.types.scalars import JSON

__all__ = ["SourceLine", "Frame", "Stacktrace", "frame_from_json", "optional_stacktrace"]


@strawberry.type(
    description="One line of source code around a frame or template position: one "
    "`[lineNo, line]` pair of Sentry's `context` list."
)
class SourceLine:
    lineNo: Optional[int] = sentry_field(
        item(0),
        integer,
        description="The 1-based line number (first item of Sentry's pair); null if Sentry "
        "sent something other than an integer.",
    )
    line: Optional[str] = sentry_field(
        item(1),
        string,
        description="The text of the line (second item of Sentry's pair); null when Sentry has no text for it.",
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
    filename: Optional[str] = sentry_field(
        "filename",
        string,
        description="The file the frame's code is in, relative to the project where known; null if unknown.",
    )
    absPath: Optional[str] = sentry_field(
        "absPath", string, description="Absolute path or URL of the file (`absPath`); null if unknown."
    )
    module: Optional[str] = sentry_field(
        "module",
        string,
        description="Platform-specific module path (e.g. a Python module or Java class); null if unknown.",
    )
    package: Optional[str] = sentry_field(
        "package", string, description="Native frames: the binary or library containing the code; null otherwise."
    )
    platform: Optional[str] = sentry_field(
        "platform", string, description="The frame's own platform when it differs from the event's; usually null."
    )
    instructionAddr: Optional[str] = sentry_field(
        "instructionAddr",
        string,
        description="Native frames: the instruction address, `0x`-prefixed and zero-padded "
        "to the longest address in the stacktrace; null otherwise.",
    )
    symbolAddr: Optional[str] = sentry_field(
        "symbolAddr",
        string,
        description="Native frames: the start address of the function, formatted like "
        "`instructionAddr`; null otherwise.",
    )
    function: Optional[str] = sentry_field(
        "function",
        string,
        description="Name of the function being called (demangled/sourcemapped where Sentry could); null if unknown.",
    )
    rawFunction: Optional[str] = sentry_field(
        "rawFunction",
        string,
        description="The original, unprocessed function name when it differs from "
        "`function`; null otherwise and in events from before 2021.",
    )
    symbol: Optional[str] = sentry_field(
        "symbol", string, description="Native frames: the mangled symbol; null otherwise."
    )
    context: list[SourceLine] = sentry_field(
        "context",
        each(SourceLine, line_pairs),
        description="Source lines around `lineNo` (pre-context, the line, post-context) "
        "from Sentry's list of `[lineNo, line]` pairs; empty when Sentry has no source "
        "context.",
    )
    lineNo: Optional[int] = sentry_field(
        "lineNo", integer, description="1-based line number of the call; null if unknown."
    )
    colNo: Optional[int] = sentry_field(
        "colNo", integer, description="1-based column number of the call; null if unknown."
    )
    inApp: Optional[bool] = sentry_field(
        "inApp",
        boolean,
        description="Whether the frame is part of the application (as opposed to a library "
        "or the runtime); null if Sentry did not say.",
    )
    trust: Optional[str] = sentry_field(
        "trust",
        string,
        description="Native frames: how the frame was found by stack walking (`context`, "
        "`cfi`, `scan`, ...); null otherwise.",
    )
    errors: Optional[JSON] = sentry_field(
        "errors", description="Processing errors Sentry attached to this frame, as sent; usually null."
    )
    lock: Optional[JSON] = sentry_field(
        "lock",
        description="The lock the thread is waiting on at this frame (Java thread dumps), "
        "as Sentry sends it; null otherwise and in events from before 2021.",
    )
    sourceLink: Optional[str] = sentry_field(
        "sourceLink",
        string,
        description="A link to this line in the source repository when Sentry has one; "
        "null otherwise and in older events.",
    )
    vars: Optional[JSON] = sentry_field(
        "vars",
        description="Local variables at this frame, as the SDK sent them (keys are often "
        "repr-quoted, e.g. `\"'self'\"`); null when none were captured or the view hides them.",
    )
    addrMode: Optional[str] = sentry_field(
        "addrMode",
        string,
        description="Native frames: how `instructionAddr` is to be read when it is not "
        "absolute (e.g. `rel:0`); null when absolute or not sent.",
    )
    map: Optional[str] = sentry_field(
        "map", string, description="The sourcemap that was applied to this frame; null when none was."
    )
    mapUrl: Optional[str] = sentry_field(
        "mapUrl", string, description="URL of the applied sourcemap when it is a URL; null otherwise."
    )
    origFunction: Optional[str] = sentry_field(
        "origFunction", string, description="`function` before the sourcemap was applied; null when none was."
    )
    origAbsPath: Optional[str] = sentry_field(
        "origAbsPath", string, description="`absPath` before the sourcemap was applied; null when none was."
    )
    origFilename: Optional[str] = sentry_field(
        "origFilename", string, description="`filename` before the sourcemap was applied; null when none was."
    )
    origLineNo: Optional[int] = sentry_field(
        "origLineNo",
        integer,
        description="`lineNo` before the sourcemap was applied; null when none was, and "
        'when the sourcemap gave no original position: Sentry then sends the text `"?"`, '
        "which `raw` keeps (`raw.origLineNo`).",
    )
    origColNo: Optional[int] = sentry_field(
        "origColNo",
        integer,
        description="`colNo` before the sourcemap was applied; null when none was, and when "
        'Sentry sent `"?"` for no original position (kept in `raw.origColNo`).',
    )
    symbolicatorStatus: Optional[str] = sentry_field(
        "symbolicatorStatus",
        string,
        description="Native frames: Symbolicator's outcome for this frame (`symbolicated`, "
        "`missing`, ...); null when not sent.",
    )
    minGroupingLevel: Optional[int] = sentry_field(
        "minGroupingLevel",
        integer,
        description="The lowest grouping level at which this frame contributes to the "
        "issue's grouping; null when not sent.",
    )
    isSentinel: Optional[bool] = sentry_field(
        "isSentinel",
        boolean,
        description="Older events (2021-23): true when a grouping enhancement rule marked "
        "this frame a sentinel (`+sentinel`); Sentry sends the key only when true, so null "
        "otherwise.",
    )
    isPrefix: Optional[bool] = sentry_field(
        "isPrefix",
        boolean,
        description="Older events (2021-23): true when a grouping enhancement rule marked "
        "this frame a prefix frame (`+prefix`); Sentry sends the key only when true, so null "
        "otherwise.",
    )
    instructionOffset: Optional[int] = sentry_field(
        "instructionOffset",
        integer,
        description="Events from 2019 or earlier: the instruction offset Sentry sent for the "
        "frame; null in newer events.",
    )
    raw: Optional[JSON] = sentry_field(
        WHOLE,
        description="The whole frame object exactly as Sentry sent it (camelCase keys). It "
        'keeps what the typed fields cannot carry, such as the `"?"` Sentry puts in '
        "`origLineNo` / `origColNo` (and the other `orig*` keys) when a sourcemap had no "
        "original position, and keys added after this schema.",
    )


@strawberry.type(
    description="A stack trace (Sentry's stacktrace interface): the data of a `stacktrace` "
    "entry and the `stacktrace` / `rawStacktrace` of exceptions and threads."
)
class Stacktrace:
    frames: list[Frame] = sentry_field(
        "frames",
        each(Frame),
        description="The frames, oldest call first and the crashing frame last, as Sentry "
        "orders them; empty when there are none.",
    )
    framesOmitted: Optional[list[int]] = sentry_field(
        "framesOmitted",
        int_list,
        description="`[start, end]` of frames the SDK dropped from the middle of a very "
        "deep stack; null when none were dropped.",
    )
    registers: Optional[JSON] = sentry_field(
        "registers", description="Native crashes: CPU register values (name to `0x` string); null otherwise."
    )
    hasSystemFrames: Optional[bool] = sentry_field(
        "hasSystemFrames",
        boolean,
        description="Whether the trace mixes in-app and system frames (the UI's \"full "
        'stack" toggle); null if Sentry did not say.',
    )


def frame_from_json(data: Mapping[str, Any]) -> Frame:
    """One frame of a stacktrace object."""
    return build(Frame, data)


optional_stacktrace = nested(Stacktrace, strict=True)
"""A stacktrace object or null; a frame list of the wrong shape is `Malformed`."""
