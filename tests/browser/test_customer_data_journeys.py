"""Keeping customer data current, in a real browser: from the dashboard to a service in use, changing a
contact's details (with bad input, and with someone else saving the same contact first), adding a
contact who takes a role, deleting contacts (one with a role, which needs a replacement first),
changing the billing details, and reading the history of the changes; the notice e-mail reaches the
SMTP stand-in. One journey in Swedish. Every portal page is checked with axe-core, the error states
included.

The services are put in use as Kela does it, through a second app on the portal's database with the
test client: an application sent and approved with decide(). The browser tests share one database, so
these journeys use organisation and service pairs no other journey uses (the clinic's and the
practitioner's ePrescription), with contacts of their own, and first clear what an earlier run left.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import delete, or_, select, update

from portal.applications.models import Application
from portal.contacts.models import ApplicationContact, Contact
from portal.customers.models import ServiceInUse, ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import CLINIC, PRACTITIONER, DemoOrganisation
from portal.outbox.models import OutboxMessage
from portal.outbox.worker import run_once
from portal.reviews.models import Decision, DecisionDocument
from portal.reviews.services import Reviewer, decide
from tests.applications.conftest import accept, act_for, errors, fill_connection, fill_customer, start
from tests.browser.wizard_steps import MAVENTA, Entry, Journey, open_portal, reset_applications, sign_in
from tests.conftest import make_app

pytestmark = pytest.mark.browser

SERVICE = "eprescription"
ROLES = ("technical", "disruption", "data_protection", "administrative", "billing")
NAMES = {
    "technical": "Tuula Tekninen",
    "disruption": "Harri Häiriö",
    "data_protection": "Tiina Tietosuoja",
    "administrative": "Hanna Hallinto",
    "billing": "Lasse Laskutus",
}
EMAIL_SUFFIX = ".asiakastieto@example.fi"  # this module's contacts, and no one else's
NEW_NAME = "Ville Uusi"


def email(role: str) -> str:
    return f"{role.replace('_', '.')}{EMAIL_SUFFIX}"


# --- putting the service in use -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def kela(portal) -> Iterator[Flask]:
    """A second app on the portal's database and stand-ins, without CSRF, for the test client."""
    app = make_app(portal.app.config["SQLALCHEMY_DATABASE_URI"], **portal.stack.config)
    yield app
    with app.app_context():
        db.engine.dispose()


def clear(app: Flask, organisation: DemoOrganisation) -> None:
    """What an earlier run left: the service in use, its application and decisions, this module's
    contacts."""
    business_id = organisation.business_id
    with app.app_context():
        ids = select(Application.id).where(
            Application.organisation_business_id == business_id, Application.service == SERVICE
        )
        decisions = select(Decision.id).where(Decision.application_id.in_(ids))
        uses = select(ServiceInUse.id).where(
            ServiceInUse.organisation_business_id == business_id, ServiceInUse.service == SERVICE
        )
        ours = select(Contact.id).where(
            Contact.organisation_business_id == business_id,
            or_(Contact.email.like(f"%{EMAIL_SUFFIX}"), Contact.name == NEW_NAME),
        )
        for statement in (
            delete(DecisionDocument).where(DecisionDocument.decision_id.in_(decisions)),
            delete(OutboxMessage).where(OutboxMessage.application_id.in_(ids)),
            delete(Decision).where(Decision.application_id.in_(ids)),
            delete(ServiceRole).where(ServiceRole.service_in_use_id.in_(uses)),
            delete(ServiceInUse).where(ServiceInUse.id.in_(uses)),
            delete(ApplicationContact).where(ApplicationContact.contact_id.in_(ours)),
            delete(ServiceRole).where(ServiceRole.contact_id.in_(ours)),
        ):
            db.session.execute(statement)
        db.session.commit()
    reset_applications(app, business_id, SERVICE)
    with app.app_context():
        db.session.execute(delete(Contact).where(Contact.id.in_(ours)))
        db.session.commit()


