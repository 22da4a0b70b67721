from __future__ import annotations

import pytest

from portal import create_app
from portal.config import ConfigError

PRODUCTION_SECRETS = {
    "SECRET_KEY": "k" * 40,
    "OIDC_CLIENT_SECRET": "oidc-secret-from-the-vault",
    "MANDATES_CLIENT_SECRET": "mandates-secret-from-the-vault",
    "MANDATES_API_KEY": "hmac-key-from-the-vault",
}


def test_production_refuses_to_start_without_secrets_and_names_them(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    for name in PRODUCTION_SECRETS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as failure:
        create_app()
    message = str(failure.value)
    for name in PRODUCTION_SECRETS:
        assert name in message


def test_production_refuses_development_values(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    for name, value in PRODUCTION_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MANDATES_API_KEY", "dev-mandates-hmac-key")
    with pytest.raises(ConfigError, match="MANDATES_API_KEY still has its development value"):
        create_app()


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    for name, value in PRODUCTION_SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32 characters"):
        create_app()


def test_production_starts_with_real_secrets_and_secure_cookies(monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name, value in PRODUCTION_SECRETS.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.debug is False


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/elsewhere.db")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/elsewhere.db"


def test_security_headers_on_every_page(client):
    response = client.get("/sign-in")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_get_never_changes_state_sign_in_needs_post(client):
    from portal.auth.models import WebSession
    from portal.extensions import db

    response = client.get("/sign-in")
    assert response.status_code == 200
    # Only the form's CSRF token is kept; no authorization request was started.
    for (data,) in db.session.query(WebSession.data):
        assert set(data) <= {"csrf_token"}


def test_post_without_csrf_token_is_refused(app):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/sign-in")
    assert response.status_code == 400
