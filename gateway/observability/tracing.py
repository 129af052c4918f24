"""Optional OpenTelemetry tracing: off unless configured, free when off.

Tracing turns on when ``GATEWAY_OTEL`` is true, or when it is unset and
``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, *and* the ``otel`` extra is installed
(``pip install 'sentry-events-gateway[otel]'``). Nothing of OpenTelemetry is
imported until then; `span` is a no-op context manager while it is off.

Spans: one server span per HTTP request (named after the GraphQL operation)
and one client span per upstream call (endpoint kind and status). The
exporter reads the standard ``OTEL_*`` variables (endpoint, headers,
``OTEL_SERVICE_NAME``, sampling).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

__all__ = ["configure_tracing", "span", "tracing_enabled"]

logger = logging.getLogger("gateway.tracing")

_tracer: Any = None


def tracing_enabled() -> bool:
    return _tracer is not None


def configure_tracing(enabled: bool) -> bool:
    """Set up the tracer once; returns whether tracing is on."""
    global _tracer
    if not enabled or _tracer is not None:
        return _tracer is not None
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        logger.warning(
            "OpenTelemetry tracing was asked for but the packages are missing: "
            "pip install 'sentry-events-gateway[otel]'"
        )
        return False
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):  # nobody configured one (no auto-instrumentation)
        provider = TracerProvider(
            resource=Resource.create({"service.name": "sentry-events-gateway"})
        )
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(provider)
    _tracer = trace.get_tracer("gateway")
    return True


def span(name: str, *, client: bool = False, **attributes: Any) -> contextlib.AbstractContextManager[Any]:
    """A span when tracing is on (entered, to add attributes), else None.

    Off, it is one shared `contextlib.nullcontext`: no generator per call on
    every request and upstream call.
    """
    if _tracer is None:
        return _NO_SPAN
    return _span(name, client, attributes)


_NO_SPAN: contextlib.AbstractContextManager[None] = contextlib.nullcontext()


@contextlib.contextmanager
def _span(name: str, client: bool, attributes: dict[str, Any]) -> Iterator[Any]:
    from opentelemetry.trace import SpanKind

    assert _tracer is not None
    kind = SpanKind.CLIENT if client else SpanKind.SERVER
    with _tracer.start_as_current_span(name, kind=kind, attributes=attributes) as current:
        yield current
