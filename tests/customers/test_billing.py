"""A service's billing details: the wizard's form and rules, every change logged, and two people
changing them at once never overwriting each other silently."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.customers.models import ServiceInUse
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME
from tests.customers.conftest import (  # noqa: F401
    app_config,
    field_errors,
    input_value,
    notices,
    page_text,
)

PAPER = {
    "business_id": "2958423-0",
    "method": "address",
    "street_address": "Laskutuskatu 5",
    "postal_code": "00200",
    "post_office": "Helsinki",
    "reference": "Kustannuspaikka 42",
}


def billing_of(service: ServiceInUse) -> tuple[dict, int]:
    db.session.expire_all()
    row = db.session.get(ServiceInUse, service.id)
    return row.billing, row.billing_version


def test_the_form_opens_with_the_details_in_use(client, archive):
    page = client.get(f"/services/{archive.id}/billing")
    assert page.status_code == 200
    assert input_value(page, "einvoice_address") == "003729584230"
    assert input_value(page, "reference") == "Kanta 2026"
    assert input_value(page, "version") == "1"


def test_changing_to_a_paper_invoice_saves_logs_and_clears_the_einvoice_fields(client, archive):
    response = client.post(f"/services/{archive.id}/billing", data={**PAPER, "version": "1"})
    assert response.status_code == 303
    billing, version = billing_of(archive)
    assert version == 2
    assert billing["method"] == "address" and billing["street_address"] == "Laskutuskatu 5"
    assert billing["einvoice_address"] is None and billing["operator_code"] is None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "service_billing_changed"))
    assert event.old_value["method"] == "einvoice" and event.new_value["method"] == "address"
    assert (
        event.old_value["einvoice_address"] == "003729584230" and event.new_value["einvoice_address"] is None
    )
    assert "business_id" not in event.new_value  # only what changed
    summary = page_text(client.get(f"/services/{archive.id}"))
    assert "Laskutuskatu 5" in summary and "Paper invoice to a billing address" in summary
    assert len(notices()) == 1


def test_the_wizards_rules_apply(client, archive):
    url = f"/services/{archive.id}/billing"
    # Another organisation's OVT address, and no operator.
    data = {
        "business_id": "2958423-0",
        "method": "einvoice",
        "einvoice_address": "0037" + CARE_HOME.business_id.replace("-", ""),
        "operator_code": "",
        "version": "1",
    }
    response = client.post(url, data=data)
    assert response.status_code == 400
    errors = field_errors(response)
    assert "business ID without the hyphen" in errors["einvoice_address"]
    assert "Choose the operator" in errors["operator_code"]
    assert input_value(response, "einvoice_address") == data["einvoice_address"]
    response = client.post(url, data={**PAPER, "postal_code": "1", "business_id": "123", "version": "1"})
    assert set(field_errors(response)) == {"postal_code", "business_id"}
    assert billing_of(archive)[1] == 1


def test_two_people_changing_the_billing_details_the_second_is_told(client, archive):
    url = f"/services/{archive.id}/billing"
    assert client.post(url, data={**PAPER, "version": "1"}).status_code == 303
    response = client.post(url, data={**PAPER, "reference": "Minun viitteeni", "version": "1"})
    assert response.status_code == 409
    text = page_text(response)
    assert "Someone else saved the billing details while you were editing them" in text
    assert "Laskutuskatu 5" in text  # what is saved now
    assert input_value(response, "reference") == "Minun viitteeni"
    assert input_value(response, "version") == "2"
    billing, version = billing_of(archive)
    assert billing["reference"] == "Kustannuspaikka 42" and version == 2
    response = client.post(url, data={**PAPER, "reference": "Minun viitteeni", "version": "2"})
    assert response.status_code == 303 and billing_of(archive)[0]["reference"] == "Minun viitteeni"


def test_a_tampered_version_is_a_conflict_not_an_error(client, archive):
    for version in ("", "x", "-1", "99999999999999999999", "１"):
        response = client.post(f"/services/{archive.id}/billing", data={**PAPER, "version": version})
        assert response.status_code == 409, version
    assert billing_of(archive)[1] == 1
