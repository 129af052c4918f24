"""The compatibility module and the compiled path's fallbacks (`gateway.compat`, issue 12).

* The installed strawberry and graphql-core pass every check (so a release
  that changes a private name fails here, in the newest-release CI run too).
* The benchmark's queries (`bench/run.py`) run on the demo data without one
  fallback, and the compiled path really serves them (graphql-core's own
  completion is called far less often than once per event).
* A fallback at run time is counted by reason and an unexpected one logged;
  a library mismatch at import turns the compiled path off with a warning.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY

from gateway import compat
from gateway.schema.execution import compiled

from .conftest import running_gateway

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import run as bench_run  # noqa: E402

pytestmark = pytest.mark.anyio


def on_demo_data(query: str, store: Any, events: int) -> str:
    """The benchmark's query with issue ids its fast upstream has (2-11, 100-149)
    replaced by the demo's: in turn by issues holding at least `events` events,
    and every demo issue for ``issues(ids:)``."""
    big = sorted((i for i in store.issues if len(store.event_ids(i)) >= events), key=int)
    assert big, "the demo has no issue this large"
    ids = iter(big * 10)
    query = re.sub(r'issue\(id: "(\d+)"\)', lambda m: m[0] if m[1] in big else f'issue(id: "{next(ids)}")', query)
    every = ", ".join(f'"{i}"' for i in sorted(store.issues, key=int))
    return re.sub(r"issues\(ids: \[[^\]]*\]\)", f"issues(ids: [{every}])", query)


def fallbacks() -> dict[str, float]:
    """gateway_compiled_fallbacks_total by reason, as /metrics would show it."""
    counts: dict[str, float] = {}
    for metric in REGISTRY.collect():
        if metric.name == "gateway_compiled_fallbacks":
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    counts[sample.labels["reason"]] = sample.value
    return counts


def new_fallbacks(before: dict[str, float]) -> dict[str, float]:
    return {reason: n - before.get(reason, 0.0) for reason, n in fallbacks().items() if n != before.get(reason, 0.0)}


class CountingCompletion:
    """Counts calls of graphql-core's own completion (the compiled path's super())."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = compat.StrawberryExecutionContext.complete_value

        def counting(context: Any, *args: Any) -> Any:
            self.calls += 1
            return original(context, *args)

        monkeypatch.setattr(compat.StrawberryExecutionContext, "complete_value", counting)


#: strawberry modules that are public API; any other strawberry or graphql-core
#: submodule, and any name starting with ``_``, is private.
PUBLIC_STRAWBERRY = re.compile(
    r"^strawberry(\.(types(\.\w+)?|extensions|federation(\.\w+)?|relay|scalars|schema|schema\.config"
    r"|asgi|http|printer|permission|schema_directive|directive|tools|exceptions))?$"
)


def private_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            module, names = node.module, [alias.name for alias in node.names]
            top = module.split(".")[0]
            underscore = any(name.startswith("_") for name in names)
            if (top == "graphql" and (module != "graphql" or underscore)) or (
                top == "strawberry" and (not PUBLIC_STRAWBERRY.match(module) or underscore)
            ):
                found.append(f"{path.relative_to(ROOT)}: from {module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            found += [
                f"{path.relative_to(ROOT)}: import {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] in ("graphql", "strawberry") and "." in alias.name
                and not PUBLIC_STRAWBERRY.match(alias.name)
            ]
    return found


def test_no_private_framework_name_outside_the_compat_module() -> None:
    """Only gateway/compat.py imports strawberry's or graphql-core's private names."""
    offenders = [
        line
        for path in sorted((ROOT / "gateway").rglob("*.py"))
        if path != ROOT / "gateway" / "compat.py"
        for line in private_imports(path)
    ]
    assert offenders == [], "import these through gateway/compat.py (checked there):\n" + "\n".join(offenders)
    assert private_imports(ROOT / "gateway" / "compat.py"), "the check sees compat's own imports"


