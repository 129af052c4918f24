"""Security and network-error report entries: ``csp``, ``hpkp``, ``expectct``,
``expectstaple`` and ``nel`` (Sentry's ``src/sentry/interfaces/security.py``
and ``nel.py``).

Sentry stores the report as Relay normalized it and sends it back with empty
keys removed, in snake_case. The exact key sets are UNCONFIRMED upstream, so
every member has typed fields for the keys known from the browser report
formats *and* ``data: JSON`` with the whole report as Sentry sent it. A typed
field reads the snake_case key and, failing that, the hyphenated key of the
raw browser report (``document-uri``), so either spelling works.

NEL comes in two shapes (SENTRY_API.md, "Not confirmed"): the raw report Sentry
keeps today (Relay's ``NetworkReportRaw``: ``age``, ``type`` = ``network-error``,
``url``, ``user_agent`` and the network error nested in ``body``, whose own
``type`` is the error's kind) and an older flat one with the network error's
keys at the top level. `NelEntry` reads both into the same fields, so one query
works for old and new events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import strawberry

from gateway.schema._convert import (
    boolean,
    integer,
    mapping,
    number,
    require_mapping,
    string,
    string_list,
)
from gateway.schema.scalars import JSON, DateTime

__all__ = [
    "CspEntry",
    "HpkpEntry",
    "ExpectCtEntry",
    "ExpectStapleEntry",
    "NelEntry",
    "NelBody",
    "csp_entry_from_json",
    "hpkp_entry_from_json",
    "expectct_entry_from_json",
    "expectstaple_entry_from_json",
    "nel_entry_from_json",
]

_TYPE = "Sentry's entry type (`{}`)."
_DATA = (
    "The whole report as Sentry sent it (snake_case keys, empty ones removed). The typed "
    "fields beside it cover the known keys; this keeps any others."
)


def _key(data: Mapping[str, Any], snake: str) -> Any:
    """The report value under its snake_case key, else under the browser's hyphenated key."""
    if snake in data:
        return data[snake]
    return data.get(snake.replace("_", "-"))


@strawberry.type(
    description="A Content-Security-Policy violation report (entry type `csp`). Typed fields "
    "are null when the report lacks that key or holds a value of another type."
)
class CspEntry:
    type: str = strawberry.field(description=_TYPE.format("csp"))
    documentUri: Optional[str] = strawberry.field(
        description="`document_uri`: the page on which the violation happened."
    )
    referrer: Optional[str] = strawberry.field(
        description="`referrer`: the referrer of that page; null if none."
    )
    blockedUri: Optional[str] = strawberry.field(
        description="`blocked_uri`: the resource that was blocked."
    )
    effectiveDirective: Optional[str] = strawberry.field(
        description="`effective_directive`: the directive whose enforcement caused the violation."
    )
    violatedDirective: Optional[str] = strawberry.field(
        description="`violated_directive`: the policy directive that was violated."
    )
    originalPolicy: Optional[str] = strawberry.field(
        description="`original_policy`: the whole policy as the page delivered it."
    )
    disposition: Optional[str] = strawberry.field(
        description="`disposition`: `enforce` or `report` (report-only policy)."
    )
    statusCode: Optional[int] = strawberry.field(
        description="`status_code`: HTTP status of the page's response."
    )
    sourceFile: Optional[str] = strawberry.field(
        description="`source_file`: the script or file in which the violation happened."
    )
    lineNumber: Optional[int] = strawberry.field(
        description="`line_number`: line in `sourceFile`."
    )
    columnNumber: Optional[int] = strawberry.field(
        description="`column_number`: column in `sourceFile`."
    )
    scriptSample: Optional[str] = strawberry.field(
        description="`script_sample`: the first characters of the offending inline script "
        "or style."
    )
    data: Optional[JSON] = strawberry.field(description=_DATA)


@strawberry.type(
    description="An HTTP Public Key Pinning failure report (entry type `hpkp`). Typed fields "
    "are null when the report lacks that key or holds a value of another type."
)
class HpkpEntry:
    type: str = strawberry.field(description=_TYPE.format("hpkp"))
    hostname: Optional[str] = strawberry.field(
        description="`hostname`: the host the browser connected to."
    )
    port: Optional[int] = strawberry.field(description="`port`: the port it connected to.")
    dateTime: Optional[DateTime] = strawberry.field(
        description="`date_time`: when the failure was observed, as the report says."
    )
    effectiveExpirationDate: Optional[DateTime] = strawberry.field(
        description="`effective_expiration_date`: when the noted pins expire."
    )
    includeSubdomains: Optional[bool] = strawberry.field(
        description="`include_subdomains`: whether the pin policy covers subdomains."
    )
    notedHostname: Optional[str] = strawberry.field(
        description="`noted_hostname`: the host the pins were noted for."
    )
    servedCertificateChain: Optional[list[str]] = strawberry.field(
        description="`served_certificate_chain`: PEM certificates the server sent; null if "
        "absent or not a list of strings."
    )
    validatedCertificateChain: Optional[list[str]] = strawberry.field(
        description="`validated_certificate_chain`: PEM certificates of the chain the browser "
        "built; null if absent or not a list of strings."
    )
    knownPins: Optional[list[str]] = strawberry.field(
        description="`known_pins`: the pins the browser knew (`pin-sha256=\"...\"`); null if "
        "absent or not a list of strings."
    )
    data: Optional[JSON] = strawberry.field(description=_DATA)


