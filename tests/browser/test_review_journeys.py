"""Kela's review in a real browser: a reviewer signs in through the e-identification stand-in, finds the
application in the queue, and approves, rejects or returns it; the outbox worker delivers the e-mails to
the SMTP stand-in, the approval's with the two PDFs attached and readable by ``pdftotext``. A returned
application is sent again by the customer and decided in its second round; a double click on "Approve"
makes one decision; a failed e-mail is retried from the outbox page. Every portal page is checked with
axe-core, the error states included.

The customers' applications are filled in and sent through a second app on the same database, with the
test client (the wizard's own journeys drive it in the browser), so that these journeys are about the
reviewer. They are of organisations of the register that are not demo organisations: the wizard's
journeys share the database and the demo organisations' contacts, and must not meet these journeys' ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import delete, func, select

from portal.applications.models import Application
from portal.applications.services import services_available
from portal.customers.models import Customership, ServiceInUse, ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import DEMO_ORGANISATIONS, DemoOrganisation
from portal.integrations.smtp.standin import ReceivedMessage
from portal.outbox.models import OutboxMessage
from portal.outbox.worker import run_once
from portal.registry.models import RegisterUnit
from portal.registry.services import find_organisation, is_valid_today
from portal.reviews.models import Decision, DecisionDocument
from tests.applications.conftest import act_for, walk_to_summary
from tests.browser.wizard_steps import Texts, reset_applications
from tests.conftest import make_app
from tests.documents.conftest import pdf_text

pytestmark = pytest.mark.browser

KAISA = "Kaisa Kelanen"
RESULTS = "main table:has(a[href^='/staff/applications/']) tbody tr"  # the queue's rows


# --- the customers' side, through the test client ------------------------------------------------------


@pytest.fixture(scope="module")
def customers(portal) -> Flask:
    """A second app on the portal's database and stand-ins, without CSRF, for the test client."""
    app = make_app(portal.app.config["SQLALCHEMY_DATABASE_URI"], **portal.stack.config)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def organisations(customers) -> list[DemoOrganisation]:
    """Four organisations of the register, none of them a demo organisation, that may apply for the
    patient data archive and ePrescription."""
    demo = {o.business_id for o in DEMO_ORGANISATIONS}
    found = []
    with customers.app_context():
        business_ids = db.session.scalars(
            select(RegisterUnit.business_id)
            .where(RegisterUnit.register == "sote", RegisterUnit.business_id.is_not(None))
            .distinct()
            .order_by(RegisterUnit.business_id)
        )
        for business_id in business_ids:
            unit = find_organisation(business_id)
            if business_id in demo or unit is None or unit.register != "sote" or not is_valid_today(unit):
                continue
            if {"patient_archive", "eprescription"} <= {s.key for s in services_available(unit)}:
                found.append(DemoOrganisation(business_id, unit.long_name, "private_health", ""))
            if len(found) == 4:
                return found
    raise AssertionError(f"only {len(found)} organisations of the register may apply")


def clear(app: Flask, organisation: DemoOrganisation, service: str) -> None:
    """The organisation's applications for the service, their decisions and e-mails, and the service in
    use they activated: gone (the browser tests share one database)."""
    with app.app_context():
        ids = list(
            db.session.scalars(
                select(Application.id).where(
                    Application.organisation_business_id == organisation.business_id,
                    Application.service == service,
                )
            )
        )
        decisions = select(Decision.id).where(Decision.application_id.in_(ids))
        db.session.execute(delete(DecisionDocument).where(DecisionDocument.decision_id.in_(decisions)))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.application_id.in_(ids)))
        uses = select(ServiceInUse.id).where(
            ServiceInUse.organisation_business_id == organisation.business_id, ServiceInUse.service == service
        )
        db.session.execute(delete(ServiceRole).where(ServiceRole.service_in_use_id.in_(uses)))
        db.session.execute(delete(ServiceInUse).where(ServiceInUse.id.in_(uses)))
        db.session.execute(delete(Decision).where(Decision.application_id.in_(ids)))
        db.session.execute(
            delete(Customership).where(Customership.organisation_business_id == organisation.business_id)
        )
        db.session.commit()
    reset_applications(app, organisation.business_id, service)