def test_installed_libraries_pass_every_check() -> None:
    assert compat.COMPILED_PATH_PROBLEMS == ()
    assert compat.compiled_path_supported()
    assert compiled.execution_context_class() is compiled.CompiledExecutionContext


@pytest.mark.parametrize("workload", bench_run.WORKLOADS, ids=lambda w: w.name)
async def test_benchmark_queries_take_the_compiled_path_without_fallbacks(
    workload: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = CountingCompletion(monkeypatch)
    async with running_gateway() as gw:
        per_issue = max((int(n) for n in re.findall(r"first: (\d+)", workload.query)), default=0)
        query = on_demo_data(workload.query, gw.store, per_issue)
        before = fallbacks()
        data = await gw.data(query)
        assert new_fallbacks(before) == {}
        compiled_calls, counting.calls = counting.calls, 0
        # The same query with the compiled path off: graphql-core completes every field.
        monkeypatch.setattr(compat, "COMPILED_PATH_PROBLEMS", ("the reference run",))
        await gw.data(query)
        reference_calls = counting.calls
    assert bench_run.count_events(data) == workload.expect_events
    if workload.expect_events:
        # Events are plain data: compiled, graphql-core only completes the levels above them.
        assert compiled_calls * 4 < reference_calls, (compiled_calls, reference_calls)


async def test_a_selection_whose_fields_cannot_be_collected_is_counted() -> None:
    # @skip given an explicit null: graphql-core reports the error at its field.
    async with running_gateway() as gw:
        before = fallbacks()
        body = await gw.post(
            'query($skip: Boolean = false) { issue(id: "2") { events(first: 3) '
            "{ nodes { eventID @skip(if: $skip) } } } }",
            {"skip": None},
        )
    assert body.get("errors"), body
    assert list(new_fallbacks(before)) == ["variables"]


@pytest.mark.parametrize(
    ("failure", "reason", "logged"),
    [(compiled._GiveUp, "value", False), (KeyError, "error", True)],
    ids=["gives-up", "unexpected"],
)
async def test_a_completer_failure_is_counted_and_graphql_core_answers(
    failure: type[Exception],
    reason: str,
    logged: bool,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    query = '{ issue(id: "2") { %s: events(first: 5) { nodes { eventID title dateCreated } } } }'
    async with running_gateway() as gw:
        expected = await gw.data(query % "fine")

        def failing(*args: Any) -> Any:
            def complete_object(value: Any) -> Any:
                raise failure("not what the completer expects")

            return complete_object

        monkeypatch.setattr(compiled, "_object_completer", failing)
        monkeypatch.setattr(compiled, "_reported", set())
        before = fallbacks()
        with caplog.at_level(logging.WARNING, logger="gateway.compiled"):
            data = await gw.data(query % f"failing_{reason}")  # a new document: nothing cached
    assert data["issue"][f"failing_{reason}"] == expected["issue"]["fine"]
    counted = new_fallbacks(before)
    assert list(counted) == [reason] and counted[reason] >= 5, counted  # each level, each event
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.compiled"]
    if logged:
        assert len(warnings) == 1 and "Compiled completion failed completing" in warnings[0]
    else:
        assert warnings == []


def test_a_library_mismatch_turns_the_compiled_path_off_loudly() -> None:
    """A strawberry without `is_default_resolver` (as a release might rename it):
    a warning at import, every operation counted as ``disabled``, answers unchanged."""
    script = """
import strawberry.resolvers
del strawberry.resolvers.is_default_resolver
from gateway import compat
from gateway.schema import build_schema
from prometheus_client import REGISTRY
schema = build_schema()
for _ in range(2):
    result = schema.execute_sync('{ __typename }')
    assert result.errors is None and result.data == {"__typename": "Query"}, result
print(compat.COMPILED_PATH_PROBLEMS)
print(REGISTRY.get_sample_value("gateway_compiled_fallbacks_total", {"reason": "disabled"}))
"""
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    problems, disabled = done.stdout.strip().splitlines()
    assert "is_default_resolver" in problems
    assert float(disabled) == 2.0
    assert "Compiled completion is OFF" in done.stderr and "is_default_resolver" in done.stderr