@strawberry.type(
    description="A Certificate Transparency (Expect-CT) failure report (entry type "
    "`expectct`). Typed fields are null when the report lacks that key or holds a value of "
    "another type."
)
class ExpectCtEntry:
    type: str = strawberry.field(description=_TYPE.format("expectct"))
    dateTime: Optional[DateTime] = strawberry.field(
        description="`date_time`: when the failure was observed, as the report says."
    )
    hostname: Optional[str] = strawberry.field(
        description="`hostname`: the host the browser connected to."
    )
    port: Optional[int] = strawberry.field(description="`port`: the port it connected to.")
    scheme: Optional[str] = strawberry.field(description="`scheme`: `https` (or another scheme).")
    effectiveExpirationDate: Optional[DateTime] = strawberry.field(
        description="`effective_expiration_date`: when the Expect-CT host entry expires."
    )
    servedCertificateChain: Optional[list[str]] = strawberry.field(
        description="`served_certificate_chain`: PEM certificates the server sent; null if "
        "absent or not a list of strings."
    )
    validatedCertificateChain: Optional[list[str]] = strawberry.field(
        description="`validated_certificate_chain`: PEM certificates of the chain the browser "
        "built; null if absent or not a list of strings."
    )
    scts: Optional[JSON] = strawberry.field(
        description="`scts`: the Signed Certificate Timestamps received (objects with "
        "`version`, `status`, `source`, `serialized_sct`), as sent."
    )
    failureMode: Optional[str] = strawberry.field(
        description="`failure_mode`: `enforce` or `report`."
    )
    testReport: Optional[bool] = strawberry.field(
        description="`test_report`: whether this was a test report."
    )
    data: Optional[JSON] = strawberry.field(description=_DATA)


@strawberry.type(
    description="An OCSP stapling (Expect-Staple) failure report (entry type "
    "`expectstaple`). Typed fields are null when the report lacks that key or holds a value "
    "of another type."
)
class ExpectStapleEntry:
    type: str = strawberry.field(description=_TYPE.format("expectstaple"))
    dateTime: Optional[DateTime] = strawberry.field(
        description="`date_time`: when the failure was observed, as the report says."
    )
    hostname: Optional[str] = strawberry.field(
        description="`hostname`: the host the browser connected to."
    )
    port: Optional[int] = strawberry.field(description="`port`: the port it connected to.")
    effectiveExpirationDate: Optional[DateTime] = strawberry.field(
        description="`effective_expiration_date`: when the Expect-Staple host entry expires."
    )
    responseStatus: Optional[str] = strawberry.field(
        description="`response_status`: the OCSP response status (`MISSING`, `PROVIDED`, "
        "`ERROR_RESPONSE`, ...)."
    )
    certStatus: Optional[str] = strawberry.field(
        description="`cert_status`: the certificate status in the OCSP response (`GOOD`, "
        "`REVOKED`, `UNKNOWN`)."
    )
    servedCertificateChain: Optional[list[str]] = strawberry.field(
        description="`served_certificate_chain`: PEM certificates the server sent; null if "
        "absent or not a list of strings."
    )
    validatedCertificateChain: Optional[list[str]] = strawberry.field(
        description="`validated_certificate_chain`: PEM certificates of the chain the browser "
        "built; null if absent or not a list of strings."
    )
    ocspResponse: Optional[JSON] = strawberry.field(
        description="`ocsp_response`: the stapled OCSP response as Sentry sent it: any JSON "
        "value (Relay keeps it untyped), usually base64 text; null when absent."
    )
    data: Optional[JSON] = strawberry.field(description=_DATA)


