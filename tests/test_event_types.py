"""The `Event` type, the `EventEntry` union and their converters from Sentry's JSON.

The headline property: every field of every shared fixture event is reachable
through GraphQL with its value intact. A query selecting every field of the
schema (generated from the schema, so a new field cannot be forgotten) is run
against each fixture; its result is compared with the fixture through an
explicit key mapping, and every leaf of the fixture JSON must have been
compared.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
import strawberry
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.config import StrawberryConfig

from gateway.schema.types.entries import (
    ENTRY_TYPES,
    BreadcrumbsEntry,
    CspEntry,
    DebugMetaEntry,
    ExceptionEntry,
    ExpectCtEntry,
    ExpectStapleEntry,
    HpkpEntry,
    MessageEntry,
    NelEntry,
    RequestEntry,
    SpansEntry,
    StacktraceEntry,
    TemplateEntry,
    ThreadsEntry,
    UnknownEntry,
    entry_from_json,
)
from gateway.schema.types.event import (
    DETAIL_ONLY_FIELDS,
    SIMPLE_FIELD_KEYS,
    Event,
    event_from_json,
)
from gateway.schema.types.frames import frame_from_json
from gateway.schema.types.node import decode_global_id
from gateway.schema.types.scalars import SCALAR_MAP

FIXTURES = Path(__file__).resolve().parents[1] / "gateway" / "demo" / "fixtures"

# ---------------------------------------------------------------------------------------
# Fixtures


def _load_fixture_events() -> list[tuple[str, dict[str, Any]]]:
    """Every event in the shared fixtures: list files hold lists, the threads file one entry."""
    events = []
    for path in sorted(FIXTURES.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, list):
            events += [(f"{path.stem}[{i}]", item) for i, item in enumerate(data)]
        elif "entries" in data or "eventID" in data:
            events.append((path.stem, data))
        else:  # a bare entry: wrap it in the smallest event
            events.append(
                (path.stem, {"eventID": "0123456789abcdef0123456789abcdef", "entries": [data]})
            )
    return events


FIXTURE_EVENTS = _load_fixture_events()
FIXTURE_IDS = [name for name, _ in FIXTURE_EVENTS]


def fixture(stem: str) -> Any:
    return json.loads((FIXTURES / f"{stem}.json").read_text())


def test_every_fixture_file_is_used() -> None:
    assert len(FIXTURE_EVENTS) >= len(list(FIXTURES.glob("*.json")))


# ---------------------------------------------------------------------------------------
# A test-only schema and a query selecting every field


@strawberry.type(description="Test root: the events put into the execution context.")
class Query:
    @strawberry.field(description="The events of the context, in order.")
    def events(self, info: strawberry.Info) -> list[Event]:
        return info.context["events"]


SCHEMA = strawberry.federation.Schema(
    query=Query,
    types=[Event],
    config=StrawberryConfig(auto_camel_case=False, scalar_map=SCALAR_MAP),
    federation_version="2.9",
)
GQL = SCHEMA._schema


def _selection(gql_type: Any, stack: tuple[str, ...] = ()) -> str:
    named = get_named_type(gql_type)
    if isinstance(named, GraphQLScalarType):
        return ""
    assert named.name not in stack, f"cycle through {named.name}: bound the query generator"
    stack = (*stack, named.name)
    if isinstance(named, GraphQLUnionType):
        members = " ".join(f"... on {m.name} {_selection(m, stack)}" for m in named.types)
        return f"{{ __typename {members} }}"
    fields = " ".join(f"{name} {_selection(field.type, stack)}" for name, field in named.fields.items())
    return f"{{ __typename {fields} }}"


ALL_FIELDS_QUERY = f"query AllFields {{ events {_selection(GQL.query_type.fields['events'].type)} }}"


def run(events: list[Event]) -> list[dict[str, Any]]:
    result = SCHEMA.execute_sync(ALL_FIELDS_QUERY, context_value={"events": events})
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["events"]


def test_all_fields_query_selects_every_union_member_and_field() -> None:
    union = GQL.get_type("EventEntry")
    assert isinstance(union, GraphQLUnionType)
    assert {m.name for m in union.types} == {
        "ExceptionEntry", "StacktraceEntry", "MessageEntry", "TemplateEntry", "RequestEntry",
        "BreadcrumbsEntry", "ThreadsEntry", "DebugMetaEntry", "SpansEntry", "CspEntry",
        "HpkpEntry", "ExpectCtEntry", "ExpectStapleEntry", "NelEntry", "UnknownEntry",
    }  # fmt: skip
    for member in union.types:
        assert f"... on {member.name} " in ALL_FIELDS_QUERY


# ---------------------------------------------------------------------------------------
# Comparing a GraphQL result with the fixture JSON it came from

# JSON key -> GraphQL field, per GraphQL type. A key not listed keeps its name.
RENAMES: dict[str, dict[str, str]] = {
    "Event": {"id": "sentryID", "_meta": "meta", "event.type": "type"},
    "EventUser": {"ip_address": "ipAddress"},
    "UserGeo": {"country_code": "countryCode"},
    "EventAttachment": {"event_id": "eventId"},
    "Mechanism": {
        "help_link": "helpLink",
        "is_exception_group": "isExceptionGroup",
        "exception_id": "exceptionId",
        "parent_id": "parentId",
    },
    "Breadcrumb": {"event_id": "eventId"},
    "DebugMetaEntry": {"sdk_info": "sdkInfo", "is_debug_build": "isDebugBuild"},
    "Span": {
        "trace_id": "traceId",
        "span_id": "spanId",
        "parent_span_id": "parentSpanId",
        "start_timestamp": "startTimestamp",
        "same_process_as_parent": "sameProcessAsParent",
        "exclusive_time": "exclusiveTime",
    },
    "CspEntry": {
        "document_uri": "documentUri",
        "blocked_uri": "blockedUri",
        "effective_directive": "effectiveDirective",
        "violated_directive": "violatedDirective",
        "original_policy": "originalPolicy",
        "status_code": "statusCode",
        "source_file": "sourceFile",
        "line_number": "lineNumber",
        "column_number": "columnNumber",
        "script_sample": "scriptSample",
    },
    "HpkpEntry": {
        "date_time": "dateTime",
        "effective_expiration_date": "effectiveExpirationDate",
        "include_subdomains": "includeSubdomains",
        "noted_hostname": "notedHostname",
        "served_certificate_chain": "servedCertificateChain",
        "validated_certificate_chain": "validatedCertificateChain",
        "known_pins": "knownPins",
    },
    "ExpectCtEntry": {
        "date_time": "dateTime",
        "effective_expiration_date": "effectiveExpirationDate",
        "served_certificate_chain": "servedCertificateChain",
        "validated_certificate_chain": "validatedCertificateChain",
        "failure_mode": "failureMode",
        "test_report": "testReport",
    },
    "ExpectStapleEntry": {
        "date_time": "dateTime",
        "effective_expiration_date": "effectiveExpirationDate",
        "response_status": "responseStatus",
        "cert_status": "certStatus",
        "served_certificate_chain": "servedCertificateChain",
        "validated_certificate_chain": "validatedCertificateChain",
        "ocsp_response": "ocspResponse",
    },
    "NelBody": {
        "elapsed_time": "elapsedTime",
        "sampling_fraction": "samplingFraction",
        "server_ip": "serverIp",
        "status_code": "statusCode",
    },
    "NelEntry": {
        "type": "reportType",
        "user_agent": "userAgent",
        "elapsed_time": "elapsedTime",
        "sampling_fraction": "samplingFraction",
        "server_ip": "serverIp",
        "status_code": "statusCode",
    },
}
# JSON objects whose keys are also read into fields of the object that holds them: the raw
# NEL report's `body` (the network error) -> `NelEntry.body` and `NelEntry`'s own fields, its
# `type` -> `errorType`.
FLATTENED: dict[tuple[str, str], dict[str, str]] = {
    ("NelEntry", "body"): {"type": "errorType"},
}


def _nel_error_type(report: Mapping[str, Any]) -> Any:
    """NEL's error kind: `body.type` in the raw report, `type` in the flat shape."""
    if isinstance(report.get("body"), dict):
        return report["body"].get("type")
    return None if report.get("type") == "network-error" else report.get("type")


