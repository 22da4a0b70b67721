"""Changing who holds a role, adding, editing and deleting contacts: the wizard's rules, shared
contacts marked, a required role never left empty, every change in the audit log with its old and
new values, and two people at once never overwriting each other silently."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text

from portal.applications.models import Application
from portal.audit.models import AuditEvent
from portal.contacts.models import ApplicationContact, Contact
from portal.customers import services
from portal.customers.models import ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import CLINIC
from tests.applications.conftest import fill_connection, fill_customer, start
from tests.customers.conftest import (  # noqa: F401
    app_config,
    field_errors,
    holder,
    input_value,
    notices,
    page_text,
    put_in_use,
)

NEW_CONTACT = {
    "kind": "person",
    "name": "Pekka Uusi",
    "email": "pekka.uusi@example.fi",
    "phone": "050 765 4321",
    "certificate_number": "ABCDE123456",
}


def events(kind: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)))


def contact_named(name: str) -> Contact:
    db.session.expire_all()
    return db.session.scalar(select(Contact).where(Contact.name == name))


def edit_data(contact: Contact, **changes) -> dict:
    data = {name: getattr(contact, name) or "" for name in services.CONTACT_FIELDS}
    data["version"] = str(contact.version)
    data.update(changes)
    return data


# --- a role's contact -----------------------------------------------------------------------------


def test_a_role_is_given_to_another_contact_from_the_list(client, archive):
    old = holder(archive, "administrative")
    new = holder(archive, "technical")
    url = f"/services/{archive.id}/roles/administrative"
    page = client.get(url)
    assert input_value(page, "holder") == str(old.id)
    response = client.post(url, data={"contact": str(new.id), "holder": str(old.id)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/services/{archive.id}")
    assert holder(archive, "administrative").id == new.id
    [event] = events("contact_role_changed")
    assert event.old_value == {"contact_id": old.id, "name": old.name}
    assert event.new_value == {"contact_id": new.id, "name": new.name}
    assert event.detail["role"] == "administrative" and event.detail["service"] == "patient_archive"
    assert event.actor_name == "Anna Virtanen" and event.organisation_business_id == CLINIC.business_id
    # The notice goes to the administrative contact that was replaced as well as the new one.
    [notice] = notices()
    assert set(notice.recipients) == {old.email, new.email}


def test_a_role_is_given_to_a_new_contact(client, archive):
    url = f"/services/{archive.id}/roles/archivist"
    old = holder(archive, "archivist")
    response = client.post(url, data={"contact": "new", "holder": str(old.id), **NEW_CONTACT})
    assert response.status_code == 303
    archivist = holder(archive, "archivist")
    assert (archivist.name, archivist.certificate_number, archivist.phone) == (
        "Pekka Uusi",
        "ABCDE123456",
        "+358507654321",
    )
    assert [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "customer_contact_created",
        "contact_role_changed",
    ]


def test_the_archivist_role_takes_only_a_contact_with_a_certificate_number(client, archive):
    url = f"/services/{archive.id}/roles/archivist"
    old = holder(archive, "archivist")
    technical = holder(archive, "technical")
    response = client.post(url, data={"contact": str(technical.id), "holder": str(old.id)})
    assert response.status_code == 400
    assert "has no certificate number" in field_errors(response)["contact"]
    response = client.post(
        url, data={"contact": "new", "holder": str(old.id), **NEW_CONTACT, "certificate_number": "1234"}
    )
    assert response.status_code == 400
    assert "11-character certificate number" in field_errors(response)["certificate_number"]
    assert input_value(response, "certificate_number") == "1234"  # what was typed stays
    assert input_value(response, "name") == "Pekka Uusi"
    assert holder(archive, "archivist").id == old.id


def test_choosing_the_present_holder_again_changes_nothing(client, archive):
    current = holder(archive, "technical")
    url = f"/services/{archive.id}/roles/technical"
    response = client.post(url, data={"contact": str(current.id), "holder": str(current.id)})
    assert response.status_code == 303
    assert events("contact_role_changed") == [] and notices() == []


def test_a_role_changed_by_someone_else_meanwhile_is_not_overwritten(client, archive):
    url = f"/services/{archive.id}/roles/administrative"
    seen = holder(archive, "administrative")
    technical, billing = holder(archive, "technical"), holder(archive, "billing")
    # Someone else gives the role to the billing contact after this page was opened.
    assert client.post(url, data={"contact": str(billing.id), "holder": str(seen.id)}).status_code == 303
    response = client.post(url, data={"contact": str(technical.id), "holder": str(seen.id)})
    assert response.status_code == 409
    text = page_text(response)
    assert "Someone else changed the administrative contact" in text
    assert billing.name in text  # who holds it now
    assert holder(archive, "administrative").id == billing.id
    assert input_value(response, "holder") == str(billing.id)  # saving again is a deliberate choice
    assert re.search(rf'value="{technical.id}"[^>]*checked', response.get_data(as_text=True))
    response = client.post(url, data={"contact": str(technical.id), "holder": str(billing.id)})
    assert response.status_code == 303 and holder(archive, "administrative").id == technical.id


# --- shared contacts --------------------------------------------------------------------------------


def test_a_contact_serving_another_service_is_marked_and_its_edit_page_says_so(client, world):
    archive = put_in_use(client, CLINIC, "patient_archive")
    prescription = put_in_use(client, CLINIC, "eprescription")
    shared = holder(archive, "administrative")
    url = f"/services/{prescription.id}/roles/administrative"
    seen = holder(prescription, "administrative")
    assert client.post(url, data={"contact": str(shared.id), "holder": str(seen.id)}).status_code == 303

    page = client.get(f"/services/{archive.id}").get_data(as_text=True)
    marked = re.search(r'id="shared-administrative".*?</div>', page, re.S)
    assert marked and "ePrescription: Administrative contact" in marked.group(0)
    assert 'id="shared-technical"' not in page  # the technical contact serves this service only

    contacts = page_text(client.get(f"/services/{archive.id}/contacts"))
    assert "Shared" in contacts

    edit = client.get(f"/services/{archive.id}/contacts/{shared.id}")
    assert 'id="shared-warning"' in edit.get_data(as_text=True)
    assert "The changes you save apply there too" in page_text(edit)
    alone = client.get(f"/services/{archive.id}/contacts/{holder(archive, 'technical').id}")
    assert 'id="shared-warning"' not in alone.get_data(as_text=True)

    # One change, seen in both services.
    data = edit_data(shared, email="hallinto@example.fi")
    assert client.post(f"/services/{archive.id}/contacts/{shared.id}", data=data).status_code == 303
    assert holder(prescription, "administrative").email == "hallinto@example.fi"
    [event] = events("customer_contact_updated")
    assert event.detail["services"] == ["patient_archive", "eprescription"]


# --- editing ----------------------------------------------------------------------------------------


def test_editing_a_contact_saves_and_logs_old_and_new_values(client, archive):
    contact = holder(archive, "technical")
    url = f"/services/{archive.id}/contacts/{contact.id}"
    page = client.get(url)
    assert input_value(page, "version") == "1" and input_value(page, "email") == contact.email
    response = client.post(url, data=edit_data(contact, email="tekniikka@example.fi", phone="09 123 4567"))
    assert response.status_code == 303
    saved = contact_named(contact.name)
    assert (saved.email, saved.phone, saved.version) == ("tekniikka@example.fi", "+35891234567", 2)
    [event] = events("customer_contact_updated")
    assert event.old_value == {"email": "technical@example.fi", "phone": "+358401234567"}
    assert event.new_value == {"email": "tekniikka@example.fi", "phone": "+35891234567"}
    assert event.object_id == str(contact.id)


def test_saving_without_changes_records_nothing(client, archive):
    contact = holder(archive, "technical")
    response = client.post(f"/services/{archive.id}/contacts/{contact.id}", data=edit_data(contact))
    assert response.status_code == 303
    assert events("customer_contact_updated") == [] and notices() == []
    assert contact_named(contact.name).version == 1


def test_an_edit_keeps_what_the_roles_need(client, archive):
    disruption = holder(archive, "disruption")
    url = f"/services/{archive.id}/contacts/{disruption.id}"
    response = client.post(url, data=edit_data(disruption, phone="09 123 4567", email=""))
    assert response.status_code == 400
    errors = field_errors(response)
    assert "mobile phone number" in errors["phone"] and "e-mail address" in errors["email"]
    assert input_value(response, "phone") == "09 123 4567"
    assert 'class="govuk-error-summary' in response.get_data(as_text=True)

    archivist = holder(archive, "archivist")
    url = f"/services/{archive.id}/contacts/{archivist.id}"
    response = client.post(url, data=edit_data(archivist, kind="point", certificate_number=""))
    assert response.status_code == 400
    errors = field_errors(response)
    assert "must be a person" in errors["kind"] and "certificate number" in errors["certificate_number"]
    assert contact_named(archivist.name).certificate_number == "12345678901"


def test_two_people_editing_the_same_contact_the_second_is_told_and_nothing_is_overwritten(
    client, app, archive
):
    contact = holder(archive, "technical")
    url = f"/services/{archive.id}/contacts/{contact.id}"
    other = app.test_client()
    other.set_cookie("portal_lang", "en")
    with client.session_transaction() as my_session, other.session_transaction() as their_session:
        their_session.update(dict(my_session))
    # Both open the page (version 1) and type; the other person saves first.
    assert input_value(client.get(url), "version") == input_value(other.get(url), "version") == "1"
    mine = edit_data(contact, name="Minun nimeni", phone="040 999 8888")
    theirs = edit_data(contact, email="toinen@example.fi")
    old_phone = contact.phone
    assert other.post(url, data=theirs).status_code == 303

    response = client.post(url, data=mine)
    assert response.status_code == 409
    text = page_text(response)
    assert "Someone else saved changes to this contact while you were editing it" in text
    current = re.search(r'id="conflict-current">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert "toinen@example.fi" in current.group(1)  # what the other person saved
    # What this person typed is kept in the form, and the form now carries the saved version.
    assert input_value(response, "name") == "Minun nimeni"
    assert input_value(response, "phone") == "+358409998888"  # as typed, in the form it is stored
    assert input_value(response, "version") == "2"
    saved = contact_named(contact.name)
    assert (saved.email, saved.phone, saved.version) == ("toinen@example.fi", old_phone, 2)
    assert len(events("customer_contact_updated")) == 1

    # Saving again, having seen theirs, is a deliberate choice and goes through.
    data = edit_data(contact, name="Minun nimeni", email="toinen@example.fi", version="2")
    assert client.post(url, data=data).status_code == 303
    assert contact_named("Minun nimeni").version == 3


def test_a_change_committed_between_reading_and_saving_is_caught_by_the_version_column(client, app, archive):
    """The race the form's version cannot see: another transaction commits after this request read
    the contact. SQLAlchemy's version check on the UPDATE refuses it (StaleDataError)."""
    from flask import g

    contact = holder(archive, "technical")
    with app.test_request_context():
        g.acting = {"business_id": CLINIC.business_id, "name": "Lääkärikeskus Kuusi Oy"}
        loaded = db.session.get(Contact, contact.id)
        assert loaded.version == 1
        with db.engine.begin() as other:
            other.execute(
                text("UPDATE contact SET email = 'muu@example.fi', version = version + 1 WHERE id = :id"),
                {"id": contact.id},
            )
        from portal.customers.forms import EditContactForm

        data = edit_data(loaded, name="Kilpaileva muutos")
        edit = EditContactForm(formdata=_multidict(data), meta={"csrf": False})
        assert edit.validate()
        try:
            services.update_contact(loaded, edit)
        except services.ContactConflict as conflict:
            assert conflict.current.email == "muu@example.fi" and conflict.current.version == 2
        else:
            raise AssertionError("the stale update was saved")
    assert contact_named(contact.name).email == "muu@example.fi"


