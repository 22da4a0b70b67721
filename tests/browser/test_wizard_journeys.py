"""The application wizard in a real browser, from the dashboard to "sent", for each of the four
services, in English, Swedish and Finnish; bad input on the way; signing out in the middle and
resuming; changing from the summary; the keyboard alone; no skipping steps by typing URLs; one
submission for a double click on "Send application". Every portal page visited, the error states
included, is checked with axe-core.

The browser tests share one database: each journey first deletes its organisation's applications for
its service (``reset_applications``). Whether the commitment step appears depends on whether the
organisation has signed the commitment before (in an earlier journey), which the journey reads from
the database at its start; a later application skips the step.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.applications.models import Application
from portal.contacts.models import ApplicationContact
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC, PHARMACY, WELFARE_AREA
from tests.browser.wizard_steps import (
    CERTIFICATE_NUMBER,
    MAVENTA,
    Entry,
    Journey,
    Keyboard,
    open_portal,
    reset_applications,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.browser


def begin(page: Page, portal, check_a11y, *, lang, sub, organisation, service, pharmacy=False):
    """A fresh start for the organisation and service, signed in, in ``lang``, on the dashboard.
    Returns the journey and the steps its application should have."""
    signed_before = reset_applications(portal.app, organisation.business_id, service)
    journey = Journey(page, portal, check_a11y, lang, Entry(organisation, service), pharmacy=pharmacy)
    open_portal(journey)
    sign_in(journey, sub)
    return journey, journey.expected_steps(commitment=not signed_before)


def send_and_download(journey: Journey, tmp_path, *, double_click: bool = False) -> str:
    """From the summary: send, the status page, the dashboard, the PDF; return the PDF's text."""
    journey.send(double_click=double_click)
    journey.expect_status_page()
    journey.to_dashboard()
    return journey.download_pdf(journey.expect_dashboard_submitted(), tmp_path)


# --- bad input, step by step ------------------------------------------------------------------------


def bad_input(journey: Journey, key: str) -> None:
    """Give the step bad input and check the page that comes back with its errors (what was typed
    stays), before the journey fills the step in properly."""
    page = journey.page
    if key == "connection":
        page.locator("#points-0-oid").fill("1.2.246.010.1")  # a leading zero in an arc
        page.locator("#points-0-name").fill("Liityntäpiste")
        page.locator("#systems-0-product").fill("Terveyskirjo")
        journey.save()
        journey.expect_step("connection")
        journey.expect_errors("points-0-oid", "systems-0-vendor", "systems-0-version")
        expect(page.locator("#points-0-oid")).to_have_value("1.2.246.010.1")
    elif key == "customer":
        page.locator("#postal_code").fill("001")
        page.locator("#phone").fill("09 123")
        page.locator("#decision_email").fill("paatokset@")
        journey.save()
        journey.expect_step("customer")
        journey.expect_errors("street_address", "postal_code", "phone", "decision_email")
        expect(page.locator("#decision_email")).to_have_value("paatokset@")
    elif key == "contacts":
        journey.save()  # no contacts chosen yet
        journey.expect_step("contacts")
        journey.expect_errors(*(f"role-{role}" for role in journey.roles()), messages=False, title=False)
        journey.choose_role("disruption")
        journey.fill_new_contact("disruption", phone="09 123 4567")  # a landline takes no text messages
        journey.expect_errors("phone")
        expect(page.locator("#name")).to_have_value(journey.entry.contact_name("disruption"))
        journey.fill_new_contact("disruption")
        journey.expect_step("contacts")
        if "archivist" in journey.roles():
            journey.choose_role("archivist")
            journey.fill_new_contact("archivist", certificate="1234")
            journey.expect_errors("certificate_number")
            journey.fill_new_contact("archivist")
            journey.expect_step("contacts")
    elif key == "billing":
        page.locator("input[name=method][value=einvoice]").check()
        # Another organisation's OVT address, and no operator.
        page.locator("#einvoice_address").fill("0037" + CARE_HOME.business_id.replace("-", ""))
        journey.save()
        journey.expect_step("billing")
        journey.expect_errors("einvoice_address", "operator_code")
    elif key in ("description", "commitment"):
        journey.save()  # the box not ticked
        journey.expect_step(key)
        journey.expect_errors("accept" if key == "description" else "sign")