# Fields whose value is computed from the JSON object they belong to.
COMPUTED = {("NelEntry", "errorType"): _nel_error_type}
# Int fields for which Sentry may send a placeholder text; the field is null, `raw` keeps it.
PLACEHOLDERS = {("Frame", "origLineNo"): "?", ("Frame", "origColNo"): "?"}
# Keys dropped on purpose, with the reason.
IGNORED: dict[tuple[str, str], str] = {
    ("EventTag", "_meta"): "2018-2020 captures carry `_meta: null` on each tag; it means nothing",
}
# Fields that hold the whole JSON object they stand for, beside its typed fields.
WHOLE_OBJECT_FIELDS = {
    "UserGeo": "raw",
    "Span": "raw",
    "Frame": "raw",
    "CspEntry": "data",
    "HpkpEntry": "data",
    "ExpectCtEntry": "data",
    "ExpectStapleEntry": "data",
    "NelEntry": "data",
}
# Types whose whole-object field may be the only way to a key (open-ended objects); in every
# other type each key must reach a typed field of its own.
UNTYPED_KEYS_IN_WHOLE = {"UserGeo", "Span", "CspEntry", "HpkpEntry", "ExpectCtEntry", "ExpectStapleEntry"}
# Fields derived from other keys (not null although no JSON key maps to them).
DERIVED = {("Event", "id"), ("RequestEntry", "queryString")}

ENTRY_MEMBER = {
    "exception": "ExceptionEntry",
    "stacktrace": "StacktraceEntry",
    "message": "MessageEntry",
    "template": "TemplateEntry",
    "request": "RequestEntry",
    "breadcrumbs": "BreadcrumbsEntry",
    "threads": "ThreadsEntry",
    "debugmeta": "DebugMetaEntry",
    "spans": "SpansEntry",
    "csp": "CspEntry",
    "hpkp": "HpkpEntry",
    "expectct": "ExpectCtEntry",
    "expectstaple": "ExpectStapleEntry",
    "nel": "NelEntry",
}

Path_ = tuple[Any, ...]


class Comparison:
    """Compares a result with its JSON and records which JSON paths were compared."""

    def __init__(self, *, allow_malformed: bool = False) -> None:
        self.visited: set[Path_] = set()
        self.allow_malformed = allow_malformed  # known kinds may fall back to UnknownEntry

    def mark(self, path: Path_) -> None:
        self.visited.add(path)

    # -- dispatch

    def value(self, gql_type: Any, expected: Any, actual: Any, path: Path_) -> None:
        if isinstance(gql_type, GraphQLNonNull):
            gql_type = gql_type.of_type
        if isinstance(gql_type, GraphQLList):
            self.list(gql_type, expected, actual, path)
        elif isinstance(gql_type, GraphQLScalarType):
            self.scalar(gql_type, expected, actual, path)
        elif isinstance(gql_type, GraphQLUnionType):
            self.entry(expected, actual, path)
        else:
            assert isinstance(gql_type, GraphQLObjectType)
            if expected is None:
                assert actual is None, path
                self.mark(path)
            else:
                self.object(gql_type, expected, actual, path)

    def scalar(self, gql_type: GraphQLScalarType, expected: Any, actual: Any, path: Path_) -> None:
        if gql_type.name == "ID" and expected is not None:
            expected = str(expected)
        if gql_type.name == "Float" and expected is not None:
            expected = float(expected)
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        assert type(actual) is type(expected), path
        self.mark(path)  # a JSON scalar covers everything below it

    def list(self, gql_type: GraphQLList, expected: Any, actual: Any, path: Path_) -> None:
        item_type = get_named_type(gql_type)
        if item_type.name == "NameValue":
            self.name_values(expected, actual, path)
        elif item_type.name == "SourceLine":
            self.source_lines(expected, actual, path)
        elif expected is None:
            assert actual in (None, []), path
            self.mark(path)
        else:
            assert isinstance(expected, list), path
            assert len(actual) == len(expected), path
            if not expected:
                self.mark(path)
            for i, (e, a) in enumerate(zip(expected, actual)):
                self.value(gql_type.of_type, e, a, (*path, i))

    def object(
        self,
        gql_type: GraphQLObjectType,
        expected: Mapping[str, Any],
        actual: Any,
        path: Path_,
        *,
        key_prefix: Path_ = (),
        precompared: frozenset[str] | set[str] = frozenset(),
    ) -> None:
        """`expected` keys map to fields of `gql_type`; `key_prefix` is where they sit in the JSON."""
        name = gql_type.name
        assert isinstance(actual, dict), path
        assert actual["__typename"] == name, path
        if not expected:
            self.mark((*path, *key_prefix))
        renames = RENAMES.get(name, {})
        compared = set(precompared)
        whole = WHOLE_OBJECT_FIELDS.get(name)
        if whole:
            assert actual[whole] == expected, path
            compared.add(whole)
        for key, value in expected.items():
            key_path = (*path, *key_prefix, key)
            if (name, key) in IGNORED:
                self.mark(key_path)
                continue
            inner_renames = FLATTENED.get((name, key))
            if inner_renames is not None and isinstance(value, dict):
                if key in gql_type.fields:  # also typed where it is nested
                    self.value(gql_type.fields[key].type, value, actual[key], key_path)
                    compared.add(key)
                if not value:
                    self.mark(key_path)
                for inner, inner_value in value.items():
                    field = inner_renames.get(inner, renames.get(inner, inner))
                    assert field in gql_type.fields, f"{key_path}: no field of {name} reads {inner!r}"
                    self.value(gql_type.fields[field].type, inner_value, actual[field], (*key_path, inner))
                    compared.add(field)
                continue
            field = renames.get(key, key)
            if field not in gql_type.fields and whole and name in UNTYPED_KEYS_IN_WHOLE:
                self.mark(key_path)  # an untyped key: reachable, intact, in the whole object
                continue
            assert field in gql_type.fields, f"{key_path}: no field of {name} reads {key!r}"
            if (name, field) in PLACEHOLDERS and value == PLACEHOLDERS[(name, field)]:
                assert actual[field] is None, f"{key_path}: {value!r} must read as null"
                assert actual[whole][key] == value, f"{key_path}: {value!r} lost"  # type: ignore[index]
                self.mark(key_path)
            else:
                self.value(gql_type.fields[field].type, value, actual[field], key_path)
            compared.add(field)
        for (type_name, field), compute in COMPUTED.items():
            if type_name == name and field not in compared:
                assert actual[field] == compute(expected), f"{path}: {name}.{field}"
                compared.add(field)
        for field in gql_type.fields:
            if field not in compared and (name, field) not in DERIVED:
                assert actual[field] in (None, []), f"{path}: {name}.{field} invented a value"

    # -- the shapes that are not one field per key

    def entry(self, expected: Mapping[str, Any], actual: Any, path: Path_) -> None:
        """One `{type, data}` entry: `type` is the member's `type`, `data`'s keys its other fields."""
        entry_type, data = expected["type"], expected["data"]
        member = ENTRY_MEMBER.get(entry_type, "UnknownEntry")
        if self.allow_malformed and actual["__typename"] == "UnknownEntry":
            member = "UnknownEntry"
        assert actual["__typename"] == member, path
        assert actual["type"] == entry_type, path
        self.mark((*path, "type"))
        member_type = GQL.get_type(member)
        if member == "UnknownEntry":
            assert actual["data"] == data, path
            self.mark((*path, "data"))
        elif member == "SpansEntry":
            self.value(member_type.fields["spans"].type, data, actual["spans"], (*path, "data"))
        else:
            self.object(member_type, data, actual, path, key_prefix=("data",), precompared={"type"})

    def name_values(self, expected: Any, actual: list[dict[str, Any]], path: Path_) -> None:
        """`[name, value]` pairs; a dict becomes sorted pairs, a string is a legacy query string."""
        if isinstance(expected, str):
            pairs = parse_qsl(expected.removeprefix("?"), keep_blank_values=True)
        elif isinstance(expected, dict):
            pairs = sorted(expected.items())
        else:
            pairs = [tuple(pair) for pair in expected or []]
        assert [(nv["name"], nv["value"]) for nv in actual] == pairs, path
        assert all(nv["__typename"] == "NameValue" for nv in actual), path
        self.mark(path)

    def source_lines(self, expected: Any, actual: list[dict[str, Any]], path: Path_) -> None:
        assert [[sl["lineNo"], sl["line"]] for sl in actual] == (expected or []), path
        self.mark(path)


