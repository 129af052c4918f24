"""Deterministic synthetic error events (issues 2, 5, 6, 7 and new events of issue 1).

Every event is a pure function of ``(issue id, sequence number, timestamp)``: the
event id is an MD5 of ``demo:<issue>:<seq>`` and all other randomness comes from
``random.Random("demo:<issue>:<seq>")`` (string seeds are stable across processes),
so every worker process builds byte-identical data for the same anchor.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from . import entries as E
from .dates import format_dt
from .fixtures import full_defaults
from .serializers import sort_entries, user_tag_query
from .store import DEMO_PROJECT_ID, DemoEvent

__all__ = [
    "event_id_for",
    "rng_for",
    "base_payload",
    "user_for",
    "user_tags",
    "filtered_header_meta",
    "RELEASES",
    "release_detail",
    "app_error_event",
    "BasicErrorSpec",
    "basic_error_event",
    "LEGACY_SPEC",
    "BURST_SPEC",
    "PRIVATE_SPEC",
    "OLD_SPEC",
    "FIXTURE_ISSUE_SPEC",
]

GROUPING_CONFIG = {
    "id": "newstyle:2023-01-11",
    "enhancements": "KLUv_SAYwQAAkwKRs25ld3N0eWxlOjIwMjMtMDEtMTGQ",
}


def event_id_for(issue_id: str, seq: int) -> str:
    return hashlib.md5(f"demo:{issue_id}:{seq}".encode()).hexdigest()


def rng_for(issue_id: str, seq: int) -> random.Random:
    return random.Random(f"demo:{issue_id}:{seq}")


def base_payload(issue_id: str, seq: int, event_type: str = "error") -> dict[str, Any]:
    """The full-serializer defaults for a new event of ``issue_id``."""
    payload = full_defaults(event_id_for(issue_id, seq), event_type)
    payload["groupID"] = issue_id
    payload["projectID"] = DEMO_PROJECT_ID
    return payload


def fingerprint(issue_id: str) -> str:
    return hashlib.md5(f"fingerprint:{issue_id}".encode()).hexdigest()


_FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Dennis")
_LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds", "Perlman", "Ritchie")
_GEO = (
    {"country_code": "DE", "city": "Berlin", "region": "Germany"},
    {"country_code": "US", "city": "San Francisco", "region": "United States"},
    {"country_code": "JP", "city": "Tokyo", "region": "Japan"},
    None,
)


def user_for(uid: int) -> dict[str, Any]:
    name = f"{_FIRST[uid % len(_FIRST)]} {_LAST[(uid // len(_FIRST)) % len(_LAST)]}"
    return E.user(
        id=str(uid),
        email=f"user{uid}@example.com",
        username=f"user{uid}",
        ip_address=f"10.0.{uid // 250}.{uid % 250 + 1}",
        name=name,
        geo=_GEO[uid % len(_GEO)],
        data={"plan": "team" if uid % 3 else "business"} if uid % 5 == 0 else None,
    )


def user_tags(uid: int) -> list[dict[str, Any]]:
    value = f"id:{uid}"
    return [{"key": "user", "value": value, "query": user_tag_query("user", value)}]


def filtered_header_meta(entry_index: int, header_index: int) -> dict[str, Any]:
    """``_meta.entries`` for one scrubbed request header (as in the sentry-mcp capture)."""
    return {
        str(entry_index): {
            "data": {
                "headers": {
                    str(header_index): {
                        "1": {
                            "": {
                                "rem": [["@password:filter", "s", 0, 10]],
                                "len": 64,
                                "chunks": [
                                    {
                                        "type": "redaction",
                                        "text": "[Filtered]",
                                        "rule_id": "@password:filter",
                                        "remark": "s",
                                    }
                                ],
                            }
                        }
                    }
                }
            }
        }
    }


def _meta(entries_meta: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "entries": entries_meta or {},
        "message": None,
        "user": None,
        "contexts": None,
        "sdk": None,
        "context": None,
        "packages": None,
        "tags": {},
    }


# -- releases -------------------------------------------------------------------------

RELEASES = ("backend@1.4.0", "backend@1.4.1", "backend@1.5.0", "backend@1.5.1")
_RELEASE_AGE_DAYS = {"backend@1.4.0": 30, "backend@1.4.1": 12, "backend@1.5.0": 6}


def release_detail(version: str | None, anchor: datetime) -> dict[str, Any] | None:
    """The detail endpoint's ``release``: null, ``{"version"}`` (no Release row), or full."""
    if version is None:
        return None
    age = _RELEASE_AGE_DAYS.get(version)
    if age is None:
        return {"version": version}
    created = anchor - timedelta(days=age)
    number = version.split("@", 1)[1]
    major, minor, patch = (int(part) for part in number.split("."))
    sha = hashlib.sha1(version.encode()).hexdigest()
    return {
        "id": 1000 + age,
        "version": version,
        "status": "open",
        "shortVersion": version,
        "versionInfo": {
            "package": "backend",
            "version": {
                "raw": number,
                "major": major,
                "minor": minor,
                "patch": patch,
                "pre": None,
                "buildCode": None,
                "components": 3,
            },
            "description": number,
            "buildHash": None,
        },
        "ref": "main",
        "url": f"https://ci.example.com/deploys/backend/{number}/",
        "dateReleased": format_dt(created + timedelta(minutes=25)),
        "dateCreated": format_dt(created),
        "data": {},
        "newGroups": 2,
        "owner": None,
        "commitCount": 7 + age,
        "lastCommit": {
            "id": sha,
            "message": f"release: {number}",
            "dateCreated": format_dt(created - timedelta(minutes=10)),
            "repository": {"id": "3", "name": "demo/backend", "url": "https://github.com/demo/backend"},
        },
        "deployCount": 1,
        "lastDeploy": {
            "id": str(500 + age),
            "environment": "production",
            "dateStarted": None,
            "dateFinished": format_dt(created + timedelta(minutes=25)),
            "name": f"{sha[:12]} to production",
            "url": None,
        },
        "authors": [],
        "projects": [{"id": int(DEMO_PROJECT_ID), "slug": "demo", "name": "Demo", "platform": "python"}],
        "firstEvent": format_dt(created + timedelta(hours=1)),
        "lastEvent": format_dt(anchor - timedelta(hours=1)),
        "currentProjectMeta": {},
        "userAgent": None,
    }


