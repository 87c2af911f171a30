"""Configuration, clock, security headers, error pages, CLI commands and demo data."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from portal import clock, create_app
from portal.auth.models import StaffRole, User
from portal.config import ConfigError, load_config, normalise_database_url
from portal.organisations.models import Organisation


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_production_needs_a_mail_server(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("MAIL_URL", raising=False)
    with pytest.raises(ConfigError, match="MAIL_URL"):
        load_config()


def test_production_needs_the_credential_signing_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("MAIL_URL", "smtp://127.0.0.1:25")
    monkeypatch.delenv("CREDENTIAL_PRIVATE_JWK", raising=False)
    monkeypatch.setenv("CREDENTIAL_KEY_PATH", str(tmp_path / "missing.json"))
    with pytest.raises(ConfigError, match="CREDENTIAL_PRIVATE_JWK"):
        load_config()


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("MAIL_URL", "smtp://127.0.0.1:25")
    monkeypatch.setenv("CREDENTIAL_PRIVATE_JWK", '{"kty": "OKP"}')
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["PORTAL_FROZEN_NOW"] == ""


@pytest.mark.parametrize("url, expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_the_clock_cannot_be_set_in_production(monkeypatch):
    clock.configure("Europe/London", may_freeze=False)
    try:
        with pytest.raises(RuntimeError):
            clock.freeze(datetime(2026, 1, 1, tzinfo=UTC))
    finally:
        clock.configure("Europe/London", may_freeze=True)


def test_dates_are_in_london_time(frozen_clock):
    frozen_clock(datetime(2026, 7, 31, 23, 30, tzinfo=UTC))  # 00:30 on 1 August in London
    assert clock.today() == date(2026, 8, 1)
    assert clock.end_of_day(date(2026, 7, 31)) == datetime(2026, 7, 31, 22, 59, 59, tzinfo=UTC)


def test_security_headers_and_strict_csp(client):
    response = client.get("/")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "HttpOnly" in client.get("/sign-in").headers.get("Set-Cookie", "HttpOnly")


def test_no_page_has_inline_script_or_style(client):
    for url in ("/", "/register", "/sign-in", "/forgot-password", "/accessibility",
                "/privacy", "/contact"):
        html = client.get(url).get_data(as_text=True)
        assert "<script" not in html and "style=" not in html and " onclick" not in html, url


@pytest.mark.parametrize("url, status, words", [
    ("/no-such-page", 404, "Page not found"),
    ("/sign-out", 405, "not possible"),
])
def test_friendly_error_pages(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_database_outage_gets_the_503_page(app, client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    class UnreachableDatabase:
        def execute(self, *args, **kwargs):
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr("portal.pages.views.db", UnreachableDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.get_data(as_text=True)


def test_create_staff_command(app, db):
    runner = CliRunner()
    result = runner.invoke(app.cli, ["portal", "create-staff", "--email", "New.Staff@Assoc.example",
                                     "--role", "admin"], input="a good staff password\n" * 2)
    assert result.exit_code == 0, result.output
    user = db.execute(sa.select(User).where(User.email == "new.staff@assoc.example")).scalar_one()
    assert user.staff_role == StaffRole.ADMIN and user.is_verified
    result = runner.invoke(app.cli, ["portal", "create-staff", "--email", "x@assoc.example",
                                     "--role", "reviewer"], input="short\nshort\n")
    assert result.exit_code != 0 and "10 characters" in result.output


def test_seed_demo_is_idempotent(app, db):
    runner = CliRunner()
    first = runner.invoke(app.cli, ["portal", "seed-demo", "--companies", "18"])
    assert first.exit_code == 0, first.output
    assert "ada.admin@association.example" in first.output
    counts = db.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one()
    second = runner.invoke(app.cli, ["portal", "seed-demo", "--companies", "18"])
    assert second.exit_code == 0, second.output
    assert db.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one() == counts
    names = set(db.execute(sa.select(Organisation.name)).scalars())
    assert {"Müller Data Ltd", "Société Générale de Marketing"} <= names


def test_create_app_with_overrides_builds_a_working_app(database_url):
    app = create_app({"PORTAL_ENV": "testing", "DATABASE_URL": database_url})
    assert app.test_client().get("/healthz").json == {"status": "ok"}
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("hops, expected", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_client_address_behind_a_proxy(database_url, hops, expected):
    """X-Forwarded-For is trusted only when the operator says a proxy is in front."""
    from flask import request

    app = create_app({"PORTAL_ENV": "testing", "DATABASE_URL": database_url,
                      "PROXY_HOPS": hops})
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr)
    response = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.9"},
                                     environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.get_data(as_text=True) == expected
    app.extensions["db_engine"].dispose()


def test_ids_beyond_the_database_range_are_404_everywhere(app, client, login_as, db):
    """Every <int:…> route: an id too large for the database is 'not found', never a 500."""
    from portal.urls import DatabaseIdConverter
    from tests.factories import create_staff

    login_as(client, create_staff(db, StaffRole.ADMIN))
    huge = "9" * 30
    checked = 0
    for rule in app.url_map.iter_rules():
        ids = [name for name, conv in rule._converters.items()
               if isinstance(conv, DatabaseIdConverter)]
        if "GET" not in rule.methods or not ids:
            continue
        values = {name: huge if name in ids else "x" for name in rule._converters}
        response = client.get(rule.build(values, append_unknown=False)[1])
        assert response.status_code == 404, (rule.rule, response.status_code)
        checked += 1
    assert checked > 5
