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

from typing import Optional

import strawberry

from gateway.schema.mapping.declare import WHOLE, given_field, nested, sentry_field, snake_or_hyphen
from gateway.schema.mapping.readers import boolean, integer, number, string, string_list
from gateway.schema.mapping.reports import nel_body, nel_error_type, nel_key
from gateway.schema.types.scalars import JSON, DateTime

__all__ = ["CspEntry", "HpkpEntry", "ExpectCtEntry", "ExpectStapleEntry", "NelEntry", "NelBody"]

_TYPE = "Sentry's entry type (`{}`)."
_DATA = (
    "The whole report as Sentry sent it (snake_case keys, empty ones removed). The typed "
    "fields beside it cover the known keys; this keeps any others."
)


@strawberry.type(
    description="A Content-Security-Policy violation report (entry type `csp`). Typed fields "
    "are null when the report lacks that key or holds a value of another type."
)
class CspEntry:
    type: str = given_field(description=_TYPE.format("csp"))
    documentUri: Optional[str] = sentry_field(
        snake_or_hyphen("document_uri"),
        string,
        description="`document_uri`: the page on which the violation happened.",
    )
    referrer: Optional[str] = sentry_field(
        "referrer", string, description="`referrer`: the referrer of that page; null if none."
    )
    blockedUri: Optional[str] = sentry_field(
        snake_or_hyphen("blocked_uri"), string, description="`blocked_uri`: the resource that was blocked."
    )
    effectiveDirective: Optional[str] = sentry_field(
        snake_or_hyphen("effective_directive"),
        string,
        description="`effective_directive`: the directive whose enforcement caused the violation.",
    )
    violatedDirective: Optional[str] = sentry_field(
        snake_or_hyphen("violated_directive"),
        string,
        description="`violated_directive`: the policy directive that was violated.",
    )
    originalPolicy: Optional[str] = sentry_field(
        snake_or_hyphen("original_policy"),
        string,
        description="`original_policy`: the whole policy as the page delivered it.",
    )
    disposition: Optional[str] = sentry_field(
        "disposition",
        string,
        description="`disposition`: `enforce` or `report` (report-only policy).",
    )
    statusCode: Optional[int] = sentry_field(
        snake_or_hyphen("status_code"), integer, description="`status_code`: HTTP status of the page's response."
    )
    sourceFile: Optional[str] = sentry_field(
        snake_or_hyphen("source_file"),
        string,
        description="`source_file`: the script or file in which the violation happened.",
    )
    lineNumber: Optional[int] = sentry_field(
        snake_or_hyphen("line_number"), integer, description="`line_number`: line in `sourceFile`."
    )
    columnNumber: Optional[int] = sentry_field(
        snake_or_hyphen("column_number"), integer, description="`column_number`: column in `sourceFile`."
    )
    scriptSample: Optional[str] = sentry_field(
        snake_or_hyphen("script_sample"),
        string,
        description="`script_sample`: the first characters of the offending inline script or style.",
    )
    data: Optional[JSON] = sentry_field(WHOLE, description=_DATA)


@strawberry.type(description="The fields HPKP, Expect-CT and Expect-Staple reports share (not in the schema itself).")
class _CertificateReport:
    dateTime: Optional[DateTime] = sentry_field(
        snake_or_hyphen("date_time"),
        string,
        description="`date_time`: when the failure was observed, as the report says.",
    )
    hostname: Optional[str] = sentry_field(
        "hostname", string, description="`hostname`: the host the browser connected to."
    )
    port: Optional[int] = sentry_field("port", integer, description="`port`: the port it connected to.")
    effectiveExpirationDate: Optional[DateTime] = sentry_field(
        snake_or_hyphen("effective_expiration_date"),
        string,
        description="`effective_expiration_date`: when the host's entry (its pins, Expect-CT or "
        "Expect-Staple policy) expires.",
    )
    servedCertificateChain: Optional[list[str]] = sentry_field(
        snake_or_hyphen("served_certificate_chain"),
        string_list,
        description="`served_certificate_chain`: PEM certificates the server sent; null if "
        "absent or not a list of strings.",
    )
    validatedCertificateChain: Optional[list[str]] = sentry_field(
        snake_or_hyphen("validated_certificate_chain"),
        string_list,
        description="`validated_certificate_chain`: PEM certificates of the chain the browser "
        "built; null if absent or not a list of strings.",
    )
    data: Optional[JSON] = sentry_field(WHOLE, description=_DATA)