# -- issue 2: the big application error ----------------------------------------------


@dataclass(frozen=True)
class _FrameSpec:
    filename: str
    module: str | None
    function: str
    lineno: int
    colno: int | None
    in_app: bool
    statement: str


_PY_FRAMES = (
    _FrameSpec("django/core/handlers/exception.py", "django.core.handlers.exception", "inner", 55, None, False, "response = get_response(request)"),
    _FrameSpec("django/core/handlers/base.py", "django.core.handlers.base", "_get_response", 197, None, False, "response = wrapped_callback(request, *callback_args, **callback_kwargs)"),
    _FrameSpec("app/api/views/users.py", "app.api.views.users", "get", 41, None, True, "profile = self.service.load_profile(user_id)"),
    _FrameSpec("app/services/users.py", "app.services.users", "load_profile", 88, None, True, "user = self.load_user(user_id)"),
    _FrameSpec("app/services/users.py", "app.services.users", "load_user", 63, None, True, "row = self.repository.fetch_one(User, id=user_id)"),
    _FrameSpec("app/db/repository.py", "app.db.repository", "fetch_one", 120, None, True, "return self.session.execute(stmt).one()"),
    _FrameSpec("sqlalchemy/engine/result.py", "sqlalchemy.engine.result", "one", 1821, None, False, "return self._only_one_row(raise_for_second_row=True, raise_for_none=True)"),
    _FrameSpec("app/services/users.py", "app.services.users", "_raise_missing", 30, None, True, 'raise ValueError(f"Failed to load user {user_id}")'),
)
_NODE_FRAMES = (
    _FrameSpec("node:internal/process/task_queues", "task_queues", "process.processTicksAndRejections", 95, 5, False, "callback();"),
    _FrameSpec("/app/node_modules/express/lib/router/layer.js", "express.lib.router:layer", "Layer.handle", 95, 5, False, "fn(req, res, next);"),
    _FrameSpec("/app/dist/routes/users.js", "routes:users", "getUser", 41, 23, True, "const profile = await service.loadProfile(userId);"),
    _FrameSpec("/app/dist/services/users.js", "services:users", "UserService.loadProfile", 88, 18, True, "const user = await this.loadUser(userId);"),
    _FrameSpec("/app/dist/services/users.js", "services:users", "UserService.loadUser", 63, 30, True, "const row = await this.repository.fetchOne('users', userId);"),
    _FrameSpec("/app/dist/db/repository.js", "db:repository", "Repository.fetchOne", 120, 12, True, "return rows[0] ?? this.missing(id);"),
    _FrameSpec("/app/node_modules/pg/lib/client.js", "pg.lib:client", "Client.query", 526, 9, False, "return result;"),
    _FrameSpec("/app/dist/services/users.js", "services:users", "UserService.raiseMissing", 30, 11, True, "throw new Error(`Failed to load user ${userId}`);"),
)
_JS_FRAMES = tuple(
    _FrameSpec(
        f.filename.replace("/app/dist/", "https://app.example.com/static/js/").replace("/app/node_modules/", "https://app.example.com/static/js/vendor/"),
        None,
        f.function,
        f.lineno,
        f.colno,
        f.in_app,
        f.statement,
    )
    for f in _NODE_FRAMES
)
_PLATFORM_FRAMES = {"python": _PY_FRAMES, "node": _NODE_FRAMES, "javascript": _JS_FRAMES}
_EXCEPTION_TYPE = {"python": "ValueError", "node": "Error", "javascript": "Error"}
_SDK = {
    "python": {"name": "sentry.python.django", "version": "2.18.0"},
    "node": {"name": "sentry.javascript.node", "version": "8.38.0"},
    "javascript": {"name": "sentry.javascript.browser", "version": "8.38.0"},
}