def _multidict(data: dict):
    from werkzeug.datastructures import MultiDict

    return MultiDict(data)


def test_editing_a_contact_deleted_meanwhile_says_so(client, archive):
    contact = holder(archive, "technical")
    db.session.execute(ServiceRole.__table__.delete().where(ServiceRole.contact_id == contact.id))
    db.session.execute(
        ApplicationContact.__table__.delete().where(ApplicationContact.contact_id == contact.id)
    )
    db.session.commit()
    url = f"/services/{archive.id}/contacts/{contact.id}"
    data = edit_data(contact, email="x@example.fi")
    db.session.execute(Contact.__table__.delete().where(Contact.id == contact.id))
    db.session.commit()
    assert client.post(url, data=data).status_code == 404


# --- adding -----------------------------------------------------------------------------------------


def test_a_new_contact_is_added_and_may_take_roles_at_once(client, archive):
    url = f"/services/{archive.id}/contacts/new"
    old = holder(archive, "archivist")
    response = client.post(url, data={**NEW_CONTACT, "take_roles": ["archivist", "billing"]})
    assert response.status_code == 303
    new = contact_named("Pekka Uusi")
    assert holder(archive, "archivist").id == new.id and holder(archive, "billing").id == new.id
    assert contact_named(old.name) is not None  # the old archivist stays in the list
    [created] = events("customer_contact_created")
    assert created.new_value["email"] == "pekka.uusi@example.fi"
    assert created.detail["roles"] == ["archivist", "billing"]
    assert len(events("contact_role_changed")) == 2


