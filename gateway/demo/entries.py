"""Builders for event entries and their parts, in Sentry's API shapes (section 4).

Each builder emits exactly the keys Sentry's ``get_api_context()`` emits for that
interface, including the nulls, so the synthetic events are as demanding for a client
as real ones: frames always carry their 19 keys, exception mechanisms and the report
interfaces (csp, nel, ...) are snake_case with empty keys removed, spans are stored
snake_case and an empty spans entry stays ``[]``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "frame",
    "stacktrace",
    "mechanism",
    "exception_value",
    "exception_entry",
    "message_entry",
    "template_entry",
    "request_entry",
    "breadcrumb",
    "breadcrumbs_entry",
    "thread",
    "threads_entry",
    "debugmeta_entry",
    "spans_entry",
    "report_entry",
    "user",
    "without_empty",
]


def without_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None or an empty container/string (Sentry's ``prune_empty_keys``)."""
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def _context(lineno: int | None, lines: list[str] | None) -> list[list[Any]]:
    """``[[lineNo, line], ...]`` centred on ``lineno``; ``[]`` without a line number."""
    if lineno is None or not lines:
        return []
    middle = len(lines) // 2
    return [[lineno - middle + i, line] for i, line in enumerate(lines)]


def frame(
    *,
    filename: str | None,
    function: str | None,
    lineno: int | None,
    module: str | None = None,
    abs_path: str | None = None,
    colno: int | None = None,
    in_app: bool = True,
    context_lines: list[str] | None = None,
    vars: dict[str, Any] | None = None,
    package: str | None = None,
    platform: str | None = None,
    instruction_addr: str | None = None,
    symbol_addr: str | None = None,
    raw_function: str | None = None,
    symbol: str | None = None,
    trust: str | None = None,
    lock: dict[str, Any] | None = None,
    source_link: str | None = None,
    errors: list[Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A stack frame with every key the current serializer always emits.

    ``extra`` holds the keys added only when relevant (``addrMode``, ``mapUrl``,
    ``origFunction``, ``symbolicatorStatus`` ...), passed in their camelCase form.
    """
    data: dict[str, Any] = {
        "filename": filename,
        "absPath": abs_path if abs_path is not None else filename,
        "module": module,
        "package": package,
        "platform": platform,
        "instructionAddr": instruction_addr,
        "symbolAddr": symbol_addr,
        "function": function,
        "rawFunction": raw_function,
        "symbol": symbol,
        "context": _context(lineno, context_lines),
        "lineNo": lineno,
        "colNo": colno,
        "inApp": in_app,
        "trust": trust,
        "errors": errors,
        "lock": lock,
        "sourceLink": source_link,
        "vars": vars,
    }
    data.update(extra)
    return data


def stacktrace(
    frames: list[dict[str, Any]],
    *,
    frames_omitted: list[int] | None = None,
    registers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A stacktrace object; ``hasSystemFrames`` when in-app and system frames mix."""
    in_app = [bool(f.get("inApp")) for f in frames]
    return {
        "frames": frames,
        "framesOmitted": frames_omitted,
        "registers": registers,
        "hasSystemFrames": any(in_app) and not all(in_app),
    }


def mechanism(**fields: Any) -> dict[str, Any]:
    """An exception mechanism: snake_case keys (``help_link``, ``is_exception_group``...), empties removed."""
    return without_empty(fields)


def exception_value(
    type: str | None,
    value: str | None,
    *,
    stacktrace: dict[str, Any] | None = None,
    raw_stacktrace: dict[str, Any] | None = None,
    mechanism: dict[str, Any] | None = None,
    module: str | None = None,
    thread_id: int | str | None = None,
) -> dict[str, Any]:
    return {
        "type": type,
        "value": value or None,
        "mechanism": mechanism,
        "threadId": thread_id,
        "module": module,
        "stacktrace": stacktrace,
        "rawStacktrace": raw_stacktrace,
    }


def exception_entry(values: list[dict[str, Any]], *, exc_omitted: list[int] | None = None) -> dict[str, Any]:
    has_system = any((v.get("stacktrace") or {}).get("hasSystemFrames") for v in values)
    return {
        "type": "exception",
        "data": {"values": values, "hasSystemFrames": has_system, "excOmitted": exc_omitted},
    }


def message_entry(
    *, message: str | None = None, params: list[Any] | None = None, formatted: str | None = None
) -> dict[str, Any]:
    return {
        "type": "message",
        "data": without_empty({"message": message, "params": params, "formatted": formatted}),
    }


def template_entry(*, filename: str, lineno: int, context_lines: list[str]) -> dict[str, Any]:
    return {
        "type": "template",
        "data": {"lineNo": lineno, "filename": filename, "context": _context(lineno, context_lines)},
    }


def request_entry(
    *,
    url: str,
    method: str | None = "GET",
    query: list[list[str]] | str = (),  # type: ignore[assignment]
    headers: list[list[str]] = (),  # type: ignore[assignment]
    cookies: list[list[str]] = (),  # type: ignore[assignment]
    env: dict[str, Any] | None = None,
    data: Any = None,
    fragment: str | None = None,
    inferred_content_type: str | None = None,
    api_target: str | None = None,
) -> dict[str, Any]:
    return {
        "type": "request",
        "data": {
            "apiTarget": api_target,
            "method": method,
            "url": url,
            "query": query if isinstance(query, str) else [list(pair) for pair in query],
            "fragment": fragment,
            "data": data,
            "headers": [list(pair) for pair in headers],
            "cookies": [list(pair) for pair in cookies],
            "env": env,
            "inferredContentType": inferred_content_type,
        },
    }


def breadcrumb(
    *,
    timestamp: str | None,
    message: str | None = None,
    category: str | None = None,
    type: str = "default",
    level: str | None = "info",
    data: dict[str, Any] | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    return {
        "type": type,
        "timestamp": timestamp,
        "level": level,
        "message": message,
        "category": category,
        "data": data or None,
        "event_id": event_id,
    }


def breadcrumbs_entry(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "breadcrumbs", "data": {"values": values}}


def thread(
    id: int | str,
    *,
    name: str | None,
    crashed: bool = False,
    current: bool = False,
    state: str | None = None,
    held_locks: dict[str, Any] | None = None,
    stacktrace: dict[str, Any] | None = None,
    raw_stacktrace: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "id": id,
        "current": current,
        "crashed": crashed,
        "name": name,
        "state": state,
        "heldLocks": held_locks,
        "stacktrace": stacktrace,
        "rawStacktrace": raw_stacktrace,
    }


def threads_entry(values: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "threads", "data": {"values": values}}


def debugmeta_entry(
    *,
    images: list[dict[str, Any]] | None = None,
    sdk_info: dict[str, Any] | None = None,
    is_debug_build: bool | None = None,
) -> dict[str, Any]:
    data = {"images": images, "sdk_info": sdk_info, "is_debug_build": is_debug_build}
    return {"type": "debugmeta", "data": {k: v for k, v in data.items() if v is not None and v != []}}


def spans_entry(spans: list[dict[str, Any]]) -> dict[str, Any]:
    """A spans entry: a *list* of snake_case spans; kept even when empty."""
    return {"type": "spans", "data": [without_empty(span) for span in spans]}


def report_entry(kind: str, report: dict[str, Any]) -> dict[str, Any]:
    """csp / hpkp / expectct / expectstaple / nel: the stored snake_case report, empties removed."""
    return {"type": kind, "data": without_empty(report)}


def user(
    *,
    id: str | None = None,
    email: str | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    name: str | None = None,
    geo: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The user object: every key present, ``ip_address`` snake_case."""
    return {
        "id": id,
        "email": email,
        "username": username,
        "ip_address": ip_address,
        "name": name,
        "geo": geo,
        "data": data,
    }
