"""Metrics, access logs, request ids and optional tracing.

Nothing here imports the app or the schema: the REST layer (loaders, the
instrumented transport) may use it, so it sits below them. `Observation` is
the per-request record every layer adds to (operation name, error codes,
upstream calls); the access-log middleware creates it and reads it at the end.
"""

from __future__ import annotations

from .context import Observation, current_observation

__all__ = ["Observation", "current_observation"]
