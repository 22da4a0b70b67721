"""Kela's decisions as the customer meets them, in a real browser: the customer sends an application,
Kela returns it for completion (through the decision service, as the reviewer's click would), the
customer reads Kela's message on the dashboard and at the top of the wizard, changes a field and sends
again; after the approval the dashboard and the status page show the next step, the deployment test,
and the report template downloads in the page's language and in another. Every portal page is checked
with axe-core.

The browser tests share one database: this journey uses an organisation and service no other journey
uses (the practitioner's image archive) and first clears what an earlier run left of them.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from portal.applications.models import Application
from portal.customers.models import ServiceInUse, ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import PRACTITIONER
from portal.outbox.models import OutboxMessage
from portal.reviews.models import Decision, DecisionDocument
from portal.reviews.services import Reviewer, decide
from tests.browser.wizard_steps import Entry, Journey, open_portal, reset_applications, sign_in

pytestmark = pytest.mark.browser

SERVICE = "image_archive"
REVIEWER = Reviewer(None, "Kaisa Kelanen")
RETURN_MESSAGE = "Tarkistakaa käyntiosoite: se puuttuu rekisteristä.\nLisätkää myös toinen liityntäpiste."
NEW_ADDRESS = "Hämeenkatu 12"
REPORT_TITLES = {
    "fi": "Kanta-palvelut: käyttöönottokokeen raportti",
    "sv": "Kanta-tjänsterna: rapport om ibruktagningsprovet",
}


def clear(app) -> bool:
    """The practitioner's image-archive applications, their decisions and e-mails, and the service in
    use they activated: gone. Returns whether the practitioner has signed the commitment."""
    with app.app_context():
        ids = select(Application.id).where(
            Application.organisation_business_id == PRACTITIONER.business_id, Application.service == SERVICE
        )
        decisions = select(Decision.id).where(Decision.application_id.in_(ids))
        uses = select(ServiceInUse.id).where(
            ServiceInUse.organisation_business_id == PRACTITIONER.business_id, ServiceInUse.service == SERVICE
        )
        for statement in (
            delete(DecisionDocument).where(DecisionDocument.decision_id.in_(decisions)),
            delete(OutboxMessage).where(OutboxMessage.application_id.in_(ids)),
            delete(Decision).where(Decision.application_id.in_(ids)),
            delete(ServiceRole).where(ServiceRole.service_in_use_id.in_(uses)),
            delete(ServiceInUse).where(ServiceInUse.id.in_(uses)),
        ):
            db.session.execute(statement)
        db.session.commit()
    return reset_applications(app, PRACTITIONER.business_id, SERVICE)


def decide_as_kela(portal, application_id: int, kind: str, message: str, round: int) -> datetime:
    """Kela's decision, as the reviewer's click makes it; returns when it was made."""
    with portal.app.app_context():
        decision = decide(application_id, kind, message, REVIEWER, round=round)
        return decision.decided_at


def pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def test_the_customer_completes_a_returned_application_and_after_approval_gets_the_report_template(
    page: Page, portal, check_a11y, tmp_path
):
    signed_before = clear(portal.app)
    journey = Journey(page, portal, check_a11y, "fi", Entry(PRACTITIONER, SERVICE))
    texts = journey.texts
    steps = journey.expected_steps(commitment=not signed_before)
    open_portal(journey)
    sign_in(journey, "pirjo")

    # The customer fills in the application and sends it.
    journey.apply_from_dashboard()
    journey.walk(steps)
    journey.send()
    journey.expect_status_page()
    application_id = journey.application_id

    # Kela returns it for completion.
    returned_at = decide_as_kela(portal, application_id, "return", RETURN_MESSAGE, round=1)
    returned_on = texts.date(returned_at)
    intro = texts("Kela returned your application for completion on %(date)s:", date=returned_on)

    # The dashboard says so, with Kela's message, each line a paragraph.
    journey.goto("/dashboard")
    item = page.locator(f"main li#service-{SERVICE}")
    expect(item.locator(".govuk-tag")).to_have_text(texts("Returned for completion"))
    message = item.locator(".portal-decision-message")
    expect(message).to_contain_text(intro)
    for line in RETURN_MESSAGE.splitlines():
        expect(message.locator("p", has_text=line)).to_have_count(1)
    complete = item.locator(f"a[href*='/applications/{application_id}/']")
    expect(complete).to_contain_text(texts("Complete your application"))

    # Into the wizard: the message is at the top of the summary and of every step opened.
    journey.submit(complete)
    journey.expect_step("summary")
    banner = page.locator("main .govuk-notification-banner:has(#return-notice-title)")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text(intro)
    expect(banner).to_contain_text(RETURN_MESSAGE.splitlines()[1])
    journey.submit(page.locator(f"main a[href$='/applications/{application_id}/customer?return=summary']"))
    journey.expect_step("customer")
    expect(banner).to_contain_text(intro)
    page.locator("#street_address").fill(NEW_ADDRESS)
    journey.save()
    journey.expect_step("summary")
    expect(banner).to_contain_text(intro)
    expect(page.locator("main")).to_contain_text(NEW_ADDRESS)
    for step in ("connection", "contacts", "description"):
        journey.submit(page.locator(f"nav.portal-step-list a[href$='/applications/{application_id}/{step}']"))
        journey.expect_step(step)
        expect(banner).to_contain_text(intro)
    journey.submit(page.locator(f"nav.portal-step-list a[href$='/applications/{application_id}/summary']"))

    # Sent again: round 2, and the status page lists both rounds.
    journey.send()
    journey.expect_status_page()
    application = journey.application()
    assert (application.status, application.round) == ("submitted", 2)
    assert application.snapshot["customer"]["street_address"] == NEW_ADDRESS
    expect(page.locator("#return-notice-title")).to_have_count(0)
    history = page.locator("main table[aria-labelledby=history-heading] tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text(texts("Returned for completion"))
    expect(history.nth(0)).to_contain_text(RETURN_MESSAGE.splitlines()[0])
    expect(history.nth(1)).to_contain_text(texts("Waiting for a decision"))

    # Kela approves the second round: the dashboard shows the service in use and the next step.
    approved_on = texts.date(decide_as_kela(portal, application_id, "approve", "", round=2))
    journey.goto("/dashboard")
    item = page.locator(f"main li#service-{SERVICE}")
    expect(item.locator(".govuk-tag")).to_have_text(texts("In use since %(date)s", date=approved_on))
    expect(item.locator("h4")).to_have_text(texts("Next step: the deployment test"))
    expect(item.locator("a[href^='mailto:']")).to_have_text("kanta@kanta.fi")
    expect(item.locator(f"a[href$='/applications/apply/{SERVICE}']")).to_have_count(0)

    # The report template, in the page's language and in Swedish.
    for link, lang in (
        (item.locator("a.portal-report-template"), "fi"),
        (item.locator("a[hreflang=sv]"), "sv"),
    ):
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == f"kanta-deployment-test-report-{application_id}-{lang}.pdf"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        text = pdf_text(path)
        assert REPORT_TITLES[lang] in text
        assert PRACTITIONER.name in text and PRACTITIONER.business_id in text
        assert journey.entry.oid in text and journey.entry.product in text and journey.entry.vendor in text

    # The status page: approved, both rounds, and the same next step.
    journey.submit(item.locator(f"a[href$='/applications/{application_id}']"))
    expect(page.locator("main h2", has_text=texts("Next step: the deployment test"))).to_have_count(1)
    expect(page.locator("main a.portal-report-template")).to_have_count(1)
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text(texts("Approved"))
    expect(history.nth(1)).to_contain_text(approved_on)
    assert re.search(r"/applications/\d+$", page.url)