def _context_lines(spec: _FrameSpec) -> list[str]:
    indent = "        " if spec.filename.endswith(".py") else "    "
    return [
        "",
        f"{indent[:-4]}def {spec.function.split('.')[-1]}(self, user_id):"
        if spec.filename.endswith(".py")
        else f"async {spec.function.split('.')[-1]}(userId) {{",
        f"{indent}# {spec.module or spec.filename}",
        f"{indent}{spec.statement}",
        f"{indent}log.debug('step done')" if spec.filename.endswith(".py") else f"{indent}logger.debug('step done');",
        f"{indent}return result" if spec.filename.endswith(".py") else f"{indent}return result;",
        "",
    ]


def _frames(platform: str, rng: random.Random, uid: int) -> list[dict[str, Any]]:
    frames = []
    for spec in _PLATFORM_FRAMES[platform]:
        variables = None
        if spec.in_app:
            variables = {
                "user_id" if platform == "python" else "userId": str(uid) if rng.random() < 0.5 else uid,
                "self": f"<UserService object at 0x7f{rng.getrandbits(36):09x}>",
                "attempt": rng.randint(1, 3),
                "options": {"include": ["profile", "teams"], "timeout": 2.5},
            }
        frames.append(
            E.frame(
                filename=spec.filename.rsplit("/app/", 1)[-1] if platform != "python" else spec.filename,
                abs_path=spec.filename if platform != "python" else f"/srv/app/{spec.filename}",
                module=spec.module,
                function=spec.function,
                lineno=spec.lineno,
                colno=spec.colno,
                in_app=spec.in_app,
                context_lines=_context_lines(spec),
                vars=variables,
            )
        )
    return frames


_CRUMB_KINDS = ("navigation", "http", "query", "console", "ui.click")