def leaf_paths(value: Any, path: Path_ = ()) -> list[Path_]:
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in leaf_paths(v, (*path, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in leaf_paths(v, (*path, i))]
    return [path]


def unvisited(data: Any, visited: set[Path_]) -> list[Path_]:
    return [
        leaf
        for leaf in leaf_paths(data)
        if not any(leaf[:k] in visited for k in range(len(leaf) + 1))
    ]


@pytest.mark.parametrize(("name", "data"), FIXTURE_EVENTS, ids=FIXTURE_IDS)
def test_every_fixture_field_is_reachable_with_its_value_intact(name: str, data: dict) -> None:
    original = copy.deepcopy(data)
    event = event_from_json(data, issue_id="1", origin="detail")
    (result,) = run([event])
    assert data == original, "the converter must not modify Sentry's JSON"

    comparison = Comparison()
    comparison.object(GQL.get_type("Event"), data, result, ())

    # The global id is built on the event's own issue (groupID) when Sentry sent one.
    issue = str(data["groupID"]) if str(data.get("groupID") or "").isdigit() else "1"
    assert decode_global_id(result["id"]) == ("Event", f"{issue}:{data['eventID']}")
    for i, entry in enumerate(data.get("entries", [])):
        if entry["type"] == "request":
            query = entry["data"].get("query")
            expected = query if isinstance(query, str) else None
            assert result["entries"][i]["queryString"] == expected

    missing = unvisited(data, comparison.visited)
    assert not missing, f"fixture paths never compared: {missing[:10]}"


def test_the_comparison_notices_an_unmapped_key() -> None:
    """Guard for the guard: a key no field reads makes the comparison fail."""
    data = {"eventID": "a" * 32, "brandNewKey": 1}
    (result,) = run([event_from_json(data, issue_id="1", origin="detail")])
    with pytest.raises(AssertionError, match="brandNewKey"):
        Comparison().object(GQL.get_type("Event"), data, result, ())


# ---------------------------------------------------------------------------------------
# Converters on the fixtures


def test_seed_2018_event() -> None:
    (data,) = fixture("seed-list-issue-events-2018")
    event = event_from_json(data, issue_id="1", origin="detail")
    assert event.sentryID == "1"
    assert event.eventID == "332d51f6b28b4bc1ac52d16540c51394"
    assert event.user is not None and event.user.ipAddress == "127.0.0.1"
    assert event.user.geo is None and event.user.data is None
    assert event.sdk is None
    assert [type(e) for e in event.entries] == [
        MessageEntry, StacktraceEntry, TemplateEntry, RequestEntry,
    ]  # fmt: skip
    message, stack, template, request = event.entries
    assert message.message == "This is an example Python exception" and message.formatted is None
    assert stack.frames[0].vars["'culprit'"] is None
    assert stack.frames[0].context[0].lineNo == 298
    assert template.lineNo == 14 and template.context[0].line == "{% endif %}\n"
    assert [(nv.name, nv.value) for nv in request.query] == [("foo", "bar")]
    assert request.queryString == "foo=bar"
    assert [(nv.name, nv.value) for nv in request.cookies] == [("foo", "bar"), ("biz", "baz")]


def test_mcp_detail_event() -> None:
    data = fixture("sentry-mcp-mocks-issue-event-detail")
    event = event_from_json(data, issue_id="6507376925", origin="detail")
    assert event.resolvedWith == [None]
    assert event.sdkUpdates == []
    assert event.previousEventID == "b7ed18493f4f4817a217b03839d4c017"
    assert event.user.geo.countryCode == "US" and event.user.geo.region == "United States"
    assert event.groupingConfig.id == "newstyle:2023-01-11"
    assert event.meta["entries"]["1"]["data"]["headers"]["3"]["1"][""]["len"] == 64
    exc = event.entries[0]
    assert isinstance(exc, ExceptionEntry)
    assert exc.values[0].mechanism.handled is False
    assert exc.values[0].rawStacktrace.frames[1].function == "OAuthProviderImpl.fetch"
    crumbs = event.entries[2]
    assert isinstance(crumbs, BreadcrumbsEntry) and crumbs.values[0].eventId is None


def test_glitchtip_events_keep_old_fields() -> None:
    data = fixture("glitchtip-oss-sentry-2020-issue-event-latest-js-error-with-context")
    event = event_from_json(data, issue_id="138", origin="detail")
    assert event.sentryID == "3419" and event.eventID == "34526172dfbe4c9c92bf1e6f14d6cd25"
    assert event.sdk.upstream == {"url": None, "isNewer": False, "name": "sentry.javascript.browser"}
    assert event.tags[-1].key == "user" and event.tags[-1].query == "user.id:1"
    assert event.entries[1].values[3].eventId == "0a1a99083a6d483cac187e2d39cc8ba3"


def test_synthesized_threads_entry() -> None:
    entry = entry_from_json(fixture("SYNTHESIZED-threads-entry-shape-from-source"))
    assert isinstance(entry, ThreadsEntry)
    assert [t.id for t in entry.values] == ["1", "2"]
    assert entry.values[0].crashed is True and entry.values[1].stacktrace is None
    assert entry.values[0].stacktrace.frames[0].module == "com.example.Main"


# ---------------------------------------------------------------------------------------
# Hand-made edge cases


def _request(**data: Any) -> RequestEntry:
    entry = entry_from_json({"type": "request", "data": data})
    assert isinstance(entry, RequestEntry), entry
    return entry


def _pairs(values: list) -> list[tuple[str, str | None]]:
    return [(nv.name, nv.value) for nv in values]


def test_legacy_query_string_is_parsed_into_pairs() -> None:
    entry = _request(query="foo=bar&x=1&empty=&flag&sp=a+b%20c&foo=again")
    assert _pairs(entry.query) == [
        ("foo", "bar"), ("x", "1"), ("empty", ""), ("flag", ""), ("sp", "a b c"), ("foo", "again"),
    ]  # fmt: skip
    assert entry.queryString == "foo=bar&x=1&empty=&flag&sp=a+b%20c&foo=again"
    assert _pairs(_request(query="?a=1").query) == [("a", "1")]
    assert _pairs(_request(query="").query) == []


def test_query_pairs_and_dict_forms() -> None:
    assert _pairs(_request(query=[["b", "2"], ["a", "1"]]).query) == [("b", "2"), ("a", "1")]
    assert _request(query=[["b", "2"]]).queryString is None
    assert _pairs(_request(query={"b": "2", "a": "1"}).query) == [("a", "1"), ("b", "2")]
    assert _pairs(_request(query=None).query) == []


def test_dict_headers_become_sorted_pairs() -> None:
    entry = _request(headers={"User-Agent": "x", "Accept": "*/*", "X-Num": 5})
    assert _pairs(entry.headers) == [("Accept", "*/*"), ("User-Agent", "x"), ("X-Num", None)]
    entry = _request(headers=[["Host", "h"], ["Authorization", "[Filtered]"], ["X", None]])
    assert _pairs(entry.headers) == [("Host", "h"), ("Authorization", "[Filtered]"), ("X", None)]


def test_cookie_string_is_split() -> None:
    assert _pairs(_request(cookies="a=1; b=2;c").cookies) == [("a", "1"), ("b", "2"), ("c", "")]
    assert _pairs(_request(cookies=[]).cookies) == []


def test_int_and_string_ids_become_id_strings_and_mechanism_ids_ints() -> None:
    threads = entry_from_json(
        {"type": "threads", "data": {"values": [{"id": 7}, {"id": "main"}, {"id": True}, {}]}}
    )
    assert [t.id for t in threads.values] == ["7", "main", None, None]
    exc = entry_from_json(
        {
            "type": "exception",
            "data": {
                "values": [
                    {
                        "threadId": 7,
                        "mechanism": {"exception_id": 1, "parent_id": "0", "help_link": "u",
                                      "is_exception_group": True, "source": "exceptions[0]"},
                    },  # fmt: skip
                    None,
                    {"threadId": "7"},
                ]
            },
        }
    )
    assert isinstance(exc, ExceptionEntry)
    first, second = exc.values  # a null value is skipped, as Sentry does
    assert first.threadId == "7" and second.threadId == "7"
    # exception-group ids are integers (Relay's u64): an int reads as Int, a text is the wrong type
    assert first.mechanism.exceptionId == 1 and first.mechanism.parentId is None
    assert first.mechanism.helpLink == "u" and first.mechanism.isExceptionGroup is True
    assert first.mechanism.source == "exceptions[0]" and second.mechanism is None
    event = event_from_json({"eventID": "e", "groupID": 7, "projectID": 2, "user": {"id": 5}},
                            issue_id="7", origin="full")  # fmt: skip
    assert (event.groupID, event.projectID, event.user.id) == ("7", "2", "5")


@pytest.mark.parametrize(
    "entry",
    [
        {"type": "exception", "data": "boom"},
        {"type": "exception", "data": {"values": "boom"}},
        {"type": "exception", "data": {"values": [1]}},
        {"type": "exception", "data": {"values": [{"stacktrace": "boom"}]}},
        {"type": "exception", "data": {"values": [{"mechanism": []}]}},
        {"type": "stacktrace", "data": {"frames": [{"context": [[1, "a", "extra"]]}]}},
        {"type": "stacktrace", "data": {"frames": [{"context": "a"}]}},
        {"type": "stacktrace", "data": {"frames": {"0": {}}}},
        {"type": "template", "data": {"context": [5]}},
        {"type": "request", "data": {"headers": [["only-name"]]}},
        {"type": "request", "data": {"headers": [[1, "x"]]}},
        {"type": "request", "data": {"headers": 5}},
        {"type": "breadcrumbs", "data": {"values": ["crumb"]}},
        {"type": "threads", "data": None},
        {"type": "debugmeta", "data": {"images": {"a": 1}}},
        {"type": "debugmeta", "data": {"images": [None]}},
        {"type": "spans", "data": {"trace_id": "x"}},
        {"type": "spans", "data": [3]},
        {"type": "message", "data": []},
        {"type": "csp", "data": "blocked"},
        {"type": "nel", "data": None},
    ],
)
def test_malformed_known_entry_becomes_unknown_with_raw_data(entry: dict) -> None:
    original = copy.deepcopy(entry)
    result = entry_from_json(entry)
    assert isinstance(result, UnknownEntry)
    assert result.type == entry["type"] and result.data == original["data"]


def test_unknown_entry_kinds_and_shapes() -> None:
    resources = entry_from_json({"type": "resources", "data": {"x": [1]}})
    assert isinstance(resources, UnknownEntry)
    assert (resources.type, resources.data) == ("resources", {"x": [1]})
    for weird in ("text", 5, None, [1, 2], {"type": 3, "data": {}}, {"data": {}}):
        result = entry_from_json(weird)  # type: ignore[arg-type]
        assert isinstance(result, UnknownEntry) and result.type == "" and result.data == weird


def test_wrong_typed_leaves_become_null() -> None:
    stack = entry_from_json(
        {
            "type": "stacktrace",
            "data": {
                "frames": [{"lineNo": "12", "colNo": 2**40, "inApp": "yes", "function": 5,
                            "context": [["1", 2]], "vars": "kept as JSON"}],  # fmt: skip
                "framesOmitted": [1, "x"],
                "hasSystemFrames": 1,
            },
        }
    )
    assert isinstance(stack, StacktraceEntry)
    (frame,) = stack.frames
    assert (frame.lineNo, frame.colNo, frame.inApp, frame.function) == (None, None, None, None)
    assert (frame.context[0].lineNo, frame.context[0].line) == (None, None)
    assert frame.vars == "kept as JSON"
    assert stack.framesOmitted is None and stack.hasSystemFrames is None
    assert (run([event_from_json({"eventID": "e", "entries": [
        {"type": "stacktrace", "data": {"frames": [{"lineNo": 2**40}]}}]},
        issue_id="1", origin="full")])[0]["entries"][0]["frames"][0]["lineNo"]) is None  # fmt: skip


def test_wrong_typed_top_level_values_never_raise() -> None:
    event = event_from_json(
        {
            "eventID": 12,
            "user": "someone",
            "tags": [{"key": "a", "value": 1, "_meta": None}, "tag", {"value": "no key"}],
            "errors": "none",
            "entries": {"type": "message"},
            "sdk": [],
            "size": 2**33,
            "crashFile": 5,
            "groupingConfig": "x",
            "fingerprints": ["a", 1],
            "startTimestamp": "1.0",
            "dateCreated": 1599504296,
        },
        issue_id="1",
        origin="full",
    )
    assert event.eventID == "12" and event.user is None and event.sdk is None
    assert [(t.key, t.value) for t in event.tags] == [("a", None)]
    assert event.errors == [] and event.entries == [] and event.size is None
    assert event.crashFile is None and event.groupingConfig is None
    assert event.fingerprints is None and event.startTimestamp is None and event.dateCreated is None
    for garbage in (None, "x", 3, []):
        assert event_from_json(garbage, issue_id="1", origin="simple").eventID == ""  # type: ignore[arg-type]


def test_debugmeta_and_spans_entries() -> None:
    debug = entry_from_json(
        {"type": "debugmeta", "data": {"images": [{"type": "macho"}],
                                       "sdk_info": {"sdk_name": "iOS"}, "is_debug_build": False}}
    )  # fmt: skip
    assert isinstance(debug, DebugMetaEntry)
    assert debug.images == [{"type": "macho"}] and debug.sdkInfo == {"sdk_name": "iOS"}
    assert debug.isDebugBuild is False
    span = {
        "trace_id": "t", "span_id": "s", "parent_span_id": "p", "op": "db", "description": "SELECT",
        "start_timestamp": 1, "timestamp": 2.5, "status": "ok", "same_process_as_parent": True,
        "hash": "h", "exclusive_time": 0.5, "tags": {"a": "b"}, "data": {"x": 1}, "other": [1],
    }  # fmt: skip
    spans = entry_from_json({"type": "spans", "data": [span]})
    assert isinstance(spans, SpansEntry)
    (s,) = spans.spans
    assert (s.traceId, s.spanId, s.parentSpanId, s.op, s.description) == ("t", "s", "p", "db", "SELECT")
    assert (s.startTimestamp, s.timestamp, s.exclusiveTime) == (1.0, 2.5, 0.5)
    assert s.sameProcessAsParent is True and s.hash == "h" and s.status == "ok"
    assert s.tags == {"a": "b"} and s.data == {"x": 1} and s.raw == span
    empty = entry_from_json({"type": "spans", "data": []})
    assert isinstance(empty, SpansEntry) and empty.spans == []


def test_report_entries() -> None:
    csp = entry_from_json({"type": "csp", "data": {
        "document_uri": "https://a/", "blocked_uri": "https://evil/", "effective_directive": "img-src",
        "violated_directive": "img-src 'self'", "original_policy": "default-src 'self'",
        "referrer": "", "disposition": "enforce", "status_code": 200, "source_file": "x.js",
        "line_number": 3, "column_number": 4, "script_sample": "alert(1)"}})  # fmt: skip
    assert isinstance(csp, CspEntry)
    assert (csp.documentUri, csp.blockedUri, csp.effectiveDirective) == ("https://a/", "https://evil/", "img-src")
    assert (csp.violatedDirective, csp.originalPolicy, csp.referrer) == ("img-src 'self'", "default-src 'self'", "")
    assert (csp.disposition, csp.statusCode, csp.sourceFile) == ("enforce", 200, "x.js")
    assert (csp.lineNumber, csp.columnNumber, csp.scriptSample) == (3, 4, "alert(1)")
    assert csp.data["status_code"] == 200

    kebab = entry_from_json({"type": "csp", "data": {"document-uri": "https://b/"}})
    assert isinstance(kebab, CspEntry) and kebab.documentUri == "https://b/"

    hpkp = entry_from_json({"type": "hpkp", "data": {
        "hostname": "h", "port": 443, "date_time": "2020-01-01T00:00:00Z",
        "effective_expiration_date": "2021-01-01T00:00:00Z", "include_subdomains": True,
        "noted_hostname": "n", "served_certificate_chain": ["a"],
        "validated_certificate_chain": ["b"], "known_pins": ['pin-sha256="x"']}})  # fmt: skip
    assert isinstance(hpkp, HpkpEntry)
    assert (hpkp.hostname, hpkp.port, hpkp.dateTime, hpkp.includeSubdomains) == ("h", 443, "2020-01-01T00:00:00Z", True)
    assert (hpkp.notedHostname, hpkp.servedCertificateChain, hpkp.validatedCertificateChain) == ("n", ["a"], ["b"])
    assert hpkp.knownPins == ['pin-sha256="x"'] and hpkp.effectiveExpirationDate == "2021-01-01T00:00:00Z"

    ct = entry_from_json({"type": "expectct", "data": {
        "date_time": "d", "hostname": "h", "port": 443, "scheme": "https",
        "effective_expiration_date": "e", "served_certificate_chain": ["a"],
        "validated_certificate_chain": [1], "scts": [{"version": 1}], "failure_mode": "enforce",
        "test_report": False}})  # fmt: skip
    assert isinstance(ct, ExpectCtEntry)
    assert (ct.dateTime, ct.hostname, ct.port, ct.scheme, ct.effectiveExpirationDate) == ("d", "h", 443, "https", "e")
    assert ct.servedCertificateChain == ["a"] and ct.validatedCertificateChain is None
    assert ct.scts == [{"version": 1}] and ct.failureMode == "enforce" and ct.testReport is False

    staple = entry_from_json({"type": "expectstaple", "data": {
        "date_time": "d", "hostname": "h", "port": 443, "effective_expiration_date": "e",
        "response_status": "ERROR_RESPONSE", "cert_status": "REVOKED",
        "served_certificate_chain": ["a"], "validated_certificate_chain": ["b"],
        "ocsp_response": "base64"}})  # fmt: skip
    assert isinstance(staple, ExpectStapleEntry)
    assert (staple.responseStatus, staple.certStatus, staple.ocspResponse) == ("ERROR_RESPONSE", "REVOKED", "base64")
    assert (staple.dateTime, staple.hostname, staple.port, staple.effectiveExpirationDate) == ("d", "h", 443, "e")
    assert (staple.servedCertificateChain, staple.validatedCertificateChain) == (["a"], ["b"])

    nel = entry_from_json({"type": "nel", "data": {
        "url": "https://a/", "elapsed_time": 12, "phase": "dns", "type": "dns.name_not_resolved",
        "sampling_fraction": 1, "server_ip": "1.2.3.4", "status_code": 0, "referrer": "r",
        "protocol": "h2", "method": "GET"}})  # fmt: skip
    assert isinstance(nel, NelEntry)
    assert nel.type == "nel" and nel.reportType == "dns.name_not_resolved"
    assert (nel.url, nel.elapsedTime, nel.phase, nel.samplingFraction) == ("https://a/", 12, "dns", 1.0)
    assert (nel.serverIp, nel.statusCode, nel.referrer, nel.protocol, nel.method) == ("1.2.3.4", 0, "r", "h2", "GET")
    assert nel.errorType == "dns.name_not_resolved" and nel.age is None and nel.userAgent is None


def test_nel_raw_report_reads_like_the_flat_one() -> None:
    """The raw report Sentry keeps today: the report's `type` is not the error's kind."""
    raw = {"age": 61, "type": "network-error", "url": "https://a/", "user_agent": "UA",
           "body": {"elapsed_time": 12, "method": "GET", "phase": "dns", "protocol": "h2",
                    "referrer": "r", "sampling_fraction": 1, "server_ip": "1.2.3.4",
                    "status_code": 0, "type": "dns.name_not_resolved"}}  # fmt: skip
    nel = entry_from_json({"type": "nel", "data": raw})
    assert isinstance(nel, NelEntry) and nel.data == raw
    assert (nel.reportType, nel.errorType) == ("network-error", "dns.name_not_resolved")
    assert (nel.age, nel.url, nel.userAgent) == (61, "https://a/", "UA")
    assert (nel.elapsedTime, nel.phase, nel.samplingFraction, nel.serverIp) == (12, "dns", 1.0, "1.2.3.4")
    assert (nel.statusCode, nel.referrer, nel.protocol, nel.method) == (0, "r", "h2", "GET")
    body = nel.body
    assert body is not None and (body.type, body.elapsedTime, body.phase) == ("dns.name_not_resolved", 12, "dns")
    assert (body.samplingFraction, body.serverIp, body.statusCode) == (1.0, "1.2.3.4", 0)
    assert (body.referrer, body.protocol, body.method) == ("r", "h2", "GET")
    flat = entry_from_json({"type": "nel", "data": {"type": "http.error", "phase": "application"}})
    assert flat.body is None and (flat.errorType, flat.phase) == ("http.error", "application")
    # Sentry prunes an empty `body`: the report's own type is then no error kind
    pruned = entry_from_json({"type": "nel", "data": {"type": "network-error", "url": "https://a/"}})
    assert (pruned.reportType, pruned.errorType, pruned.phase) == ("network-error", None, None)
    # a key missing from `body` is read at the top level; a `body` that is not an object is flat
    hybrid = entry_from_json({"type": "nel", "data": {"phase": "dns", "body": {"type": "ok"}}})
    assert (hybrid.errorType, hybrid.phase) == ("ok", "dns")
    odd = entry_from_json({"type": "nel", "data": {"type": "http.error", "body": "x", "method": 1}})
    assert isinstance(odd, NelEntry) and (odd.errorType, odd.method) == ("http.error", None)


def test_frame_placeholders_and_older_keys() -> None:
    frame = frame_from_json({"origLineNo": "?", "origColNo": "?", "origFunction": "?",
                             "isSentinel": True, "isPrefix": "yes", "instructionOffset": 7})  # fmt: skip
    assert (frame.origLineNo, frame.origColNo, frame.origFunction) == (None, None, "?")
    assert frame.raw["origLineNo"] == frame.raw["origColNo"] == "?"
    assert (frame.isSentinel, frame.isPrefix, frame.instructionOffset) == (True, None, 7)


def test_ocsp_response_is_any_json_value() -> None:
    for value in ("b64", {"status": "TRY_LATER"}, [1, None], 3, True):
        staple = entry_from_json({"type": "expectstaple", "data": {"ocsp_response": value}})
        assert isinstance(staple, ExpectStapleEntry) and staple.ocspResponse == value


TRANSACTION = {
    "id": "f" * 32,
    "eventID": "f" * 32,
    "groupID": "9",
    "projectID": "2",
    "type": "transaction",
    "title": "GET /books",
    "dateCreated": "2025-01-01T00:00:00Z",  # must not leak: the full serializer omits it
    "culprit": "should not show",
    "crashFile": {"id": "1"},
    "dateReceived": "2025-01-01T00:00:01Z",
    "startTimestamp": 1735689600.25,
    "endTimestamp": 1735689601,
    "measurements": {"lcp": {"value": 1200, "unit": "millisecond"}},
    "breakdowns": {"span_ops": {"ops.db": {"value": 3.5, "unit": "millisecond"}}},
    "occurrence": {"id": "o", "evidenceDisplay": [{"name": "x", "value": "y", "important": True}]},
    "entries": [{"type": "spans", "data": []}, {"type": "request", "data": {"url": "https://a/"}}],
    "tags": [{"key": "transaction", "value": "GET /books"}],
}


FULL_FRAME = {
    "filename": "app.c", "absPath": "/src/app.c", "module": None, "package": "/usr/lib/app.so",
    "platform": "native", "instructionAddr": "0x0000a1", "symbolAddr": "0x0000a0",
    "function": "main", "rawFunction": "main(int)", "symbol": "_main", "context": [[1, None], [2, "x"]],
    "lineNo": 2, "colNo": 1, "inApp": True, "trust": "cfi", "errors": [{"type": "x"}],
    "lock": {"type": 1, "address": "0x1"}, "sourceLink": "https://git/app.c#L2", "vars": {"a": 1},
    "addrMode": "rel:0", "map": "app.js.map", "mapUrl": "https://a/app.js.map",
    "origFunction": "a", "origAbsPath": "https://a/app.min.js", "origFilename": "app.min.js",
    "origLineNo": 1, "origColNo": 300, "symbolicatorStatus": "symbolicated", "minGroupingLevel": 0,
    "isSentinel": True, "isPrefix": True, "instructionOffset": 7,
}  # fmt: skip
# A sourcemap without an original position: Sentry sends "?" in every orig* key.
UNMAPPED_FRAME = {**FULL_FRAME, "origFunction": "?", "origAbsPath": "?", "origFilename": "?",
                  "origLineNo": "?", "origColNo": "?"}  # fmt: skip
HANDMADE = {
    "id": "b" * 32, "eventID": "b" * 32, "groupID": "7", "projectID": "3", "size": 10,
    "type": "error", "platform": "native", "message": "m", "title": "t", "location": "app.c",
    "dist": "d1", "culprit": "main", "dateCreated": "2025-01-01T00:00:00Z",
    "dateReceived": "2025-01-01T00:00:01.123456Z", "fingerprints": ["x"], "errors": [],
    "groupingConfig": {"id": "newstyle:2023-01-11", "enhancements": "e"},
    "user": {"id": "5", "email": None, "username": "u", "ip_address": None, "name": None,
             "geo": {"country_code": "AT", "city": "Vienna", "region": "Austria",
                     "subdivision": "Wien", "postal_code": "1010"}, "data": None},
    "sdk": {"name": "sentry.native", "version": "0.7.0"},
    "crashFile": {"id": "42", "event_id": "b" * 32, "type": "event.minidump", "name": "c.dmp",
                  "mimetype": "application/octet-stream", "dateCreated": "2025-01-01T00:00:00Z",
                  "size": 1024, "headers": {}, "sha1": "ab"},
    "contexts": {}, "context": {}, "packages": {}, "metadata": {}, "tags": [], "occurrence": None,
    "_meta": {"entries": {}}, "release": {"version": "1.0"}, "userReport": {"comments": "c"},
    "sdkUpdates": [{"type": "updateSdk"}], "resolvedWith": ["release", None],
    "nextEventID": None, "previousEventID": "c" * 32,
    "entries": [
        {"type": "exception", "data": {"values": [{
            "type": "SIGSEGV", "value": None, "threadId": 1, "module": None,
            "mechanism": {"type": "signalhandler", "synthetic": True, "description": "d",
                          "help_link": "https://h", "handled": False, "data": {"relevant_address": "0x0"},
                          "meta": {"signal": {"number": 11}}, "source": "s", "is_exception_group": False,
                          "exception_id": 2, "parent_id": 1},
            "stacktrace": {"frames": [FULL_FRAME, UNMAPPED_FRAME], "framesOmitted": [1, 3],
                           "registers": {"rip": "0x1"}, "hasSystemFrames": False},
            "rawStacktrace": None}], "hasSystemFrames": False, "excOmitted": [0, 2]}},
        {"type": "threads", "data": {"values": [{"id": "main", "current": True, "crashed": False,
            "name": None, "state": None, "heldLocks": {"0x1": {"type": 1}},
            "stacktrace": None, "rawStacktrace": {"frames": [], "framesOmitted": None,
                                                  "registers": None, "hasSystemFrames": True}}]}},
        {"type": "breadcrumbs", "data": {"values": [{"type": "default", "timestamp": None,
            "level": "info", "message": "SELECT 1", "category": "query", "data": None,
            "event_id": None, "messageFormat": "sql", "messageRaw": "select 1"}]}},
        {"type": "request", "data": {"url": "https://a/", "query": "a=1&b=", "headers": {"B": "2", "A": "1"},
            "cookies": {"c": "3"}, "apiTarget": "graphql", "method": "POST", "fragment": "f",
            "data": "body", "env": {"REMOTE_ADDR": "1.2.3.4"}, "inferredContentType": None}},
        {"type": "debugmeta", "data": {"images": [{"type": "elf", "code_file": "/app"}],
            "sdk_info": {"sdk_name": "linux"}, "is_debug_build": True}},
        {"type": "spans", "data": [{"trace_id": "t", "span_id": "s", "parent_span_id": "p", "op": "db",
            "description": "SELECT", "start_timestamp": 1.5, "timestamp": 2, "status": "ok",
            "same_process_as_parent": True, "hash": "h", "exclusive_time": 0.25, "tags": None,
            "data": {"x": [1]}, "origin": "manual"}]},
        {"type": "csp", "data": {"document_uri": "https://a/", "referrer": "", "blocked_uri": "self",
            "effective_directive": "img-src", "violated_directive": "img-src", "original_policy": "p",
            "disposition": "enforce", "status_code": 200, "source_file": "s", "line_number": 1,
            "column_number": 2, "script_sample": "x", "extra_key": True}},
        {"type": "hpkp", "data": {"hostname": "h", "port": 443, "date_time": "2025-01-01T00:00:00Z",
            "effective_expiration_date": "2026-01-01T00:00:00Z", "include_subdomains": False,
            "noted_hostname": "n", "served_certificate_chain": ["a"],
            "validated_certificate_chain": [], "known_pins": ["p"]}},
        {"type": "expectct", "data": {"date_time": "2025-01-01T00:00:00Z", "hostname": "h", "port": 443,
            "scheme": "https", "effective_expiration_date": "2026-01-01T00:00:00Z",
            "served_certificate_chain": ["a"], "validated_certificate_chain": ["b"],
            "scts": [{"version": 1, "status": "invalid"}], "failure_mode": "enforce", "test_report": True}},
        {"type": "expectstaple", "data": {"date_time": "2025-01-01T00:00:00Z", "hostname": "h",
            "port": 443, "effective_expiration_date": "2026-01-01T00:00:00Z",
            "response_status": "MISSING", "cert_status": "GOOD", "served_certificate_chain": ["a"],
            "validated_certificate_chain": ["b"], "ocsp_response": "b64"}},
        {"type": "nel", "data": {"url": "https://a/", "elapsed_time": 5, "phase": "dns",
            "type": "dns.unreachable", "sampling_fraction": 0.5, "server_ip": "1.2.3.4",
            "status_code": 0, "referrer": "r", "protocol": "h2", "method": "GET"}},
        {"type": "message", "data": {"formatted": "f", "params": {"name": "x"}}},
        {"type": "template", "data": {"lineNo": None, "filename": "t.html", "context": []}},
        {"type": "stacktrace", "data": {"frames": [], "framesOmitted": None, "registers": None,
                                        "hasSystemFrames": False}},
        {"type": "resources", "data": {"urls": ["a"]}},
        {"type": "exception", "data": {"values": "not a list"}},
        {"type": "nel", "data": {"age": 30, "type": "network-error", "url": "https://a/",
            "user_agent": "UA", "body": {"elapsed_time": 9, "method": "POST", "phase": "application",
            "protocol": "http/1.1", "referrer": "r", "sampling_fraction": 1.0, "server_ip": "5.6.7.8",
            "status_code": 502, "type": "http.error"}}},
        {"type": "expectstaple", "data": {"hostname": "h", "ocsp_response": [{"status": 1}, "x"]}},
    ],
}  # fmt: skip


@pytest.mark.parametrize("data", [HANDMADE, TRANSACTION], ids=["every-member", "transaction"])
def test_hand_made_events_are_reachable_with_their_values_intact(data: dict) -> None:
    """The headline comparison on events that use every entry member and transaction fields."""
    event = event_from_json(data, issue_id="1", origin="detail")
    (result,) = run([event])
    comparison = Comparison(allow_malformed=True)
    expected = {k: v for k, v in data.items() if k not in ("dateCreated", "culprit", "crashFile")}
    if data.get("type") != "transaction":
        expected = data
    comparison.object(GQL.get_type("Event"), expected, result, ())
    assert not unvisited(expected, comparison.visited)
    members = {entry["__typename"] for entry in result["entries"]}
    if data is HANDMADE:
        assert members == set(ENTRY_MEMBER.values()) | {"UnknownEntry"}
        assert result["entries"][3]["queryString"] == "a=1&b="


def test_transaction_event() -> None:
    event = event_from_json(TRANSACTION, issue_id="9", origin="full")
    assert event.type == "transaction"
    assert event.dateCreated is None and event.culprit is None and event.crashFile is None
    assert event.fingerprints is None and event.groupingConfig is None
    assert (event.startTimestamp, event.endTimestamp) == (1735689600.25, 1735689601.0)
    assert event.measurements["lcp"]["value"] == 1200
    assert event.breakdowns["span_ops"]["ops.db"]["value"] == 3.5
    assert event.occurrence["evidenceDisplay"][0]["important"] is True
    assert isinstance(event.entries[0], SpansEntry) and event.entries[0].spans == []
    simple = {"id": "f" * 32, "eventID": "f" * 32, "event.type": "transaction",
              "dateCreated": "2025-01-01T00:00:00Z", "culprit": "GET /books", "crashFile": None}  # fmt: skip
    from_simple = event_from_json(simple, issue_id="9", origin="simple")
    assert from_simple.type == "transaction"
    assert (from_simple.dateCreated, from_simple.culprit, from_simple.crashFile) == (None, None, None)


def test_crash_file_object_and_bare_string() -> None:
    attachment = {"id": "42", "event_id": "e" * 32, "type": "event.minidump", "name": "crash.dmp",
                  "mimetype": "application/octet-stream", "dateCreated": "2025-01-01T00:00:00.5Z",
                  "size": 1024, "headers": {"Content-Type": "application/octet-stream"}, "sha1": "ab"}  # fmt: skip
    event = event_from_json({"eventID": "e" * 32, "crashFile": attachment}, issue_id="1", origin="full")
    cf = event.crashFile
    assert (cf.id, cf.eventId, cf.type, cf.name, cf.mimetype) == (
        "42", "e" * 32, "event.minidump", "crash.dmp", "application/octet-stream")
    assert (cf.dateCreated, cf.size, cf.headers, cf.sha1) == (
        "2025-01-01T00:00:00.5Z", 1024, {"Content-Type": "application/octet-stream"}, "ab")
    bare = event_from_json({"eventID": "e" * 32, "crashFile": "crash.dmp"}, issue_id="1", origin="simple")
    assert bare.crashFile.name == "crash.dmp" and bare.crashFile.id is None
    (result,) = run([bare])
    assert result["crashFile"]["name"] == "crash.dmp"


def test_global_id() -> None:
    event = event_from_json({"eventID": "a" * 32}, issue_id="PROJ-1A", origin="simple")
    assert decode_global_id(event.id) == ("Event", f"PROJ-1A:{'a' * 32}")


# ---------------------------------------------------------------------------------------
# Origins: a field never changes its value with the form it was read from

DETAIL = fixture("sentry-mcp-mocks-issue-event-detail")


def test_detail_only_fields_are_null_unless_detail() -> None:
    assert DETAIL_ONLY_FIELDS == {
        "release", "userReport", "sdkUpdates", "resolvedWith", "nextEventID", "previousEventID",
    }  # fmt: skip
    data = {**DETAIL, "release": {"version": "1.0"}, "userReport": {"comments": "broke"}}
    detail = event_from_json(data, issue_id="1", origin="detail")
    assert detail.release == {"version": "1.0"} and detail.userReport == {"comments": "broke"}
    assert detail.resolvedWith == [None] and detail.sdkUpdates == []
    for origin in ("simple", "full"):
        event = event_from_json(data, issue_id="1", origin=origin)
        for name in DETAIL_ONLY_FIELDS:
            assert getattr(event, name) is None, (origin, name)


def test_simple_field_keys_are_exactly_the_simple_fields() -> None:
    assert set(SIMPLE_FIELD_KEYS) == {
        "id", "sentryID", "eventID", "groupID", "projectID", "title", "location", "culprit",
        "user", "tags", "platform", "dateCreated", "crashFile", "metadata", "type",
    }  # fmt: skip
    assert SIMPLE_FIELD_KEYS["type"] == "event.type" and SIMPLE_FIELD_KEYS["sentryID"] == "id"
    assert "message" not in SIMPLE_FIELD_KEYS
    event_fields = GQL.get_type("Event").fields
    assert set(SIMPLE_FIELD_KEYS) <= set(event_fields)
    with pytest.raises(TypeError):
        SIMPLE_FIELD_KEYS["message"] = "message"  # type: ignore[index]


SIMPLE_ITEMS = [
    item
    for stem in (
        "openapi-list-issue-events",
        "openapi-legacy-2024-10-list-issue-events",
        "sentry-docs-2020-generated-list-issue-events",
    )
    for item in fixture(stem)
]


@pytest.mark.parametrize("item", SIMPLE_ITEMS)
def test_simple_fixtures_hold_only_simple_keys_and_message(item: dict) -> None:
    assert set(item) <= set(SIMPLE_FIELD_KEYS.values()) | {"id", "message"}


def test_simple_origin_corrections() -> None:
    item = {
        "id": "a" * 32, "event.type": "error", "eventID": "a" * 32, "groupID": "1",
        "projectID": "2", "message": "raw %s", "title": "T", "location": None, "culprit": "c",
        "user": None, "platform": "python", "dateCreated": "2020-01-01T00:00:00Z",
        "crashFile": None, "metadata": {"title": "T"},
        "tags": [{"key": "z", "value": "1"}, {"key": "a", "value": "first"},
                 {"key": "m", "value": "2"}, {"key": "a", "value": "second"}],
    }  # fmt: skip
    event = event_from_json(item, issue_id="1", origin="simple")
    assert event.type == "error"
    assert [(t.key, t.value) for t in event.tags] == [
        ("a", "first"), ("a", "second"), ("m", "2"), ("z", "1"),
    ]  # fmt: skip
    assert event.message is None  # raw in the simple serializer: never served from it
    assert event.entries == [] and event.errors == [] and event.dateReceived is None
    assert event.sdk is None and event.contexts is None and event.meta is None
    # tags read from a full item keep Sentry's (already sorted) order
    full = event_from_json({**item, "type": "error"}, issue_id="1", origin="full")
    assert [t.key for t in full.tags] == ["z", "a", "m", "a"]
    assert full.message == "raw %s"


def test_simple_origin_direct_hit_is_read_as_full() -> None:
    """A direct hit answers with the full serializer even when `full` was not asked for."""
    event = event_from_json(DETAIL, issue_id="1", origin="simple")
    assert event.type == "error" and len(event.entries) == 3 and event.message == ""
    assert event.resolvedWith is None  # still not the detail endpoint


def _simple_projection(full: Mapping[str, Any]) -> dict[str, Any]:
    """What SimpleEventSerializer would send for this event (tags in stored order)."""
    item = {key: full[key] for key in SIMPLE_FIELD_KEYS.values() if key in full}
    item["event.type"] = full.get("type")
    item["id"] = full.get("id")
    item["message"] = "raw, unresolved"
    item["tags"] = list(reversed(full.get("tags", [])))  # stored order differs from sorted
    return item


FULL_EVENTS = [
    (name, data) for name, data in FIXTURE_EVENTS if "entries" in data and "type" in data
]


@pytest.mark.parametrize(("name", "data"), FULL_EVENTS, ids=[n for n, _ in FULL_EVENTS])
def test_simple_fields_read_the_same_from_simple_and_full(name: str, data: dict) -> None:
    data = {**data, "tags": sorted(data.get("tags", []), key=lambda t: t["key"])}
    from_full, from_simple = run(
        [
            event_from_json(data, issue_id="1", origin="full"),
            event_from_json(_simple_projection(data), issue_id="1", origin="simple"),
        ]
    )
    for field in SIMPLE_FIELD_KEYS:
        assert from_simple[field] == from_full[field], field


# ---------------------------------------------------------------------------------------
# Robustness: garbage never raises and never breaks execution

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
TOP_LEVEL_KEYS = sorted({key for _, data in FIXTURE_EVENTS for key in data} | set(TRANSACTION)
                        | {"event.type", "sdkUpdates", "resolvedWith", "measurements"})  # fmt: skip
ENTRY_KINDS = sorted(ENTRY_TYPES | {"resources", ""})


def _all_paths(value: Any, path: Path_ = ()) -> list[Path_]:
    paths = [path]
    if isinstance(value, dict):
        paths += [p for k, v in value.items() for p in _all_paths(v, (*path, k))]
    elif isinstance(value, list):
        paths += [p for i, v in enumerate(value) for p in _all_paths(v, (*path, i))]
    return paths


def _replace(value: Any, path: Path_, new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copied = copy.copy(value)
    copied[head] = _replace(value[head], tuple(rest), new)
    return copied


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    """A fixture event (or a transaction) with a few values anywhere replaced by garbage."""
    event: Any = draw(st.sampled_from([data for _, data in FIXTURE_EVENTS] + [TRANSACTION]))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _all_paths(event)
        path = draw(st.sampled_from(paths))
        event = _replace(event, path, draw(JSON_VALUES))
    return event


@st.composite
def garbage_events(draw: st.DrawFn) -> Any:
    """An object with known keys holding garbage, and entries of known kinds holding garbage."""
    event = draw(st.dictionaries(st.sampled_from(TOP_LEVEL_KEYS), JSON_VALUES, max_size=10))
    entry = st.fixed_dictionaries({"type": st.sampled_from(ENTRY_KINDS), "data": JSON_VALUES})
    event["entries"] = draw(st.lists(entry | JSON_VALUES, max_size=4))
    return event


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=mutated_events() | garbage_events() | JSON_VALUES,
    origin=st.sampled_from(["simple", "full", "detail"]),
)
def test_garbage_never_raises_nor_fails_execution(data: Any, origin: str) -> None:
    event = event_from_json(data, issue_id="1", origin=origin)  # type: ignore[arg-type]
    run([event])  # asserts no GraphQL error: every leaf serializes


# ---------------------------------------------------------------------------------------
# Schema lint


def test_every_type_and_field_has_a_description() -> None:
    missing = []
    for name, gql_type in GQL.type_map.items():
        if name.startswith("_") or name.startswith("link__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue  # built-ins and federation's plumbing
        if not (gql_type.description or "").strip():
            missing.append(name)
        for field_name, field in getattr(gql_type, "fields", {}).items():
            if field_name in {"_entities", "_service"}:
                continue
            if not (field.description or "").strip():
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not (arg.description or "").strip():
                    missing.append(f"{name}.{field_name}({arg_name})")
    assert not missing, missing
    assert "EventEntry" in GQL.type_map and "Node" in GQL.type_map


def test_event_implements_node_and_sdl_prints() -> None:
    event_type = GQL.get_type("Event")
    assert [i.name for i in event_type.interfaces] == ["Node"]
    sdl = SCHEMA.as_str()
    assert "type Event implements Node" in sdl
    assert "union EventEntry = ExceptionEntry | StacktraceEntry" in sdl
    for field, type_ in {
        "eventID": "String!", "tags": "[EventTag!]!", "entries": "[EventEntry!]!",
        "errors": "[EventError!]!", "fingerprints": "[String!]", "sdkUpdates": "[JSON!]",
        "resolvedWith": "[String]", "dateCreated": "DateTime", "meta": "JSON", "sentryID": "String",
    }.items():  # fmt: skip
        assert str(event_type.fields[field].type) == type_, field
