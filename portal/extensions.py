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


log = logging.getLogger(__name__)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
mail = Mail()


def remove_session() -> None:
    """End the current database session without raising when its connection is lost.

    Removing a session rolls back its open transaction. When PostgreSQL has just gone away (a restart),
    that rollback raises on the dead connection: at the end of a request it would escape past the
    error pages (the server would send its bare "Internal Server Error" instead of the page the view
    made), and in the outbox worker's loop it would end the worker. Here the failure is logged and the
    session dropped; SQLAlchemy has already invalidated the connection, so the pool opens a new one."""
    try:
        db.session.remove()
    except SQLAlchemyError as exc:
        cause = type(getattr(exc, "orig", None) or exc).__name__
        log.warning("the database session could not be closed (%s); its connection was discarded", cause)
        db.session.registry.clear()


def close_database_session_safely(app: Flask) -> None:
    """Each request's database session ends through ``remove_session``. Registered after
    ``db.init_app``, so it runs before Flask-SQLAlchemy's own teardown, which finds nothing to close."""
    app.teardown_appcontext(lambda _exc: remove_session())