def test_a_new_contact_needs_what_its_roles_need(client, archive):
    url = f"/services/{archive.id}/contacts/new"
    response = client.post(
        url,
        data={"kind": "point", "name": "", "phone": "09 123 4567", "take_roles": ["archivist", "disruption"]},
    )
    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) >= {"kind", "name", "email", "phone", "certificate_number"}
    assert input_value(response, "phone") == "09 123 4567"
    response = client.post(url, data={**NEW_CONTACT, "take_roles": ["image_technical"]})
    assert response.status_code == 400  # not a role of this service
    assert (
        db.session.scalar(select(func.count()).select_from(Contact).where(Contact.name == "Pekka Uusi")) == 0
    )


def test_a_role_given_on_the_dashboard_link_is_ticked(client, archive):
    page = client.get(f"/services/{archive.id}/contacts/new?role=archivist").get_data(as_text=True)
    assert re.search(r'value="archivist"[^>]*checked', page)


# --- deleting ---------------------------------------------------------------------------------------


def test_deleting_a_contact_without_roles_after_confirmation(client, archive):
    assert client.post(f"/services/{archive.id}/contacts/new", data=NEW_CONTACT).status_code == 303
    contact = contact_named("Pekka Uusi")
    url = f"/services/{archive.id}/contacts/{contact.id}/delete"
    page = client.get(url)
    assert page.status_code == 200
    assert "Delete Pekka Uusi?" in page_text(page) and "holds no roles" in page_text(page)
    response = client.post(url, data={"version": str(contact.version)})
    assert response.status_code == 303
    assert contact_named("Pekka Uusi") is None
    [event] = events("customer_contact_deleted")
    assert event.old_value["name"] == "Pekka Uusi" and event.old_value["email"] == "pekka.uusi@example.fi"


