"""Issue 3: about 40 events that together use every entry kind and optional shape.

Ten event shapes, cycled (``seq % 10``), with per-round variations (``seq // 10``):

== ============================================================================
0  Python chained exception: mechanism with every snake_case key (``help_link``,
   ``is_exception_group``, ``exception_id``, ``parent_id`` ...), ``rawStacktrace``,
   ``excOmitted``, int ``threadId``; breadcrumbs with an ``event_id``; a request
   whose ``query`` is the legacy *string* form (round 0)
1  Java: exception with a *string* ``threadId``; threads with int and string ids,
   ``heldLocks`` and ``rawStacktrace``
2  Native crash: ``crashFile`` attachment, registers, zero-padded addresses,
   ``addrMode``, ``symbolicatorStatus``, threads, debugmeta (images, ``sdk_info``,
   ``is_debug_build``), errors; the older frame keys ``isSentinel`` / ``isPrefix``
   (2021-23 events, round 1) and ``instructionOffset`` (2019 and older, round 2)
3  JavaScript with source maps (``map``, ``mapUrl``, ``orig*``), errors, request; in odd
   rounds a frame whose sourcemap gave no original position (``"?"`` in every
   ``orig*`` key, ``origLineNo`` / ``origColNo`` included, as Sentry sends it)
4  message + template + top-level stacktrace + request (pairs query, env, cookies, data)
5  CSP report event (type ``csp``)
6  HPKP / Expect-CT / Expect-Staple report event (by round); Expect-Staple's
   ``ocsp_response`` is a string (round 2) or a JSON object (round 3)
7  NEL report event (type ``nel``): the raw report Sentry keeps today (even rounds:
   nested ``body``, the report's ``type`` ``network-error`` beside ``body.type``) or
   the older flat shape (odd rounds: the network error's keys at the top level)
8  Error with a spans entry (round even) or an empty ``[]`` spans entry (round odd)
9  An entry of an unknown future kind (``resources``) + message + breadcrumbs
== ============================================================================

Entries are sorted by display score; ``_meta.entries`` is keyed by the final index.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import entries as E
from .dates import format_dt
from .serializers import sort_entries
from .store import DemoEvent
from .synthetic import (
    GROUPING_CONFIG,
    base_payload,
    event_id_for,
    filtered_header_meta,
    fingerprint,
    rng_for,
    user_for,
    user_tags,
)

__all__ = ["COVERAGE_EVENT_COUNT", "coverage_event"]

COVERAGE_EVENT_COUNT = 40

_PY_CTX = ["", "def handler(event):", "    payload = decode(event)", "    return process(payload)", "", "", ""]


def _py_frames(prefix: str, count: int = 3) -> list[dict[str, Any]]:
    return [
        E.frame(
            filename=f"app/{prefix}/step_{k}.py",
            module=f"app.{prefix}.step_{k}",
            function=f"step_{k}",
            lineno=10 + k,
            in_app=k > 0,
            context_lines=_PY_CTX,
            vars={"k": k, "payload": {"id": k}},
        )
        for k in range(count)
    ]


def _exception_python(seq: int, rnd: int) -> list[dict[str, Any]]:
    cause = E.exception_value(
        "KeyError",
        "'account_id'",
        module="builtins",
        thread_id=140_231_337 + seq,
        mechanism=E.mechanism(type="chained", source="__context__", exception_id=1, parent_id=0, handled=True),
        stacktrace=E.stacktrace(_py_frames("decode", 2)),
    )
    top = E.exception_value(
        "ExceptionGroup",
        "2 sub-exceptions while settling invoices",
        module="builtins",
        thread_id=140_231_337 + seq,
        mechanism=E.mechanism(
            type="celery",
            synthetic=False,
            description="Celery task failure",
            help_link="https://docs.celeryq.dev/en/stable/userguide/tasks.html#retrying",
            handled=False,
            data={"task": "billing.settle"},
            meta={"signal": {"number": 6, "name": "SIGABRT"}},
            is_exception_group=True,
            exception_id=0,
        ),
        stacktrace=E.stacktrace(_py_frames("settle"), frames_omitted=[4, 9] if rnd % 2 else None),
        raw_stacktrace=E.stacktrace(_py_frames("settle_raw")),
    )
    return [E.exception_entry([cause, top], exc_omitted=[2, 5] if rnd == 1 else None)]


def _java_frames(n: int) -> list[dict[str, Any]]:
    return [
        E.frame(
            filename="OrderWorker.java",
            module="com.example.orders.OrderWorker",
            function=f"process{k}",
            lineno=40 + k,
            in_app=True,
            context_lines=None,
            lock={"type": 1, "address": "0x0d3a2f0a", "package_name": "java.lang", "class_name": "Object", "thread_id": 11}
            if k == 0
            else None,
        )
        for k in range(n)
    ]


def _threads_java(seq: int) -> list[dict[str, Any]]:
    return [
        E.threads_entry(
            [
                E.thread(
                    1,
                    name="main",
                    crashed=True,
                    current=True,
                    state="BLOCKED",
                    held_locks={"0x0d3a2f0a": {"type": 1, "address": "0x0d3a2f0a", "package_name": "java.lang", "class_name": "Object", "thread_id": 11}},
                    stacktrace=E.stacktrace(_java_frames(3)),
                    raw_stacktrace=E.stacktrace(_java_frames(2)),
                ),
                E.thread("worker-pool-7", name="pool-1-thread-7", state="WAITING", stacktrace=E.stacktrace(_java_frames(1))),
                E.thread(11, name="Finalizer", state="RUNNABLE", stacktrace=None),
            ]
        ),
        E.exception_entry(
            [
                E.exception_value(
                    "IllegalMonitorStateException",
                    "current thread is not owner",
                    module="java.lang",
                    thread_id="main",
                    mechanism=E.mechanism(type="UncaughtExceptionHandler", handled=False),
                    stacktrace=E.stacktrace(_java_frames(3)),
                )
            ]
        ),
    ]


def _native_frames(symbolicated: bool) -> list[dict[str, Any]]:
    addrs = [0x1000A3F0, 0x7FF8_1B2C_0010, 0x1000_0042]
    longest = max(len(f"{a:x}") for a in addrs)
    frames = []
    for k, addr in enumerate(addrs):
        frames.append(
            E.frame(
                filename="src/render.cpp" if symbolicated and k != 1 else None,
                abs_path="/build/src/render.cpp" if symbolicated and k != 1 else None,
                function=("Renderer::draw" if k == 0 else "libsystem_kernel.dylib" if k == 1 else "main") if symbolicated else None,
                raw_function="Renderer::draw(Scene const&)" if symbolicated and k == 0 else None,
                symbol="_ZN8Renderer4drawERK5Scene" if symbolicated and k == 0 else None,
                lineno=212 if symbolicated and k != 1 else None,
                in_app=k != 1,
                package="/Applications/Demo.app/Contents/MacOS/Demo" if k != 1 else "/usr/lib/system/libsystem_kernel.dylib",
                instruction_addr=f"0x{addr:0{longest}x}",
                symbol_addr=f"0x{addr - 0x10:0{longest}x}",
                trust="context" if k == 0 else "cfi",
                addrMode="rel:0" if k == 2 else None,
                symbolicatorStatus="symbolicated" if symbolicated else "missing",
            )
        )
    for f in frames:
        if f.get("addrMode") is None:
            del f["addrMode"]
    return frames


def _older_frame_keys(frames: list[dict[str, Any]], rnd: int) -> list[dict[str, Any]]:
    """Frame keys of older events: ``isSentinel`` / ``isPrefix`` (2021-23; Sentry sends them
    only when true) in round 1, ``instructionOffset`` (2019 and older) in round 2."""
    if rnd == 1:
        frames[0]["isSentinel"] = True
        frames[1]["isPrefix"] = True
    elif rnd == 2:
        for k, f in enumerate(frames):
            f["instructionOffset"] = 4 * k + 12
    return frames


def _native(seq: int, rnd: int, event_id: str, ts: datetime) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    registers = {"rip": "0x000000010000a3f0", "rsp": "0x00007ff7bfeff5a0", "rbp": "0x00007ff7bfeff5c0"}
    crashed = E.stacktrace(_older_frame_keys(_native_frames(True), rnd), registers=registers)
    raw = E.stacktrace(_native_frames(False), registers=registers)
    entry_list = [
        E.exception_entry(
            [
                E.exception_value(
                    "EXC_BAD_ACCESS",
                    "KERN_INVALID_ADDRESS at 0x0",
                    thread_id=0,
                    mechanism=E.mechanism(type="minidump", synthetic=True, handled=False, meta={"signal": {"number": 11, "name": "SIGSEGV"}, "mach_exception": {"exception": 1, "code": 1, "subcode": 0, "name": "EXC_BAD_ACCESS"}}),
                    stacktrace=crashed,
                    raw_stacktrace=raw,
                )
            ]
        ),
        E.threads_entry(
            [
                E.thread(0, name="com.apple.main-thread", crashed=True, current=True, stacktrace=crashed, raw_stacktrace=raw),
                E.thread(1, name=None, stacktrace=E.stacktrace(_native_frames(True)[1:])),
            ]
        ),
        E.debugmeta_entry(
            images=[
                {
                    "type": "macho",
                    "code_file": "/Applications/Demo.app/Contents/MacOS/Demo",
                    "debug_id": "8ae3d8f6-9f23-3b8c-9c40-2e4a1d7a7c11",
                    "image_addr": "0x100000000",
                    "image_size": 4194304,
                    "arch": "x86_64",
                    "candidates": [{"source": "sentry:project", "location": "sentry://project_debug_file/42", "download": {"status": "ok"}}],
                },
                {
                    "type": "macho",
                    "code_file": "/usr/lib/system/libsystem_kernel.dylib",
                    "debug_id": "1c2b3a4d-5e6f-3a7b-8c9d-0e1f2a3b4c5d",
                    "image_addr": "0x7ff81b2b0000",
                    "image_size": 245760,
                    "arch": "x86_64",
                },
            ],
            sdk_info={"sdk_name": "macOS", "version_major": 14, "version_minor": 5, "version_patchlevel": 0},
            is_debug_build=seq % 20 == 2,
        ),
    ]
    crash_file = {
        "id": str(9000 + seq),
        "event_id": event_id,
        "type": "event.minidump",
        "name": "upload_file_minidump.dmp",
        "mimetype": "application/octet-stream",
        "dateCreated": format_dt(ts + timedelta(seconds=1)),
        "size": 1048576 + seq,
        "headers": {"Content-Type": "application/octet-stream"},
        "sha1": "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    }
    return entry_list, crash_file


def _unmapped_position_frame() -> dict[str, Any]:
    """A frame whose sourcemap had no original position: Sentry's ``get_api_context`` then
    sends ``"?"`` for every ``orig*`` key, ``origLineNo`` and ``origColNo`` included."""
    return E.frame(
        filename="/static/js/app.4f3c2a.js",
        abs_path="https://cdn.example.com/static/js/app.4f3c2a.js",
        function="Object.onClick",
        lineno=1,
        colno=50117,
        in_app=True,
        context_lines=None,
        map="app.4f3c2a.js.map",
        mapUrl="https://cdn.example.com/static/js/app.4f3c2a.js.map",
        origFunction="?",
        origAbsPath="?",
        origFilename="?",
        origLineNo="?",
        origColNo="?",
    )


def _js(seq: int, rnd: int) -> list[dict[str, Any]]:
    frames = [
        E.frame(
            filename="./src/components/Checkout.tsx",
            abs_path="webpack:///./src/components/Checkout.tsx",
            module="components/Checkout",
            function="submitOrder",
            lineno=88,
            colno=17,
            in_app=True,
            context_lines=["", "  const submitOrder = async () => {", "    setBusy(true);", "    const total = cart.items.reduce(sum, 0).toFixed(2);", "    await api.post('/orders', {total});", "  };", ""],
            map="app.4f3c2a.js.map",
            mapUrl="https://cdn.example.com/static/js/app.4f3c2a.js.map",
            origFunction="n",
            origAbsPath="https://cdn.example.com/static/js/app.4f3c2a.js",
            origFilename="/static/js/app.4f3c2a.js",
            origLineNo=1,
            origColNo=48213,
        ),
        E.frame(filename="/static/js/vendor.js", abs_path="https://cdn.example.com/static/js/vendor.js", function="HTMLButtonElement.r", lineno=2, colno=9931, in_app=False, context_lines=None),
    ]
    if rnd % 2:
        frames.insert(1, _unmapped_position_frame())
    return [
        E.exception_entry(
            [
                E.exception_value(
                    "TypeError",
                    "Cannot read properties of undefined (reading 'toFixed')",
                    mechanism=E.mechanism(type="onunhandledrejection", handled=False),
                    stacktrace=E.stacktrace(frames),
                )
            ]
        ),
        E.request_entry(
            url="https://shop.example.com/checkout",
            method=None,
            query=[["step", "payment"], ["coupon", ""]],
            headers=[["Referer", "https://shop.example.com/cart"], ["User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"]],
            fragment="summary",
        ),
    ]


def _message_template(seq: int, rnd: int) -> list[dict[str, Any]]:
    return [
        E.message_entry(message="Template %s failed to render", params=["checkout/summary.html"], formatted="Template checkout/summary.html failed to render"),
        E.template_entry(
            filename="checkout/summary.html",
            lineno=14,
            context_lines=["{% block body %}", "<ul>", "{% for item in cart.items %}", "  <li>{{ item.price|currency }}</li>", "{% endfor %}", "</ul>", "{% endblock %}"],
        ),
        {"type": "stacktrace", "data": E.stacktrace(_py_frames("templates", 2))},
        E.request_entry(
            url="https://shop.example.com/checkout/summary",
            method="POST",
            query=[["preview", "1"]],
            headers=[["Content-Type", "application/x-www-form-urlencoded"], ["Cookie", "[Filtered]"], ["Host", "shop.example.com"]],
            cookies=[["csrftoken", "[Filtered]"], ["lang", "en"]],
            env={"REMOTE_ADDR": "192.0.2.10", "SERVER_NAME": "shop-1", "SERVER_PORT": "443"},
            data={"coupon": "SPRING", "items": [1, 2]},
            inferred_content_type="application/x-www-form-urlencoded",
        ),
    ]


def _csp() -> dict[str, Any]:
    return E.report_entry(
        "csp",
        {
            "document_uri": "https://shop.example.com/checkout",
            "violated_directive": "script-src 'self'",
            "effective_directive": "script-src",
            "blocked_uri": "https://evil.example.net/inject.js",
            "original_policy": "default-src 'self'; script-src 'self'; report-uri /csp-report/",
            "referrer": "https://shop.example.com/cart",
            "status_code": 200,
            "source_file": "https://shop.example.com/checkout",
            "line_number": 12,
            "column_number": 5,
            "disposition": "enforce",
            "script_sample": "",
        },
    )


def _other_report(rnd: int) -> tuple[str, dict[str, Any], str]:
    kind = ("hpkp", "expectct", "expectstaple", "expectstaple")[rnd % 4]
    if kind == "hpkp":
        report = {
            "date_time": "2024-05-01T10:00:00Z",
            "hostname": "shop.example.com",
            "port": 443,
            "effective_expiration_date": "2024-06-01T10:00:00Z",
            "include_subdomains": False,
            "noted_hostname": "shop.example.com",
            "served_certificate_chain": ["-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"],
            "validated_certificate_chain": ["-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----"],
            "known_pins": ['pin-sha256="d6qzRu9zOECb90Uez27xWltNsj0e1Md7GkYYkVoZWmM="'],
        }
        title = "Public key pinning validation failed for 'shop.example.com'"
    elif kind == "expectct":
        report = {
            "date_time": "2024-05-01T10:00:00Z",
            "hostname": "shop.example.com",
            "port": 443,
            "scheme": "https",
            "effective_expiration_date": "2024-06-01T10:00:00Z",
            "served_certificate_chain": ["-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"],
            "validated_certificate_chain": [],
            "scts": [{"version": 1, "status": "invalid", "source": "embedded", "serialized_sct": "ABCD"}],
            "failure_mode": "enforce",
            "test_report": False,
        }
        title = "Expect-CT failed for 'shop.example.com'"
    else:
        report = {
            "date_time": "2024-05-01T10:00:00Z",
            "hostname": "shop.example.com",
            "port": 443,
            "response_status": "ERROR_RESPONSE",
            # any JSON value (Relay keeps it as a Value): base64 text, or an object
            "ocsp_response": "MIIBrQoBAKCCAaYwggGiBgkrBgEFBQcwAQEEggGTMIIBjzCB"
            if rnd == 2
            else {"status": "TRY_LATER", "produced_at": "2024-05-01T09:59:58Z", "responses": []},
            "cert_status": "REVOKED",
            "effective_expiration_date": "2024-06-01T10:00:00Z",
            "served_certificate_chain": ["-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"],
            "validated_certificate_chain": [],
        }
        title = "Expect-Staple failed for 'shop.example.com'"
    return kind, E.report_entry(kind, report), title


def _nel(rnd: int) -> tuple[dict[str, Any], str]:
    """A NEL entry and the event's title.

    Even rounds: the raw report as Sentry keeps it today (Relay's ``NetworkReportRaw``):
    the report's own ``type`` (``network-error``), ``age``, ``url``, ``user_agent`` at the
    top, the network error in ``body`` with its kind in ``body.type``. Odd rounds: the
    older flat shape, the network error's keys at the top level and its kind in ``type``.
    """
    if rnd % 2 == 0:
        timed_out = rnd == 0
        body = {
            "elapsed_time": 230 if timed_out else 48,
            "method": "POST" if timed_out else "GET",
            "phase": "connection" if timed_out else "application",
            "protocol": "h2" if timed_out else "http/1.1",
            "referrer": "https://shop.example.com/",
            "sampling_fraction": 1.0 if timed_out else 0.25,
            "server_ip": "203.0.113.5",
            "status_code": 0 if timed_out else 503,
            "type": "tcp.timed_out" if timed_out else "http.error",
        }
        report = {
            "type": "network-error",
            "url": "https://api.example.com/v1/orders",
            "age": 1200 if timed_out else 65,
            "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/125.0",
            "body": body,
        }
        title = "NEL: Connection timed out (tcp.timed_out)" if timed_out else "NEL: HTTP error 503 (http.error)"
        return E.report_entry("nel", report), title
    flat = {
        "url": "https://api.example.com/v1/orders",
        "elapsed_time": 12,
        "method": "GET",
        "phase": "dns",
        "protocol": "http/1.1",
        "referrer": "https://shop.example.com/cart",
        "sampling_fraction": 0.5,
        "server_ip": "",  # no server reached: pruned as an empty key
        "status_code": 0,
        "type": "dns.name_not_resolved",
    }
    return E.report_entry("nel", flat), "NEL: DNS name not resolved (dns.name_not_resolved)"


def _spans(seq: int, rnd: int, ts: datetime) -> list[dict[str, Any]]:
    if rnd % 2:
        return [E.spans_entry([])]
    start = ts.timestamp() - 1.2
    trace = event_id_for("3-trace", seq)
    return [
        E.spans_entry(
            [
                {
                    "trace_id": trace,
                    "span_id": f"{0xA1B2C3D4E5F60000 + seq:016x}",
                    "parent_span_id": "9c2a6f3be1d04a11",
                    "op": "db",
                    "description": "SELECT orders.id FROM orders WHERE orders.customer_id = %s ORDER BY orders.created_at DESC",
                    "start_timestamp": round(start, 6),
                    "timestamp": round(start + 0.042, 6),
                    "tags": {"db.system": "postgresql"},
                    "data": {"db.rows": 12},
                    "same_process_as_parent": True,
                    "status": "ok",
                    "hash": "d41d8cd98f00b204",
                    "exclusive_time": 42.0,
                },
                {
                    "trace_id": trace,
                    "span_id": f"{0xB1B2C3D4E5F60000 + seq:016x}",
                    "parent_span_id": "9c2a6f3be1d04a11",
                    "op": "http.client",
                    "description": "POST https://payments.example.com/charge",
                    "start_timestamp": round(start + 0.05, 6),
                    "timestamp": round(start + 1.1, 6),
                    "tags": None,
                    "data": {"http.response.status_code": 502},
                    "status": "internal_error",
                },
            ]
        ),
        E.exception_entry(
            [
                E.exception_value(
                    "PaymentGatewayError",
                    "upstream returned 502",
                    module="app.payments",
                    mechanism=E.mechanism(type="generic", handled=True),
                    stacktrace=E.stacktrace(_py_frames("payments", 2)),
                )
            ]
        ),
    ]


def _unknown_kind(seq: int, ts: datetime) -> list[dict[str, Any]]:
    return [
        {"type": "resources", "data": {"values": [{"url": "https://cdn.example.com/app.css", "size": 18342, "cached": seq % 2 == 0}]}},
        E.message_entry(formatted=f"Slow asset load on /catalog (run {seq})"),
        E.breadcrumbs_entry(
            [E.breadcrumb(timestamp=format_dt(ts - timedelta(seconds=2)), type="navigation", category="navigation", data={"from": "/", "to": "/catalog"})]
        ),
    ]


def coverage_event(issue_id: str, seq: int, ts: datetime) -> DemoEvent:
    """Issue 3's event number ``seq`` (see the module docstring for the shapes)."""
    rng = rng_for(issue_id, seq)
    shape, rnd = seq % 10, seq // 10
    event_id = event_id_for(issue_id, seq)
    payload = base_payload(issue_id, seq)
    platform, event_type, title, message, culprit, location = "python", "error", "", "", None, None
    crash_file = None
    errors: list[dict[str, Any]] = []
    contexts: dict[str, Any] = {"os": {"name": "Linux", "version": "6.8.0", "type": "os"}}
    tags = [{"key": "level", "value": "error"}, {"key": "environment", "value": "production" if seq % 3 else "staging"}]

    if shape == 0:
        entry_list = _exception_python(seq, rnd)
        crumbs = [
            E.breadcrumb(timestamp=format_dt(ts - timedelta(seconds=5)), category="celery", message="task billing.settle received"),
            E.breadcrumb(timestamp=format_dt(ts - timedelta(seconds=1)), category="sentry.event", level="error", message="KeyError: 'account_id'", event_id=event_id_for(issue_id, seq + 1000)),
        ]
        entry_list.append(E.breadcrumbs_entry(crumbs))
        entry_list.append(
            E.request_entry(
                url="http://worker.internal/tasks/settle",
                method="GET",
                query="batch=17&dry_run=0" if rnd == 0 else [["batch", "17"], ["dry_run", "0"]],
                headers=[["Accept", "*/*"], ["Authorization", "[Filtered]"]],
            )
        )
        title, culprit, location = "ExceptionGroup: 2 sub-exceptions while settling invoices", "app.settle.step_2 in step_2", "app/settle/step_2.py"
    elif shape == 1:
        entry_list = _threads_java(seq)
        platform, title, culprit, location = "java", "IllegalMonitorStateException: current thread is not owner", "com.example.orders.OrderWorker in process0", "OrderWorker.java"
        contexts["runtime"] = {"name": "OpenJDK", "version": "21.0.2", "type": "runtime"}
    elif shape == 2:
        entry_list, crash_file = _native(seq, rnd, event_id, ts)
        platform, title, culprit, location = "native", "EXC_BAD_ACCESS: KERN_INVALID_ADDRESS at 0x0", "Renderer::draw", "src/render.cpp"
        errors = [{"type": "native_missing_dsym", "message": "A required debug information file was missing.", "data": {"image_path": "/usr/lib/system/libsystem_kernel.dylib", "image_uuid": "1c2b3a4d-5e6f-3a7b-8c9d-0e1f2a3b4c5d", "image_arch": "x86_64"}}]
        contexts.update(
            device={"model": "MacBookPro18,3", "arch": "x86_64", "memory_size": 34359738368, "boot_time": "2024-05-01T08:00:00Z", "type": "device"},
            os={"name": "macOS", "version": "14.5", "build": "23F79", "kernel_version": "Darwin Kernel Version 23.5.0", "type": "os"},
        )
    elif shape == 3:
        entry_list = _js(seq, rnd)
        platform, title, culprit, location = "javascript", "TypeError: Cannot read properties of undefined (reading 'toFixed')", "submitOrder(components/Checkout)", "./src/components/Checkout.tsx"
        errors = [{"type": "js_no_source", "message": "Source code was not found", "data": {"url": "https://cdn.example.com/static/js/vendor.js", "symbolicator_type": "missing_source"}}]
        contexts["browser"] = {"name": "Safari", "version": "17.5", "type": "browser"}
        tags.append({"key": "browser", "value": "Safari 17.5"})
    elif shape == 4:
        entry_list = _message_template(seq, rnd)
        event_type, title = "default", "Template checkout/summary.html failed to render"
        message, culprit = "Template checkout/summary.html failed to render", "checkout/summary.html"
    elif shape == 5:
        entry_list = [_csp(), E.request_entry(url="https://shop.example.com/checkout", method=None, headers=[["User-Agent", "Mozilla/5.0 Firefox/128.0"]])]
        event_type, platform = "csp", "other"
        title = "Blocked 'script' from 'evil.example.net'"
        message, culprit = "Blocked 'script' from 'evil.example.net'", "script-src 'self'"
    elif shape == 6:
        event_type, entry, title = _other_report(rnd)
        entry_list = [entry]
        platform, message, culprit = "other", title, "shop.example.com"
    elif shape == 7:
        entry, title = _nel(rnd)
        entry_list = [entry]
        event_type, platform = "nel", "other"
        message = title
        culprit = "https://api.example.com/v1/orders"
    elif shape == 8:
        entry_list = _spans(seq, rnd, ts)
        title, culprit, location = "PaymentGatewayError: upstream returned 502", "app.payments.step_1 in step_1", "app/payments/step_1.py"
    else:
        entry_list = _unknown_kind(seq, ts)
        event_type = "default"
        title = message = f"Slow asset load on /catalog (run {seq})"
        culprit = "/catalog"

    entry_list = sort_entries(entry_list)
    meta_entries: dict[str, Any] = {}
    for index, entry in enumerate(entry_list):
        if entry["type"] == "request":
            headers = entry["data"]["headers"]
            for h, (name, value) in enumerate(headers):
                if value == "[Filtered]":
                    meta_entries.update(filtered_header_meta(index, h))
                    break

    uid = rng.randint(1, 30)
    tags += [*user_tags(uid), {"key": "release", "value": "backend@1.5.1"}]
    payload.update(
        size=rng.randint(1500, 30000),
        entries=entry_list,
        message=message,
        title=title,
        location=location,
        user=user_for(uid),
        contexts=contexts,
        sdk={"name": f"sentry.{platform}", "version": "1.0.0"} if platform != "other" else None,
        context={"shape": shape, "round": rnd},
        type=event_type,
        metadata={"title": title} if event_type != "error" else {"type": title.split(":", 1)[0], "value": title.split(": ", 1)[-1]},
        tags=tags,
        platform=platform,
        dateReceived=format_dt(ts + timedelta(milliseconds=400)),
        errors=errors,
        crashFile=crash_file,
        culprit=culprit,
        dateCreated=format_dt(ts),
        fingerprints=[fingerprint(issue_id)],
        groupingConfig=dict(GROUPING_CONFIG),
    )
    payload["_meta"]["entries"] = meta_entries
    return DemoEvent(
        issue_id=issue_id,
        ts=ts,
        payload=payload,
        raw_message=message,
        detail={"release": {"version": "backend@1.5.1"}, "sdkUpdates": [], "resolvedWith": []},
    )
