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

What reference counting frees stays with the process, though: CPython's
allocator and glibc's ``malloc`` keep freed memory for reuse, so one burst of
big answers (sixteen full pages: ~40 MB of objects) left a worker's RSS at
its high-water mark for good, and with thresholds this high a full
collection (the only one that finds the executor's small cycles) came
rarely. Two things return it:

* ``serve`` runs its workers with ``PYTHONMALLOC=malloc`` (unless the
  operator set ``PYTHONMALLOC``): CPython's own allocator hands out 1 MiB
  arenas and gives one back only when every object in it is gone, so a few
  long-lived objects made during a big request (a cached document, a
  compiled completer) pin tens of megabytes; with malloc, freed memory can be
  trimmed. Measured on one worker, twenty 16-page answers then 200 small
  ones: RSS 49 -> 88 -> 83 MB with pymalloc, 50 -> 93 -> 55 MB with malloc.
* `MemoryKeeper`: once the worker has no request in flight (or at least
  every `MemoryKeeper.busy_interval` seconds under constant load), at most
  once per `MemoryKeeper.interval`, a full collection, then glibc is asked
  to give free pages back (``malloc_trim``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import time
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.app import create_app
from gateway.settings import Settings, load_settings, require_deliberate_mode

__all__ = ["MemoryKeeper", "available_cpus", "create_served_app", "tune_garbage_collector"]


def create_served_app() -> ASGIApp:
    """The app for one serving worker (uvicorn's factory), with the collector tuned."""
    settings = load_settings()
    require_deliberate_mode(settings)
    app = create_app(settings)
    tune_garbage_collector(settings)
    if settings.gc_threshold is None:
        return app
    return MemoryKeeper(app)


class MemoryKeeper:
    """ASGI wrapper: between requests, a full collection and freed memory handed back.

    Runs after a response, once no other request is in flight, at most once
    per `interval` seconds; under load that never pauses, at least every
    `busy_interval` seconds anyway. The collection walks only what requests
    allocated (the start-up objects are frozen), a few milliseconds.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        interval: float = 1.0,
        busy_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.interval = interval
        self.busy_interval = busy_interval
        self._clock = clock
        self._in_flight = 0
        self._last = clock()
        self._trim = _malloc_trim()
        #: Times memory was handed back (for tests and curiosity).
        self.runs = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.app, name)  # ``app.state`` and the like, for whoever asks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self._in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._in_flight -= 1
            self.maybe_run()

    def maybe_run(self) -> bool:
        """Collect and trim if it is time; True when it ran."""
        since = self._clock() - self._last
        if since < self.interval or (self._in_flight and since < self.busy_interval):
            return False
        gc.collect()
        if self._trim is not None:
            self._trim(0)
        self._last = self._clock()
        self.runs += 1
        return True


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None elsewhere (musl, macOS: nothing to call)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


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
