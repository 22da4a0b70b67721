"""Test data for the staff pages: a signed-in reviewer, and sent applications made directly in the database
(many of them, fast) with a snapshot that the application page can show."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.applications.models import Application
from portal.auth.models import Person
from portal.extensions import db

KAISA = "Kaisa Kelanen"


def sign_in_staff(client, name: str = KAISA) -> int:
    """Sign a Kela reviewer in, as the staff sign-in leaves the session; returns the person's id."""
    given, family = name.split(" ", 1)
    subject = f"staff-{name}"
    person = db.session.scalar(select(Person).where(Person.subject == subject))
    if person is None:
        person = Person(issuer="http://eid.test", subject=subject, given_name=given, family_name=family)
        db.session.add(person)
        db.session.commit()
    client.set_cookie("portal_lang", "en")
    with client.session_transaction() as session:
        session.clear()
        session.update(person_id=person.id, person_name=name, staff=True)
    return person.id


def business_id(n: int) -> str:
    """A business id of the right form for the ``n``-th made-up organisation (its check digit is not
    checked by anything the staff pages do)."""
    return f"{2000000 + n:07d}-{n % 10}"


def snapshot(application: Application) -> dict:
    """A minimal snapshot of the application (what build_snapshot makes, without the steps' rows)."""
    return {
        "version": 1,
        "application_id": application.id,
        "service": application.service,
        "organisation": {
            "name": application.organisation_name,
            "business_id": application.organisation_business_id,
            "oid": application.organisation_oid,
            "register": application.organisation_register,
            "municipality": None,
        },
        "customer": {
            "street_address": "Mannerheimintie 1",
            "postal_code": "00100",
            "post_office": "Helsinki",
            "phone": "+35891234567",
            "decision_email": f"paatokset-{application.id}@example.fi",
        },
        "connection_points": [],
        "systems": [],
        "renewal": None,
        "contacts": [],
        "billing": None,
        "documents": [],
    }


def make_application(
    n: int,
    *,
    service: str = "patient_archive",
    status: str = "submitted",
    name: str | None = None,
    organisation: str | None = None,
    submitted_at: datetime | None = None,
    round: int = 1,
    commit: bool = True,
) -> Application:
    """The ``n``-th made-up organisation's sent application."""
    application = Application(
        organisation_business_id=organisation or business_id(n),
        organisation_oid=f"1.2.246.10.{2000000 + n}.10.0",
        organisation_name=name or f"Organisation {n:04d}",
        organisation_register="sote",
        service=service,
        status=status,
        round=round,
        submitted_at=submitted_at or datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n),
        submitted_language="fi",
    )
    db.session.add(application)
    db.session.flush()
    application.snapshot = snapshot(application)
    if commit:
        db.session.commit()
    return application


def page_ids(response) -> list[int]:
    """The ids of the applications a queue page lists, in order."""
    return [int(i) for i in re.findall(r'href="/staff/applications/(\d+)"', response.get_data(as_text=True))]


def field_error(response, field_id: str) -> str | None:
    """The error message shown at the field, if any."""
    match = re.search(
        rf'id="{re.escape(field_id)}-error"[^>]*>\s*<span[^>]*>[^<]*</span>\s*([^<]+?)\s*<',
        response.get_data(as_text=True),
    )
    return match[1] if match else None


def flashed(page: str) -> list[str]:
    """The texts of the notification banners on a page."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()
        for text in re.findall(
            r'class="govuk-notification-banner__content"[^>]*>(.*?)</div>', page, flags=re.S
        )
    ]
