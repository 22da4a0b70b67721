"""Rate limits on the requests that cost the most or could be abused (quality.md): starting a sign-in,
uploading a file, downloading a PDF.

    @bp.get("/<int:application_id>/pdf")
    @access(Access.ACTING)
    @rate_limited("pdf")
    def pdf(application_id): ...

A limit (``RATE_LIMITS``: name → ``Limit(count, seconds)``) lets one client make ``count`` requests in
each window of ``seconds``. The client is the signed-in person, or else the browser's address
(``request.remote_addr``; behind a proxy, ``TRUSTED_PROXIES`` makes it the address the proxy saw). The
counts are kept in the database, one row per limit, client and window, so that every worker process
shares them; the client is stored as an HMAC, never as the person or the address. One statement counts
a request: an INSERT … ON CONFLICT DO UPDATE … RETURNING, which is atomic on PostgreSQL and SQLite.

A request over its limit gets 429 with ``Retry-After`` (the seconds left in the window) and the "Too
many attempts" page in the user's language; the view does not run. Windows are fixed, so a client may
make up to twice ``count`` requests across the edge of two windows.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import math
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import current_app, g, request
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.exceptions import TooManyRequests

from portal.db import utcnow
from portal.extensions import db
from portal.ratelimits import Limit
from portal.ratelimits.models import RateLimitCount

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])
TABLE = RateLimitCount.__table__
INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def client_key(name: str) -> str:
    """Whom the limit counts: the signed-in person, or else the browser's address (as an HMAC)."""
    person_id = g.get("person_id")
    who = f"person:{person_id}" if person_id else f"address:{request.remote_addr or ''}"
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"{name}\0{who}".encode(), hashlib.sha256).hexdigest()


def count_request(name: str, client: str, limit: Limit, now: datetime | None = None) -> int | None:
    """Count one request of ``client`` under the limit; None while within it, else the seconds until
    the window ends. Committed at once on a connection of its own, whatever the view does next."""
    now = now or utcnow()
    epoch_seconds = now.timestamp()
    window_number = int(epoch_seconds // limit.seconds)
    window_end = (window_number + 1) * limit.seconds
    insert = INSERTS[db.engine.dialect.name](TABLE).values(
        name=name,
        client=client,
        window_number=window_number,
        hits=1,
        expires_at=now + timedelta(seconds=window_end - epoch_seconds),
    )
    statement = insert.on_conflict_do_update(
        index_elements=[TABLE.c.name, TABLE.c.client, TABLE.c.window_number],
        set_={"hits": TABLE.c.hits + 1},
    ).returning(TABLE.c.hits)
    with db.engine.begin() as connection:
        hits = connection.execute(statement).scalar_one()
    if hits <= limit.count:
        return None
    return max(1, math.ceil(window_end - epoch_seconds))


def rate_limited(name: str, methods: Collection[str] = ("GET", "POST")) -> Callable[[F], F]:
    """Count the view's requests (those of ``methods``) under the limit ``name``; 429 over it."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def limited(*args: Any, **kwargs: Any) -> Any:
            limit = current_app.config["RATE_LIMITS"].get(name)
            # A HEAD runs the GET view (a PDF is rendered all the same), so it counts as one.
            method = "GET" if request.method == "HEAD" else request.method
            if limit is not None and method in methods:
                wait = count_request(name, client_key(name), limit)
                if wait is not None:
                    log.warning("rate limit %s reached on %s; refused for %s s", name, request.endpoint, wait)
                    raise TooManyRequests(retry_after=wait)
            return view(*args, **kwargs)

        limited.rate_limit = name  # type: ignore[attr-defined]
        return limited  # type: ignore[return-value]

    return decorate


def purge_expired_counts() -> int:
    """Delete the counts of windows that have ended; returns how many went."""
    with db.engine.begin() as connection:
        return connection.execute(delete(TABLE).where(TABLE.c.expires_at < utcnow())).rowcount
