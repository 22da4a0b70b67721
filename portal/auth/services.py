"""Signing in and out, and reading who is signed in for each request."""

from __future__ import annotations

from flask import flash, g, session
from flask_babel import refresh
from sqlalchemy import select

from portal.audit.services import record
from portal.auth.models import Person
from portal.auth.oidc import Identity
from portal.db import utcnow
from portal.extensions import db
from portal.identifiers import mask_hetu
from portal.texts import lazy_gettext as _l

EXPIRY_NOTICES = {
    "idle": _l(
        "You were signed out because you had been inactive for 30 minutes. Sign in again to continue."
    ),
    "absolute": _l(
        "You were signed out because you had been signed in for 12 hours. Sign in again to continue."
    ),
}


def load_signed_in() -> None:
    """before_request: put the signed-in person and the acting organisation on ``g``."""
    # An app context can outlive a request (tests, CLI); the language is decided per request.
    refresh()
    expired = getattr(session, "expired", None)
    if expired:
        flash(str(EXPIRY_NOTICES[expired]), "warning")
        session.expired = None
    g.session_expired = bool(expired)
    person_id = session.get("person_id")
    g.person_id = person_id
    g.person_name = session.get("person_name") if person_id else None
    g.person_hetu_masked = session.get("hetu_masked") if person_id else None
    g.staff = bool(session.get("staff")) if person_id else False
    g.acting = session.get("acting") if person_id else None


def sign_in(identity: Identity) -> Person:
    person = db.session.scalar(
        select(Person).where(Person.issuer == identity.issuer, Person.subject == identity.subject)
    )
    if person is None:
        person = Person(issuer=identity.issuer, subject=identity.subject)
        db.session.add(person)
    person.given_name = identity.given_name
    person.family_name = identity.family_name
    person.last_sign_in_at = utcnow()
    db.session.flush()
    record(
        "sign_in",
        person_id=person.id,
        actor_name=person.display_name,
        detail={"staff": identity.staff, "henkilotunnus": identity.hetu is not None},
    )
    db.session.commit()

    # A fresh session id: whatever id the browser had before signing in stops working.
    session.regenerate()
    session.clear()
    session["person_id"] = person.id
    session["person_name"] = person.display_name
    session["staff"] = identity.staff
    if identity.hetu:
        # Kept only in the server-side session, which is deleted at sign-out: the mandates
        # service needs it each time the person chooses an organisation.
        session["hetu"] = identity.hetu
        session["hetu_masked"] = mask_hetu(identity.hetu)
    return person


def sign_out() -> None:
    if session.get("person_id"):
        record("sign_out", commit=True)
    session.destroy()