def send(app: Flask, organisation: DemoOrganisation, service: str, lang: str) -> int:
    """A fresh application of the organisation for the service, filled in and sent in ``lang``."""
    clear(app, organisation, service)
    client = app.test_client()
    with app.app_context():
        act_for(client, organisation)
        client.set_cookie("portal_lang", lang)
        application_id = walk_to_summary(client, service)
        response = client.post(f"/applications/{application_id}/send")
        assert response.status_code == 303
    return application_id


def send_again(app: Flask, organisation: DemoOrganisation, application_id: int, lang: str) -> None:
    """The customer completes a returned application and sends it again in ``lang``."""
    client = app.test_client()
    with app.app_context():
        act_for(client, organisation)
        client.set_cookie("portal_lang", lang)
        response = client.post(
            f"/applications/{application_id}/customer",
            data={
                "street_address": "Hämeenkatu 2",
                "postal_code": "33100",
                "post_office": "Tampere",
                "phone": "03 123 4567",
                "decision_email": "paatokset@example.fi",
            },
        )
        assert response.status_code == 303
        response = client.post(f"/applications/{application_id}/send")
        assert response.status_code == 303


def snapshot_of(app: Flask, application_id: int) -> dict:
    with app.app_context():
        return db.session.get(Application, application_id).snapshot


def decisions_of(app: Flask, application_id: int) -> list[tuple[int, str, str]]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Decision.round, Decision.kind, Decision.reviewer_name)
                .where(Decision.application_id == application_id)
                .order_by(Decision.round)
            ).all()
        )


# --- the e-mails --------------------------------------------------------------------------------------


def deliver(portal, application_id: int, count: int) -> list[ReceivedMessage]:
    """Run the outbox worker once; the e-mails about the application that reached the SMTP stand-in
    (found by their Message-IDs), ``count`` of them."""
    run_once(portal.app, name="review-journey")
    with portal.app.app_context():
        ids = set(
            db.session.scalars(
                select(OutboxMessage.message_id).where(OutboxMessage.application_id == application_id)
            )
        )
        states = set(
            db.session.scalars(
                select(OutboxMessage.state).where(OutboxMessage.application_id == application_id)
            )
        )
    assert states == {"sent"}, states
    received = [m for m in portal.stack.smtp.wait_for(1) if m.message["Message-ID"] in ids]
    assert len(received) == count, [m.subject for m in received]
    return received


def attachments(message: ReceivedMessage, tmp_path: Path) -> dict[str, str]:
    """File name → the PDF's text by pdftotext."""
    result = {}
    for name, content_type, content in message.attachments():
        assert content_type == "application/pdf" and content.startswith(b"%PDF")
        result[name] = pdf_text(content, tmp_path)
    return result


# --- the reviewer, in the browser -----------------------------------------------------------------------


@dataclass
class Reviewer:
    page: Page
    portal: object
    check_a11y: object
    lang: str

    @property
    def texts(self) -> Texts:
        return Texts(self.portal.app, self.lang)

    def check(self) -> None:
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)
        self.check_a11y(self.page)

    def click(self, locator) -> None:
        with self.page.expect_navigation():
            locator.click()
        self.check()

    def sign_in(self) -> None:
        """From the front page, in the reviewer's language, through the e-identification stand-in to the
        staff home page."""
        page = self.page
        page.goto(self.portal.url)
        if page.locator("html").get_attribute("lang") != self.lang:
            with page.expect_navigation():
                page.locator(f"button[name=lang][value={self.lang}]").first.click()
        self.check()
        page.locator("form[action$='/sign-in'] button").first.click()
        page.locator("button[name=sub][value=kaisa]").click()
        expect(page).to_have_url(re.compile(r"/staff/$"))
        expect(page.locator("main h1")).to_have_text(self.texts("Kela staff"))
        self.check()

    def queue(self) -> None:
        self.click(self.page.locator("main a[href='/staff/applications']"))
        expect(self.page.locator("main h1")).to_have_text(self.texts("Applications"))

    def filter(self, **values: str) -> None:
        form = self.page.locator("main form[method=get]")
        for name, value in values.items():
            field = form.locator(f"[name={name}]")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        self.click(form.locator("button.govuk-button"))

    def open(self, application_id: int) -> None:
        self.click(self.page.locator(f"main table a[href='/staff/applications/{application_id}']"))
        expect(self.page).to_have_url(re.compile(rf"/staff/applications/{application_id}$"))

    def decide(self, kind: str, message: str | None = None, *, double_click: bool = False) -> None:
        form = self.page.locator(f"main form[action$='/{kind}']")
        if message is not None:
            form.locator("textarea").fill(message)
        button = form.locator("button.govuk-button")
        with self.page.expect_navigation():
            if double_click:
                button.dblclick()
            else:
                button.click()
        self.check()

    def expect_banner(self, text: str) -> None:
        expect(self.page.locator(".govuk-notification-banner").filter(has_text=text)).to_have_count(1)

    def expect_error(self, field_id: str, message: str) -> None:
        """The page came back with "Error:" in its title, the summary linking to the field, and the
        message at the field; the link moves the focus there."""
        expect(self.page).to_have_title(re.compile(rf"^{re.escape(self.texts('Error'))}: "))
        summary = self.page.locator(".govuk-error-summary")
        expect(summary.locator(f"a[href='#{field_id}']")).to_have_text(message)
        expect(self.page.locator(f"#{field_id}-error")).to_contain_text(message)
        summary.locator(f"a[href='#{field_id}']").click()
        expect(self.page.locator(f"#{field_id}")).to_be_focused()