def test_deleting_the_last_holder_of_a_required_role_asks_for_a_replacement_first(client, archive):
    archivist = holder(archive, "archivist")
    url = f"/services/{archive.id}/contacts/{archivist.id}/delete"
    # Nobody else can be the archivist: the page says to add one first, and no deletion is offered.
    page = client.get(url)
    text = page_text(page)
    assert "Patient data archive: Archivist" in text and "none of your other contacts" in text
    assert f'href="/services/{archive.id}/contacts/new?role=archivist"' in page.get_data(as_text=True)
    response = client.post(url, data={"version": "1"})
    assert response.status_code == 400 and contact_named(archivist.name) is not None

    # With another contact who can: the replacement must be chosen.
    client.post(f"/services/{archive.id}/contacts/new", data=NEW_CONTACT)
    replacement = contact_named("Pekka Uusi")
    key = f"service-{archive.id}-archivist"
    response = client.post(url, data={"version": "1"})
    assert response.status_code == 400
    assert "Choose who takes over as archivist" in field_errors(response)[key]
    assert contact_named(archivist.name) is not None and holder(archive, "archivist").id == archivist.id

    response = client.post(url, data={"version": "1", key: str(replacement.id)})
    assert response.status_code == 303
    assert contact_named(archivist.name) is None
    assert holder(archive, "archivist").id == replacement.id
    [role_event] = events("contact_role_changed")
    assert role_event.old_value["name"] == archivist.name and role_event.new_value["name"] == "Pekka Uusi"
    assert len(events("customer_contact_deleted")) == 1


