"""The application wizard through the test client: order of steps, saving, sending once, access."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from portal.applications.models import Application
from portal.audit.models import AuditEvent
from portal.contacts.models import ApplicationContact
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC, PHARMACY, WELFARE_AREA
from tests.applications.conftest import (
    accept,
    act_for,
    errors,
    fill_connection,
    fill_contacts,
    fill_customer,
    start,
    walk_to_summary,
)

SERVICES_OF = {
    "patient_archive": CLINIC,
    "eprescription": CLINIC,
    "image_archive": CLINIC,
    "social_archive": CARE_HOME,
}


def kinds() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


@pytest.mark.parametrize("service", list(SERVICES_OF))
def test_each_service_can_be_filled_in_and_sent(client, world, service):
    act_for(client, SERVICES_OF[service])
    application_id = walk_to_summary(client, service)
    summary = client.get(f"/applications/{application_id}/summary")
    assert summary.status_code == 200
    assert "Mannerheimintie 1" in summary.get_data(as_text=True)
    response = client.post(f"/applications/{application_id}/send")
    assert response.status_code == 303
    application = db.session.get(Application, application_id)
    assert application.status == "submitted"
    assert application.snapshot["customer"]["decision_email"] == "paatokset@example.fi"
    assert application.snapshot["connection_points"] == [
        {"oid": "1.2.246.10.29584230.10.1", "name": "Päivystyksen liityntäpiste"}
    ]
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Submitted" in dashboard
    assert f"/applications/{application_id}/pdf" in dashboard


def test_steps_cannot_be_skipped_by_typing_urls(client, world):
    act_for(client, CLINIC)
    application_id = start(client, "patient_archive")
    for step in ("customer", "contacts", "billing", "description", "commitment", "summary"):
        response = client.get(f"/applications/{application_id}/{step}")
        assert response.status_code == 302, step
        assert response.headers["Location"].endswith(f"/applications/{application_id}/connection")
    assert client.post(f"/applications/{application_id}/send").status_code == 302
    assert db.session.get(Application, application_id).status == "draft"


def test_bad_input_is_shown_at_the_field_and_what_was_typed_stays(client, world):
    act_for(client, CLINIC)
    application_id = start(client, "patient_archive")
    response = client.post(
        f"/applications/{application_id}/connection",
        data={
            "action": "save",
            "points-0-oid": "1.2.246.010",
            "points-0-name": "Liityntäpiste",
            "systems-0-product": "Terveyskirjo",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # The error summary links to every field with an error, those checked across fields too.
    for field in ("points-0-oid", "systems-0-vendor", "systems-0-version"):
        assert f'href="#{field}"' in page, field
    assert 'value="1.2.246.010"' in page and 'value="Terveyskirjo"' in page
    assert "Enter the vendor" in errors(response)
    assert db.session.get(Application, application_id).connection_points == []


def test_saved_steps_survive_sign_out_and_come_back(client, app, world):
    act_for(client, CLINIC)
    application_id = start(client, "patient_archive")
    fill_connection(client, application_id, "patient_archive")
    client.post("/sign-out")
    other_browser = app.test_client()
    act_for(other_browser, CLINIC, name="Anna Virtanen")
    dashboard = other_browser.get("/dashboard").get_data(as_text=True)
    assert f"/applications/{application_id}/customer" in dashboard  # "Continue your application"
    page = other_browser.get(f"/applications/{application_id}/connection").get_data(as_text=True)
    assert 'value="1.2.246.10.29584230.10.1"' in page


def test_change_link_returns_to_the_summary(client, world):
    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "image_archive")
    response = client.post(
        f"/applications/{application_id}/customer?return=summary",
        data={
            "street_address": "Aleksanterinkatu 2",
            "postal_code": "00170",
            "post_office": "Helsinki",
            "phone": "+358 9 765 4321",
            "decision_email": "kanta@example.fi",
        },
    )
    assert response.headers["Location"].endswith(f"/applications/{application_id}/summary")
    assert db.session.get(Application, application_id).phone == "+35897654321"


def test_sending_twice_makes_one_submission(client, world):
    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "image_archive")
    first = client.post(f"/applications/{application_id}/send")
    second = client.post(f"/applications/{application_id}/send")
    assert first.status_code == second.status_code == 303
    assert kinds().count("application_submitted") == 1


def test_send_is_refused_with_the_reasons_while_something_required_is_missing(client, world):
    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "image_archive")
    db.session.execute(ApplicationContact.__table__.delete().where(ApplicationContact.role == "disruption"))
    db.session.commit()
    response = client.post(f"/applications/{application_id}/send")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Recipient of disruption notices" in page
    assert f"/applications/{application_id}/contacts#role-disruption" in page
    assert db.session.get(Application, application_id).status == "draft"


def test_commitment_is_signed_once_per_organisation(client, world):
    act_for(client, CLINIC)
    first = walk_to_summary(client, "image_archive")
    assert db.session.get(Application, first).commitment_signature_id is not None
    second = start(client, "patient_archive")
    summary_steps = client.get(f"/applications/{second}/connection").get_data(as_text=True)
    assert f"/applications/{second}/commitment" not in summary_steps
    assert client.get(f"/applications/{second}/commitment").status_code == 302


def test_pharmacy_application_is_shorter(client, world):
    act_for(client, PHARMACY, name="Erik Lindqvist")
    application_id = start(client, "eprescription")
    fill_connection(client, application_id, "eprescription")
    fill_customer(client, application_id)
    page = client.get(f"/applications/{application_id}/contacts").get_data(as_text=True)
    assert 'id="role-billing"' not in page and 'id="role-archivist"' not in page
    fill_contacts(client, application_id)
    # No billing step: the contacts step leads to the service description.
    assert client.get(f"/applications/{application_id}/billing").status_code == 302
    accept(client, application_id, "description", "accept")


def test_pharmacy_may_apply_only_for_eprescription(client, world):
    act_for(client, PHARMACY, name="Erik Lindqvist")
    assert client.get("/applications/apply/patient_archive").status_code == 404
    assert client.get("/applications/apply/eprescription").status_code == 200


def test_no_second_open_application_for_the_same_service(client, world):
    act_for(client, CLINIC)
    first = start(client, "patient_archive")
    again = client.post("/applications/apply/patient_archive")
    assert again.status_code == 200
    assert f"/applications/{first}/summary" in again.get_data(as_text=True)
    assert db.session.query(Application).count() == 1


def test_social_archive_asks_profile_stored_data_and_service_tasks(client, world):
    act_for(client, CARE_HOME, name="Erik Lindqvist")
    application_id = start(client, "social_archive")
    response = client.post(
        f"/applications/{application_id}/connection",
        data={
            "action": "save",
            "points-0-oid": "1.2.246.10.19385561.1",
            "points-0-name": "Asiakastieto",
            "systems-0-product": "Sosiaalikirjo",
            "systems-0-vendor": "Ohjelmisto Oy",
            "systems-0-version": "2",
        },
    )
    text = errors(response)
    for message in (
        "Choose the information-system profile",
        "Choose what is stored in the archive",
        "Choose at least one service task",
    ):
        assert message in text


def test_another_organisations_application_is_a_404_everywhere(client, app, world):
    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "image_archive")
    client.post(f"/applications/{application_id}/send")
    stranger = app.test_client()
    act_for(stranger, WELFARE_AREA, name="Ville Vieras")
    paths = [
        f"/applications/{application_id}{suffix}"
        for suffix in (
            "",
            "/pdf",
            "/instructions",
            "/connection",
            "/customer",
            "/contacts",
            "/contacts/technical",
            "/billing",
            "/description",
            "/commitment",
            "/summary",
        )
    ]
    for path in paths:
        assert stranger.get(path).status_code == 404, path
    assert stranger.post(f"/applications/{application_id}/send").status_code == 404
    assert stranger.post(f"/applications/{application_id}/customer", data={}).status_code == 404


def test_pdf_contains_what_was_sent_in_the_chosen_language(client, world, tmp_path):
    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "patient_archive")
    client.post(f"/applications/{application_id}/send")
    for lang, heading in (("fi", "Yhteyshenkilöt"), ("sv", "Kontaktpersoner"), ("en", "Contact persons")):
        client.set_cookie("portal_lang", lang)
        response = client.get(f"/applications/{application_id}/pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(response.data)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        for expected in (
            heading,
            "1.2.246.10.29584230.10.1",
            "paatokset@example.fi",
            "003729584230",
            "Maija archivist",
            "12345678901",
        ):
            assert expected in text, (lang, expected)


def test_double_start_makes_one_application(client, world):
    act_for(client, CLINIC)
    start(client, "image_archive")
    client.post("/applications/apply/image_archive")
    assert db.session.query(Application).filter_by(service="image_archive").count() == 1


def test_contacts_given_before_are_offered_again(client, world):
    act_for(client, CLINIC)
    first = start(client, "image_archive")
    fill_connection(client, first, "image_archive")
    fill_customer(client, first)
    fill_contacts(client, first)
    second = start(client, "patient_archive")
    fill_connection(client, second, "patient_archive")
    fill_customer(client, second)
    page = client.get(f"/applications/{second}/contacts/technical").get_data(as_text=True)
    assert "Maija technical" in page
    contact_id = db.session.scalar(
        select(ApplicationContact.contact_id).where(ApplicationContact.role == "technical")
    )
    response = client.post(f"/applications/{second}/contacts/technical", data={"contact": str(contact_id)})
    assert response.status_code == 303
    assigned = db.session.scalars(
        select(ApplicationContact.contact_id).where(ApplicationContact.role == "technical")
    )
    assert set(assigned) == {contact_id}


def test_eprescription_renewal_unit_is_picked_from_the_register(client, world):
    from portal.registry.models import RegisterUnit

    act_for(client, CLINIC)
    application_id = start(client, "eprescription")
    base = {
        "points-0-oid": "1.2.246.10.29584230.10.1",
        "points-0-name": "Resepti",
        "systems-0-product": "Terveyskirjo",
        "systems-0-vendor": "Ohjelmisto Oy",
        "systems-0-version": "5.2",
        "renewal_requests": "yes",
    }
    unit = db.session.scalar(
        select(RegisterUnit).where(RegisterUnit.business_id == CLINIC.business_id).limit(1)
    )
    search = client.post(
        f"/applications/{application_id}/connection",
        data={**base, "action": "search_unit", "unit_query": unit.long_name[:6]},
    )
    assert search.status_code == 200
    assert f'value="{unit.oid}"' in search.get_data(as_text=True)
    not_in_register = client.post(
        f"/applications/{application_id}/connection",
        data={**base, "action": "save", "unit": "1.2.246.10.99999999.1"},
    )
    assert "Choose the receiving unit from the search results" in errors(not_in_register)
    saved = client.post(
        f"/applications/{application_id}/connection",
        data={**base, "action": "save", "unit_query": unit.long_name[:6], "unit": unit.oid},
    )
    assert saved.status_code == 303, errors(saved)
    application = db.session.get(Application, application_id)
    assert (application.renewal_requests, application.renewal_unit_oid) == (True, unit.oid)


def test_garbage_document_version_falls_back_to_the_current_version(client, world):
    from portal.applications.models import ServiceDescriptionAcceptance

    act_for(client, CLINIC)
    application_id = start(client, "image_archive")
    fill_connection(client, application_id, "image_archive")
    fill_customer(client, application_id)
    fill_contacts(client, application_id)
    response = client.post(
        f"/applications/{application_id}/description", data={"accept": "y", "version_id": "x9"}
    )
    assert response.status_code == 303
    acceptance = db.session.scalar(select(ServiceDescriptionAcceptance))
    assert acceptance.application_id == application_id and len(acceptance.text_sha256) == 64


def test_send_is_refused_when_the_disruption_recipient_has_no_mobile_number(client, world):
    from portal.contacts.models import Contact

    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "image_archive")
    contact_id = db.session.scalar(
        select(ApplicationContact.contact_id).where(ApplicationContact.role == "disruption")
    )
    db.session.get(Contact, contact_id).phone = "+35891234567"  # a landline: no text messages
    db.session.commit()
    response = client.post(f"/applications/{application_id}/send")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error:" in page.replace("\n", "").replace("  ", "")
    assert "mobile phone number" in page


def test_enter_in_a_text_field_saves_rather_than_adds_a_row(client, world):
    """Browsers press a form's first submit button on Enter: on the connection step that is "save"."""
    import re as _re

    act_for(client, CLINIC)
    application_id = start(client, "image_archive")
    page = client.get(f"/applications/{application_id}/connection").get_data(as_text=True)
    form = page[page.index(f'action="/applications/{application_id}/connection"') :]
    first_button = _re.search(r"<button[^>]*>", form).group(0)
    assert 'value="save"' in first_button and 'tabindex="-1"' in first_button