def _breadcrumbs(ts: datetime, rng: random.Random, uid: int, count: int = 20) -> list[dict[str, Any]]:
    crumbs = []
    offsets = sorted(rng.uniform(0.05, 90.0) for _ in range(count))
    for k, offset in enumerate(reversed(offsets)):
        when = format_dt(ts - timedelta(seconds=round(offset, 3)))
        kind = _CRUMB_KINDS[k % len(_CRUMB_KINDS)]
        if kind == "navigation":
            crumbs.append(E.breadcrumb(timestamp=when, type="navigation", category="navigation", data={"from": "/dashboard", "to": f"/users/{uid}"}))
        elif kind == "http":
            status = 200 if rng.random() < 0.85 else 503
            crumbs.append(
                E.breadcrumb(
                    timestamp=when,
                    type="http",
                    category="httplib",
                    level="info" if status == 200 else "warning",
                    data={"method": "GET", "url": f"https://auth.internal/v1/users/{uid}", "status_code": status},
                )
            )
        elif kind == "query":
            crumbs.append(
                E.breadcrumb(
                    timestamp=when,
                    type="default",
                    category="query",
                    message="SELECT users.id, users.email FROM users WHERE users.id = %s AND users.deleted_at IS NULL LIMIT 1",
                    data={"db.system": "postgresql"},
                )
            )
        elif kind == "console":
            crumbs.append(E.breadcrumb(timestamp=when, type="debug", category="app.services.users", level="debug", message=f"cache miss for user {uid}"))
        else:
            crumbs.append(E.breadcrumb(timestamp=when, type="user", category="ui.click", message="body > div#app > button.reload"))
    return crumbs


def _request(rng: random.Random, uid: int, with_auth: bool) -> tuple[dict[str, Any], int | None]:
    """A request entry and the index of its scrubbed Authorization header (if any)."""
    post = rng.random() < 0.3
    headers = [
        ["Accept", "application/json"],
        ["Accept-Encoding", "gzip, br"],
        ["Content-Type", "application/json"] if post else ["Cache-Control", "no-cache"],
        ["Host", "api.example.com"],
        ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
    ]
    auth_index = None
    if with_auth:
        headers.insert(1, ["Authorization", "[Filtered]"])
        auth_index = 1
    entry = E.request_entry(
        method="POST" if post else "GET",
        url=f"https://api.example.com/api/users/{uid}/",
        query=[["include", "profile"], ["page", str(rng.randint(1, 4))]],
        headers=headers,
        cookies=[["sessionid", "[Filtered]"], ["theme", "dark"]],
        env={"REMOTE_ADDR": f"10.0.0.{rng.randint(2, 250)}", "SERVER_NAME": "web-3", "SERVER_PORT": "443"},
        data={"name": f"user{uid}", "email": f"user{uid}@example.com"} if post else None,
        inferred_content_type="application/json" if post else None,
    )
    return entry, auth_index


