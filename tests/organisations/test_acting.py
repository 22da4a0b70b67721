"""Acting for an organisation: roles from the mandates service, checks against the register mirror."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.integrations.demo_data import (
    CARE_HOME,
    CLINIC,
    DEMO_PERSONS,
    ENDED,
    NOT_IN_REGISTER,
    PHARMACY,
    PRACTITIONER,
    WELFARE_AREA,
)
from portal.registry.models import RegisterUnit
from tests.organisations.conftest import choose, signed_in_as

PERSON = {p.sub: p for p in DEMO_PERSONS}


def audit() -> list[tuple[str, str | None, dict | None]]:
    return [
        (e.kind, e.organisation_business_id, e.detail)
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def test_responsible_person_acts_and_sees_the_register_data(client, mirror):
    signed_in_as(client, PERSON["anna"])
    response = choose(client, CLINIC.business_id)
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    unit = db.session.scalar(
        select(RegisterUnit).where(
            RegisterUnit.business_id == CLINIC.business_id, RegisterUnit.parent_oid.is_(None)
        )
    )
    for value in (unit.long_name, unit.business_id, unit.oid, unit.street_address, unit.post_office):
        assert value in page
    assert audit() == [("organisation_chosen", CLINIC.business_id, None)]


@pytest.mark.parametrize(
    ("person", "organisation", "expected"),
    [
        ("anna", CLINIC, {"Patient data archive", "ePrescription", "Image archive"}),
        ("erik", CARE_HOME, {"Social welfare client data archive"}),
        ("erik", PHARMACY, {"ePrescription"}),
        ("pirjo", PRACTITIONER, {"Patient data archive", "ePrescription", "Image archive"}),
    ],
)
def test_dashboard_offers_the_services_the_organisation_may_apply_for(
    client, mirror, person, organisation, expected
):
    signed_in_as(client, PERSON[person])
    choose(client, organisation.business_id)
    page = client.get("/dashboard").get_data(as_text=True)
    offered = {
        name
        for name in (
            "Patient data archive",
            "Social welfare client data archive",
            "ePrescription",
            "Image archive",
        )
        if f">{name}<" in page
    }
    assert offered == expected


def test_switching_organisation_is_audited_with_old_and_new(client, mirror):
    signed_in_as(client, PERSON["anna"])
    choose(client, CLINIC.business_id)
    choose(client, WELFARE_AREA.business_id)
    assert WELFARE_AREA.name in client.get("/dashboard").get_data(as_text=True)
    switched = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "organisation_switched")).one()
    assert switched.old_value["business_id"] == CLINIC.business_id
    assert switched.new_value["business_id"] == WELFARE_AREA.business_id


def test_role_that_does_not_allow_applying_is_refused_with_the_reason(client, mirror):
    signed_in_as(client, PERSON["mikko"])
    response = choose(client, CLINIC.business_id)
    assert response.status_code == 403
    assert "do not allow joining Kanta services" in response.get_data(as_text=True)
    assert client.get("/dashboard").headers["Location"].endswith("/organisation")
    assert audit() == [("access_refused", CLINIC.business_id, {"reason": "roles", "roles": ["HAL"]})]


def test_organisation_missing_from_register_cannot_use_the_portal(client, mirror):
    signed_in_as(client, PERSON["mikko"])
    response = choose(client, NOT_IN_REGISTER.business_id)
    assert response.status_code == 403
    assert "is not in the national code service" in response.get_data(as_text=True)
    assert audit()[-1][2] == {"reason": "not_in_register"}


def test_organisation_whose_validity_ended_cannot_use_the_portal(client, mirror):
    signed_in_as(client, PERSON["mikko"])
    response = choose(client, ENDED.business_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    unit = db.session.scalar(select(RegisterUnit).where(RegisterUnit.business_id == ENDED.business_id))
    assert unit.expiration_date < date.today()
    assert "ended on" in page
    assert audit()[-1][2] == {"reason": "validity_ended"}


def test_cancelling_at_the_mandates_service_leaves_nothing_chosen(client, mirror):
    signed_in_as(client, PERSON["anna"])
    response = choose(client, None, button="Cancel")
    assert response.status_code == 200
    assert "without choosing an organisation" in response.get_data(as_text=True)
    assert client.get("/dashboard").headers["Location"].endswith("/organisation")


def test_replayed_mandates_callback_is_refused(client, mirror):
    signed_in_as(client, PERSON["anna"])
    response = choose(client, CLINIC.business_id)
    assert response.status_code == 302
    # The same state again: the pending choice was used up.
    again = client.get("/organisation/callback?code=anything&state=anything")
    assert "could not be accepted" in again.get_data(as_text=True)


def test_dashboard_works_while_the_code_server_is_down(client, mirror, codeserver, app):
    signed_in_as(client, PERSON["anna"])
    choose(client, CLINIC.business_id)
    app.config["CODESERVER_URL"] = "http://127.0.0.1:9"  # nothing answers there
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert CLINIC.name in response.get_data(as_text=True)


def test_mandates_service_down_gives_a_clear_message(client, mirror, app):
    signed_in_as(client, PERSON["anna"])
    app.config["MANDATES_URL"] = "http://127.0.0.1:9"
    response = client.post("/organisation")
    assert response.status_code == 503
    assert "not answering" in response.get_data(as_text=True)


def test_unit_removed_from_register_after_choosing_ends_acting(client, mirror):
    signed_in_as(client, PERSON["anna"])
    choose(client, CLINIC.business_id)
    db.session.execute(RegisterUnit.__table__.delete().where(RegisterUnit.business_id == CLINIC.business_id))
    db.session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 403
    assert client.get("/dashboard").headers["Location"].endswith("/organisation")
