"""Kela staff's customer data in a real browser: from the staff home to the list of customers, filtered
(an unreadable date on the changes page shows its error), an organisation's page with its services,
contacts by role, billing details and the history of a change the customer made, the changes page, and
the Excel export downloaded and read back. axe-core on every page.

The service in use is made as in the review journeys: applied for with the test client through a second
app on the portal's database, and approved with decide(); the organisation is one of the register's that
no other journey uses (the last that may apply), cleared first."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from portal.applications.services import services_available
from portal.customers.models import ServiceInUse
from portal.extensions import db
from portal.integrations.demo_data import DEMO_ORGANISATIONS, DemoOrganisation
from portal.outbox.models import OutboxMessage
from portal.registry.models import RegisterUnit
from portal.registry.services import find_organisation, is_valid_today
from portal.reviews.services import Reviewer as Decider
from portal.reviews.services import decide
from tests.applications.conftest import act_for
from tests.browser.test_review_journeys import Reviewer, customers, send  # noqa: F401

pytestmark = pytest.mark.browser

SERVICE = "patient_archive"


def last_applicant(app) -> DemoOrganisation:
    """The register's last organisation (by business id) that may apply for the patient data archive
    and is no demo organisation: the review journeys take the first ones."""
    demo = {o.business_id for o in DEMO_ORGANISATIONS}
    with app.app_context():
        for business_id in db.session.scalars(
            select(RegisterUnit.business_id)
            .where(RegisterUnit.register == "sote", RegisterUnit.business_id.is_not(None))
            .distinct()
            .order_by(RegisterUnit.business_id.desc())
        ):
            unit = find_organisation(business_id)
            if business_id in demo or unit is None or unit.register != "sote" or not is_valid_today(unit):
                continue
            if SERVICE in {s.key for s in services_available(unit)}:
                return DemoOrganisation(business_id, unit.long_name, "private_health", "")
    raise AssertionError("no organisation of the register may apply")


def in_use_with_a_change(app, organisation: DemoOrganisation) -> None:
    """The organisation's patient data archive, approved; then the customer changes its billing
    reference on its own page."""
    application_id = send(app, organisation, SERVICE, "en")
    with app.app_context():
        decide(application_id, "approve", "", Decider(None, "Kaisa Kelanen"), round=1)
        # The approval's e-mail is not this journey's business: out of the worker's way.
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.application_id == application_id).values(state="sent")
        )
        db.session.commit()
        service = db.session.scalar(select(ServiceInUse).where(ServiceInUse.application_id == application_id))
        client = app.test_client()
        act_for(client, organisation)
        response = client.post(
            f"/services/{service.id}/billing",
            data={
                **{name: value for name, value in service.billing.items() if value},
                "reference": "Arkisto 2027",
                "version": str(service.billing_version),
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:500]


def test_a_reviewer_reads_an_organisations_customer_data_its_history_and_exports_it(
    page: Page,
    portal,
    check_a11y,
    customers,  # noqa: F811
):
    organisation = last_applicant(customers)
    in_use_with_a_change(customers, organisation)
    reviewer = Reviewer(page, portal, check_a11y, "en")
    reviewer.sign_in()

    reviewer.click(page.locator("main a[href='/staff/customers/']"))
    expect(page.locator("main h1")).to_have_text("Customers")
    reviewer.filter(organisation=organisation.business_id, service=SERVICE)
    results = page.locator("main table tbody tr")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("Patient data archive")

    with page.expect_download() as downloaded:
        page.locator("main a[href*='/export/customers.xlsx']").click()
    assert downloaded.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(downloaded.value.path()).read_bytes()))
    rows = list(book["Contacts"].iter_rows(min_row=2, values_only=True))
    assert rows and {row[1] for row in rows} == {organisation.business_id}

    reviewer.click(results.locator(f"a[href='/staff/customers/{organisation.business_id}']"))
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text(organisation.name)
    expect(main).to_contain_text("Archivist")
    expect(main.locator(".govuk-summary-card")).to_contain_text("Arkisto 2027")
    history = main.locator("table").filter(has_text="Billing details changed")
    expect(history).to_contain_text("Reference: Kanta 2026 → Arkisto 2027")

    reviewer.click(main.locator("a", has_text="Filter the changes of this organisation"))
    expect(page).to_have_url(
        re.compile(rf"/staff/customers/changes\?business_id={organisation.business_id}$")
    )
    expect(page.locator("main tbody tr").first).to_contain_text("Billing details changed")
    reviewer.filter(date_from="31.2.2026")
    reviewer.expect_error("date_from", "Enter a real date, like 1.3.2026")