# --- the journeys ---------------------------------------------------------------------------------------


def test_a_reviewer_finds_and_approves_an_application_and_the_email_brings_both_pdfs(
    page: Page, portal, check_a11y, customers, organisations, tmp_path
):
    organisation = organisations[0]
    application_id = send(customers, organisation, "eprescription", "en")
    snapshot = snapshot_of(customers, application_id)
    reviewer = Reviewer(page, portal, check_a11y, "en")
    reviewer.sign_in()
    reviewer.queue()
    # A date that does not exist: the message at the field, the page checked in its error state.
    reviewer.filter(organisation=organisation.business_id, submitted_from="31.2.2026")
    reviewer.expect_error("submitted_from", reviewer.texts("Enter a real date, like 1.3.2026"))
    reviewer.filter(submitted_from="", service="eprescription")
    expect(page).to_have_url(re.compile(rf"organisation={organisation.business_id}"))
    expect(page.locator(RESULTS)).to_have_count(1)
    reviewer.open(application_id)
    expect(page.locator("main")).to_contain_text(snapshot["customer"]["decision_email"])
    expect(page.locator("main")).to_contain_text(snapshot["connection_points"][0]["oid"])

    reviewer.decide("approve", double_click=True)
    expect(page).to_have_url(re.compile(rf"/staff/applications/{application_id}$"))
    assert decisions_of(customers, application_id) == [(1, "approve", KAISA)]  # one, for a double click
    expect(page.locator("main form[action$='/approve']")).to_have_count(0)

    [email] = deliver(portal, application_id, 1)
    recipients = {snapshot["customer"]["decision_email"]} | {
        c["email"] for c in snapshot["contacts"] if c["role"] in ("administrative", "archivist")
    }
    assert set(email.rcpt_tos) == recipients
    assert email.subject == reviewer.texts(
        "Your application has been approved: %(service)s", service=reviewer.texts("ePrescription")
    )
    pdfs = attachments(email, tmp_path)
    assert sorted(pdfs) == [
        f"kanta-application-{application_id}-en.pdf",
        f"kanta-commitment-{organisation.business_id}-en.pdf",
    ]
    application_text = pdfs[f"kanta-application-{application_id}-en.pdf"]
    assert snapshot["customer"]["decision_email"] in application_text
    assert snapshot["connection_points"][0]["oid"] in application_text
    commitment_text = pdfs[f"kanta-commitment-{organisation.business_id}-en.pdf"]
    assert organisation.name in commitment_text and "Signed by" in commitment_text

    # The application page now lists the PDFs the worker stored, and the e-mail as sent.
    page.reload()
    reviewer.check()
    expect(page.locator(f"main a[href^='/staff/applications/{application_id}/documents/']")).to_have_count(2)
    # The audit log, filtered to the organisation, has the approval.
    reviewer.click(page.locator("a.govuk-back-link"))
    reviewer.click(page.locator("a.govuk-back-link"))
    reviewer.click(page.locator("main a[href='/staff/audit']"))
    reviewer.filter(business_id=organisation.business_id, kind="application_approved")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.locator("main table tbody")).to_contain_text(KAISA)


