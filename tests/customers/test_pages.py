"""A service in use as its organisation sees it: the summary page, the contacts page, and another
organisation's ids (a 404, never a leak)."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.contacts.models import Contact
from portal.customers.models import ServiceInUse
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC, PHARMACY
from tests.applications.conftest import act_for
from tests.customers.conftest import app_config, holder, page_text, put_in_use  # noqa: F401


def test_summary_lists_the_contacts_by_role_and_the_billing_details_each_with_change(client, archive):
    response = client.get(f"/services/{archive.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = page_text(response)
    for role in ("technical", "disruption", "data_protection", "administrative", "billing", "archivist"):
        assert f'id="role-{role}"' in page
        assert f'href="/services/{archive.id}/roles/{role}"' in page
    assert "Maija archivist" in text and "Certificate number 12345678901" in text
    assert f'href="/services/{archive.id}/contacts"' in page  # the contacts section's Change
    assert f'href="/services/{archive.id}/billing"' in page  # the billing section's Change
    assert "003729584230" in text and "E-invoice" in text and "Kanta 2026" in text
    assert 'href="/services/history"' in page


def test_a_service_without_billing_has_no_billing_section_or_page(client, world):
    image = put_in_use(client, CLINIC, "image_archive")
    page = client.get(f"/services/{image.id}").get_data(as_text=True)
    assert 'id="role-image_technical"' in page and 'id="role-billing"' not in page
    assert "/billing" not in page
    assert client.get(f"/services/{image.id}/billing").status_code == 404


def test_a_pharmacys_eprescription_asks_for_no_billing_contact(client, world):
    prescription = put_in_use(client, PHARMACY, "eprescription")
    page = client.get(f"/services/{prescription.id}").get_data(as_text=True)
    assert 'id="role-administrative"' in page and 'id="role-billing"' not in page
    assert client.get(f"/services/{prescription.id}/roles/billing").status_code == 404
    assert client.get(f"/services/{prescription.id}/billing").status_code == 404


def test_contacts_page_lists_the_organisations_contacts_with_edit_and_delete(client, archive):
    response = client.get(f"/services/{archive.id}/contacts")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    archivist = holder(archive, "archivist")
    assert f'href="/services/{archive.id}/contacts/{archivist.id}"' in page
    assert f'href="/services/{archive.id}/contacts/{archivist.id}/delete"' in page
    assert f'href="/services/{archive.id}/contacts/new"' in page
    assert "Patient data archive: Archivist" in page_text(response)


def test_another_organisations_service_and_contact_ids_are_a_404(client, world):
    theirs = put_in_use(client, CARE_HOME, "social_archive")
    their_contact = holder(theirs, "administrative")
    ours = put_in_use(client, CLINIC, "patient_archive")  # the client now acts for the clinic
    our_contact = holder(ours, "administrative")
    pages = [
        f"/services/{theirs.id}",
        f"/services/{theirs.id}/contacts",
        f"/services/{theirs.id}/contacts/new",
        f"/services/{theirs.id}/roles/administrative",
        f"/services/{theirs.id}/contacts/{our_contact.id}",
        f"/services/{ours.id}/contacts/{their_contact.id}",
        f"/services/{ours.id}/contacts/{their_contact.id}/delete",
        f"/services/{theirs.id}/billing",
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
        if not url.endswith(("/contacts", str(theirs.id))):  # the pages with a form
            assert client.post(url, data={}).status_code == 404, url
    # Nothing of theirs changed, and their name appears on none of our pages.
    db.session.expire_all()
    assert db.session.get(Contact, their_contact.id).name == their_contact.name
    history = client.get("/services/history").get_data(as_text=True)
    assert their_contact.name not in history


def test_an_ended_service_is_a_404(client, archive):
    from portal.db import utcnow

    db.session.get(ServiceInUse, archive.id).ended_at = utcnow()
    db.session.commit()
    assert client.get(f"/services/{archive.id}").status_code == 404


def test_unknown_role_is_a_404(client, archive):
    assert client.get(f"/services/{archive.id}/roles/image_technical").status_code == 404
    assert client.get(f"/services/{archive.id}/roles/nonsense").status_code == 404


def test_the_pages_need_someone_acting_for_the_organisation(client, archive):
    with client.session_transaction() as session:
        session.pop("acting")
    response = client.get(f"/services/{archive.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/organisation")
    act_for(client, CLINIC)
    assert client.get(f"/services/{archive.id}").status_code == 200
    assert db.session.scalar(select(ServiceInUse.id)) == archive.id


def test_the_dashboard_links_each_service_in_use_to_its_page(client, archive):
    page = client.get("/dashboard").get_data(as_text=True)
    item = re.search(
        r'<li class="portal-service-list__item" id="service-patient_archive">(.*?)</li>', page, re.S
    )
    assert f'href="/services/{archive.id}"' in item.group(1)
    other = re.search(
        r'<li class="portal-service-list__item" id="service-eprescription">(.*?)</li>', page, re.S
    )
    assert "/services/" not in other.group(1)
