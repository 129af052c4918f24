"""The Starlette application: routes, lifespan, and the per-request context.

One ``httpx.AsyncClient`` to Sentry (`gateway.sentry.upstream.Upstream`) is
built at start-up and closed at shutdown. In demo mode it talks to the
embedded demo upstream in-process (through ``httpx.ASGITransport``), so the
whole REST wire format (Link headers, cursors, error bodies) is still exercised.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway import __version__
from gateway.body_limit import BodySizeLimit
from gateway.csrf import PREFLIGHT_HEADERS
from gateway.hosts import AllowedHosts
from gateway.ide import ide_routes
from gateway.observability.access_log import AccessLog
from gateway.observability.metrics import metrics_endpoint
from gateway.observability.tracing import configure_tracing
from gateway.sentry.instrumented import InstrumentedUpstream
from gateway.rate_limit import RateLimit
from gateway.readiness import Readiness
from gateway.schema import RequestContext, build_schema
from gateway.schema.execution.caches import set_parse_cache_bytes
from gateway.schema.paging.pagination import CursorCodec
from gateway.sentry.client import SentryClient
from gateway.sentry.loaders import SentryLoaders
from gateway.settings import Settings, load_settings
from gateway.view import GatewayGraphQL

__all__ = ["create_app"]

logger = logging.getLogger("gateway")

#: Where the in-process demo upstream is addressed (never resolved on a network).
DEMO_BASE_URL = "http://demo-upstream.invalid"


def _upstream(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> InstrumentedUpstream:
    """The process's one client to Sentry, measured.

    `transport` None: httpx's network transport, with the proxy and
    certificate variables of the environment. Every connection is kept
    alive: one closed when idle would be opened again (TCP and TLS) by the
    next burst, and fewer of them keep httpcore's per-call pool checks cheap
    (`gateway.settings.DEFAULT_UPSTREAM_CONNECTIONS`).
    """
    return InstrumentedUpstream(
        transport,
        max_body_bytes=settings.upstream_max_bytes,
        max_connections=settings.upstream_connections,
        max_keepalive_connections=settings.upstream_connections,
        http2=settings.upstream_http2,
    )


class _State:
    """What the app holds for its lifetime: settings, the client, the codec."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None) -> None:
        self.settings = settings
        self.codec = CursorCodec(settings.cursor_secret)
        self.client: SentryClient | None = None
        self._transport = transport
        self.readiness = Readiness(
            demo=settings.demo,
            cache_seconds=settings.readiness_cache,
            org=settings.sentry_org,
            token=settings.sentry_auth_token,
        )

    def default_credential(self) -> str | None:
        """The credential for callers that send none.

        In demo mode that is always the demo's own token: a real Sentry token
        left in the environment must neither break the demo nor be sent to it.
        """
        if self.settings.demo:
            from gateway.demo import DEMO_TOKEN

            return f"Bearer {DEMO_TOKEN}"
        if self.settings.sentry_auth_token:
            return f"Bearer {self.settings.sentry_auth_token}"
        return None

    @property
    def ambient_credential(self) -> bool:
        """True when callers without ``Authorization`` would use a real token of the
        gateway's own (not the demo's): what the CSRF guard protects."""
        return not self.settings.demo and self.settings.sentry_auth_token is not None

    def request_context(self, authorization: str | None, router: bool = False) -> RequestContext:
        """One request's context; `router` when it presented `GATEWAY_ROUTER_SECRET`."""
        assert self.client is not None, "the app's lifespan has not started"
        loaders = SentryLoaders(
            self.client,
            credential=authorization or self.default_credential(),
            deadline=time.monotonic() + self.settings.request_deadline,
            max_concurrency=self.settings.max_upstream_concurrency,
            max_calls=self.settings.max_upstream_calls,
        )
        return RequestContext(loaders=loaders, codec=self.codec, router=router)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        settings = self.settings
        transport = self._transport
        if settings.demo:
            from gateway.demo import DEMO_ORG_SLUG, create_demo_app

            transport = transport or httpx.ASGITransport(app=create_demo_app())
            base_url = DEMO_BASE_URL
            # The embedded upstream's organization is known: its routes, no discovery.
            org: str | None = DEMO_ORG_SLUG
            logger.warning(
                "No SENTRY_BASE_URL set (or --demo given): serving the embedded demo upstream "
                "with synthetic data. Set SENTRY_BASE_URL to query a real Sentry."
            )
        else:
            base_url = settings.sentry_base_url or ""
            org = settings.sentry_org
            logger.info("Querying Sentry at %s", base_url)
        user_agent = f"sentry-events-gateway/{__version__}"
        upstream = _upstream(settings, transport)
        # The REST client and the readiness probe share the client; closing it ends both.
        async with upstream:
            self.client = SentryClient(
                upstream,
                user_agent=user_agent,
                processes=settings.worker_count,
                base_url=base_url,
                org=org,
                timeout=settings.sentry_timeout,
                max_retries=settings.sentry_max_retries,
            )
            self.readiness.bind(upstream, base_url, user_agent)
            try:
                yield
            finally:
                self.client = None
                self.readiness.bind(None, base_url)

    async def healthz(self, request: Request) -> JSONResponse:
        body: dict[str, Any] = {
            "status": "ok",
            "mode": self.settings.mode,
            "version": __version__,
        }
        if self.settings.demo:
            body["upstream"] = "embedded demo upstream (synthetic data)"
        else:
            body["upstream"] = self.settings.sentry_base_url
            body["org"] = self.settings.sentry_org
        return JSONResponse(body)


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """The gateway as an ASGI app (``uvicorn --factory gateway.app:create_app``).

    `transport` replaces the network below the REST client's httpx client
    (tests use ``httpx.ASGITransport`` to reach an in-process upstream, or
    ``httpx.MockTransport``). Settings default to the environment.
    """
    state = _State(settings if settings is not None else load_settings(), transport)
    settings = state.settings
    schema = build_schema(
        max_depth=settings.max_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_tokens,
        introspection=settings.introspection,
        max_fragments=settings.max_fragments,
        max_spreads=settings.max_fragment_spreads,
        max_upstream_bytes=settings.max_upstream_bytes,
    )
    set_parse_cache_bytes(settings.parse_cache_bytes)
    graphql = GatewayGraphQL(
        schema,
        request_context=state.request_context,
        ambient_credential=state.ambient_credential,
        router_secret=settings.router_secret,
        max_response_bytes=settings.max_response_bytes,
        graphql_ide="graphiql" if settings.graphiql else None,
    )
    configure_tracing(settings.otel)
    middleware = [
        Middleware(AccessLog, log=settings.access_log, metrics=settings.metrics),
        Middleware(AllowedHosts, allowed_hosts=settings.allowed_hosts),
        Middleware(BodySizeLimit, max_bytes=settings.max_body_bytes),
    ]
    if settings.rate_limit_credential or settings.rate_limit_address:
        middleware.insert(
            1,
            Middleware(
                RateLimit,
                per_credential=settings.rate_limit_credential,
                per_address=settings.rate_limit_address,
            ),
        )
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID", *PREFLIGHT_HEADERS],
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", state.healthz, methods=["GET"]),
            Route("/readyz", state.readiness.endpoint, methods=["GET"]),
            *(ide_routes() if settings.graphiql else []),
        ]
        + ([Route("/metrics", metrics_endpoint, methods=["GET"])] if settings.metrics else []),
        middleware=middleware,
        lifespan=state.lifespan,
    )
    app.state.gateway = state
    return app
