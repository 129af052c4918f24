"""The command line tells a newcomer what it takes: version, flags with defaults,
the main variables, and warnings about variables it would silently ignore."""

from __future__ import annotations

import pytest

from gateway import __version__
from gateway.cli import _parser, main
from gateway.environment import known_variables, unknown_variable_warnings


def help_text(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"sentry-events-gateway {__version__}"


def test_serve_help_lists_the_main_variables_and_the_docs(capsys) -> None:
    text = help_text(capsys, "serve")
    for name in ("SENTRY_BASE_URL", "SENTRY_ORG", "SENTRY_AUTH_TOKEN", "docs/configuration.md"):
        assert name in text


def test_every_flag_of_every_command_is_described_with_its_default() -> None:
    parser = _parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings} has no description"
            assert "default" in action.help, f"{name} {action.option_strings} does not give its default"


def test_every_variable_the_settings_read_is_known() -> None:
    known = known_variables()
    assert {"SENTRY_BASE_URL", "SENTRY_ORG", "SENTRY_AUTH_TOKEN", "GATEWAY_IDE_ASSETS", "GATEWAY_DEMO"} <= known


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [
        ("SENTRY_ORGANIZATION", "did you mean SENTRY_ORG?"),
        ("SENTRY_URL", "did you mean SENTRY_BASE_URL?"),
        ("SENTRY_TOKEN", "did you mean SENTRY_AUTH_TOKEN?"),
        ("GATEWAY_INTROSPECT", "did you mean GATEWAY_INTROSPECTION?"),
        ("GATEWAY_MAX_DEPHT", "did you mean GATEWAY_MAX_DEPTH?"),
        ("GATEWAY_PORT", "use `serve --port` instead"),
        ("SENTRY_DSN", "docs/configuration.md"),
    ],
)
def test_unknown_variables_are_named_with_the_closest_known_one(name: str, suggestion: str) -> None:
    (line,) = unknown_variable_warnings({name: "x", "SENTRY_ORG": "demo", "HOME": "/root"})
    assert line.startswith(f"{name} is set but the gateway does not read it")
    assert line.endswith(suggestion)


def test_serve_warns_at_start_up(monkeypatch, capsys) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setenv("SENTRY_ORGANISATION", "acme")
    monkeypatch.setenv("GATEWAY_DEMO", "1")  # as --demo does, but undone after the test
    assert main(["serve", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning: SENTRY_ORGANISATION is set but the gateway does not read it (ignored): did you mean SENTRY_ORG?" in err


def test_serve_on_the_demo_says_how_to_serve_graphiql_offline(monkeypatch, capsys, tmp_path) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: None)
    monkeypatch.setenv("GATEWAY_IDE_ASSETS", str(tmp_path))  # an empty folder: no local assets
    monkeypatch.setenv("GATEWAY_DEMO", "1")  # as --demo does, but undone after the test
    assert main(["serve", "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "python -m gateway.ide fetch" in err and "CDN" in err


def test_serve_hands_its_settings_to_the_workers_and_leaves_the_environment_as_it_was(monkeypatch) -> None:
    """uvicorn's workers import the app factory by name and read the environment:
    what the flags decide is there while uvicorn runs, and gone once it returns."""
    import os

    import uvicorn

    seen: dict[str, str | None] = {}

    def run(*args: object, **kwargs: object) -> None:
        for name in ("GATEWAY_DEMO", "GATEWAY_WORKER_COUNT", "PROMETHEUS_MULTIPROC_DIR"):
            seen[name] = os.environ.get(name)

    monkeypatch.setattr(uvicorn, "run", run)
    for name in ("GATEWAY_DEMO", "GATEWAY_WORKER_COUNT", "PROMETHEUS_MULTIPROC_DIR", "SENTRY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    before = dict(os.environ)
    assert main(["serve", "--demo", "--workers", "2"]) == 0
    assert seen["GATEWAY_DEMO"] == "1" and seen["GATEWAY_WORKER_COUNT"] == "2"
    assert seen["PROMETHEUS_MULTIPROC_DIR"]  # several workers add up their metrics there
    assert dict(os.environ) == before
    # A value the operator set is kept, and restored as it was.
    monkeypatch.setenv("GATEWAY_WORKER_COUNT", "9")
    assert main(["serve", "--demo", "--workers", "1"]) == 0
    assert seen["GATEWAY_WORKER_COUNT"] == "1" and os.environ["GATEWAY_WORKER_COUNT"] == "9"
