"""Extension objects, created once and bound to the app in ``create_app``."""

import logging

from flask import Flask
from flask_babel import Babel
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that migrations can refer to them on every database (SQLite batch mode too).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
mail = Mail()


def close_database_session_safely(app: Flask) -> None:
    """End each request's database session without letting a lost connection turn the finished
    response into a bare 500. Flask-SQLAlchemy's own teardown closes the session, which rolls back
    the open transaction; when PostgreSQL has just gone away (a restart), that rollback raises out of
    the teardown, past the error pages, and the server sends its own "Internal Server Error" instead
    of the page the view made. Here the failure is logged and the session dropped (SQLAlchemy has
    already invalidated the connection, so the pool opens a new one). Registered after
    ``db.init_app``, so it runs first and leaves Flask-SQLAlchemy's teardown nothing to close."""

    @app.teardown_appcontext
    def close_session(_exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError as exc:
            logging.getLogger(__name__).warning(
                "the database session could not be closed (%s); its connection was discarded",
                type(exc.orig if getattr(exc, "orig", None) else exc).__name__,
            )
            db.session.registry.clear()