def test_a_reviewer_rejects_an_application_with_a_reason(
    page: Page, portal, check_a11y, customers, organisations
):
    organisation = organisations[1]
    application_id = send(customers, organisation, "eprescription", "fi")
    snapshot = snapshot_of(customers, application_id)
    reviewer = Reviewer(page, portal, check_a11y, "fi")
    reviewer.sign_in()
    reviewer.queue()
    reviewer.filter(organisation=organisation.name[1:-1])  # a part of the name
    reviewer.open(application_id)
    reviewer.decide("reject", "")
    reviewer.expect_error("reject-message", reviewer.texts("Enter the reason for the rejection"))
    assert decisions_of(customers, application_id) == []
    reason = "Organisaatio liittyy reseptikeskukseen jo toisen hakemuksen kautta."
    reviewer.decide("reject", reason)
    reviewer.expect_banner(
        reviewer.texts("The application was rejected. The customer is told the reason by e-mail.")
    )
    expect(page.locator("main")).to_contain_text(reason)

    [email] = deliver(portal, application_id, 1)
    assert email.rcpt_tos == (snapshot["customer"]["decision_email"],)
    assert email.attachments() == []
    assert reason in email.body()


def test_a_returned_application_is_completed_sent_again_and_approved_in_its_second_round(
    page: Page, portal, check_a11y, customers, organisations, tmp_path
):
    organisation = organisations[2]
    application_id = send(customers, organisation, "patient_archive", "sv")
    reviewer = Reviewer(page, portal, check_a11y, "sv")
    reviewer.sign_in()
    page.goto(f"{portal.url}/staff/applications/{application_id}")
    reviewer.check()
    reviewer.decide("return", "")
    reviewer.expect_error(
        "return-message", reviewer.texts("Enter a message saying what the customer must complete")
    )
    message = "Uppge en adress i Tammerfors för beslutet."
    reviewer.decide("return", message)
    reviewer.expect_banner(
        reviewer.texts("The application was returned for completion. The customer is told by e-mail.")
    )
    [email] = deliver(portal, application_id, 1)
    assert message in email.body() and email.attachments() == []

    # The customer completes it and sends it again: round 2, with round 1 in the history.
    send_again(customers, organisation, application_id, "sv")
    page.goto(f"{portal.url}/staff/applications/{application_id}")
    reviewer.check()
    expect(page.locator("main")).to_contain_text(message)  # round 1, in the history
    expect(page.locator("main input[name=approve-round]")).to_have_value("2")
    reviewer.decide("approve")
    reviewer.expect_banner(
        reviewer.texts(
            "The application was approved. The customer's e-mail with the PDF copies is on its way."
        )
    )
    assert decisions_of(customers, application_id) == [(1, "return", KAISA), (2, "approve", KAISA)]
    [email] = [m for m in deliver(portal, application_id, 2) if m.attachments()]
    pdfs = attachments(email, tmp_path)
    application_text = pdfs[f"kanta-application-{application_id}-sv.pdf"]
    assert "Hämeenkatu 2" in application_text  # the second round's application, as completed


def test_a_failed_email_is_retried_from_the_outbox_page(
    page: Page, portal, check_a11y, customers, organisations
):
    application_id = send(customers, organisations[3], "eprescription", "en")
    reviewer = Reviewer(page, portal, check_a11y, "en")
    reviewer.sign_in()
    page.goto(f"{portal.url}/staff/applications/{application_id}")
    reviewer.check()
    reviewer.decide("return", "Add the second connection point.")
    with portal.app.app_context():
        message = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.application_id == application_id)
        )
        message.state, message.attempts, message.last_error = "failed", 8, "SMTP 550 mailbox unavailable"
        db.session.commit()
    page.goto(f"{portal.url}/staff/")
    reviewer.check()
    reviewer.click(page.locator("main a[href='/staff/outbox']"))
    reviewer.filter(state="failed")
    row = page.locator("main tbody tr").filter(has_text="SMTP 550 mailbox unavailable")
    expect(row).to_have_count(1)
    reviewer.click(row.locator("button"))
    reviewer.expect_banner(reviewer.texts("The e-mail is queued to be sent again."))
    expect(page).to_have_url(re.compile(r"/staff/outbox\?state=failed$"))
    [email] = deliver(portal, application_id, 1)
    assert "Add the second connection point." in email.body()
    with portal.app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.application_id == application_id)
            )
            == 1
        )
