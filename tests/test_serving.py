"""How `serve` runs its workers: how many by default, shared metrics, the collector's tuning."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from gateway.serving import _cgroup_cpu_quota, available_cpus
from gateway.settings import SettingsError, load_settings

from .test_serve import free_port, serving

QUERY = '{ issue(id: "2") { events(first: 2) { nodes { eventID } } } }'


@pytest.mark.parametrize(
    ("text", "cpus"),
    [("max 100000\n", None), ("200000 100000\n", 2), ("50000 100000\n", 1), ("350000 100000", 3), ("junk", None)],
)
def test_a_cgroup_cpu_quota_reads_as_whole_cpus(tmp_path: Path, text: str, cpus: int | None) -> None:
    path = tmp_path / "cpu.max"
    path.write_text(text)
    assert _cgroup_cpu_quota(path) == cpus


def test_a_missing_cgroup_file_is_no_quota(tmp_path: Path) -> None:
    assert _cgroup_cpu_quota(tmp_path / "absent") is None


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
def test_available_cpus_follows_the_affinity_mask() -> None:
    code = "from gateway.serving import available_cpus; print(available_cpus())"
    pinned = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert pinned.stdout.strip() == "1", pinned.stderr


def _served_gc_state(env: dict[str, str]) -> tuple[tuple[int, ...], int]:
    code = (
        "import gc; from gateway.serving import create_served_app; create_served_app(); "
        "print(gc.get_threshold(), gc.get_freeze_count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env={"GATEWAY_DEMO": "1", **env}
    )
    assert result.returncode == 0, result.stderr
    threshold, frozen = re.fullmatch(r"\((.*)\) (\d+)\n", result.stdout).groups()  # type: ignore[union-attr]
    return tuple(int(n) for n in threshold.split(",")), int(frozen)


def test_a_served_worker_tunes_the_collector_and_freezes_start_up_objects() -> None:
    threshold, frozen = _served_gc_state({})
    assert threshold == (10_000, 10, 10)
    assert frozen > 10_000  # the imported modules, the schema, the app


def test_the_collector_tuning_follows_the_setting() -> None:
    assert _served_gc_state({"GATEWAY_GC_THRESHOLD": "50000,20,5"})[0] == (50_000, 20, 5)
    threshold, frozen = _served_gc_state({"GATEWAY_GC_THRESHOLD": "python"})
    assert threshold == (700, 10, 10) and frozen == 0


@pytest.mark.parametrize("text", ["1,2", "a,b,c", "0,10,10", "10000,10,0", "10000,10,10,10"])
def test_a_bad_gc_threshold_names_the_setting(text: str) -> None:
    with pytest.raises(SettingsError, match="GATEWAY_GC_THRESHOLD"):
        load_settings({"GATEWAY_GC_THRESHOLD": text})


def test_default_workers_share_one_metrics_registry() -> None:
    """Without --workers, serve starts one worker per CPU; /metrics adds all of them up."""
    with serving(["serve", "--demo"], free_port()) as base:
        with httpx.Client(base_url=base, timeout=30) as http:
            for _ in range(12):  # spread over the workers by the kernel
                assert "errors" not in http.post("/graphql", json={"query": QUERY}).json()
            scrapes = {_requests_served(http.get("/metrics").text) for _ in range(4)}
    assert scrapes == {12}  # every scrape, whichever worker answers, counts all 12
    started = re.findall(r"Started server process \[(\d+)\]", serving.last_output)  # type: ignore[attr-defined]
    assert len(set(started)) == available_cpus(), serving.last_output  # type: ignore[attr-defined]


def _requests_served(exposition: str) -> int:
    total = 0
    for line in exposition.splitlines():
        if line.startswith("gateway_graphql_requests_total{"):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total
