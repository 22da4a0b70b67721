"""Server-side sessions stored in the database.

The cookie holds a random token; the table holds its SHA-256 and the session data. Signing out
deletes the row, so the old cookie is worthless; ``regenerate`` gives a fresh id after sign-in.
Idle and absolute lifetimes are enforced here; an expired session is replaced by an empty one
that remembers (``expired``) why, so the page can say so.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import bindparam, delete, insert, select, update
from werkzeug.datastructures import CallbackDict

from portal.auth.models import WebSession
from portal.db import utcnow
from portal.extensions import db

# Writing last_seen on every request would cost a write per page view; a minute's precision is enough
# for a 30-minute idle limit.
TOUCH_INTERVAL = timedelta(seconds=60)

# Built once: every request runs it, and a statement object reused keeps its compiled form's cache key.
READ_SESSION = select(WebSession.data, WebSession.created_at, WebSession.last_seen_at).where(
    WebSession.id == bindparam("id")
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(
        self,
        initial: dict[str, Any] | None = None,
        token: str | None = None,
        created_at=None,
        last_seen_at=None,
        expired: str | None = None,
    ):
        def on_update(self_: ServerSession) -> None:
            self_.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.created_at: datetime | None = created_at
        self.last_seen_at: datetime | None = last_seen_at
        self.modified = False
        self.new = token is None
        self.expired = expired  # "idle" or "absolute" when the previous session just ran out
        self.destroyed = False
        self.old_token: str | None = None

    def regenerate(self) -> None:
        """Give the session a fresh id (after sign-in); the old id stops working."""
        if self.token:
            self.old_token = self.token
        self.token = None
        self.new = True
        self.created_at = None
        self.modified = True

    def destroy(self) -> None:
        """End the session for good (sign-out): the row is deleted and the cookie cleared."""
        self.clear()
        self.destroyed = True
        self.modified = True


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app: Flask, request: Request) -> ServerSession:
        if app.static_url_path and request.path.startswith(app.static_url_path + "/"):
            # Static files need no session. Reading it here would also let a late favicon request
            # consume an expired session's notice (and set a cookie) before the page that shows it.
            return ServerSession()
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 200:
            return ServerSession()
        # Through the request's own database session: the view's queries then reuse this connection
        # (one pool checkout per request instead of two).
        # Core on the session's connection: the ORM's execution layer has nothing to add to a plain select.
        row = db.session.connection().execute(READ_SESSION, {"id": _hash(token)}).first()
        if row is None:
            return ServerSession()
        data, created_at, last_seen_at = row
        now = utcnow()
        expired = None
        if now - last_seen_at > app.config["SESSION_IDLE_TIMEOUT"]:
            expired = "idle"
        elif now - created_at > app.config["SESSION_ABSOLUTE_TIMEOUT"]:
            expired = "absolute"
        if expired:
            db.session.execute(delete(WebSession).where(WebSession.id == _hash(token)))
            db.session.commit()
            # Only a session that someone had signed in to needs a notice.
            return ServerSession(expired=expired if (data or {}).get("person_id") else None)
        return ServerSession(data or {}, token=token, created_at=created_at, last_seen_at=last_seen_at)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.destroyed or (session.old_token and not session):
            self._delete(session.token, session.old_token)
            response.delete_cookie(name, domain=domain, path=path)
            return
        if session.old_token:
            self._delete(session.old_token)
        now = utcnow()
        if session.token is None:
            if not session:
                return  # nothing worth a cookie
            session.token = secrets.token_urlsafe(32)
            session.created_at = now
            with db.engine.begin() as conn:
                conn.execute(
                    insert(WebSession).values(
                        id=_hash(session.token),
                        data=dict(session),
                        person_id=session.get("person_id"),
                        created_at=now,
                        last_seen_at=now,
                    )
                )
        elif session.modified:
            with db.engine.begin() as conn:
                conn.execute(
                    update(WebSession)
                    .where(WebSession.id == _hash(session.token))
                    .values(data=dict(session), person_id=session.get("person_id"), last_seen_at=now)
                )
        elif session.last_seen_at is None or now - session.last_seen_at > TOUCH_INTERVAL:
            with db.engine.begin() as conn:
                conn.execute(
                    update(WebSession).where(WebSession.id == _hash(session.token)).values(last_seen_at=now)
                )
        else:
            return
        response.set_cookie(
            name,
            session.token,
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=domain,
            path=path,
        )
        response.vary.add("Cookie")

    @staticmethod
    def _delete(*tokens: str | None) -> None:
        ids = [_hash(t) for t in tokens if t]
        if ids:
            with db.engine.begin() as conn:
                conn.execute(delete(WebSession).where(WebSession.id.in_(ids)))


def purge_expired_sessions(app: Flask) -> int:
    """Delete sessions past their idle limit; returns how many went."""
    cutoff = utcnow() - app.config["SESSION_IDLE_TIMEOUT"]
    with db.engine.begin() as conn:
        return conn.execute(delete(WebSession).where(WebSession.last_seen_at < cutoff)).rowcount