def test_a_replacement_must_be_able_to_hold_the_role(client, archive):
    disruption = holder(archive, "disruption")
    technical = holder(archive, "technical")
    technical.phone = "+35891234567"  # a landline: no text messages
    db.session.commit()
    url = f"/services/{archive.id}/contacts/{disruption.id}/delete"
    page = client.get(url).get_data(as_text=True)
    offered = re.findall(rf'name="service-{archive.id}-disruption"[^>]*value="(\d+)"', page)
    assert offered and str(technical.id) not in offered
    response = client.post(url, data={"version": "1", f"service-{archive.id}-disruption": str(technical.id)})
    assert response.status_code == 400 and holder(archive, "disruption").id == disruption.id


def test_deleting_empties_the_role_in_an_application_still_being_edited(client, archive):
    archivist = holder(archive, "archivist")
    replacement_data = {**NEW_CONTACT, "take_roles": []}
    client.post(f"/services/{archive.id}/contacts/new", data=replacement_data)
    replacement = contact_named("Pekka Uusi")
    # A draft for another service uses the old archivist's contact as its technical contact.
    draft_id = start(client, "image_archive")
    fill_connection(client, draft_id, "image_archive")
    fill_customer(client, draft_id)
    role_url = f"/applications/{draft_id}/contacts/technical"
    assert client.post(role_url, data={"contact": str(archivist.id)}).status_code == 303

    url = f"/services/{archive.id}/contacts/{archivist.id}/delete"
    page = page_text(client.get(url))
    assert "Image archive, application in progress: Technical contact point" in page
    response = client.post(url, data={"version": "1", f"service-{archive.id}-archivist": str(replacement.id)})
    assert response.status_code == 303
    assert (
        db.session.scalar(select(ApplicationContact).where(ApplicationContact.application_id == draft_id))
        is None
    )
    assert db.session.get(Application, draft_id).status == "draft"


def test_a_contact_changed_after_the_confirmation_was_opened_is_not_deleted(client, archive):
    client.post(f"/services/{archive.id}/contacts/new", data=NEW_CONTACT)
    contact = contact_named("Pekka Uusi")
    url = f"/services/{archive.id}/contacts/{contact.id}/delete"
    client.get(url)
    # Meanwhile someone else changes it, and gives it a role.
    client.post(
        f"/services/{archive.id}/contacts/{contact.id}", data=edit_data(contact, email="u@example.fi")
    )
    response = client.post(url, data={"version": "1"})
    assert response.status_code == 303 and "changed=1" in response.headers["Location"]
    assert contact_named("Pekka Uusi") is not None
    page = client.get(response.headers["Location"])
    assert "changed while you were deciding" in page_text(page)
    assert input_value(page, "version") == "2"
