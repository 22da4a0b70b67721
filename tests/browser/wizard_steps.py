"""Driving the application wizard in the browser: signing in, the steps filled with valid data (the
values of tests/applications/conftest.py), bad input on purpose, the step list, the summary, and the
same with the keyboard alone.

Elements are found by structure (ids, names, hrefs) rather than by their text, which may be waiting
for its translation; where a text matters, the expected one comes from the app's own catalogue in the
page's language (``Texts``), so a missing translation does not fail a journey but a wrong page does.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask_babel import force_locale, gettext
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import delete, func, select

from portal.applications.models import (
    Application,
    ConnectionPoint,
    InformationSystem,
    ServiceDescriptionAcceptance,
)
from portal.applications.wizard import ALL_STEPS
from portal.audit.models import AuditEvent
from portal.billing.models import BillingDetails
from portal.contacts.models import ApplicationContact
from portal.documents.services import latest_commitment_signature
from portal.extensions import db
from portal.integrations.demo_data import DemoOrganisation
from portal.templating import format_date

STEP_URL = re.compile(r"/applications/(\d+)/([a-z_]+)(?:/([a-z_]+))?/?(?:\?.*)?$")

# The contact roles each application asks for (portal.md, "Contact persons"; a pharmacy: no billing
# contact, no archivist).
COMMON_ROLES = ["technical", "disruption", "data_protection", "administrative"]
ROLES = {
    "patient_archive": [*COMMON_ROLES, "billing", "archivist"],
    "social_archive": [*COMMON_ROLES, "billing", "archivist"],
    "eprescription": [*COMMON_ROLES, "billing"],
    "eprescription-pharmacy": COMMON_ROLES,
    "image_archive": [*COMMON_ROLES, "image_technical"],
}
CERTIFICATE_NUMBER = "12345678901"
MAVENTA = "003721291126"  # an operator on the list


@dataclass(frozen=True)
class Entry:
    """What a journey types in. The connection point OID and the decision e-mail are the journey's own,
    so that finding them in the summary and the PDF proves they came from this application."""

    organisation: DemoOrganisation
    service: str
    point_number: int = 1
    point_name: str = "Päivystyksen liityntäpiste"
    product: str = "Terveyskirjo"
    vendor: str = "Ohjelmisto Oy"
    version: str = "5.2"
    street_address: str = "Mannerheimintie 1"
    postal_code: str = "00100"
    post_office: str = "Helsinki"
    phone: str = "09 123 4567"
    phone_e164: str = "+35891234567"
    contact_phone: str = "040 123 4567"
    contact_phone_e164: str = "+358401234567"
    reference: str = "Kanta 2026"

    @property
    def digits(self) -> str:
        return self.organisation.business_id.replace("-", "")

    @property
    def oid(self) -> str:
        return f"1.2.246.10.{self.digits}.10.{self.point_number}"

    @property
    def decision_email(self) -> str:
        return f"paatokset.{self.service.replace('_', '-')}@example.fi"

    @property
    def einvoice_address(self) -> str:
        return f"0037{self.digits}"

    def connection_values(self) -> dict[str, str]:
        """The connection step's text fields by id."""
        return {
            "points-0-oid": self.oid,
            "points-0-name": self.point_name,
            "systems-0-product": self.product,
            "systems-0-vendor": self.vendor,
            "systems-0-version": self.version,
        }

    def customer_values(self, *, stored: bool = False) -> dict[str, str]:
        """The customer details by field id, as typed or (``stored``) as the portal keeps them."""
        return {
            "street_address": self.street_address,
            "postal_code": self.postal_code,
            "post_office": self.post_office,
            "phone": self.phone_e164 if stored else self.phone,
            "decision_email": self.decision_email,
        }

    def contact_name(self, role: str) -> str:
        return f"Maija {role.replace('_', ' ').title()}"

    def contact_email(self, role: str) -> str:
        return f"{role.replace('_', '.')}@example.fi"