# --- one journey per service ------------------------------------------------------------------------


def test_patient_archive_in_english(page: Page, portal, check_a11y, tmp_path):
    """The longest application (billing, billing contact, archivist), with bad input at every step."""
    journey, steps = begin(
        page, portal, check_a11y, lang="en", sub="anna", organisation=CLINIC, service="patient_archive"
    )
    assert "billing" in steps
    journey.apply_from_dashboard()
    journey.walk(steps, errors=lambda key: bad_input(journey, key))
    journey.expect_summary_shows_entry()
    text = send_and_download(journey, tmp_path)
    for expected in (journey.entry.einvoice_address, MAVENTA, CERTIFICATE_NUMBER):
        assert expected in text


def test_social_archive_in_swedish_with_a_change_from_the_summary(page: Page, portal, check_a11y, tmp_path):
    """The social welfare archive asks each system's profile, what it stores and its service tasks.
    On the summary, "Change" goes to the step (and a contact's role page), saving comes back to the
    summary with the new value."""
    journey, steps = begin(
        page, portal, check_a11y, lang="sv", sub="erik", organisation=CARE_HOME, service="social_archive"
    )
    assert "billing" not in steps
    journey.apply_from_dashboard()

    def errors(key: str) -> None:
        if key == "connection":
            # A system without its profile, stored data and service tasks.
            journey.fill(journey.entry.connection_values())
            journey.save()
            journey.expect_errors("systems-0-profile", "systems-0-stores", "systems-0-service_tasks")
            journey.expect_values(journey.entry.connection_values())

    journey.walk(steps, errors=errors)
    journey.expect_summary_shows_entry()
    main = page.locator("main")
    application_id = journey.application_id

    # Add a second connection point (the step is saved a second time).
    second_oid = dataclasses.replace(journey.entry, point_number=2).oid
    journey.submit(main.locator(f"a[href$='/applications/{application_id}/connection?return=summary']"))
    journey.expect_step("connection")
    expect(page.locator("#points-0-oid")).to_have_value(journey.entry.oid)
    expect(page.locator("input[name='systems-0-profile'][value=joining]")).to_be_checked()
    journey.submit(page.locator("main button[name=action][value=add_point]"))
    expect(page).to_have_url(re.compile(r"/connection\?return=summary$"))
    page.locator("#points-1-oid").fill(second_oid)
    page.locator("#points-1-name").fill("Arkistointi")
    journey.save()
    journey.expect_step("summary")
    expect(main).to_contain_text(journey.entry.oid)
    expect(main).to_contain_text(second_oid)

    # Change the phone number of the customer details.
    journey.submit(main.locator(f"a[href$='/applications/{application_id}/customer?return=summary']"))
    journey.expect_step("customer")
    journey.expect_step_list("customer", [k for k in steps if k not in ("customer", "summary")])
    expect(page.locator("#phone")).to_have_value(journey.entry.phone_e164)
    page.locator("#phone").fill("+358 9 765 4321")
    journey.save()
    journey.expect_step("summary")
    expect(main).to_contain_text("+35897654321")
    expect(main).not_to_contain_text(journey.entry.phone_e164)

    # Give the technical contact to someone else: the role page, then the contacts step, then back.
    journey.submit(main.locator(f"a[href$='/applications/{application_id}/contacts?return=summary']"))
    journey.expect_step("contacts")
    journey.submit(page.locator("#role-technical a"))
    expect(page).to_have_url(re.compile(r"/contacts/technical\?return=summary$"))
    page.locator("input[name=contact][value=new]").check()
    page.locator("input[name=kind][value=point]").check()
    page.locator("#name").fill("Kotirannan IT-tuki")
    page.locator("#email").fill("it-tuki@example.fi")
    journey.submit(page.locator("main form button.govuk-button:not([name])"))
    expect(page).to_have_url(re.compile(rf"/applications/{application_id}/contacts\?return=summary$"))
    expect(page.locator("#role-technical")).to_contain_text("Kotirannan IT-tuki")
    journey.save()
    journey.expect_step("summary")
    journey.expect_step_list("summary", steps[:-1], steps)
    expect(main).to_contain_text("Kotirannan IT-tuki")
    expect(main).not_to_contain_text(journey.entry.contact_name("technical"))

    text = send_and_download(journey, tmp_path)
    for changed in ("Kotirannan IT-tuki", "+35897654321", second_oid):
        assert changed in text