def app_error_event(issue_id: str, seq: int, ts: datetime, *, release: str, anchor: datetime) -> DemoEvent:
    """Issue 2's event: 8 frames with context and vars, ~20 breadcrumbs, a request.

    One in three has a logentry with params, so its raw ``event.message``
    (``Failed to load %s``) differs from the formatted one the full serializer prints.
    """
    rng = rng_for(issue_id, seq)
    platform = rng.choices(("python", "node", "javascript"), weights=(7, 2, 1))[0]
    uid = rng.randint(1, 60)
    environment = "production" if rng.random() < 0.7 else "staging"
    level = "fatal" if rng.random() < 0.07 else "error"
    handled = rng.random() < 0.4
    formatted = f"Failed to load user {uid}"
    exc_type = _EXCEPTION_TYPE[platform]

    entries: list[dict[str, Any]] = []
    raw_message = ""
    message = ""
    if seq % 3 == 0:
        entries.append(E.message_entry(message="Failed to load %s", params=[f"user {uid}"], formatted=formatted))
        raw_message, message = "Failed to load %s", formatted
    elif seq % 3 == 1:
        entries.append(E.message_entry(formatted=formatted))
        raw_message = message = formatted

    frames = _frames(platform, rng, uid)
    entries.append(
        E.exception_entry(
            [
                E.exception_value(
                    exc_type,
                    formatted,
                    module="builtins" if platform == "python" else None,
                    mechanism=E.mechanism(type="django" if platform == "python" else "generic", handled=handled),
                    stacktrace=E.stacktrace(frames),
                )
            ]
        )
    )
    entries.append(E.breadcrumbs_entry(_breadcrumbs(ts, rng, uid)))
    request, auth_index = _request(rng, uid, with_auth=seq % 5 == 0)
    entries.append(request)
    entries = sort_entries(entries)
    meta_entries = None
    if auth_index is not None:
        meta_entries = filtered_header_meta(entries.index(request), auth_index)

    transaction = "/api/users/{user_id}/"
    user = user_for(uid) if seq % 11 != 5 else None
    tags = [
        {"key": "level", "value": level},
        {"key": "environment", "value": environment},
        {"key": "release", "value": release},
        *(user_tags(uid) if user else []),
        {"key": "server_name", "value": f"web-{rng.randint(1, 4)}"},
        {"key": "handled", "value": "yes" if handled else "no"},
        {"key": "mechanism", "value": "django" if platform == "python" else "generic"},
        {"key": "transaction", "value": transaction},
        {"key": "url", "value": f"https://api.example.com/api/users/{uid}/"},
        {"key": "runtime.name", "value": {"python": "CPython", "node": "node", "javascript": "Firefox"}[platform]},
        {"key": "os.name", "value": "Linux"},
    ]
    if platform == "javascript":
        tags.append({"key": "browser", "value": "Firefox 128.0"})
    culprit = "app.services.users in _raise_missing" if platform == "python" else "UserService.raiseMissing(services:users)"
    location = "app/services/users.py" if platform == "python" else "services/users.js"

    payload = base_payload(issue_id, seq)
    payload.update(
        size=rng.randint(6000, 14000),
        entries=entries,
        dist=None,
        message=message,
        title=f"{exc_type}: {formatted}",
        location=location,
        user=user,
        contexts={
            "runtime": {"name": "CPython", "version": "3.12.3", "type": "runtime"}
            if platform == "python"
            else {"name": "node", "version": "v20.11.1", "type": "runtime"},
            "os": {"name": "Linux", "version": "6.8.0", "type": "os"},
            "trace": {
                "trace_id": hashlib.md5(f"trace:{issue_id}:{seq}".encode()).hexdigest(),
                "span_id": f"{rng.getrandbits(64):016x}",
                "op": "http.server",
                "status": "internal_error",
                "type": "trace",
            },
            "device": {"memory_size": "17179869184000000", "arch": "x86_64", "type": "device"},
        },
        sdk=dict(_SDK[platform]),
        context={"request_id": f"req-{seq:05d}", "feature_flags": ["new-profile-page"]},
        packages={"django": "5.0.6", "sqlalchemy": "2.0.30"} if platform == "python" else {},
        metadata={
            "type": exc_type,
            "value": formatted,
            "filename": location,
            "function": "_raise_missing" if platform == "python" else "UserService.raiseMissing",
            "in_app_frame_mix": "mixed",
        },
        tags=tags,
        platform=platform,
        dateReceived=format_dt(ts + timedelta(milliseconds=rng.randint(80, 2500))),
        errors=[{"type": "js_no_source", "message": "Source code was not found", "data": {"url": "/static/js/services/users.js", "symbolicator_type": "missing_source"}}]
        if platform == "javascript"
        else [],
        _meta=_meta(meta_entries),
        crashFile=None,
        culprit=culprit,
        dateCreated=format_dt(ts),
        fingerprints=[fingerprint(issue_id)],
        groupingConfig=dict(GROUPING_CONFIG),
    )
    detail = {
        "release": release_detail(release, anchor),
        "userReport": _user_report(issue_id, seq, ts, user) if seq % 40 == 7 and user else None,
        "sdkUpdates": [{"type": "updateSdk", "sdkName": _SDK[platform]["name"], "newSdkVersion": "2.19.2", "sdkUrl": None, "enables": []}]
        if seq % 9 == 0
        else [],
        "resolvedWith": [None] if seq % 13 == 0 else [],
    }
    return DemoEvent(issue_id=issue_id, ts=ts, payload=payload, raw_message=raw_message, detail=detail)


def _user_report(issue_id: str, seq: int, ts: datetime, user: dict[str, Any]) -> dict[str, Any]:
    event_id = event_id_for(issue_id, seq)
    return {
        "id": str(7000 + seq),
        "eventID": event_id,
        "name": user["name"],
        "email": user["email"],
        "comments": "The profile page shows an error after I log in.",
        "dateCreated": format_dt(ts + timedelta(minutes=2)),
        "user": None,
        "event": {"id": event_id, "eventID": event_id},
    }


# -- issues 5, 6, 7 and new fixture-issue events: plain error events --------------------


@dataclass(frozen=True)
class BasicErrorSpec:
    """What a plain error event of an issue looks like."""

    exc_type: str
    value: Callable[[int], str]
    module: str
    function: str
    filename: str
    environments: tuple[str, ...] = ("production",)
    platform: str = "python"


