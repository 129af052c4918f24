"""The command line: ``serve`` and ``export-schema`` (and the demo upstream alone).

Settings come from the environment; flags only choose how to listen. A bad
setting stops start-up with one clear line instead of a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from gateway import __version__
from gateway.settings import Settings, SettingsError, load_settings, require_deliberate_mode

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    #: Only a real command line may be re-executed (`_serve`), never a caller's process.
    args.command_line = argv is None
    try:
        return int(args.run(args) or 0)
    except SettingsError as exc:
        print(f"sentry-events-gateway: configuration error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sentry-events-gateway",
        description="A GraphQL gateway over Sentry's issue events.",
        epilog=f"Settings come from environment variables; see {DOCS}.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the gateway under uvicorn",
        description="Run the gateway under uvicorn: against the Sentry at SENTRY_BASE_URL, or "
        "against the embedded demo upstream (--demo).",
        epilog=SERVE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="worker processes (default: the CPUs this process may use, from its affinity "
        "mask and cgroup quota)",
    )
    serve.add_argument(
        "--graceful-timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="on SIGTERM/SIGINT, stop accepting connections and give in-flight requests "
        "this long to finish (default 20)",
    )
    serve.add_argument(
        "--demo",
        action="store_true",
        help="serve the embedded demo upstream's synthetic data (needed when SENTRY_BASE_URL "
        "is unset; same as GATEWAY_DEMO=1) (default: off)",
    )
    serve.set_defaults(run=_serve)

    export = commands.add_parser(
        "export-schema", help="print the schema's SDL", description="Print the schema's SDL."
    )
    export.add_argument(
        "--federation",
        action="store_true",
        help="print the Apollo Federation 2 subgraph SDL (subgraph.graphql) instead of the "
        "client-facing API (schema.graphql) (default: off)",
    )
    export.set_defaults(run=_export_schema)

    demo = commands.add_parser(
        "demo-upstream",
        help="run only the embedded Sentry-compatible demo upstream",
        description="Run only the embedded Sentry-compatible demo upstream (for tools and "
        "benchmarks); point a gateway at it with SENTRY_BASE_URL=http://HOST:PORT.",
    )
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=9000, help="port to listen on (default 9000)")
    demo.add_argument(
        "--faults",
        action="store_true",
        help="enable fault injection (/_demo/faults, loopback callers only) (default: off)",
    )
    demo.add_argument(
        "--brownout",
        action="store_true",
        help="start with the deprecated unscoped routes (/api/0/issues/...) answering 410, as "
        "during Sentry's brownouts (switch at run time with /_demo/brownout, loopback only) "
        "(default: off)",
    )
    demo.set_defaults(run=_demo_upstream)
    return parser


#: Where the settings are documented (in the source tree; the wheel holds no docs).
DOCS = "docs/configuration.md and the README's Configuration table"

SERVE_EPILOG = f"""\
main environment variables:
  SENTRY_BASE_URL    Sentry's root URL, e.g. https://sentry.io (required unless --demo)
  SENTRY_ORG         organization slug; needed for short ids such as PROJ-1A (default: unset)
  SENTRY_AUTH_TOKEN  token sent as "Authorization: Bearer <token>" for callers that send
                     no Authorization header (default: unset)
  GATEWAY_GRAPHIQL   0 stops serving GraphiQL at /graphql (default: 1)
  GATEWAY_IDE_ASSETS folder of GraphiQL's files from `python -m gateway.ide fetch`
                     (default: gateway/ide/static; else the page loads them from a CDN)

