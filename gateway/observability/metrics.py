"""Prometheus metrics (``prometheus-client``) and the ``/metrics`` endpoint.

Metrics live in the default registry, so a process's own metrics (CPU,
memory, file descriptors) come along. With several workers set
``PROMETHEUS_MULTIPROC_DIR`` to an empty, writable directory before start-up:
each worker then writes its samples there and ``/metrics`` (answered by any
worker) aggregates all of them (``prometheus_client.multiprocess``).

Label values are bounded: operation names are the client's choice, so they
are reduced to ``[A-Za-z0-9_]`` and at most `MAX_OPERATIONS` distinct names
per process are kept (later ones count as ``other``). Credentials never
become labels: rate-limit headroom is the last value seen, whoever's it was.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response

__all__ = [
    "endpoint_kind",
    "metrics_endpoint",
    "observe_batch",
    "observe_compiled_fallback",
    "observe_graphql_request",
    "observe_rate_limit",
    "observe_upstream",
    "operation_label",
]

MAX_OPERATIONS = 200

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

GRAPHQL_REQUESTS = Counter(
    "gateway_graphql_requests",
    "GraphQL requests by operation name and outcome (ok, or the first error code).",
    ["operation", "outcome"],
)
GRAPHQL_LATENCY = Histogram(
    "gateway_graphql_request_duration_seconds",
    "Time to answer a GraphQL request, by operation name and outcome.",
    ["operation", "outcome"],
    buckets=_LATENCY_BUCKETS,
)
GRAPHQL_UPSTREAM_CALLS = Histogram(
    "gateway_graphql_upstream_calls",
    "Upstream HTTP calls (retries included) made for one GraphQL request.",
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500),
)
UPSTREAM_REQUESTS = Counter(
    "gateway_upstream_requests",
    "HTTP calls to Sentry by endpoint kind (list, detail, probe, other) and status "
    "(the HTTP status, or timeout / connection_error).",
    ["endpoint", "status"],
)
UPSTREAM_LATENCY = Histogram(
    "gateway_upstream_request_duration_seconds",
    "Time until Sentry's whole answer arrived (or the call failed), by endpoint kind.",
    ["endpoint"],
    buckets=_LATENCY_BUCKETS,
)
DATALOADER_BATCH = Histogram(
    "gateway_dataloader_batch_size",
    "Keys per DataLoader batch (pages: list endpoint, events: detail endpoint).",
    ["loader"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
RATE_LIMIT_REMAINING = Gauge(
    "gateway_upstream_rate_limit_remaining",
    "X-Sentry-Rate-Limit-Remaining of the most recent upstream answer that carried it "
    "(any credential).",
    multiprocess_mode="mostrecent",
)
RATE_LIMIT_HEADROOM = Histogram(
    "gateway_upstream_rate_limit_headroom_ratio",
    "Remaining / limit of every upstream answer that reported Sentry's rate limit.",
    buckets=(0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0),
)
COMPILED_FALLBACKS = Counter(
    "gateway_compiled_fallbacks",
    "Completions the compiled path left to graphql-core, by reason (disabled, middleware, "
    "value, variables, error; see gateway/schema/execution/compiled.py). Zero on healthy traffic.",
    ["reason"],
)

_OPERATION = re.compile(r"[^A-Za-z0-9_]")
_operations: set[str] = set()
_operations_lock = threading.Lock()


def operation_label(name: str | None) -> str:
    """A bounded label value for a client-chosen operation name."""
    if not name:
        return "anonymous"
    label = _OPERATION.sub("_", name)[:64]
    with _operations_lock:
        if label in _operations:
            return label
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(label)
    return label


def observe_graphql_request(
    operation: str | None, outcome: str, seconds: float, upstream_calls: int
) -> None:
    label = operation_label(operation)
    _child(GRAPHQL_REQUESTS, label, outcome).inc()
    _child(GRAPHQL_LATENCY, label, outcome).observe(seconds)
    GRAPHQL_UPSTREAM_CALLS.observe(upstream_calls)


@functools.lru_cache(maxsize=4096)
def _child(metric: Any, *labels: str) -> Any:
    """``metric.labels(*labels)``, remembered: prometheus_client takes a lock and
    builds a key on every call, several times per request. Label values are
    bounded (operation names are capped at `MAX_OPERATIONS`), so is this."""
    return metric.labels(*labels)


def endpoint_kind(path: str) -> str:
    """``list`` for ``.../events/``, ``detail`` for ``.../events/{id}/``, ``probe`` for
    the readiness probe's ``/api/0/``, ``organizations`` for the organization list,
    ``issues`` for the organization issue index, ``tags`` for an issue's tag facets,
    ``issue`` for an issue's detail, else ``other``."""
    if path.endswith("/api/0/"):
        return "probe"
    if path.endswith("/events/"):
        return "list"
    if "/events/" in path:
        return "detail"
    if path.endswith("/api/0/organizations/"):
        return "organizations"
    if path.endswith("/tags/"):
        return "tags"
    if path.endswith("/issues/"):
        return "issues"
    if "/issues/" in path or "/groups/" in path:
        return "issue"
    return "other"


def observe_upstream(endpoint: str, status: str, seconds: float) -> None:
    _child(UPSTREAM_REQUESTS, endpoint, status).inc()
    _child(UPSTREAM_LATENCY, endpoint).observe(seconds)


def observe_rate_limit(remaining: int | None, limit: int | None) -> None:
    if remaining is None:
        return
    RATE_LIMIT_REMAINING.set(remaining)
    if limit:
        RATE_LIMIT_HEADROOM.observe(max(0.0, min(1.0, remaining / limit)))


def observe_batch(loader: str, size: int) -> None:
    _child(DATALOADER_BATCH, loader).observe(size)


def observe_compiled_fallback(reason: str) -> None:
    _child(COMPILED_FALLBACKS, reason).inc()


def render_metrics() -> tuple[bytes, str]:
    """The exposition text: this process's, or every worker's in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


async def metrics_endpoint(request: Request) -> Response:
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)