@dataclass
class Texts:
    """The app's texts in one language, as the pages show them."""

    app: object
    lang: str

    def __call__(self, msgid: str, **variables) -> str:
        with self.app.test_request_context(), force_locale(self.lang):
            return gettext(msgid, **variables)

    def step_titles(self, keys: list[str]) -> list[str]:
        titles = {s.key: s.title for s in ALL_STEPS}
        with self.app.test_request_context(), force_locale(self.lang):
            return [str(titles[key]) for key in keys]

    def date(self, value) -> str:
        with self.app.test_request_context(), force_locale(self.lang):
            return format_date(value)


@dataclass
class Journey:
    """One signed-in browser tab going through the wizard, checking every page it comes to."""

    page: Page
    portal: object
    check_a11y: Callable[[Page], None]
    lang: str
    entry: Entry
    pharmacy: bool = False
    application_id: int | None = None

    @property
    def texts(self) -> Texts:
        return Texts(self.portal.app, self.lang)

    @property
    def url(self) -> str:
        return self.portal.url

    def check(self) -> None:
        """The page is in the journey's language and passes axe-core."""
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)
        self.check_a11y(self.page)

    # --- the database behind the portal ----------------------------------------------------------

    def db(self):
        return self.portal.app.app_context()

    def expected_steps(self, *, commitment: bool) -> list[str]:
        keys = [s.key for s in ALL_STEPS]
        if self.entry.service in ("social_archive", "image_archive") or self.pharmacy:
            keys.remove("billing")
        if not commitment:
            keys.remove("commitment")
        return keys

    def roles(self) -> list[str]:
        return ROLES[self.entry.service + ("-pharmacy" if self.pharmacy else "")]

    def application(self) -> Application:
        with self.db():
            application = db.session.get(Application, self.application_id)
            db.session.expunge(application)
            return application

    def submitted_events(self) -> int:
        with self.db():
            return db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.kind == "application_submitted",
                    AuditEvent.object_id == str(self.application_id),
                )
            )

    # --- navigation ------------------------------------------------------------------------------

    def step_key(self) -> str:
        match = STEP_URL.search(self.page.url)
        assert match, self.page.url
        return match.group(2)

    def expect_step(self, key: str) -> None:
        expect(self.page).to_have_url(re.compile(rf"/applications/{self.application_id}/{key}(\?.*)?$"))

    def submit(self, button: Locator) -> None:
        """Click a button or link, wait for the page it leads to, and check that page."""
        with self.page.expect_navigation():
            button.click()
        self.check()

    def goto(self, path: str) -> None:
        """Type a URL of the portal; check the page it ends on."""
        self.page.goto(self.url + path)
        self.check()

    def save(self) -> None:
        self.submit(self.page.locator("main button.govuk-button[name=action][value=save]"))

    def expect_errors(
        self, *field_ids: str, messages: bool = True, title: bool = True, follow: bool = True
    ) -> None:
        """The page came back (and was checked by axe-core) with "Error:" in its title and the error
        summary at the top, linking to each field, which shows its own message; following the first
        link (a click, unless ``follow`` is false) puts the focus in that field."""
        summary = self.page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        if title:
            expect(self.page).to_have_title(re.compile(rf"^{re.escape(self.texts('Error'))}: "))
        for field_id in field_ids:
            expect(summary.locator(f"a[href='#{field_id}']")).to_have_count(1)
            if messages:
                expect(self.page.locator(f"#{field_id}-error")).to_be_visible()
        if follow and messages and field_ids:
            summary.locator(f"a[href='#{field_ids[0]}']").click()
            expect(self.page.locator(f"#{field_ids[0]}")).to_be_focused()

    def expect_step_list(self, current: str, done: list[str], steps: list[str] | None = None) -> None:
        """The step list: the current step carries aria-current="step" and says so, the done steps say
        they are done; with ``steps``, the list has exactly those steps and the later ones are not done."""
        nav = self.page.locator("nav.portal-step-list")
        current_item = nav.locator("[aria-current=step]")
        expect(current_item).to_have_count(1)
        expect(current_item).to_have_attribute(
            "href", re.compile(rf"/applications/{self.application_id}/{current}$")
        )
        items = nav.locator("li")
        expect(
            items.filter(has=self.page.locator("[aria-current=step]")).locator(".govuk-task-list__status")
        ).to_have_text(self.texts("Current step"))
        completed = self.texts("Completed")
        for key in done:
            item = items.filter(
                has=self.page.locator(f"a[href$='/applications/{self.application_id}/{key}']")
            )
            expect(item.locator(".govuk-task-list__status")).to_have_text(completed)
        if steps is not None:
            expect(nav.locator("li .govuk-task-list__name-and-hint > :first-child")).to_have_text(
                self.texts.step_titles(steps)
            )
            for index in range(steps.index(current) + 1, len(steps)):
                expect(items.nth(index).locator(".govuk-task-list__status")).not_to_have_text(completed)

    # --- starting --------------------------------------------------------------------------------

    def apply_from_dashboard(self) -> None:
        service = self.entry.service
        expect(self.page).to_have_url(re.compile(r"/dashboard$"))
        self.submit(self.page.locator(f"main a[href$='/applications/apply/{service}']"))
        expect(self.page).to_have_url(re.compile(rf"/applications/apply/{service}$"))
        self.submit(self.page.locator("main form button.govuk-button--start"))
        match = re.search(r"/applications/(\d+)/connection$", self.page.url)
        assert match, self.page.url
        self.application_id = int(match.group(1))

    # --- the steps with valid data ---------------------------------------------------------------

    def fill_connection(self, *, renewal_unit_query: str | None = None) -> None:
        page, entry = self.page, self.entry
        self.fill(entry.connection_values())
        if entry.service == "social_archive":
            page.locator("input[name='systems-0-profile'][value=joining]").check()
            page.locator("input[name='systems-0-stores'][value=both]").check()
            page.locator("input[name='systems-0-service_tasks']").first.check()
        if entry.service == "eprescription":
            if renewal_unit_query is None:
                page.locator("input[name=renewal_requests][value=no]").check()
            else:
                page.locator("input[name=renewal_requests][value=yes]").check()
                page.locator("#unit_query").fill(renewal_unit_query)
                self.submit(page.locator("main button[name=action][value=search_unit]"))
                # What was typed stays; the units found are offered.
                expect(page.locator("#points-0-oid")).to_have_value(entry.oid)
                expect(page.locator("input[name=renewal_requests][value=yes]")).to_be_checked()
                page.locator("input[name=unit]").first.check()
        self.save()

    def fill(self, values: dict[str, str]) -> None:
        for field_id, value in values.items():
            self.page.locator(f"#{field_id}").fill(value)

    def expect_values(self, values: dict[str, str]) -> None:
        for field_id, value in values.items():
            expect(self.page.locator(f"#{field_id}")).to_have_value(value)

    def fill_customer(self) -> None:
        self.fill(self.entry.customer_values())
        self.save()

    def choose_role(self, role: str) -> None:
        self.submit(self.page.locator(f"#role-{role} a"))
        expect(self.page).to_have_url(
            re.compile(rf"/applications/{self.application_id}/contacts/{role}(\?.*)?$")
        )

    def fill_new_contact(
        self, role: str, *, phone: str | None = None, certificate: str | None = None
    ) -> None:
        page, entry = self.page, self.entry
        page.locator("input[name=contact][value=new]").check()
        page.locator("input[name=kind][value=person]").check()
        page.locator("#name").fill(entry.contact_name(role))
        page.locator("#email").fill(entry.contact_email(role))
        page.locator("#phone").fill(phone or entry.contact_phone)
        if page.locator("#certificate_number").count():
            page.locator("#certificate_number").fill(certificate or CERTIFICATE_NUMBER)
        self.submit(page.locator("main form button.govuk-button:not([name])"))

    def fill_contacts(self) -> None:
        """Every role gets a new contact; the contacts step lists them, then "Save and continue"."""
        roles = self.roles()
        expect(self.page.locator("main [id^=role-]")).to_have_count(len(roles))
        for role in roles:
            expect(self.page.locator(f"#role-{role}")).to_have_count(1)
        for role in roles:
            if self.entry.contact_name(role) in self.page.locator(f"#role-{role}").inner_text():
                continue  # given already
            self.choose_role(role)
            self.fill_new_contact(role)
            self.expect_step("contacts")
            expect(self.page.locator(f"#role-{role}")).to_contain_text(self.entry.contact_name(role))
        self.save()

    def fill_billing(self) -> None:
        page, entry = self.page, self.entry
        # The payer's business id is offered from the organisation.
        expect(page.locator("#business_id")).to_have_value(entry.organisation.business_id)
        page.locator("input[name=method][value=einvoice]").check()
        page.locator("#einvoice_address").fill(entry.einvoice_address)
        page.locator("#operator_code").select_option(MAVENTA)
        page.locator("#reference").fill(entry.reference)
        self.save()

    def accept_document(self, box: str) -> None:
        expect(self.page.locator(".portal-document__body")).not_to_be_empty()
        self.page.locator(f"#{box}").check()
        self.save()

    def fill_step(self, key: str) -> None:
        if key == "connection":
            self.fill_connection()
        elif key == "customer":
            self.fill_customer()
        elif key == "contacts":
            self.fill_contacts()
        elif key == "billing":
            self.fill_billing()
        elif key == "description":
            self.accept_document("accept")
        elif key == "commitment":
            self.accept_document("sign")
        else:
            raise AssertionError(f"no filler for step {key}")

    def walk(self, steps: list[str], *, until: str = "summary", errors: Callable[[str], None] | None = None):
        """From the current step to ``until``: at each step check the page and the step list, give the
        step bad input first if ``errors`` does that, then fill it in."""
        start = steps.index(self.step_key())
        for index, key in enumerate(steps[start:], start):
            self.expect_step(key)
            self.expect_step_list(key, steps[:index], steps)
            if key == until:
                return
            if errors is not None:
                errors(key)
            self.fill_step(key)

    # --- summary, sending, what was sent ---------------------------------------------------------

    def expect_summary_shows_entry(self) -> None:
        main, entry = self.page.locator("main"), self.entry
        for text in (
            entry.oid,
            entry.point_name,
            entry.product,
            entry.vendor,
            entry.street_address,
            f"{entry.postal_code} {entry.post_office}",
            entry.phone_e164,
            entry.decision_email,
            entry.organisation.business_id,
        ):
            expect(main).to_contain_text(text)
        for role in self.roles():
            expect(main).to_contain_text(entry.contact_name(role))
            expect(main).to_contain_text(entry.contact_email(role))
        expect(main).to_contain_text(entry.contact_phone_e164)
        if "archivist" in self.roles():
            expect(main).to_contain_text(CERTIFICATE_NUMBER)
        if "billing" in self.expected_steps(commitment=False):
            expect(main).to_contain_text(entry.einvoice_address)
            expect(main).to_contain_text(MAVENTA)
            expect(main).to_contain_text(entry.reference)

    def send(self, *, double_click: bool = False) -> None:
        button = self.page.locator(f"main form[action$='/applications/{self.application_id}/send'] button")
        with self.page.expect_navigation():
            if double_click:
                button.dblclick()
            else:
                button.click()
        self.check()
        expect(self.page).to_have_url(re.compile(rf"/applications/{self.application_id}$"))

    def expect_status_page(self) -> None:
        application = self.application()
        assert application.status == "submitted"
        panel = self.page.locator(".govuk-panel")
        expect(panel).to_contain_text(
            self.texts("Sent on %(date)s", date=self.texts.date(application.submitted_at))
        )
        expect(self.page.locator("main")).to_contain_text(self.entry.decision_email)
        expect(self.page.locator("main")).to_contain_text(self.entry.oid)

    def to_dashboard(self) -> None:
        self.submit(self.page.locator("main a[href$='/dashboard']"))
        expect(self.page).to_have_url(re.compile(r"/dashboard$"))

    def expect_dashboard_submitted(self) -> Locator:
        """The service's entry on the dashboard: submitted on the day, with the application and its PDF."""
        application = self.application()
        item = self.page.locator(
            "main li.portal-service-list__item",
            has=self.page.locator(f"a[href$='/applications/{self.application_id}']"),
        )
        expect(item).to_have_count(1)
        expect(item.locator(".govuk-tag")).to_have_text(
            self.texts("Submitted %(date)s", date=self.texts.date(application.submitted_at))
        )
        expect(item.locator(f"a[href$='/applications/apply/{self.entry.service}']")).to_have_count(0)
        pdf = item.locator(f"a[href$='/applications/{self.application_id}/pdf']")
        expect(pdf).to_have_count(1)
        return pdf

    def download_pdf(self, link: Locator, tmp_path: Path, *, keyboard: bool = False) -> str:
        """Download the PDF through its link; return its text (pdftotext)."""
        with self.page.expect_download() as info:
            if keyboard:
                expect(link).to_be_focused()
                self.page.keyboard.press("Enter")
            else:
                link.click()
        download = info.value
        assert download.suggested_filename == f"kanta-application-{self.application_id}-{self.lang}.pdf"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        assert path.read_bytes().startswith(b"%PDF")
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert self.entry.oid in text
        assert self.entry.decision_email in text
        assert self.texts("Contact persons") in text  # in the user's language
        return text


