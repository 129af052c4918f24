"""Settings are read once and validated with messages that name the variable."""

from __future__ import annotations

import pytest

from gateway.settings import SettingsError, load_settings, require_deliberate_mode


def test_demo_mode_must_be_asked_for_to_serve() -> None:
    for env in ({}, {"GATEWAY_DEMO": "0"}, {"SENTRY_BASE_URL": " "}):
        with pytest.raises(SettingsError, match="--demo.*GATEWAY_DEMO=1"):
            require_deliberate_mode(load_settings(env))
    require_deliberate_mode(load_settings({"GATEWAY_DEMO": "1"}))
    require_deliberate_mode(load_settings({"SENTRY_BASE_URL": "https://sentry.io"}))


def test_the_http_surface_settings_have_documented_defaults() -> None:
    settings = load_settings({})
    assert settings.allowed_hosts == ("localhost", "127.0.0.1", "[::1]")
    assert settings.router_secret is None
    assert (settings.max_header_bytes, settings.header_timeout, settings.body_timeout) == (65_536, 10.0, 30.0)
    custom = load_settings({"GATEWAY_ALLOWED_HOSTS": "Gateway.Example.com, *.svc.local ,[::1]", "GATEWAY_ROUTER_SECRET": "s"})
    assert custom.allowed_hosts == ("gateway.example.com", "*.svc.local", "[::1]")
    assert custom.router_secret == "s" and "router_secret" not in repr(custom)


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
        ({"GATEWAY_ALLOWED_HOSTS": "https://gateway.example.com"}, "GATEWAY_ALLOWED_HOSTS"),
        ({"GATEWAY_ALLOWED_HOSTS": "gateway.example.com:8000"}, "GATEWAY_ALLOWED_HOSTS"),
        ({"GATEWAY_ALLOWED_HOSTS": "gate*.example.com"}, "GATEWAY_ALLOWED_HOSTS"),
        ({"GATEWAY_MAX_HEADER_BYTES": "100"}, "GATEWAY_MAX_HEADER_BYTES"),
        ({"GATEWAY_HEADER_TIMEOUT": "0"}, "GATEWAY_HEADER_TIMEOUT"),
        ({"GATEWAY_BODY_TIMEOUT": "forever"}, "GATEWAY_BODY_TIMEOUT"),
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


def test_the_upstream_body_cap_is_read_and_bounded() -> None:
    assert load_settings({}).upstream_max_bytes == 64 * 1024 * 1024
    assert load_settings({"GATEWAY_UPSTREAM_MAX_BYTES": "1000000"}).upstream_max_bytes == 1_000_000
    with pytest.raises(SettingsError, match="GATEWAY_UPSTREAM_MAX_BYTES"):
        load_settings({"GATEWAY_UPSTREAM_MAX_BYTES": "10"})


def test_http2_to_sentry_needs_h2(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    assert load_settings({}).upstream_http2 is False
    monkeypatch.setitem(sys.modules, "h2", None)  # as if not installed
    with pytest.raises(SettingsError, match=r"GATEWAY_UPSTREAM_HTTP2.*h2"):
        load_settings({"GATEWAY_UPSTREAM_HTTP2": "1"})


def test_the_home_made_transport_setting_is_gone() -> None:
    """httpx is the only upstream client; the old switch no longer exists to set."""
    import gateway.settings

    assert not hasattr(load_settings({}), "upstream_transport")
    assert "GATEWAY_UPSTREAM_TRANSPORT" not in open(gateway.settings.__file__).read()