@strawberry.type(
    description="An HTTP Public Key Pinning failure report (entry type `hpkp`). Typed fields "
    "are null when the report lacks that key or holds a value of another type."
)
class HpkpEntry(_CertificateReport):
    type: str = given_field(description=_TYPE.format("hpkp"))
    includeSubdomains: Optional[bool] = sentry_field(
        snake_or_hyphen("include_subdomains"),
        boolean,
        description="`include_subdomains`: whether the pin policy covers subdomains.",
    )
    notedHostname: Optional[str] = sentry_field(
        snake_or_hyphen("noted_hostname"),
        string,
        description="`noted_hostname`: the host the pins were noted for.",
    )
    knownPins: Optional[list[str]] = sentry_field(
        snake_or_hyphen("known_pins"),
        string_list,
        description='`known_pins`: the pins the browser knew (`pin-sha256="..."`); null if '
        "absent or not a list of strings.",
    )


@strawberry.type(
    description="A Certificate Transparency (Expect-CT) failure report (entry type "
    "`expectct`). Typed fields are null when the report lacks that key or holds a value of "
    "another type."
)
class ExpectCtEntry(_CertificateReport):
    type: str = given_field(description=_TYPE.format("expectct"))
    scheme: Optional[str] = sentry_field("scheme", string, description="`scheme`: `https` (or another scheme).")
    scts: Optional[JSON] = sentry_field(
        "scts",
        description="`scts`: the Signed Certificate Timestamps received (objects with "
        "`version`, `status`, `source`, `serialized_sct`), as sent.",
    )
    failureMode: Optional[str] = sentry_field(
        snake_or_hyphen("failure_mode"), string, description="`failure_mode`: `enforce` or `report`."
    )
    testReport: Optional[bool] = sentry_field(
        snake_or_hyphen("test_report"), boolean, description="`test_report`: whether this was a test report."
    )


@strawberry.type(
    description="An OCSP stapling (Expect-Staple) failure report (entry type "
    "`expectstaple`). Typed fields are null when the report lacks that key or holds a value "
    "of another type."
)
class ExpectStapleEntry(_CertificateReport):
    type: str = given_field(description=_TYPE.format("expectstaple"))
    responseStatus: Optional[str] = sentry_field(
        snake_or_hyphen("response_status"),
        string,
        description="`response_status`: the OCSP response status (`MISSING`, `PROVIDED`, `ERROR_RESPONSE`, ...).",
    )
    certStatus: Optional[str] = sentry_field(
        snake_or_hyphen("cert_status"),
        string,
        description="`cert_status`: the certificate status in the OCSP response (`GOOD`, `REVOKED`, `UNKNOWN`).",
    )
    ocspResponse: Optional[JSON] = sentry_field(
        snake_or_hyphen("ocsp_response"),
        description="`ocsp_response`: the stapled OCSP response as Sentry sent it: any JSON "
        "value (Relay keeps it untyped), usually base64 text; null when absent.",
    )


@strawberry.type(
    description="The network error of a raw NEL report: its `body` object, typed (snake_case "
    "keys in camelCase). Typed fields are null when `body` lacks that key or holds a value of "
    "another type."
)
class NelBody:
    type: Optional[str] = sentry_field(
        "type", string, description="`type`: the kind of network error (`tcp.timed_out`, `http.error`, ...)."
    )
    elapsedTime: Optional[int] = sentry_field(
        snake_or_hyphen("elapsed_time"),
        integer,
        description="`elapsed_time`: milliseconds from the start of the request to the failure or completion.",
    )
    phase: Optional[str] = sentry_field("phase", string, description="`phase`: `dns`, `connection` or `application`.")
    samplingFraction: Optional[float] = sentry_field(
        snake_or_hyphen("sampling_fraction"),
        number,
        description="`sampling_fraction`: the fraction of such reports the browser sends.",
    )
    serverIp: Optional[str] = sentry_field(
        snake_or_hyphen("server_ip"),
        string,
        description="`server_ip`: the IP address of the server the request went to.",
    )
    statusCode: Optional[int] = sentry_field(
        snake_or_hyphen("status_code"),
        integer,
        description="`status_code`: HTTP status of the response; 0 when none came.",
    )
    referrer: Optional[str] = sentry_field("referrer", string, description="`referrer`: the request's referrer.")
    protocol: Optional[str] = sentry_field(
        "protocol", string, description="`protocol`: the network protocol (e.g. `http/1.1`, `h2`)."
    )
    method: Optional[str] = sentry_field("method", string, description="`method`: the HTTP method.")