# --- the keyboard alone ---------------------------------------------------------------------------

MAX_TABS = 120


class Keyboard:
    """Tab to a control, then Enter or Space: what someone without a mouse does. ``tab_to`` fails if
    the control cannot be reached within ``MAX_TABS`` presses of Tab."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.page = journey.page

    def focused(self, selector: str) -> bool:
        return self.page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        )

    def tab_to(self, selector: str) -> Locator:
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            if self.focused(selector):
                target = self.page.locator(selector).and_(self.page.locator(":focus"))
                expect(target).to_be_visible()
                return target
        raise AssertionError(f"{selector} cannot be reached with the Tab key on {self.page.url}")

    def type(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("ControlOrMeta+A")  # replace what the field had
        self.page.keyboard.type(text)
        expect(self.page.locator(selector)).to_have_value(text)

    def activate(self, selector: str) -> None:
        """Enter on a link or button that leads to another page; check that page."""
        self.tab_to(selector)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.journey.check()

    def tick(self, selector: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.press("Space")
        expect(self.page.locator(selector)).to_be_checked()

    def choose(self, name: str, value: str) -> None:
        """A radio button: Tab into the group, arrow keys to the option, Space to choose it."""
        group = f"input[type=radio][name='{name}']"
        self.tab_to(group)
        for _ in range(self.page.locator(group).count()):
            if self.focused(f"{group}[value='{value}']"):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        expect(self.page.locator(f"{group}[value='{value}']")).to_be_checked()

    def save(self) -> None:
        self.activate("main button.govuk-button[name=action][value=save]")


# --- signing in and out ----------------------------------------------------------------------------


def open_portal(journey: Journey) -> None:
    """The front page, in the journey's language chosen with the language switch (the current language
    has no button)."""
    page = journey.page
    page.goto(journey.url)
    if page.locator("html").get_attribute("lang") != journey.lang:
        with page.expect_navigation():
            page.locator(f"button[name=lang][value={journey.lang}]").first.click()
    journey.check()


def sign_in(journey: Journey, sub: str) -> None:
    """From the front page through the e-identification and mandates stand-ins (not the portal's
    pages) to the dashboard of the journey's organisation."""
    page = journey.page
    page.locator("form[action$='/sign-in'] button").first.click()
    page.locator(f"button[name=sub][value={sub}]").click()
    page.locator(f"input[name=organisation][value='{journey.entry.organisation.business_id}']").check()
    page.locator("button[value=choose]").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("main h1")).to_have_text(journey.entry.organisation.name)
    journey.check()


def sign_out(journey: Journey) -> None:
    journey.submit(journey.page.locator("form[action$='/sign-out'] button").first)
    expect(journey.page).to_have_url(re.compile(r"/signed-out$"))


def reset_applications(app, business_id: str, service: str) -> bool:
    """Delete the organisation's applications for the service (the browser tests share one database);
    return whether the organisation has signed the commitment already (then the step is skipped)."""
    with app.app_context():
        ids = select(Application.id).where(
            Application.organisation_business_id == business_id, Application.service == service
        )
        ids = list(db.session.scalars(ids))
        # The children by hand: SQLite does not enforce the ON DELETE CASCADE.
        for model in (
            ApplicationContact,
            BillingDetails,
            ServiceDescriptionAcceptance,
            ConnectionPoint,
            InformationSystem,
        ):
            db.session.execute(delete(model).where(model.application_id.in_(ids)))
        db.session.execute(delete(Application).where(Application.id.in_(ids)))
        db.session.commit()
        return latest_commitment_signature(business_id) is not None