@strawberry.type(
    description="The network error of a raw NEL report: its `body` object, typed (snake_case "
    "keys in camelCase). Typed fields are null when `body` lacks that key or holds a value of "
    "another type."
)
class NelBody:
    type: Optional[str] = strawberry.field(
        description="`type`: the kind of network error (`tcp.timed_out`, `http.error`, ...)."
    )
    elapsedTime: Optional[int] = strawberry.field(
        description="`elapsed_time`: milliseconds from the start of the request to the failure "
        "or completion."
    )
    phase: Optional[str] = strawberry.field(
        description="`phase`: `dns`, `connection` or `application`."
    )
    samplingFraction: Optional[float] = strawberry.field(
        description="`sampling_fraction`: the fraction of such reports the browser sends."
    )
    serverIp: Optional[str] = strawberry.field(
        description="`server_ip`: the IP address of the server the request went to."
    )
    statusCode: Optional[int] = strawberry.field(
        description="`status_code`: HTTP status of the response; 0 when none came."
    )
    referrer: Optional[str] = strawberry.field(description="`referrer`: the request's referrer.")
    protocol: Optional[str] = strawberry.field(
        description="`protocol`: the network protocol (e.g. `http/1.1`, `h2`)."
    )
    method: Optional[str] = strawberry.field(description="`method`: the HTTP method.")


@strawberry.type(
    description="A Network Error Logging report (entry type `nel`), in either shape Sentry "
    "stores: the raw report it keeps today (`age`, `type`, `url`, `user_agent`, and the "
    "network error nested in `body`) or the older flat one (the network error's keys at "
    "the top level). The fields below read both the same way: `errorType`, `phase`, "
    "`elapsedTime`, ... come from `body` when there is one, else from the top level. "
    "Typed fields are null when the report lacks that key or holds a value of another type."
)
class NelEntry:
    type: str = strawberry.field(
        description="Sentry's entry type (`nel`). The report's own `type` key is `reportType`."
    )
    reportType: Optional[str] = strawberry.field(
        description="The report's own top-level `type` key as sent, renamed because `type` is "
        "Sentry's entry type here: `network-error` in the raw report Sentry keeps today. In "
        "the older flat shape that one key held the network error's kind (then it equals "
        "`errorType`). Read `errorType` for the kind of failure in both shapes."
    )
    errorType: Optional[str] = strawberry.field(
        description="The kind of network error (`tcp.timed_out`, `http.error`, "
        "`dns.name_not_resolved`, `ok`, ...): `body.type` in the raw report, the top-level "
        "`type` in the older flat shape; null when the report has none (a top-level "
        "`network-error` without a `body` is the report's type, not an error kind)."
    )
    url: Optional[str] = strawberry.field(description="`url`: the URL of the failed request.")
    age: Optional[int] = strawberry.field(
        description="`age`: milliseconds between the failure and the browser sending the "
        "report; null when not sent."
    )
    userAgent: Optional[str] = strawberry.field(
        description="`user_agent`: the User-Agent of the browser that sent the report; null "
        "when not sent."
    )
    elapsedTime: Optional[int] = strawberry.field(
        description="`elapsed_time` (in `body`, or at the top level in the flat shape): "
        "milliseconds from the start of the request to the failure or completion."
    )
    phase: Optional[str] = strawberry.field(
        description="`phase` (in `body`, or at the top level): the phase of the request that "
        "failed (`dns`, `connection`, `application`)."
    )
    samplingFraction: Optional[float] = strawberry.field(
        description="`sampling_fraction` (in `body`, or at the top level): the fraction of "
        "such reports the browser sends."
    )
    serverIp: Optional[str] = strawberry.field(
        description="`server_ip` (in `body`, or at the top level): the IP address of the "
        "server the request went to; null when none was reached."
    )
    statusCode: Optional[int] = strawberry.field(
        description="`status_code` (in `body`, or at the top level): HTTP status of the "
        "response; null or 0 when none came."
    )
    referrer: Optional[str] = strawberry.field(
        description="`referrer` (in `body`, or at the top level): the request's referrer."
    )
    protocol: Optional[str] = strawberry.field(
        description="`protocol` (in `body`, or at the top level): the network protocol (e.g. "
        "`http/1.1`, `h2`)."
    )
    method: Optional[str] = strawberry.field(
        description="`method` (in `body`, or at the top level): the HTTP method."
    )
    body: Optional[NelBody] = strawberry.field(
        description="`body` of the raw report, typed, exactly as nested there (its `type` is "
        "the error's kind); null in the older flat shape. The fields above read the same "
        "values whatever the shape."
    )
    data: Optional[JSON] = strawberry.field(description=_DATA)


def csp_entry_from_json(entry_type: str, data: Any) -> CspEntry:
    report = require_mapping(data, "csp data")
    return CspEntry(
        type=entry_type,
        documentUri=string(_key(report, "document_uri")),
        referrer=string(_key(report, "referrer")),
        blockedUri=string(_key(report, "blocked_uri")),
        effectiveDirective=string(_key(report, "effective_directive")),
        violatedDirective=string(_key(report, "violated_directive")),
        originalPolicy=string(_key(report, "original_policy")),
        disposition=string(_key(report, "disposition")),
        statusCode=integer(_key(report, "status_code")),
        sourceFile=string(_key(report, "source_file")),
        lineNumber=integer(_key(report, "line_number")),
        columnNumber=integer(_key(report, "column_number")),
        scriptSample=string(_key(report, "script_sample")),
        data=report,
    )


