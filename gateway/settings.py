"""Every setting of the gateway, read once from the environment, typed and validated.

A bad value stops start-up with a message naming the variable and what it
accepts, rather than surfacing later as a confusing upstream error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Settings", "SettingsError", "load_settings", "require_deliberate_mode"]

#: Where a caller's request to Sentry must stop waiting, whatever the retries.
DEFAULT_DEADLINE_SECONDS = 10.0
DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_MAX_CONCURRENCY = 8
DEFAULT_MAX_UPSTREAM_CALLS = 200
DEFAULT_MAX_DEPTH = 20
DEFAULT_MAX_ALIASES = 100
DEFAULT_MAX_TOKENS = 5000
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_READINESS_CACHE_SECONDS = 5.0
DEFAULT_GC_THRESHOLD = (10_000, 10, 10)
#: Largest answer body accepted from Sentry, on the wire and decoded (64 MiB).
DEFAULT_UPSTREAM_MAX_BYTES = 64 * 1024 * 1024
#: Connections to Sentry one worker keeps (all kept alive). httpcore's pool
#: checks every pooled connection, and polls each idle one's socket, whenever
#: a call starts or ends, so its cost per call grows with the pool; 8 carry
#: ~80 calls/s at Sentry's ~100 ms per call, above its per-IP rate limits.
DEFAULT_UPSTREAM_CONNECTIONS = 8
#: Host names (``Host`` header, port ignored) the gateway answers by default: a
#: browser page can rebind its own name to 127.0.0.1, never these.
DEFAULT_ALLOWED_HOSTS = ("localhost", "127.0.0.1", "[::1]")
#: Largest request line plus headers of one request, in bytes (a JWT and a few
#: cookies fit many times over; nginx's default is 32 KiB).
DEFAULT_MAX_HEADER_BYTES = 65_536
#: Seconds a client has to send a request's headers (from its first byte, or
#: from the connection's start), then its body: slow senders lose the connection.
DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
DEFAULT_BODY_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_FRAGMENTS = 100
DEFAULT_MAX_FRAGMENT_SPREADS = 500
#: The estimate of the events Sentry would send for one request: 16 MiB is
#: about eight pages of 100 full events (each ~1 s of one worker's CPU).
DEFAULT_MAX_UPSTREAM_BYTES = 16 * 1024 * 1024
#: One answer's JSON: a page of 100 full events with every field is ~2 MB.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
#: The parse cache keeps query texts (a document holds its source) up to this many bytes.
DEFAULT_PARSE_CACHE_BYTES = 4 * 1024 * 1024

_ORG_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class SettingsError(ValueError):
    """A setting has a value the gateway cannot use; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    """The gateway's configuration. `sentry_base_url` of None means demo mode."""

    sentry_base_url: str | None = None
    sentry_org: str | None = None
    sentry_auth_token: str | None = None
    sentry_timeout: float = DEFAULT_TIMEOUT_SECONDS
    sentry_max_retries: int = DEFAULT_MAX_RETRIES
    request_deadline: float = DEFAULT_DEADLINE_SECONDS
    max_upstream_concurrency: int = DEFAULT_MAX_CONCURRENCY
    max_upstream_calls: int = DEFAULT_MAX_UPSTREAM_CALLS
    max_depth: int = DEFAULT_MAX_DEPTH
    max_aliases: int = DEFAULT_MAX_ALIASES
    max_tokens: int = DEFAULT_MAX_TOKENS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    introspection: bool = True
    graphiql: bool = True
    cors_origins: tuple[str, ...] = ()
    cursor_secret: str | None = None
    metrics: bool = True
    access_log: bool = True
    otel: bool = False
    readiness_cache: float = DEFAULT_READINESS_CACHE_SECONDS
    max_fragments: int = DEFAULT_MAX_FRAGMENTS
    max_fragment_spreads: int = DEFAULT_MAX_FRAGMENT_SPREADS
    max_upstream_bytes: int = DEFAULT_MAX_UPSTREAM_BYTES
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    parse_cache_bytes: int = DEFAULT_PARSE_CACHE_BYTES
    #: Per-caller request rates, as (requests, per seconds); None is no limit.
    #: One is kept per credential fingerprint, the other per client address.
    rate_limit_credential: tuple[int, float] | None = None
    rate_limit_address: tuple[int, float] | None = None
    #: The cyclic garbage collector's thresholds in a serving process; None
    #: keeps Python's own (700, 10, 10). See `gateway.serving`.
    gc_threshold: tuple[int, int, int] | None = DEFAULT_GC_THRESHOLD
    #: Largest answer body accepted from Sentry, on the wire and decoded.
    upstream_max_bytes: int = DEFAULT_UPSTREAM_MAX_BYTES
    #: Offer HTTP/2 to Sentry (needs the ``h2`` package: ``pip install 'httpx[http2]'``).
    upstream_http2: bool = False
    #: Connections to Sentry per worker (`DEFAULT_UPSTREAM_CONNECTIONS`); more
    #: calls at once wait for one. Over HTTP/2 each carries many calls.
    upstream_connections: int = DEFAULT_UPSTREAM_CONNECTIONS
    #: Host names (Starlette's `TrustedHostMiddleware` patterns) `/graphql` answers.
    allowed_hosts: tuple[str, ...] = DEFAULT_ALLOWED_HOSTS
    #: A caller presenting this in ``X-Router-Secret`` (a federation router) may
    #: read ``_service { sdl }`` while introspection is off.
    router_secret: str | None = None
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    header_timeout: float = DEFAULT_HEADER_TIMEOUT_SECONDS
    body_timeout: float = DEFAULT_BODY_TIMEOUT_SECONDS
    #: True when ``GATEWAY_DEMO`` (or ``serve --demo``) asked for the demo:
    #: `serve` refuses to fall into demo mode only because SENTRY_BASE_URL is unset.
    demo_requested: bool = False
    #: How many worker processes serve together (set by ``serve`` for its
    #: workers): each keeps to its share of Sentry's per-credential concurrency.
    worker_count: int = 1

    @property
    def demo(self) -> bool:
        """True when the gateway serves the embedded demo upstream."""
        return self.sentry_base_url is None

    @property
    def mode(self) -> str:
        """``"demo"`` or ``"sentry"``, as `/healthz` reports it."""
        return "demo" if self.demo else "sentry"

    def __repr__(self) -> str:  # never print the token or the cursor secret
        return (
            f"Settings(mode={self.mode!r}, sentry_base_url={_display_url(self.sentry_base_url)!r}, "
            f"sentry_org={self.sentry_org!r}, sentry_auth_token={'***' if self.sentry_auth_token else None}, "
            f"sentry_timeout={self.sentry_timeout}, sentry_max_retries={self.sentry_max_retries}, "
            f"request_deadline={self.request_deadline}, "
            f"max_upstream_concurrency={self.max_upstream_concurrency})"
        )


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    base_url = _base_url(_get(env, "SENTRY_BASE_URL"))
    demo_requested = _flag(env, "GATEWAY_DEMO")
    if demo_requested:
        base_url = None
    return Settings(
        sentry_base_url=base_url,
        sentry_org=_org(_get(env, "SENTRY_ORG")),
        sentry_auth_token=_get(env, "SENTRY_AUTH_TOKEN"),
        sentry_timeout=_positive_float(env, "SENTRY_TIMEOUT", DEFAULT_TIMEOUT_SECONDS),
        sentry_max_retries=_int_in(env, "SENTRY_MAX_RETRIES", DEFAULT_MAX_RETRIES, 0, 10),
        request_deadline=_positive_float(env, "GATEWAY_REQUEST_DEADLINE", DEFAULT_DEADLINE_SECONDS),
        max_upstream_concurrency=_int_in(
            env, "GATEWAY_MAX_UPSTREAM_CONCURRENCY", DEFAULT_MAX_CONCURRENCY, 1, 100
        ),
        max_upstream_calls=_int_in(
            env, "GATEWAY_MAX_UPSTREAM_CALLS", DEFAULT_MAX_UPSTREAM_CALLS, 1, 10_000
        ),
        max_depth=_int_in(env, "GATEWAY_MAX_DEPTH", DEFAULT_MAX_DEPTH, 2, 100),
        max_aliases=_int_in(env, "GATEWAY_MAX_ALIASES", DEFAULT_MAX_ALIASES, 1, 10_000),
        max_tokens=_int_in(env, "GATEWAY_MAX_TOKENS", DEFAULT_MAX_TOKENS, 100, 1_000_000),
        max_body_bytes=_int_in(
            env, "GATEWAY_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, 1_000, 100_000_000
        ),
        introspection=_flag(env, "GATEWAY_INTROSPECTION", default=True),
        graphiql=_flag(env, "GATEWAY_GRAPHIQL", default=True),
        cors_origins=_origins(_get(env, "GATEWAY_CORS_ORIGINS")),
        cursor_secret=_get(env, "GATEWAY_CURSOR_SECRET"),
        metrics=_flag(env, "GATEWAY_METRICS", default=True),
        access_log=_flag(env, "GATEWAY_ACCESS_LOG", default=True),
        otel=_flag(env, "GATEWAY_OTEL", default=_get(env, "OTEL_EXPORTER_OTLP_ENDPOINT") is not None),
        readiness_cache=_positive_float(
            env, "GATEWAY_READINESS_CACHE", DEFAULT_READINESS_CACHE_SECONDS
        ),
        max_fragments=_int_in(env, "GATEWAY_MAX_FRAGMENTS", DEFAULT_MAX_FRAGMENTS, 1, 10_000),
        max_fragment_spreads=_int_in(
            env, "GATEWAY_MAX_FRAGMENT_SPREADS", DEFAULT_MAX_FRAGMENT_SPREADS, 1, 100_000
        ),
        max_upstream_bytes=_int_in(
            env, "GATEWAY_MAX_UPSTREAM_BYTES", DEFAULT_MAX_UPSTREAM_BYTES, 100_000, 10**12
        ),
        max_response_bytes=_int_in(
            env, "GATEWAY_MAX_RESPONSE_BYTES", DEFAULT_MAX_RESPONSE_BYTES, 100_000, 10**12
        ),
        parse_cache_bytes=_int_in(
            env, "GATEWAY_PARSE_CACHE_BYTES", DEFAULT_PARSE_CACHE_BYTES, 0, 10**10
        ),
        rate_limit_credential=_rate(env, "GATEWAY_RATE_LIMIT_PER_CREDENTIAL"),
        rate_limit_address=_rate(env, "GATEWAY_RATE_LIMIT_PER_ADDRESS"),
        gc_threshold=_gc_threshold(_get(env, "GATEWAY_GC_THRESHOLD")),
        upstream_max_bytes=_int_in(
            env, "GATEWAY_UPSTREAM_MAX_BYTES", DEFAULT_UPSTREAM_MAX_BYTES, 100_000, 2**31 - 1
        ),
        upstream_http2=_http2(env),
        upstream_connections=_int_in(
            env, "GATEWAY_UPSTREAM_CONNECTIONS", DEFAULT_UPSTREAM_CONNECTIONS, 1, 1_000
        ),
        worker_count=_int_in(env, "GATEWAY_WORKER_COUNT", 1, 1, 1024),
        allowed_hosts=_hosts(_get(env, "GATEWAY_ALLOWED_HOSTS")),
        router_secret=_get(env, "GATEWAY_ROUTER_SECRET"),
        max_header_bytes=_int_in(
            env, "GATEWAY_MAX_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES, 1_024, 1_048_576
        ),
        header_timeout=_positive_float(env, "GATEWAY_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT_SECONDS),
        body_timeout=_positive_float(env, "GATEWAY_BODY_TIMEOUT", DEFAULT_BODY_TIMEOUT_SECONDS),
        demo_requested=demo_requested,
    )


def require_deliberate_mode(settings: Settings) -> None:
    """Refuse to serve synthetic data only because SENTRY_BASE_URL is missing.

    A production gateway whose variable went missing must fail to start, not
    answer with the demo's made-up events.
    """
    if settings.demo and not settings.demo_requested:
        raise SettingsError(
            "SENTRY_BASE_URL is not set. Set it to your Sentry (for example "
            "SENTRY_BASE_URL=https://sentry.io), or serve the embedded demo upstream's "
            "synthetic data on purpose with `serve --demo` or GATEWAY_DEMO=1."
        )


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _flag(env: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    text = (_get(env, name) or "").lower()
    if text == "":
        return default
    if text in ("0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} must be 1/true/yes/on or 0/false/no/off, not {text!r}")


def _hosts(value: str | None) -> tuple[str, ...]:
    """A comma-separated list of host names (``api.example.com``, ``*.example.com``, ``*``)."""
    if value is None:
        return DEFAULT_ALLOWED_HOSTS
    hosts = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    for host in hosts:
        name = host[2:] if host.startswith("*.") else host
        if host != "*" and not _HOST_NAME.match(name):
            raise SettingsError(
                "GATEWAY_ALLOWED_HOSTS holds host names without scheme or port, such as "
                f"api.example.com, *.example.com, 127.0.0.1, [::1] or *, not {host!r}"
            )
    return hosts


_HOST_NAME = re.compile(r"^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$")


def _origins(value: str | None) -> tuple[str, ...]:
    """A comma-separated CORS allow-list of origins (``*`` for any)."""
    if value is None:
        return ()
    origins = tuple(part.strip().rstrip("/") for part in value.split(",") if part.strip())
    for origin in origins:
        parts = urlsplit(origin)
        if origin != "*" and (parts.scheme not in ("http", "https") or not parts.hostname or parts.path):
            raise SettingsError(
                f"GATEWAY_CORS_ORIGINS holds origins such as https://app.example.com, not {origin!r}"
            )
    return origins


def _base_url(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            "SENTRY_BASE_URL must be an http(s) URL such as https://sentry.io or "
            f"http://127.0.0.1:9000, not {_display_url(value)!r}"
        )
    if parts.query or parts.fragment:
        raise SettingsError("SENTRY_BASE_URL must not carry a query string or fragment")
    if parts.username or parts.password:
        raise SettingsError(
            "SENTRY_BASE_URL must not carry credentials; set SENTRY_AUTH_TOKEN instead"
        )
    try:
        parts.port  # noqa: B018 - reading it raises ValueError for a bad port
    except ValueError:
        raise SettingsError(
            f"SENTRY_BASE_URL has a port that is not a number from 0 to 65535: {_display_url(value)!r}"
        ) from None
    if not value.isascii() or any(char.isspace() for char in value):
        raise SettingsError(
            "SENTRY_BASE_URL must be ASCII without spaces (a host in its xn-- form, a path "
            f"percent-encoded), not {_display_url(value)!r}"
        )
    path = parts.path.rstrip("/")
    if path.endswith("/api/0"):
        raise SettingsError(
            "SENTRY_BASE_URL is the site's root (e.g. https://sentry.io), without /api/0"
        )
    return f"{parts.scheme}://{parts.netloc}{path}"


def _org(value: str | None) -> str | None:
    if value is not None and not _ORG_SLUG.match(value):
        raise SettingsError(
            f"SENTRY_ORG must be an organization slug or numeric id, not {value!r}"
        )
    return value


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    text = _get(env, name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {text!r}") from None
    if not (0 < value <= 3600):
        raise SettingsError(f"{name} must be more than 0 and at most 3600 seconds, not {text!r}")
    return value


def _int_in(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    text = _get(env, name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {text!r}") from None
    if not (low <= value <= high):
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _http2(env: Mapping[str, str]) -> bool:
    """``GATEWAY_UPSTREAM_HTTP2``: refused at start-up when ``h2`` is not installed."""
    if not _flag(env, "GATEWAY_UPSTREAM_HTTP2"):
        return False
    try:
        import h2  # noqa: F401
    except ImportError:
        raise SettingsError(
            "GATEWAY_UPSTREAM_HTTP2=1 needs the h2 package: pip install 'sentry-events-gateway[http2]'"
        ) from None
    return True


_RATE = re.compile(r"^(\d{1,9})\s*/\s*(\d{1,7}(?:\.\d{1,3})?)\s*s?$")


def _rate(env: Mapping[str, str], name: str) -> tuple[int, float] | None:
    """``"120/60"``: at most 120 requests in any 60 seconds (a bucket of 120
    refilled at 2 a second); unset, ``0`` or ``off``: no limit."""
    text = _get(env, name)
    if text is None or text.lower() in ("0", "off", "none"):
        return None
    match = _RATE.match(text)
    if match is None or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise SettingsError(
            f"{name} must be 'requests/seconds' such as 120/60 (or off), not {text!r}"
        )
    return int(match.group(1)), float(match.group(2))


def _gc_threshold(value: str | None) -> tuple[int, int, int] | None:
    """``"10000,10,10"`` (generation 0, 1, 2 thresholds) or ``python`` for Python's defaults."""
    if value is None:
        return DEFAULT_GC_THRESHOLD
    if value.lower() == "python":
        return None
    parts = [part.strip() for part in value.split(",")]
    try:
        numbers = tuple(int(part) for part in parts)
    except ValueError:
        numbers = ()
    if len(numbers) != 3 or not 1 <= numbers[0] <= 10_000_000 or not all(1 <= n <= 1_000 for n in numbers[1:]):
        raise SettingsError(
            f"GATEWAY_GC_THRESHOLD must be three integers 'gen0,gen1,gen2' (gen0 1-10000000, "
            f"the others 1-1000) or 'python', not {value!r}"
        )
    return numbers


def _display_url(url: str | None) -> str | None:
    """The URL without any user:password part, for messages and logs."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.password or parts.username:
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        return parts._replace(netloc=netloc).geturl()
    return url
