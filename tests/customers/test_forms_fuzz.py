"""Random input posted to every form of a service in use (a role's contact, a new contact, a contact's
details, a deletion, the billing details) through the test client: any text, fields missing, repeated
or added, versions and ids tampered with.

Whatever is posted: never a 5xx; a page that does not go on shows its error summary (or the conflict);
and after every example what is stored holds: every role the service needs has a holder that can hold
it, and each stored contact passes the field validators."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.contacts.models import KINDS, Contact
from portal.customers.models import ServiceInUse, ServiceRole
from portal.extensions import db
from portal.identifiers import (
    is_valid_business_id,
    is_valid_certificate_number,
    is_valid_email,
    normalise_phone,
)
from portal.integrations.demo_data import CLINIC
from tests.applications.test_forms_fuzz import ERROR_SUMMARY, junk, names, phones, post, posted
from tests.customers.conftest import app_config  # noqa: F401
from tests.forms.strategies import (
    business_ids,
    certificate_numbers,
    emails,
    ovts,
    postal_codes,
)

FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ROLES = ("technical", "disruption", "data_protection", "administrative", "billing", "archivist")
kinds = st.sampled_from(["person", "point"])
contact_fields = {
    "kind": kinds,
    "name": names,
    "email": emails,
    "phone": phones,
    "certificate_number": certificate_numbers,
}
versions = st.one_of(st.just("current"), junk, st.integers(-5, 10**12).map(str))
contact_refs = st.one_of(st.just("some"), st.just("new"), junk, st.integers(-5, 10**6).map(str))


def contact_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(Contact.id)
            .where(Contact.organisation_business_id == CLINIC.business_id)
            .order_by(Contact.id)
        )
    )


def resolve(value, choices: list[int], current: int | None):
    """Placeholders drawn by the strategies, made real: "current" (the version now), "some" (an id
    of the organisation's contacts)."""
    if value == "current":
        return str(current)
    if value == "some":
        return str(choices[len(choices) // 2]) if choices else "0"
    return value


def check_stored(service: ServiceInUse) -> None:
    """Every role the service needs is held by a contact that can hold it; stored contacts are valid."""
    db.session.expire_all()
    held = {
        row.role: db.session.get(Contact, row.contact_id)
        for row in db.session.scalars(select(ServiceRole).where(ServiceRole.service_in_use_id == service.id))
    }
    for role in ROLES:
        assert role in held and held[role] is not None, role
        assert held[role].can_hold(role), (role, held[role].name)
    for contact in db.session.scalars(select(Contact)):
        assert contact.kind in KINDS and contact.name and len(contact.name) <= 200
        assert contact.email is None or is_valid_email(contact.email)
        assert contact.phone is None or normalise_phone(contact.phone) == contact.phone
        assert contact.certificate_number is None or is_valid_certificate_number(contact.certificate_number)
    billing = db.session.get(ServiceInUse, service.id).billing
    assert is_valid_business_id(billing["business_id"]) and billing["method"] in ("address", "einvoice")


def went_on_or_said_why(response) -> None:
    assert response.status_code in (200, 303, 400, 404, 409), response.status_code
    if response.status_code in (400, 409):
        assert ERROR_SUMMARY in response.get_data(as_text=True)


def test_a_roles_contact(client, archive):
    @FUZZ
    @given(
        role=st.sampled_from(ROLES),
        data=posted(
            {**contact_fields, "contact": contact_refs, "holder": st.one_of(st.just("current"), junk)}
        ),
    )
    def run(role, data):
        ids = contact_ids()
        row = db.session.scalar(
            select(ServiceRole).where(ServiceRole.service_in_use_id == archive.id, ServiceRole.role == role)
        )
        data = {k: resolve(v, ids, row.contact_id) for k, v in data.items()}
        went_on_or_said_why(post(client, f"/services/{archive.id}/roles/{role}", data))
        check_stored(archive)

    run()


def test_a_new_contact(client, archive):
    roles = st.lists(st.one_of(st.sampled_from(ROLES), junk), max_size=3)

    @FUZZ
    @given(data=posted({**contact_fields, "take_roles": roles}))
    def run(data):
        went_on_or_said_why(post(client, f"/services/{archive.id}/contacts/new", data))
        check_stored(archive)

    run()


def test_a_contacts_details(client, archive):
    @FUZZ
    @given(which=st.integers(0, 5), data=posted({**contact_fields, "version": versions}))
    def run(which, data):
        ids = contact_ids()
        contact = db.session.get(Contact, ids[which % len(ids)])
        data = {k: resolve(v, ids, contact.version) for k, v in data.items()}
        went_on_or_said_why(post(client, f"/services/{archive.id}/contacts/{contact.id}", data))
        check_stored(archive)

    run()


def test_a_deletion(client, archive):
    replacement = st.one_of(st.just("some"), junk, st.integers(-5, 10**6).map(str))
    slots = {f"service-{archive.id}-{role}": replacement for role in ROLES}

    @FUZZ
    @given(which=st.integers(0, 8), add=st.booleans(), data=posted({"version": versions, **slots}))
    def run(which, add, data):
        if add:  # someone to take over
            new = {"kind": "person", "name": "Varalla", "email": "v@example.fi", "phone": "0401234567"}
            post(client, f"/services/{archive.id}/contacts/new", {**new, "certificate_number": "ABCDE123456"})
        ids = contact_ids()
        contact = db.session.get(Contact, ids[which % len(ids)])
        data = {k: resolve(v, ids, contact.version) for k, v in data.items()}
        went_on_or_said_why(post(client, f"/services/{archive.id}/contacts/{contact.id}/delete", data))
        check_stored(archive)

    run()


def test_the_billing_details(client, archive):
    fields = {
        "business_id": business_ids,
        "method": st.sampled_from(["einvoice", "address"]),
        "einvoice_address": ovts,
        "operator_code": st.sampled_from(["003721291126", "NDEAFIHH", ""]),
        "street_address": names,
        "postal_code": postal_codes,
        "post_office": names,
        "reference": st.text(max_size=80),
        "version": versions,
    }

    @FUZZ
    @given(data=posted(fields))
    def run(data):
        version = db.session.get(ServiceInUse, archive.id).billing_version
        data = {k: resolve(v, [], version) for k, v in data.items()}
        went_on_or_said_why(post(client, f"/services/{archive.id}/billing", data))
        check_stored(archive)

    run()