def put_in_use(app: Flask, organisation: DemoOrganisation, person: str) -> tuple[int, dict[str, int]]:
    """The organisation's ePrescription, applied for with this module's contacts and approved.
    Returns the service in use's id and the contact id by role."""
    clear(app, organisation)
    digits = organisation.business_id.replace("-", "")
    with app.app_context():
        client = app.test_client()
        act_for(client, organisation, name=person)
        application_id = start(client, SERVICE)
        fill_connection(client, application_id, SERVICE)
        fill_customer(client, application_id)
        for role in ROLES:
            response = client.post(
                f"/applications/{application_id}/contacts/{role}",
                data={
                    "contact": "new",
                    "kind": "person",
                    "name": NAMES[role],
                    "email": email(role),
                    "phone": "040 123 4567",
                },
            )
            assert response.status_code == 303, errors(response)
        assert client.post(f"/applications/{application_id}/contacts").status_code == 303
        billing = {
            "business_id": organisation.business_id,
            "method": "einvoice",
            "einvoice_address": f"0037{digits}",
            "operator_code": MAVENTA,
            "reference": "Resepti 2026",
        }
        response = client.post(f"/applications/{application_id}/billing", data=billing)
        assert response.status_code == 303, errors(response)
        accept(client, application_id, "description", "accept")
        if client.get(f"/applications/{application_id}/commitment").status_code == 200:
            accept(client, application_id, "commitment", "sign")
        assert client.post(f"/applications/{application_id}/send").status_code == 303
        decide(application_id, "approve", "", Reviewer(None, "Kaisa Kelanen"), round=1)
        # The approval's e-mail is not this journey's business: out of the worker's way.
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.application_id == application_id).values(state="sent")
        )
        db.session.commit()
        service = db.session.scalar(select(ServiceInUse).where(ServiceInUse.application_id == application_id))
        roles = {
            row.role: row.contact_id
            for row in db.session.scalars(
                select(ServiceRole).where(ServiceRole.service_in_use_id == service.id)
            )
        }
        return service.id, roles


# --- in the browser --------------------------------------------------------------------------------------


def save(journey: Journey) -> None:
    """The form's only button: Save, or Delete contact."""
    journey.submit(journey.page.locator("main form button.govuk-button"))


def expect_page(journey: Journey, path: str) -> None:
    expect(journey.page).to_have_url(re.compile(rf"{re.escape(path)}(\?.*)?$"))