@strawberry.type(
    description="A Network Error Logging report (entry type `nel`), in either shape Sentry "
    "stores: the raw report it keeps today (`age`, `type`, `url`, `user_agent`, and the "
    "network error nested in `body`) or the older flat one (the network error's keys at "
    "the top level). The fields below read both the same way: `errorType`, `phase`, "
    "`elapsedTime`, ... come from `body` when there is one, else from the top level. "
    "Typed fields are null when the report lacks that key or holds a value of another type."
)
class NelEntry:
    type: str = given_field(description="Sentry's entry type (`nel`). The report's own `type` key is `reportType`.")
    reportType: Optional[str] = sentry_field(
        "type",
        string,
        description="The report's own top-level `type` key as sent, renamed because `type` is "
        "Sentry's entry type here: `network-error` in the raw report Sentry keeps today. In "
        "the older flat shape that one key held the network error's kind (then it equals "
        "`errorType`). Read `errorType` for the kind of failure in both shapes.",
    )
    errorType: Optional[str] = sentry_field(
        nel_error_type,
        string,
        description="The kind of network error (`tcp.timed_out`, `http.error`, "
        "`dns.name_not_resolved`, `ok`, ...): `body.type` in the raw report, the top-level "
        "`type` in the older flat shape; null when the report has none (a top-level "
        "`network-error` without a `body` is the report's type, not an error kind).",
    )
    url: Optional[str] = sentry_field("url", string, description="`url`: the URL of the failed request.")
    age: Optional[int] = sentry_field(
        "age",
        integer,
        description="`age`: milliseconds between the failure and the browser sending the report; null when not sent.",
    )
    userAgent: Optional[str] = sentry_field(
        snake_or_hyphen("user_agent"),
        string,
        description="`user_agent`: the User-Agent of the browser that sent the report; null when not sent.",
    )
    elapsedTime: Optional[int] = sentry_field(
        nel_key("elapsed_time"),
        integer,
        description="`elapsed_time` (in `body`, or at the top level in the flat shape): "
        "milliseconds from the start of the request to the failure or completion.",
    )
    phase: Optional[str] = sentry_field(
        nel_key("phase"),
        string,
        description="`phase` (in `body`, or at the top level): the phase of the request that "
        "failed (`dns`, `connection`, `application`).",
    )
    samplingFraction: Optional[float] = sentry_field(
        nel_key("sampling_fraction"),
        number,
        description="`sampling_fraction` (in `body`, or at the top level): the fraction of "
        "such reports the browser sends.",
    )
    serverIp: Optional[str] = sentry_field(
        nel_key("server_ip"),
        string,
        description="`server_ip` (in `body`, or at the top level): the IP address of the "
        "server the request went to; null when none was reached.",
    )
    statusCode: Optional[int] = sentry_field(
        nel_key("status_code"),
        integer,
        description="`status_code` (in `body`, or at the top level): HTTP status of the "
        "response; null or 0 when none came.",
    )
    referrer: Optional[str] = sentry_field(
        nel_key("referrer"), string, description="`referrer` (in `body`, or at the top level): the request's referrer."
    )
    protocol: Optional[str] = sentry_field(
        nel_key("protocol"),
        string,
        description="`protocol` (in `body`, or at the top level): the network protocol (e.g. `http/1.1`, `h2`).",
    )
    method: Optional[str] = sentry_field(
        nel_key("method"), string, description="`method` (in `body`, or at the top level): the HTTP method."
    )
    body: Optional[NelBody] = sentry_field(
        nel_body,
        nested(NelBody),
        description="`body` of the raw report, typed, exactly as nested there (its `type` is "
        "the error's kind); null in the older flat shape. The fields above read the same "
        "values whatever the shape.",
    )
    data: Optional[JSON] = sentry_field(WHOLE, description=_DATA)
