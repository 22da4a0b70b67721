"""The Kanta customer portal."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from portal.config import check_config, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(load_config(config))
    check_config(app.config)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app


def register_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from portal import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from portal.access import enforce_access
    from portal.auth.oidc import register_oidc
    from portal.auth.services import load_signed_in
    from portal.auth.sessions import DatabaseSessionInterface
    from portal.extensions import babel, close_database_session_safely, csrf, db, mail, migrate
    from portal.i18n import install_template_gettext, select_locale
    from portal.security import install_log_scrubbing, register_security

    install_log_scrubbing()
    db.init_app(app)
    close_database_session_safely(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    csrf.init_app(app)
    mail.init_app(app)
    register_oidc(app)
    app.session_interface = DatabaseSessionInterface()
    WTFormsHelpers(app)
    register_security(app)
    app.before_request(load_signed_in)
    app.before_request(enforce_access)


def register_blueprints(app: Flask) -> None:
    from portal.applications.views import bp as applications_bp
    from portal.auth.views import bp as auth_bp
    from portal.billing.views import bp as billing_bp
    from portal.contacts.views import bp as contacts_bp
    from portal.customers.staff_views import bp as customers_staff_bp
    from portal.customers.views import bp as customers_bp
    from portal.i18n import bp as i18n_bp
    from portal.organisations.views import bp as organisations_bp
    from portal.orgunits.views import bp as orgunits_bp
    from portal.pages import bp as pages_bp
    from portal.rejoins.area_views import bp as rejoin_area_bp
    from portal.rejoins.views import bp as rejoins_bp
    from portal.reviews.views import bp as reviews_bp
    from portal.staff.views import bp as staff_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(orgunits_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(customers_staff_bp)
    app.register_blueprint(rejoins_bp)
    app.register_blueprint(rejoin_area_bp)
    app.register_blueprint(customers_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(contacts_bp)
    app.register_blueprint(billing_bp)


def register_errorhandlers(app: Flask) -> None:
    from portal.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from portal.auth.commands import sessions_cli
    from portal.documents.commands import documents_cli
    from portal.outbox.commands import outbox_cli
    from portal.registry.commands import registry_cli
    from portal.scheduling.commands import schedule_cli

    app.cli.add_command(registry_cli)
    app.cli.add_command(sessions_cli)
    app.cli.add_command(documents_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(schedule_cli)


def register_template_helpers(app: Flask) -> None:
    from portal.rejoins.services import end_reason_text
    from portal.reviews.customer import register as register_decisions
    from portal.templating import register

    register(app)
    register_decisions(app)
    app.add_template_filter(end_reason_text, "end_reason")