def expect_success(journey: Journey, text: str) -> None:
    expect(journey.page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def to_service(journey: Journey, service_id: int) -> None:
    """From the dashboard to the service's page."""
    journey.submit(journey.page.locator(f"main li#service-{SERVICE} a[href='/services/{service_id}']"))
    expect_page(journey, f"/services/{service_id}")
    expect(journey.page.locator("main h1")).to_contain_text(journey.texts("ePrescription"))


def row_of(journey: Journey, contact_id: int) -> Locator:
    return journey.page.locator(f"#contact-{contact_id}")


def test_contacts_and_billing_changed_added_and_deleted_then_the_history(
    page: Page, portal, check_a11y, kela
):
    service_id, held = put_in_use(kela, CLINIC, "Anna Virtanen")
    base = f"/services/{service_id}"
    journey = Journey(page, portal, check_a11y, "en", Entry(CLINIC, SERVICE))
    texts = journey.texts
    open_portal(journey)
    sign_in(journey, "anna")

    # The dashboard leads to the service's page: its contacts by role and billing details.
    to_service(journey, service_id)
    for role in ROLES:
        expect(page.locator(f"#role-{role}")).to_contain_text(NAMES[role])
    expect(page.locator("main")).to_contain_text(f"0037{CLINIC.business_id.replace('-', '')}")

    # A contact's details: bad input first (what was typed stays), then saved.
    technical = held["technical"]
    journey.submit(page.locator("#change-contacts"))
    expect_page(journey, f"{base}/contacts")
    journey.submit(row_of(journey, technical).locator(f"a[href$='/contacts/{technical}']"))
    expect_page(journey, f"{base}/contacts/{technical}")
    page.locator("#email").fill("tekninen@")
    save(journey)
    journey.expect_errors("email")
    expect(page.locator("#email")).to_have_value("tekninen@")
    page.locator("#email").fill(f"tuki{EMAIL_SUFFIX}")
    save(journey)
    expect_page(journey, f"{base}/contacts")
    expect_success(journey, texts("The details of %(name)s were saved.", name=NAMES["technical"]))
    expect(row_of(journey, technical)).to_contain_text(f"tuki{EMAIL_SUFFIX}")

    # Two people at once: someone else saves the data protection officer while this page is open.
    officer = held["data_protection"]
    journey.submit(row_of(journey, officer).locator(f"a[href$='/contacts/{officer}']"))
    with kela.app_context():
        other = kela.test_client()
        act_for(other, CLINIC, name="Toinen Henkilö")
        data = {"kind": "person", "name": NAMES["data_protection"], "email": f"dpo{EMAIL_SUFFIX}"}
        data.update(phone="+358401234567", version="1")
        assert other.post(f"{base}/contacts/{officer}", data=data).status_code == 303
    page.locator("#phone").fill("050 765 4321")
    save(journey)
    banner = page.locator(".govuk-notification-banner:has(#conflict)")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(f"dpo{EMAIL_SUFFIX}")  # what the other person saved
    expect(page.locator(".govuk-error-summary a[href='#conflict']")).to_have_count(1)
    expect(page).to_have_title(re.compile(rf"^{re.escape(texts('Error'))}: "))
    expect(page.locator("#phone")).to_have_value("+358507654321")  # what this person typed stays
    expect(page.locator("#email")).to_have_value(email("data_protection"))
    page.locator("#email").fill(f"dpo{EMAIL_SUFFIX}")  # having seen theirs, keeps it
    save(journey)
    expect_page(journey, f"{base}/contacts")
    expect(row_of(journey, officer)).to_contain_text("+358507654321")
    expect(row_of(journey, officer)).not_to_contain_text(email("data_protection"))

    # A new contact, who takes over as the billing contact.
    journey.submit(page.locator(f"main a[href='{base}/contacts/new']"))
    save(journey)
    journey.expect_errors("kind", "name", "email", follow=False)
    page.locator("input[name=kind][value=person]").check()
    page.locator("#name").fill(NEW_NAME)
    page.locator("#email").fill(f"ville{EMAIL_SUFFIX}")
    page.locator("#phone").fill("040 555 0101")
    page.locator("input[name=take_roles][value=billing]").check()
    save(journey)
    expect_page(journey, base)
    expect(page.locator("#role-billing")).to_contain_text(NEW_NAME)

    # Deleting the old billing contact, who holds no role now: the confirmation names them.
    journey.submit(page.locator("#change-contacts"))
    old_billing = held["billing"]
    journey.submit(row_of(journey, old_billing).locator(f"a[href$='/contacts/{old_billing}/delete']"))
    expect(page.locator("main h1")).to_contain_text(NAMES["billing"])
    save(journey)
    expect_page(journey, f"{base}/contacts")
    expect_success(journey, texts("%(name)s deleted.", name=NAMES["billing"]))
    expect(row_of(journey, old_billing)).to_have_count(0)

    # Deleting the technical contact point: the role cannot be left empty, so someone takes over.
    journey.submit(row_of(journey, technical).locator(f"a[href$='/contacts/{technical}/delete']"))
    expect(page.locator("main")).to_contain_text(texts("Technical contact point"))
    slot = f"service-{service_id}-technical"
    save(journey)
    journey.expect_errors(slot)
    with kela.app_context():
        new_id = db.session.scalar(select(Contact.id).where(Contact.email == f"ville{EMAIL_SUFFIX}"))
    page.locator(f"input[name='{slot}'][value='{new_id}']").check()
    save(journey)
    expect_page(journey, f"{base}/contacts")
    expect(row_of(journey, technical)).to_have_count(0)
    journey.goto(base)
    expect(page.locator("#role-technical")).to_contain_text(NEW_NAME)

    # The billing details: a paper invoice, bad input first.
    journey.submit(page.locator("#change-billing"))
    expect_page(journey, f"{base}/billing")
    page.locator("input[name=method][value=address]").check()
    page.locator("#postal_code").fill("12")
    save(journey)
    journey.expect_errors("street_address", "postal_code", "post_office")
    page.locator("#street_address").fill("Laskutuskatu 5")
    page.locator("#postal_code").fill("00200")
    page.locator("#post_office").fill("Helsinki")
    save(journey)
    expect_page(journey, base)
    expect(page.locator("main")).to_contain_text("Laskutuskatu 5")

    # The history: every change, newest first, old → new.
    journey.submit(page.locator("#history-link"))
    expect_page(journey, "/services/history")
    rows = page.locator("#history-table tbody tr")
    expect(rows.first).to_contain_text(texts("Billing details changed"))
    expect(rows.first).to_contain_text("Laskutuskatu 5")
    history = page.locator("#history-table")
    expect(history).to_contain_text(f"{email('technical')} → tuki{EMAIL_SUFFIX}")
    expect(history).to_contain_text(texts("Contact deleted"))
    expect(history).to_contain_text(f"{NAMES['billing']} → {NEW_NAME}")
    expect(history).to_contain_text("Toinen Henkilö")  # the other person's change, with their name

    # The administrative contact's notices reach the mail server.
    run_once(portal.app, name="customer-data-journey")
    notices = [
        m
        for m in portal.stack.smtp.messages
        if email("administrative") in m.rcpt_tos and "Laskutuskatu 5" in m.body()
    ]
    assert len(notices) == 1
    assert "150378" not in notices[0].raw.decode("utf-8", "replace")


def test_a_roles_contact_and_the_billing_details_in_swedish(page: Page, portal, check_a11y, kela):
    service_id, held = put_in_use(kela, PRACTITIONER, "Pirjo Mäkinen")
    base = f"/services/{service_id}"
    journey = Journey(page, portal, check_a11y, "sv", Entry(PRACTITIONER, SERVICE))
    texts = journey.texts
    open_portal(journey)
    sign_in(journey, "pirjo")
    to_service(journey, service_id)
    expect(page.locator("#contacts")).to_have_text(texts("Contact persons"))

    # The administrative contact becomes the technical contact point's contact (from the list).
    journey.submit(page.locator(f"#role-administrative a[href='{base}/roles/administrative']"))
    expect_page(journey, f"{base}/roles/administrative")
    page.locator(f"input[name=contact][value='{held['technical']}']").check()
    save(journey)
    expect_page(journey, base)
    expect(page.locator("#role-administrative")).to_contain_text(NAMES["technical"])

    # Disruption notices to a new contact: a landline is refused, a mobile number goes.
    journey.submit(page.locator(f"#role-disruption a[href='{base}/roles/disruption']"))
    page.locator("input[name=contact][value=new]").check()
    page.locator("input[name=kind][value=point]").check()
    page.locator("#name").fill("Häiriöpäivystys")
    page.locator("#email").fill(f"paivystys{EMAIL_SUFFIX}")
    page.locator("#phone").fill("09 123 4567")
    save(journey)
    journey.expect_errors("phone")
    expect(page.locator("#name")).to_have_value("Häiriöpäivystys")
    page.locator("#phone").fill("040 765 4321")
    save(journey)
    expect(page.locator("#role-disruption")).to_contain_text("Häiriöpäivystys")

    # The billing details: another reference.
    journey.submit(page.locator("#change-billing"))
    expect(page.locator("#reference")).to_have_value("Resepti 2026")
    page.locator("#reference").fill("Kostnadsställe 7")
    save(journey)
    expect(page.locator("main")).to_contain_text("Kostnadsställe 7")

    # The history, in Swedish.
    journey.submit(page.locator("#history-link"))
    history = page.locator("#history-table")
    expect(history.locator("tbody tr").first).to_contain_text(texts("Billing details changed"))
    expect(history).to_contain_text(f"{texts('Reference')}: Resepti 2026 → Kostnadsställe 7")
    expect(history).to_contain_text(f"{texts('Administrative contact')}: {NAMES['administrative']} →")
    expect(history).to_contain_text(texts("Contact added"))
