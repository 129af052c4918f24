"""Which ``SENTRY_*`` / ``GATEWAY_*`` variables the gateway reads, and which it would ignore.

A misspelled variable (``SENTRY_ORGANIZATION``, ``GATEWAY_INTROSPECT``) is
otherwise silently ignored and the gateway runs with the default.
``serve`` warns about each unknown one at start-up, naming the closest known
name. The known names are learned by running `load_settings` over an empty
environment that records what it is asked for, so this list cannot drift
from the settings themselves.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from gateway.ide.assets import ENV_VAR as IDE_ASSETS_VARIABLE
from gateway.settings import load_settings

__all__ = ["known_variables", "unknown_variable_warnings"]

PREFIXES = ("SENTRY_", "GATEWAY_")

#: What ``serve`` takes as flags, not variables (``GATEWAY_PORT`` -> ``--port``).
FLAGS = frozenset({"host", "port", "workers", "graceful-timeout"})

#: Read outside `load_settings`: the GraphiQL assets folder, and the browser tests' Chromium.
OTHER_VARIABLES = frozenset({IDE_ASSETS_VARIABLE, "GATEWAY_TEST_CHROMIUM"})


class _Recording(Mapping[str, str]):
    """An empty environment that remembers every name looked up in it."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.names.add(name)
        raise KeyError(name)

    def get(self, name: str, default: object = None) -> object:  # type: ignore[override]
        self.names.add(name)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def known_variables() -> frozenset[str]:
    """Every ``SENTRY_*`` / ``GATEWAY_*`` name the gateway reads."""
    recording = _Recording()
    load_settings(recording)
    return frozenset(n for n in recording.names if n.startswith(PREFIXES)) | OTHER_VARIABLES


def unknown_variable_warnings(environ: Mapping[str, str]) -> list[str]:
    """One line per ``SENTRY_*`` / ``GATEWAY_*`` variable set in `environ` that nothing reads."""
    known = known_variables()
    lines = []
    for name in sorted(environ):
        if not name.startswith(PREFIXES) or name in known:
            continue
        close = closest_known(name, known)
        flag = name.partition("_")[2].lower().replace("_", "-")
        if flag in FLAGS:
            hint = f"use `serve --{flag}` instead"
        elif close:
            hint = f"did you mean {close}?"
        else:
            hint = "the settings are listed in docs/configuration.md"
        lines.append(f"{name} is set but the gateway does not read it (ignored): {hint}")
    return lines


def closest_known(name: str, known: frozenset[str]) -> str | None:
    """The known name `name` was most likely meant to be, or None.

    With the same prefix, a name whose words contain or extend the other's
    (``SENTRY_URL`` -> ``SENTRY_BASE_URL``, ``SENTRY_ORGANIZATION`` ->
    ``SENTRY_ORG``) wins; else the closest spelling (``GATEWAY_MAX_DEPHT``).
    """
    prefix = next(p for p in PREFIXES if name.startswith(p))
    rest = name[len(prefix) :]
    words = set(rest.split("_"))
    candidates = sorted(k for k in known if k.startswith(prefix))
    for candidate in candidates:
        other = candidate[len(prefix) :]
        if words <= set(other.split("_")) or rest.startswith(other) or other.startswith(rest):
            return candidate
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.8)
    return close[0] if close else None
