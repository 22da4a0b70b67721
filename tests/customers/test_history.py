"""The organisation's history of its changes to customer data: when, who, what, old → new, newest
first, in the reader's language, and only its own."""

from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.audit.services import record
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC
from tests.customers.conftest import (  # noqa: F401
    app_config,
    change_reference,
    holder,
    page_text,
    put_in_use,
)


def rows(response) -> list[str]:
    """The history table's rows as text."""
    page = response.get_data(as_text=True)
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r'<tr class="govuk-table__row" id="change-\d+">(.*?)</tr>', page, re.S)
    ]


def test_history_shows_who_changed_what_old_to_new_newest_first(client, archive):
    technical = holder(archive, "technical")
    data = {
        "kind": "person",
        "name": technical.name,
        "email": "tekniikka@example.fi",
        "phone": technical.phone,
        "certificate_number": "",
        "version": "1",
    }
    assert client.post(f"/services/{archive.id}/contacts/{technical.id}", data=data).status_code == 303
    assert change_reference(client, archive, "Uusi viite").status_code == 303

    response = client.get("/services/history")
    assert response.status_code == 200
    billing_row, contact_row = rows(response)
    assert "Anna Virtanen" in billing_row and "Billing details changed" in billing_row
    assert "Patient data archive" in billing_row and "Reference: Kanta 2026 → Uusi viite" in billing_row
    assert "Contact details changed" in contact_row and technical.name in contact_row
    assert "E-mail address: technical@example.fi → tekniikka@example.fi" in contact_row


def test_history_is_in_the_readers_language(client, archive):
    archivist = holder(archive, "archivist")
    url = f"/services/{archive.id}/roles/archivist"
    client.post(
        url,
        data={
            "contact": "new",
            "holder": str(archivist.id),
            "kind": "person",
            "name": "Pekka Uusi",
            "email": "pekka@example.fi",
            "certificate_number": "ABCDE123456",
        },
    )
    client.set_cookie("portal_lang", "sv")
    response = client.get("/services/history")
    with force_locale("sv"):
        role_changed, archivist_title = _("Contact for a role changed"), _("Archivist")
        added = _("Contact added")
    role_row, added_row = rows(response)
    assert role_changed in role_row and f"{archivist_title}: {archivist.name} → Pekka Uusi" in role_row
    assert added in added_row and "pekka@example.fi" in added_row


def test_history_shows_only_the_organisations_own_changes(client, world):
    theirs = put_in_use(client, CARE_HOME, "social_archive")
    contact = holder(theirs, "technical")
    data = {
        "kind": "person",
        "name": "Hoivakodin tekniikka",
        "email": contact.email,
        "phone": contact.phone,
        "version": "1",
    }
    assert client.post(f"/services/{theirs.id}/contacts/{contact.id}", data=data).status_code == 303
    put_in_use(client, CLINIC, "patient_archive")  # now acting for the clinic
    response = client.get("/services/history")
    assert rows(response) == [] and "Hoivakodin tekniikka" not in response.get_data(as_text=True)
    assert 'id="no-changes"' in response.get_data(as_text=True)


def test_history_pages(client, archive):
    for number in range(55):
        record(
            "service_billing_changed",
            object_type="service_in_use",
            object_id=str(archive.id),
            old={"reference": f"Viite {number}"},
            new={"reference": f"Viite {number + 1}"},
            detail={"service": "patient_archive"},
            organisation={"business_id": CLINIC.business_id, "name": "Lääkärikeskus Kuusi Oy"},
        )
    db.session.commit()
    first = client.get("/services/history")
    assert len(rows(first)) == 50 and "Page 1 of 2" in page_text(first)
    assert 'href="/services/history?page=2"' in first.get_data(as_text=True)
    second = client.get("/services/history?page=2")
    assert len(rows(second)) == 5
    for bad in ("0", "-1", "x", "99999999", "１"):
        assert client.get(f"/services/history?page={bad}").status_code == 200
