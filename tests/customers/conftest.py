"""Customer-data fixtures: the wizard's world (a synced mirror, the documents), a real SMTP server, and
services put in use the way Kela does it: an application sent through the wizard and approved with
decide(). The client is left acting for the organisation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from portal.contacts.models import Contact
from portal.customers.models import ServiceInUse, ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import CLINIC
from portal.outbox.models import OutboxMessage
from portal.reviews.services import Reviewer, decide
from tests.applications.conftest import act_for, codeserver, world  # noqa: F401
from tests.outbox.conftest import smtp  # noqa: F401
from tests.reviews.conftest import send_application

REVIEWER = Reviewer(None, "Kaisa Kelanen")


@pytest.fixture
def app_config(codeserver, smtp) -> dict:  # noqa: F811
    return {"CODESERVER_URL": codeserver.url, **smtp.mail_config()}


def put_in_use(client, organisation=CLINIC, service: str = "patient_archive") -> ServiceInUse:
    """The organisation's application for the service, sent and approved; the client acts for it.
    The approval's own e-mail is marked sent (these tests are about the notices of changes)."""
    application_id = send_application(client, service, organisation)
    decide(application_id, "approve", "", REVIEWER, round=1)
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.kind.like("decision_%")).values(state="sent")
    )
    db.session.commit()
    return db.session.scalar(select(ServiceInUse).where(ServiceInUse.application_id == application_id))


@pytest.fixture
def archive(client, world) -> ServiceInUse:  # noqa: F811
    """The clinic's patient data archive in use; the client acts for the clinic."""
    return put_in_use(client, CLINIC, "patient_archive")


def change_reference(client, service: ServiceInUse, reference: str):
    """Post the billing details as the clinic's application gave them, with another reference."""
    data = {
        "business_id": "2958423-0",
        "method": "einvoice",
        "einvoice_address": "003729584230",
        "operator_code": "003721291126",
        "reference": reference,
        "version": str(service.billing_version),
    }
    return client.post(f"/services/{service.id}/billing", data=data)


def holder(service: ServiceInUse, role: str) -> Contact:
    db.session.expire_all()
    row = db.session.scalar(
        select(ServiceRole).where(ServiceRole.service_in_use_id == service.id, ServiceRole.role == role)
    )
    return db.session.get(Contact, row.contact_id)


def notices() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "customer_data_changed")
            .order_by(OutboxMessage.id)
        )
    )


def page_text(response) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def field_errors(response) -> dict[str, str]:
    """Field id → its error message on the page."""
    page = response.get_data(as_text=True)
    pattern = (
        r'<p id="([\w-]+)-error" class="govuk-error-message">'
        r"\s*<span[^>]*>[^<]*</span>\s*([^<]+?)\s*</p>"
    )
    return dict(re.findall(pattern, page))


def input_value(response, name: str) -> str | None:
    """The value an input of the page carries."""
    page = response.get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'\bname="{re.escape(name)}"', tag):
            found = re.search(r'\bvalue="([^"]*)"', tag)
            return found.group(1) if found else ""
    return None