def basic_error_event(issue_id: str, spec: BasicErrorSpec, seq: int, ts: datetime) -> DemoEvent:
    """A small error event: one exception with three frames, a few breadcrumbs."""
    rng = rng_for(issue_id, seq)
    value = spec.value(seq)
    uid = rng.randint(1, 30)
    environment = spec.environments[seq % len(spec.environments)]
    frames = [
        E.frame(filename="app/worker.py", module="app.worker", function="run", lineno=210, in_app=True, context_lines=["", "    while True:", "        job = queue.get()", "        handle(job)", "        queue.task_done()", "", ""], vars={"job": f"<Job {seq}>"}),
        E.frame(filename=spec.filename, module=spec.module, function=spec.function, lineno=77, in_app=True, context_lines=["", f"def {spec.function}(job):", "    conn = pool.acquire()", f"    raise {spec.exc_type}({value!r})", "", "", ""], vars={"conn": "<Connection closed>"}),
        E.frame(filename="socket.py", module="socket", function="recv_into", lineno=720, in_app=False, context_lines=None),
    ]
    entries = sort_entries(
        [
            E.exception_entry(
                [
                    E.exception_value(
                        spec.exc_type,
                        value,
                        module="builtins",
                        mechanism=E.mechanism(type="generic", handled=False),
                        stacktrace=E.stacktrace(frames),
                    )
                ]
            ),
            E.breadcrumbs_entry(
                [
                    E.breadcrumb(timestamp=format_dt(ts - timedelta(seconds=3 - k)), category="app.worker", type="debug", level="debug", message=f"step {k}")
                    for k in range(3)
                ]
            ),
        ]
    )
    payload = base_payload(issue_id, seq)
    payload.update(
        size=rng.randint(2000, 4000),
        entries=entries,
        title=f"{spec.exc_type}: {value}",
        location=spec.filename,
        user=user_for(uid),
        contexts={"runtime": {"name": "CPython", "version": "3.12.3", "type": "runtime"}},
        sdk={"name": "sentry.python", "version": "2.18.0"},
        metadata={"type": spec.exc_type, "value": value, "filename": spec.filename, "function": spec.function, "in_app_frame_mix": "mixed"},
        tags=[
            {"key": "level", "value": "error"},
            {"key": "environment", "value": environment},
            *user_tags(uid),
            {"key": "handled", "value": "no"},
            {"key": "mechanism", "value": "generic"},
        ],
        platform=spec.platform,
        dateReceived=format_dt(ts + timedelta(milliseconds=rng.randint(50, 900))),
        crashFile=None,
        culprit=f"{spec.module} in {spec.function}",
        dateCreated=format_dt(ts),
        fingerprints=[fingerprint(issue_id)],
        groupingConfig=dict(GROUPING_CONFIG),
    )
    return DemoEvent(issue_id=issue_id, ts=ts, payload=payload, raw_message="", detail={"sdkUpdates": [], "resolvedWith": []})


LEGACY_SPEC = BasicErrorSpec(
    "ConnectionResetError",
    lambda seq: "[Errno 104] Connection reset by peer",
    "app.legacy.sync",
    "pull_batch",
    "app/legacy/sync.py",
    environments=("production", "production", "staging"),
)
PRIVATE_SPEC = BasicErrorSpec(
    "PermissionError",
    lambda seq: f"payroll export denied for batch {seq + 1}",
    "app.payroll.export",
    "export_batch",
    "app/payroll/export.py",
)
OLD_SPEC = BasicErrorSpec(
    "TimeoutError",
    lambda seq: "upstream took longer than 30s",
    "app.billing.sync",
    "sync_invoices",
    "app/billing/sync.py",
    environments=("production", "staging"),
)
BURST_SPEC = BasicErrorSpec(
    "RuntimeError",
    lambda seq: f"retry storm: attempt {seq} of the payment webhook failed",
    "app.webhooks.retry",
    "redeliver",
    "app/webhooks/retry.py",
    environments=("production",),
)
FIXTURE_ISSUE_SPEC = BasicErrorSpec(
    "RuntimeError",
    lambda seq: f"new demo event {seq}",
    "app.demo",
    "ingest",
    "app/demo.py",
)
