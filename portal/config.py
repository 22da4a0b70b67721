"""Configuration from environment variables, with embedded defaults for the local demo.

Everything has a safe default for development (SQLite under ``instance/``, the local stand-ins on
127.0.0.1). In production (``PORTAL_ENV=production``) the secrets must be given; ``check_config``
refuses to start otherwise, with a message that names what is missing.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from portal.ratelimits import Limit

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"

# The mandate ("asiointivaltuus") that lets a person who is not a responsible person of the
# organisation join it to Kanta services. Its real code is not public; configure MANDATES_ISSUE_CODE.
DEFAULT_ALLOWED_ROLES = "TJ,ELI,YHM,NIMKO,SOTEDIGI"

# Rate limits (portal.ratelimits): requests per seconds, per person (or per address before sign-in).
# Generous: they stop scripts, not people (a whole office may sign in from one address).
RATE_LIMIT_DEFAULTS = {"sign_in": "60/300", "upload": "20/600", "pdf": "60/300"}

SECRET_SETTINGS = ("SECRET_KEY", "OIDC_CLIENT_SECRET", "MANDATES_CLIENT_SECRET", "MANDATES_API_KEY")


class ConfigError(RuntimeError):
    """The configuration cannot run the portal; the message says what to set."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _dev_secret_key() -> str:
    """A secret key for development, made once and kept under instance/ so sessions survive restarts."""
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _rate_limits() -> dict[str, Limit | None]:
    limits = {}
    for name, default in RATE_LIMIT_DEFAULTS.items():
        setting = f"RATE_LIMIT_{name.upper()}"
        try:
            limits[name] = Limit.parse(_env(setting, default) or "off")
        except ValueError as exc:
            raise ConfigError(f"{setting}: {exc}") from None
    return limits


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = _env("PORTAL_ENV", "development")
    production = env == "production"
    sqlite_path = INSTANCE_DIR / "portal.db"
    cfg: dict[str, Any] = {
        "PORTAL_ENV": env,
        "DEBUG": False,
        "TESTING": env == "test",
        "SECRET_KEY": _env("SECRET_KEY") or (None if production else "__dev__"),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", f"sqlite:///{sqlite_path}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Sessions: server-side, idle 30 min, absolute 12 h (quality.md).
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=int(_env("SESSION_IDLE_MINUTES", "30"))),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=int(_env("SESSION_ABSOLUTE_HOURS", "12"))),
        "SESSION_COOKIE_NAME": "portal_session",
        "SESSION_COOKIE_SECURE": _env("SESSION_COOKIE_SECURE", "1" if production else "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Languages.
        "LANGUAGES": ("fi", "sv", "en"),
        "BABEL_DEFAULT_LOCALE": "fi",
        # Times are stored in UTC and shown in Finnish time.
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "WTF_CSRF_TIME_LIMIT": None,  # the session's own lifetime bounds the token
        # E-identification (OpenID Connect).
        "OIDC_ISSUER": _env("OIDC_ISSUER", "http://127.0.0.1:5101"),
        "OIDC_CLIENT_ID": _env("OIDC_CLIENT_ID", "kanta-portal"),
        "OIDC_CLIENT_SECRET": _env("OIDC_CLIENT_SECRET") or (None if production else "dev-oidc-secret"),
        "OIDC_SCOPE": _env("OIDC_SCOPE", "openid profile"),
        "OIDC_HETU_CLAIM": _env("OIDC_HETU_CLAIM", "urn:oid:1.2.246.21"),
        "OIDC_STAFF_CLAIM": _env("OIDC_STAFF_CLAIM", "kela_roles"),
        "OIDC_STAFF_VALUE": _env("OIDC_STAFF_VALUE", "reviewer"),
        # Mandates (Suomi.fi-valtuudet).
        "MANDATES_URL": _env("MANDATES_URL", "http://127.0.0.1:5102"),
        "MANDATES_CLIENT_ID": _env("MANDATES_CLIENT_ID", "kanta-portal"),
        "MANDATES_CLIENT_SECRET": _env("MANDATES_CLIENT_SECRET")
        or (None if production else "dev-mandates-secret"),
        "MANDATES_API_KEY": _env("MANDATES_API_KEY") or (None if production else "dev-mandates-hmac-key"),
        "MANDATES_ALLOWED_ROLES": tuple(
            r.strip()
            for r in (_env("MANDATES_ALLOWED_ROLES", DEFAULT_ALLOWED_ROLES) or "").split(",")
            if r.strip()
        ),
        "MANDATES_TIMEOUT": float(_env("MANDATES_TIMEOUT", "10") or 10),
        # The national code server (THL).
        "CODESERVER_URL": _env("CODESERVER_URL", "http://127.0.0.1:5103"),
        "CODESERVER_TIMEOUT": float(_env("CODESERVER_TIMEOUT", "30") or 30),
        "CODESERVER_SOTE_OID": _env("CODESERVER_SOTE_OID", "1.2.246.537.6.202"),
        "CODESERVER_PRACTITIONERS_OID": _env("CODESERVER_PRACTITIONERS_OID", "1.2.246.537.6.203"),
        "CODESERVER_PHARMACIES_OID": _env("CODESERVER_PHARMACIES_OID", "1.2.246.537.6.204"),
        "CODESERVER_MUNICIPALITIES_OID": _env("CODESERVER_MUNICIPALITIES_OID", "1.2.246.537.6.21"),
        "CODESERVER_SERVICE_TASKS_OID": _env("CODESERVER_SERVICE_TASKS_OID", "1.2.246.537.6.1221"),
        # E-mail.
        "MAIL_SERVER": _env("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(_env("MAIL_PORT", "5125") or 5125),
        "MAIL_USE_TLS": _env("MAIL_USE_TLS", "0") == "1",
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "Kanta <noreply@kanta.example>"),
        # The outbox worker: attempts per message, the first retry's delay (doubling each time, up
        # to the cap), and how long a claim lasts before another worker may take the message over.
        "OUTBOX_MAX_ATTEMPTS": int(_env("OUTBOX_MAX_ATTEMPTS", "8") or 8),
        "OUTBOX_RETRY_BASE_SECONDS": float(_env("OUTBOX_RETRY_BASE_SECONDS", "30") or 30),
        "OUTBOX_RETRY_MAX_SECONDS": float(_env("OUTBOX_RETRY_MAX_SECONDS", "3600") or 3600),
        "OUTBOX_LEASE_SECONDS": float(_env("OUTBOX_LEASE_SECONDS", "300") or 300),
        # The portal's public address, for links in e-mails (which are written outside requests too).
        "PORTAL_URL": (_env("PORTAL_URL", "http://127.0.0.1:5000") or "").rstrip("/"),
        "OUTBOX_MESSAGE_ID_DOMAIN": _env("OUTBOX_MESSAGE_ID_DOMAIN", "portal.kanta.example"),
        # Daily jobs, run by the worker at these Finnish times (HH:MM); an empty value leaves a job out.
        # A failed run is tried again after SCHEDULE_RETRY_SECONDS, up to SCHEDULE_MAX_ATTEMPTS a day.
        "SCHEDULE": {
            job: at
            for job, at in (
                ("registry-export", _env("SCHEDULE_REGISTRY_EXPORT", "02:00")),
                ("registry-sync", _env("SCHEDULE_REGISTRY_SYNC", "03:00")),
                ("sessions-purge", _env("SCHEDULE_SESSIONS_PURGE", "04:00")),
            )
            if at and at != "off"
        },
        "SCHEDULE_MAX_ATTEMPTS": int(_env("SCHEDULE_MAX_ATTEMPTS", "4") or 4),
        "SCHEDULE_RETRY_SECONDS": float(_env("SCHEDULE_RETRY_SECONDS", "3600") or 3600),
        "SCHEDULE_LEASE_SECONDS": float(_env("SCHEDULE_LEASE_SECONDS", "1800") or 1800),
        # Rate limits (portal.ratelimits): requests/seconds per person, or per address before sign-in;
        # "off" for none. Behind proxies, TRUSTED_PROXIES (how many) lets the limits see the browser's
        # address (X-Forwarded-For) and the links the scheme it used (X-Forwarded-Proto).
        "RATE_LIMITS": _rate_limits(),
        "TRUSTED_PROXIES": int(_env("TRUSTED_PROXIES", "0") or 0),
    }
    if overrides:
        cfg.update(overrides)
    return cfg


def check_config(cfg: dict[str, Any]) -> None:
    """Refuse to start with missing or development secrets outside development, naming each problem."""
    problems = []
    production = cfg.get("PORTAL_ENV") == "production"
    for name in SECRET_SETTINGS:
        value = cfg.get(name)
        if not value:
            problems.append(f"{name} is not set")
        elif production and (value == "__dev__" or str(value).startswith("dev-")):
            problems.append(f"{name} still has its development value")
    if production and len(str(cfg.get("SECRET_KEY") or "")) < 32:
        problems.append("SECRET_KEY must be at least 32 characters")
    if problems:
        raise ConfigError(
            "The portal cannot start: "
            + "; ".join(problems)
            + ". Set these environment variables (see README.md, 'Configuration')."
        )
    if cfg.get("SECRET_KEY") == "__dev__":
        cfg["SECRET_KEY"] = _dev_secret_key()