def test_eprescription_for_a_pharmacy_and_a_double_click_sends_once(page: Page, portal, check_a11y, tmp_path):
    """A pharmacy's application is shorter: no billing step, no billing contact, no archivist. The
    renewal-request service with its receiving unit from the register. A double click on "Send
    application" makes one submission."""
    journey, steps = begin(
        page,
        portal,
        check_a11y,
        lang="fi",
        sub="erik",
        organisation=PHARMACY,
        service="eprescription",
        pharmacy=True,
    )
    assert "billing" not in steps
    journey.apply_from_dashboard()
    journey.expect_step_list("connection", ["instructions"], steps)
    journey.fill_connection(renewal_unit_query=PHARMACY.name)
    journey.walk(steps)
    journey.expect_summary_shows_entry()
    with portal.app.app_context():
        unit_oid = db.session.get(Application, journey.application_id).renewal_unit_oid
    assert unit_oid
    expect(page.locator("main")).to_contain_text(unit_oid)
    expect(page.locator("main")).not_to_contain_text(CERTIFICATE_NUMBER)

    send_and_download(journey, tmp_path, double_click=True)
    with portal.app.app_context():
        applications = db.session.scalars(
            select(Application).where(
                Application.organisation_business_id == PHARMACY.business_id,
                Application.service == "eprescription",
            )
        ).all()
    assert [(a.id, a.status) for a in applications] == [(journey.application_id, "submitted")]
    assert journey.submitted_events() == 1


def test_image_archive_in_finnish(page: Page, portal, check_a11y, tmp_path):
    journey, steps = begin(
        page, portal, check_a11y, lang="fi", sub="anna", organisation=CLINIC, service="image_archive"
    )
    assert "billing" not in steps
    journey.apply_from_dashboard()

    def errors(key: str) -> None:
        if key in ("customer", "description"):
            bad_input(journey, key)

    journey.walk(steps, errors=errors)
    journey.expect_summary_shows_entry()
    send_and_download(journey, tmp_path)


# --- saving, resuming, the order of the steps -----------------------------------------------------


def test_sign_out_in_the_middle_and_continue(page: Page, portal, check_a11y):
    journey, steps = begin(
        page, portal, check_a11y, lang="en", sub="anna", organisation=WELFARE_AREA, service="patient_archive"
    )
    journey.apply_from_dashboard()
    journey.walk(steps, until="contacts")
    application_id = journey.application_id
    sign_out(journey)

    open_portal(journey)
    sign_in(journey, "anna")
    resume = page.locator(f"main a[href$='/applications/{application_id}/contacts']")
    expect(resume).to_contain_text(journey.texts("Continue your application"))
    journey.submit(resume)
    journey.expect_step("contacts")
    journey.expect_step_list("contacts", ["instructions", "connection", "customer"], steps)

    # What was saved is in the earlier steps' fields.
    saved = {
        "connection": journey.entry.connection_values(),
        "customer": journey.entry.customer_values(stored=True),
    }
    for step, values in saved.items():
        journey.submit(page.locator(f"nav.portal-step-list a[href$='/applications/{application_id}/{step}']"))
        journey.expect_values(values)


