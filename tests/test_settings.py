"""Settings are read once and validated with messages that name the variable."""

from __future__ import annotations

import pytest

from gateway.settings import SettingsError, load_settings


def test_no_base_url_means_demo_mode() -> None:
    settings = load_settings({})
    assert settings.demo and settings.mode == "demo"
    assert settings.sentry_timeout == 10 and settings.sentry_max_retries == 2


def test_a_base_url_means_sentry_mode_and_is_normalised() -> None:
    settings = load_settings({"SENTRY_BASE_URL": "https://de.sentry.io/", "SENTRY_ORG": "acme"})
    assert settings.mode == "sentry"
    assert settings.sentry_base_url == "https://de.sentry.io"
    assert settings.sentry_org == "acme"


def test_gateway_demo_forces_demo_mode() -> None:
    settings = load_settings({"SENTRY_BASE_URL": "https://sentry.io", "GATEWAY_DEMO": "1"})
    assert settings.demo


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SENTRY_BASE_URL": "sentry.io"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "ftp://sentry.io"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "https://sentry.io/api/0/"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "https://sentry.io/?x=1"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "https://sentry.io:99999"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "https://sentry.io:port"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "https://bücher.example"}, "SENTRY_BASE_URL"),
        ({"SENTRY_BASE_URL": "https://sentry.example/my sentry"}, "SENTRY_BASE_URL"),
        ({"SENTRY_TIMEOUT": "soon"}, "SENTRY_TIMEOUT"),
        ({"SENTRY_TIMEOUT": "0"}, "SENTRY_TIMEOUT"),
        ({"SENTRY_MAX_RETRIES": "-1"}, "SENTRY_MAX_RETRIES"),
        ({"SENTRY_MAX_RETRIES": "two"}, "SENTRY_MAX_RETRIES"),
        ({"SENTRY_ORG": "acme/../x"}, "SENTRY_ORG"),
        ({"GATEWAY_DEMO": "maybe"}, "GATEWAY_DEMO"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(env)


def test_credentials_in_the_base_url_are_refused_without_echoing_them() -> None:
    with pytest.raises(SettingsError) as info:
        load_settings({"SENTRY_BASE_URL": "https://user:hunter2@sentry.io"})
    assert "hunter2" not in str(info.value)


def test_repr_never_shows_the_token() -> None:
    settings = load_settings({"SENTRY_AUTH_TOKEN": "sntryu_secret", "GATEWAY_CURSOR_SECRET": "k"})
    assert "sntryu_secret" not in repr(settings)


@pytest.mark.parametrize(
    ("value", "expected", "wire"),
    [(None, "http1", "Http1Wire"), ("http1", "http1", "Http1Wire"), ("aiohttp", "http1", "Http1Wire"), ("HTTPX", "httpx", "HttpxWire")],
)
def test_the_upstream_transport_is_chosen_by_name(value: str | None, expected: str, wire: str) -> None:
    """``aiohttp``, the default before the gateway had its own HTTP/1.1 wire, still means the default."""
    from gateway.app import _upstream_wire

    env = {"SENTRY_BASE_URL": "https://sentry.example.com"}
    if value is not None:
        env["GATEWAY_UPSTREAM_TRANSPORT"] = value
    settings = load_settings(env)
    assert settings.upstream_transport == expected
    assert type(_upstream_wire(settings)).__name__ == wire


def test_an_unknown_upstream_transport_is_refused() -> None:
    with pytest.raises(SettingsError, match="GATEWAY_UPSTREAM_TRANSPORT"):
        load_settings({"GATEWAY_UPSTREAM_TRANSPORT": "curl"})


def test_the_transport_error_lists_only_the_documented_names() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"GATEWAY_UPSTREAM_TRANSPORT": "curl"})
    assert "must be one of http1, httpx, not 'curl'" in str(refused.value)
    assert "aiohttp" not in str(refused.value)
