"""requirements.lock pins every package that pyproject.toml declares (and the test extra).

CI and the Docker image install with ``-c requirements.lock``; a dependency
added to pyproject.toml but not to the lock would be installed unpinned, at
whatever version is newest that day. Regenerate with the command in README.md.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (PEP 503)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(r) for r in project["dependencies"]}
    for requirements in project["optional-dependencies"].values():
        declared |= {_name(r) for r in requirements}
    pinned = {
        _name(line): line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line[0].isspace() and not line.startswith("#")
    }
    assert all("==" in line for line in pinned.values()), "the lock pins exact versions"
    missing = sorted(declared - set(pinned))
    assert not missing, (
        f"{missing} declared in pyproject.toml but not pinned in requirements.lock: "
        "regenerate it (README.md, 'To move the pins')"
    )