All the variables, and what each accepts: {DOCS}
"""


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _serve(args: argparse.Namespace) -> int:
    """Check the settings here, then run uvicorn, whose workers build the app themselves.

    What the flags decide reaches the workers through the environment, set only
    for as long as this call runs (`_environment`): with ``--workers`` above 1
    uvicorn spawns fresh interpreters that import ``create_served_app`` by name
    and call it with no arguments, so the environment they inherit is the only
    channel to them (one worker runs the same factory, for the same code path).
    ``PYTHONMALLOC`` must be in place before the interpreter starts: the
    process re-executes itself with it (only from a real command line).
    """
    import uvicorn

    from gateway.serving import available_cpus

    with _environment(GATEWAY_DEMO="1" if args.demo else None):
        settings = load_settings()  # fail now, in the parent, with a clear message
        require_deliberate_mode(settings)  # no synthetic data because a variable went missing
        if args.command_line and "PYTHONMALLOC" not in os.environ:
            # Workers allocate through glibc's malloc, so the memory of a burst of
            # big answers goes back to the system (see `gateway.serving`); set
            # PYTHONMALLOC=pymalloc to keep CPython's own allocator instead.
            # Chosen by measurement (bench/RESULTS.md, session 5): pymalloc is
            # faster per request, but after the hostile soak (bench/hostile.py) it
            # leaves RSS well above issue 13's bound of 20% over the baseline,
            # where malloc stays within it. glibc's bigger per-thread caches
            # (GLIBC_TUNABLES tcache_count) win back part of the speed but keep
            # freed memory too, so they are not set either.
            os.environ["PYTHONMALLOC"] = "malloc"
            os.execv(sys.executable, [sys.executable, "-m", "gateway", *sys.argv[1:]])
        _start_up_report(settings)
        workers = args.workers or available_cpus()
        # Each worker keeps to its share of Sentry's limits.
        with _environment(GATEWAY_WORKER_COUNT=str(workers)), _metrics_directory(workers, settings.metrics):
            uvicorn.run(
                "gateway.serving:create_served_app",
                factory=True,
                # httptools with a header size limit and header/body read timeouts
                http="gateway.http_guard:GuardedHttpToolsProtocol",
                host=args.host,
                port=args.port,
                workers=workers,
                log_level="info",
                timeout_graceful_shutdown=args.graceful_timeout,
                access_log=False,  # the gateway writes its own JSON access log (gateway.access)
                log_config=_log_config(),
            )
    return 0


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set these variables (None: leave as is) for the workers, restored on the way out."""
    saved = {name: os.environ.get(name) for name, value in values.items() if value is not None}
    os.environ.update({name: value for name, value in values.items() if value is not None})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _start_up_report(settings: Settings) -> None:
    """What the operator should know before the first request, one line each, never fatal:
    ignored variables, GraphiQL's CDN dependence, and whether Sentry and the credential work."""
    from gateway.environment import unknown_variable_warnings

    for line in unknown_variable_warnings(os.environ):
        _note(f"warning: {line}")
    if settings.graphiql:
        from gateway.ide import assets

        if assets.load_manifest() is None:
            _note(
                "GraphiQL loads its scripts from a CDN (unpkg.com); without internet access the "
                "page cannot start. To serve them from the gateway, run: python -m gateway.ide fetch"
            )
    if not settings.demo:
        _note(_readiness_line(settings))


def _readiness_line(settings: Settings) -> str:
    import asyncio

    from gateway.app import _upstream
    from gateway.readiness import Readiness, startup_line

    readiness = Readiness(demo=False, org=settings.sentry_org, token=settings.sentry_auth_token)
    try:
        return asyncio.run(startup_line(readiness, _upstream(settings, None), settings.sentry_base_url or ""))
    except Exception as exc:  # noqa: BLE001 - never fatal: Sentry may simply be down
        return f"Sentry at {settings.sentry_base_url}: not checked ({type(exc).__name__}: {exc})"


def _note(line: str) -> None:
    print(f"sentry-events-gateway: {line}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _metrics_directory(workers: int, metrics: bool) -> Iterator[None]:
    """With several workers, a shared Prometheus directory so `/metrics` adds them all up.

    Only when the operator has not set ``PROMETHEUS_MULTIPROC_DIR``: a fresh
    temporary directory, removed when the server stops.
    """
    if workers == 1 or not metrics or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="sentry-events-gateway-metrics-") as directory:
        with _environment(PROMETHEUS_MULTIPROC_DIR=directory):
            yield


def _log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the gateway's loggers (access lines are bare JSON on stdout)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["gateway_json"] = {"format": "%(message)s"}
    config["handlers"]["gateway_access"] = {
        "class": "logging.StreamHandler",
        "formatter": "gateway_json",
        "stream": "ext://sys.stdout",
    }
    config["loggers"]["gateway"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["gateway.access"] = {
        "handlers": ["gateway_access"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def _export_schema(args: argparse.Namespace) -> int:
    from gateway.schema import export_sdl

    sys.stdout.write(export_sdl(federation=args.federation))
    return 0


def _demo_upstream(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.demo import create_demo_app

    uvicorn.run(create_demo_app(faults=args.faults, brownout=args.brownout), host=args.host, port=args.port, log_level="info")
    return 0