def test_steps_cannot_be_skipped_by_typing_urls(page: Page, portal, check_a11y):
    """A later step's URL leads to the first unfinished step, with a notice. (The page each URL ends on
    is the same; axe-core checks it once per step it ends on.)"""
    journey, steps = begin(
        page, portal, check_a11y, lang="en", sub="anna", organisation=WELFARE_AREA, service="social_archive"
    )
    journey.apply_from_dashboard()
    base = f"{portal.url}/applications/{journey.application_id}"
    notice = page.locator("main .govuk-notification-banner")

    def typed(paths: tuple[str, ...], lands_on: str) -> None:
        for index, path in enumerate(paths):
            page.goto(f"{base}/{path}")
            journey.expect_step(lands_on)
            expect(notice).to_be_visible()
            if index == 0:
                journey.check()

    later = ("summary", "customer", "contacts", "contacts/technical", "description", "commitment")
    typed(tuple(p for p in later if p.split("/")[0] in steps), "connection")
    journey.fill_connection()
    journey.expect_step("customer")
    typed(("summary", "contacts/archivist", "description"), "customer")
    page.goto(f"{base}/billing")  # not a step of the social welfare archive at all
    journey.expect_step("customer")
    with portal.app.app_context():
        assert db.session.get(Application, journey.application_id).completed_steps == [
            "instructions",
            "connection",
        ]


# --- the keyboard alone ---------------------------------------------------------------------------


def test_image_archive_with_the_keyboard_alone(page: Page, portal, check_a11y, tmp_path):
    """After the sign-in (the stand-ins are not the portal), no mouse: Tab to each control, type, and
    Enter or Space. Contacts given once are chosen again for the other roles."""
    journey, steps = begin(
        page, portal, check_a11y, lang="en", sub="anna", organisation=WELFARE_AREA, service="image_archive"
    )
    keys = Keyboard(journey)
    entry = journey.entry

    keys.activate("main a[href$='/applications/apply/image_archive']")
    keys.activate("main form button.govuk-button--start")
    journey.application_id = int(re.search(r"/applications/(\d+)/connection$", page.url).group(1))

    journey.expect_step_list("connection", ["instructions"], steps)
    for field_id, value in entry.connection_values().items():
        keys.type(f"#{field_id}", value)
    keys.save()

    journey.expect_step("customer")
    for field_id, value in entry.customer_values().items():
        keys.type(f"#{field_id}", value)
    keys.save()

    journey.expect_step("contacts")
    shared = journey.roles()[0]
    for role in journey.roles():
        keys.activate(f"#role-{role} a")
        if role == shared:
            keys.choose("contact", "new")
            keys.choose("kind", "person")
            keys.type("#name", entry.contact_name(role))
            keys.type("#email", entry.contact_email(role))
            keys.type("#phone", entry.contact_phone)
        else:
            # The contact given for the first role is offered for the others.
            label = page.locator("label", has_text=entry.contact_email(shared)).last  # the newest
            value = page.locator(f"input#{label.get_attribute('for')}").get_attribute("value")
            keys.choose("contact", value)
        keys.activate("main form button.govuk-button:not([name])")
        journey.expect_step("contacts")
        expect(page.locator(f"#role-{role}")).to_contain_text(entry.contact_name(shared))
    keys.save()

    journey.expect_step("description")
    keys.save()  # the box not ticked: the error summary, and its link takes the focus to the box
    journey.expect_errors("accept", follow=False)
    keys.tab_to(".govuk-error-summary a[href='#accept']")
    page.keyboard.press("Enter")
    expect(page.locator("#accept")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#accept")).to_be_checked()
    keys.save()

    if "commitment" in steps:
        journey.expect_step("commitment")
        keys.tick("#sign")
        keys.save()

    journey.expect_step("summary")
    journey.expect_step_list("summary", steps[:-1], steps)
    keys.activate(f"main form[action$='/applications/{journey.application_id}/send'] button")
    journey.expect_status_page()
    keys.tab_to(f"main a[href$='/applications/{journey.application_id}/pdf']")
    journey.download_pdf(page.locator(":focus"), tmp_path, keyboard=True)
    keys.activate("main a[href$='/dashboard']")
    journey.expect_dashboard_submitted()
    with portal.app.app_context():
        holders = db.session.scalars(
            select(ApplicationContact.contact_id).where(
                ApplicationContact.application_id == journey.application_id
            )
        ).all()
    assert len(holders) == len(journey.roles()) and len(set(holders)) == 1