def hpkp_entry_from_json(entry_type: str, data: Any) -> HpkpEntry:
    report = require_mapping(data, "hpkp data")
    return HpkpEntry(
        type=entry_type,
        hostname=string(_key(report, "hostname")),
        port=integer(_key(report, "port")),
        dateTime=string(_key(report, "date_time")),
        effectiveExpirationDate=string(_key(report, "effective_expiration_date")),
        includeSubdomains=boolean(_key(report, "include_subdomains")),
        notedHostname=string(_key(report, "noted_hostname")),
        servedCertificateChain=string_list(_key(report, "served_certificate_chain")),
        validatedCertificateChain=string_list(_key(report, "validated_certificate_chain")),
        knownPins=string_list(_key(report, "known_pins")),
        data=report,
    )


def expectct_entry_from_json(entry_type: str, data: Any) -> ExpectCtEntry:
    report = require_mapping(data, "expectct data")
    return ExpectCtEntry(
        type=entry_type,
        dateTime=string(_key(report, "date_time")),
        hostname=string(_key(report, "hostname")),
        port=integer(_key(report, "port")),
        scheme=string(_key(report, "scheme")),
        effectiveExpirationDate=string(_key(report, "effective_expiration_date")),
        servedCertificateChain=string_list(_key(report, "served_certificate_chain")),
        validatedCertificateChain=string_list(_key(report, "validated_certificate_chain")),
        scts=_key(report, "scts"),
        failureMode=string(_key(report, "failure_mode")),
        testReport=boolean(_key(report, "test_report")),
        data=report,
    )


def expectstaple_entry_from_json(entry_type: str, data: Any) -> ExpectStapleEntry:
    report = require_mapping(data, "expectstaple data")
    return ExpectStapleEntry(
        type=entry_type,
        dateTime=string(_key(report, "date_time")),
        hostname=string(_key(report, "hostname")),
        port=integer(_key(report, "port")),
        effectiveExpirationDate=string(_key(report, "effective_expiration_date")),
        responseStatus=string(_key(report, "response_status")),
        certStatus=string(_key(report, "cert_status")),
        servedCertificateChain=string_list(_key(report, "served_certificate_chain")),
        validatedCertificateChain=string_list(_key(report, "validated_certificate_chain")),
        ocspResponse=_key(report, "ocsp_response"),
        data=report,
    )


_NEL_REPORT_TYPE = "network-error"


def nel_entry_from_json(entry_type: str, data: Any) -> NelEntry:
    """Either NEL shape: the network error's keys from ``body`` when it is an object, else
    from the top level (the older flat shape, where ``type`` is the error's kind)."""
    report = require_mapping(data, "nel data")
    body = mapping(report.get("body"))

    def read(snake: str) -> Any:
        # a key missing from `body` may still sit at the top level (a hybrid of the shapes)
        if body is not None:
            value = _key(body, snake)
            if value is not None:
                return value
        return _key(report, snake)

    report_type = string(report.get("type"))
    if body is not None:
        error_type = string(body.get("type"))
    else:  # flat: the one `type` is the error's kind, unless it is the report's own type
        error_type = None if report_type == _NEL_REPORT_TYPE else report_type
    return NelEntry(
        type=entry_type,
        reportType=report_type,
        errorType=error_type,
        url=string(_key(report, "url")),
        age=integer(_key(report, "age")),
        userAgent=string(_key(report, "user_agent")),
        elapsedTime=integer(read("elapsed_time")),
        phase=string(read("phase")),
        samplingFraction=number(read("sampling_fraction")),
        serverIp=string(read("server_ip")),
        statusCode=integer(read("status_code")),
        referrer=string(read("referrer")),
        protocol=string(read("protocol")),
        method=string(read("method")),
        body=None if body is None else _nel_body(body),
        data=report,
    )


def _nel_body(body: Mapping[str, Any]) -> NelBody:
    return NelBody(
        type=string(body.get("type")),
        elapsedTime=integer(_key(body, "elapsed_time")),
        phase=string(body.get("phase")),
        samplingFraction=number(_key(body, "sampling_fraction")),
        serverIp=string(_key(body, "server_ip")),
        statusCode=integer(_key(body, "status_code")),
        referrer=string(body.get("referrer")),
        protocol=string(body.get("protocol")),
        method=string(body.get("method")),
    )
