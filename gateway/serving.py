"""What a serving process sets up around the app: worker count and the garbage collector.

Kept out of `gateway.app` because it changes process-wide state: tests and
embedders that call `create_app` get an app and nothing else, while
``sentry-events-gateway serve`` builds each worker through
`create_served_app`.

The garbage collector matters here more than in most services. A page of 100
full events is about 1.9 MB of JSON, parsed into a few hundred thousand
dicts and lists; with Python's default thresholds (700, 10, 10) a request
triggers hundreds of generation-0 collections and several full ones, each
walking every live object. Measured in-process on a `full` page
(``bench/RESULTS.md``): a median of ~105 ms with the defaults against ~45 ms
with a generation-0 threshold of 10,000 and the start-up objects frozen out
of the collector's reach (`gc.freeze`). The request's objects are freed by
reference counting as soon as it ends; the collector only has cycles to
find, which this code does not create in bulk.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

from starlette.applications import Starlette

from gateway.app import create_app
from gateway.settings import Settings, load_settings, require_deliberate_mode

__all__ = ["available_cpus", "create_served_app", "tune_garbage_collector"]


def create_served_app() -> Starlette:
    """The app for one serving worker (uvicorn's factory), with the collector tuned."""
    settings = load_settings()
    require_deliberate_mode(settings)
    app = create_app(settings)
    tune_garbage_collector(settings)
    return app


def tune_garbage_collector(settings: Settings) -> None:
    """Apply `settings.gc_threshold` and freeze everything allocated so far.

    Freezing moves the imported modules, the schema and the app into a
    generation the collector never scans, so a full collection walks only
    what requests allocate.
    """
    if settings.gc_threshold is None:
        return
    gc.set_threshold(*settings.gc_threshold)
    gc.collect()
    gc.freeze()


def available_cpus() -> int:
    """CPUs this process may use: its affinity mask, bounded by a cgroup v2 CPU quota.

    ``serve`` starts this many workers by default. ``os.cpu_count()`` would
    count the host's CPUs inside a container limited to two, and ignore
    ``taskset``.
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    quota = _cgroup_cpu_quota(Path("/sys/fs/cgroup/cpu.max"))
    if quota is not None:
        cpus = min(cpus, quota)
    return max(1, cpus)


def _cgroup_cpu_quota(path: Path) -> int | None:
    """Whole CPUs allowed by a cgroup v2 ``cpu.max`` (``"200000 100000"`` -> 2), or None."""
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, int(quota) // int(period))
    except (ValueError, ZeroDivisionError):
        return None
