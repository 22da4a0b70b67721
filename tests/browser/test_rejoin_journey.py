"""A welfare-area re-join in a real browser: Kela staff goes from the staff home to the re-joins and
prepares one, first with a wrong business ID, an unknown merging organisation and a file with a bad row
(the error summary, each field's message, the rows' problems, and what was typed in the business-ID
fields stays), then with valid data uploaded from a CSV; sends it to the area. A person acting for the
area (Anna, who holds its mandate) sees the banner on the dashboard and starts the application for the
patient data archive, whose connection step arrives pre-filled from the CSV; before that, on its
re-join page, it accepts the old patient data archiving's service description (first without the box:
its error). Staff then ends the old
commitments: first without ticking the box (its error), then with it. Every portal page is checked with
axe-core, the error states included.

Kela's part in Finnish, the area's in English. Elements are found by their role and accessible name (or
label), the names taken from the app's own catalogue in the page's language (``Texts``).

The browser tests share one database: the journey first and last clears the area's re-join and its
application for the archive (the wizard's journeys apply as the area without one), and afterwards
restores the customership and services in use of the merging clinic that it ended. The clinic is made a
Kanta customer for the journey if an earlier journey has not made it one, so that ending it shows."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask_babel import force_locale, ngettext
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import delete, select, update

from portal.customers.models import Customership, ServiceInUse
from portal.extensions import db
from portal.integrations.demo_data import CLINIC, WELFARE_AREA
from portal.registry.services import find_organisation
from portal.rejoins.models import RejoinCampaign, RejoinOldUnit
from tests.browser.test_review_journeys import Reviewer
from tests.browser.wizard_steps import Entry, Journey, Texts, open_portal, reset_applications, sign_in

pytestmark = pytest.mark.browser

AREA, OLD = WELFARE_AREA, CLINIC
SERVICE = "patient_archive"
STAFF_LANG, AREA_LANG = "fi", "en"
HEADER = "palvelu;liityntäpisteen oid;liityntäpisteen nimi;järjestelmä;toimittaja;versio\n"
POINT_OID, POINT_NAME = "1.2.246.10.32213115.10.1", "Kuopion liityntäpiste"
TECHNICAL_CSV = HEADER + (
    f"patient_archive;{POINT_OID};{POINT_NAME};Terveyskirjo;Ohjelmisto Oy;5.2\n"
    f"Potilastiedon arkisto;{POINT_OID};{POINT_NAME};Hoitokirja;Toinen Oy;1.0\n"
    "Recepttjänsten;;;Reseptori;Ohjelmisto Oy;3\n"
)
BAD_OID = "1.02.3"  # a leading zero
BAD_CSV = HEADER + f"patient_archive;{BAD_OID};{POINT_NAME};Terveyskirjo;Ohjelmisto Oy;5.2\n"
WRONG_AREA = "3221311-4"  # the area's business ID with a wrong check digit
UNKNOWN = "1234567-1"  # a valid business ID, of no customer and not in the register


def csv_file(text: str) -> dict:
    return {"name": "liittymistiedot.csv", "mimeType": "text/csv", "buffer": text.encode()}


def plural(texts: Texts, singular: str, plural: str, num: int) -> str:
    """A count's message in the texts' language (``Texts`` has the singular messages only)."""
    with texts.app.test_request_context(), force_locale(texts.lang):
        return ngettext(singular, plural, num)


def summary_value(page: Page, label_text: str) -> Locator:
    """The value of the re-join page's summary row ``label_text``."""
    label = re.compile(rf"^\s*{re.escape(label_text)}\s*$")
    term = page.get_by_role("main").get_by_role("term").filter(has_text=label)
    return term.locator("xpath=following-sibling::dd[1]")


def state_of_the_rejoin(page: Page, texts: Texts) -> Locator:
    """The value of the re-join page's "State" row."""
    return summary_value(page, texts("State"))


def ended_by_the_rejoin(model):
    return model.end_reason == f"rejoin:{AREA.business_id}"


def rejoin_of_the_area(app) -> RejoinCampaign | None:
    with app.app_context():
        return db.session.scalar(
            select(RejoinCampaign).where(RejoinCampaign.area_business_id == AREA.business_id)
        )


def clinic_customership_ended(app) -> bool:
    with app.app_context():
        return (
            db.session.scalar(
                select(Customership.ended_at).where(Customership.organisation_business_id == OLD.business_id)
            )
            is not None
        )


def clear(app) -> None:
    """The area's re-join (its old units by hand: SQLite does not enforce the ON DELETE CASCADE) and
    its applications for the archive."""
    with app.app_context():
        campaigns = select(RejoinCampaign.id).where(RejoinCampaign.area_business_id == AREA.business_id)
        db.session.execute(delete(RejoinOldUnit).where(RejoinOldUnit.campaign_id.in_(campaigns)))
        db.session.execute(delete(RejoinCampaign).where(RejoinCampaign.area_business_id == AREA.business_id))
        db.session.commit()
    reset_applications(app, AREA.business_id, SERVICE)


@pytest.fixture
def rejoin_world(portal) -> Iterator[None]:
    """No re-join of the area, no application of it for the archive, the clinic a current Kanta
    customer; afterwards the same again, and the clinic as it was."""
    app = portal.app
    clear(app)
    with app.app_context():
        made = None
        customer = select(Customership.id).where(Customership.organisation_business_id == OLD.business_id)
        if db.session.scalar(customer) is None:
            made = Customership(
                organisation_business_id=OLD.business_id,
                organisation_oid=find_organisation(OLD.business_id).oid,
                organisation_name=OLD.name,
            )
            db.session.add(made)
        db.session.execute(
            update(Customership)
            .where(Customership.organisation_business_id == OLD.business_id)
            .values(ended_at=None, end_reason=None)
        )
        db.session.commit()
        made_id = made.id if made is not None else None
    try:
        yield
    finally:
        clear(app)
        with app.app_context():
            for model in (Customership, ServiceInUse):
                db.session.execute(
                    update(model)
                    .where(model.organisation_business_id == OLD.business_id, ended_by_the_rejoin(model))
                    .values(ended_at=None, end_reason=None)
                )
            if made_id is not None:
                db.session.execute(delete(Customership).where(Customership.id == made_id))
            db.session.commit()


def test_kela_prepares_sends_and_ends_a_rejoin_and_the_area_gets_its_application_prefilled(
    page: Page, portal, check_a11y, new_context, rejoin_world
):
    texts = Texts(portal.app, STAFF_LANG)
    staff = Reviewer(page, portal, check_a11y, STAFF_LANG)
    main = page.get_by_role("main")

    # --- Kela prepares the re-join ----------------------------------------------------------------
    staff.sign_in()
    staff.click(main.get_by_role("link", name=texts("Welfare-area re-joins")))
    expect(page).to_have_url(re.compile(r"/staff/rejoins/$"))
    expect(main.get_by_role("heading", level=1)).to_have_text(texts("Welfare-area re-joins"))
    staff.click(main.get_by_role("link", name=texts("Prepare a re-join")))
    expect(page).to_have_url(re.compile(r"/staff/rejoins/new$"))
    expect(main.get_by_role("heading", level=1)).to_have_text(texts("Prepare a re-join"))

    area = page.get_by_label(texts("Business ID of the welfare area"), exact=True)
    old_units = page.get_by_label(texts("Business IDs of the organisations that merge into it"), exact=True)
    technical = page.get_by_label(texts("Technical joining data"), exact=True)
    prepare = main.get_by_role("button", name=texts("Prepare the re-join"))

    # Everything wrong at once: the page comes back (checked by axe) with all of it told.
    area.fill(WRONG_AREA)
    old_units.fill(f"{OLD.business_id}\n{UNKNOWN}")
    technical.set_input_files(csv_file(BAD_CSV))
    staff.click(prepare)
    expect(page).to_have_url(re.compile(r"/staff/rejoins/new$"))
    staff.expect_error("area", texts("Enter a business ID in the form 1234567-1"))
    staff.expect_error(
        "old_units",
        texts("These organisations are neither Kanta customers nor in the register: %(ids)s.", ids=UNKNOWN),
    )
    rows_wrong = plural(
        texts,
        "%(num)d row of the file has a problem. Correct it and choose the file again.",
        "%(num)d rows of the file have problems. Correct them and choose the file again.",
        1,
    )
    staff.expect_error("file", rows_wrong)
    problems = page.get_by_role("heading", name=texts("Problems in the file"))
    expect(problems).to_be_visible()
    row = texts("Row %(row)d: %(problem)s", row=2, problem="").strip()
    expect(main.get_by_role("listitem").filter(has_text=row)).to_contain_text(BAD_OID)
    # What was typed in the business-ID fields stays; the file is chosen again.
    expect(area).to_have_value(WRONG_AREA)
    expect(old_units).to_have_value(f"{OLD.business_id}\n{UNKNOWN}")
    assert rejoin_of_the_area(portal.app) is None

    area.fill(AREA.business_id)
    old_units.fill(OLD.business_id)
    technical.set_input_files(csv_file(TECHNICAL_CSV))
    main.get_by_label(texts("Some of these organisations use the old patient data archiving")).check()
    staff.click(prepare)
    expect(page).to_have_url(re.compile(r"/staff/rejoins/\d+$"))
    campaign_url = page.url
    staff.expect_banner(
        texts(
            "The re-join of %(area)s is prepared. Check it, then send it to the welfare area.", area=AREA.name
        )
    )
    expect(main.get_by_role("heading", level=1)).to_have_text(AREA.name)
    services = main.get_by_role("table", name=texts("Technical joining data and applications"))
    archive_header = page.get_by_role("rowheader", name=texts("Patient data archive"))
    archive = services.get_by_role("row").filter(has=archive_header)
    expect(archive).to_contain_text(POINT_NAME)
    expect(archive).to_contain_text(POINT_OID)
    expect(archive).to_contain_text("Terveyskirjo 5.2 (Ohjelmisto Oy)")
    expect(archive).to_contain_text("Hoitokirja 1.0 (Toinen Oy)")
    expect(archive).to_contain_text(texts("Not started"))
    merging = main.get_by_role("table", name=texts("Organisations that merge into the welfare area"))
    clinic = merging.get_by_role("row").filter(has_text=OLD.business_id)
    expect(clinic).to_contain_text(OLD.name)
    expect(clinic).to_contain_text(texts("Since %(date)s", date="").strip())
    expect(state_of_the_rejoin(page, texts)).to_have_text(texts("Being prepared"))

    staff.click(main.get_by_role("button", name=texts("Send to the welfare area")))
    expect(page).to_have_url(campaign_url)
    staff.expect_banner(
        texts(
            "The re-join was sent: %(area)s now sees it, and its applications are pre-filled with the "
            "technical joining data.",
            area=AREA.name,
        )
    )
    expect(state_of_the_rejoin(page, texts)).to_have_text(texts("Sent to the welfare area"))
    expect(main.get_by_role("button", name=texts("Send to the welfare area"))).to_have_count(0)

    # --- the welfare area, in a browser of its own --------------------------------------------------
    area_page = new_context().new_page()
    words = Texts(portal.app, AREA_LANG)
    person = Journey(area_page, portal, check_a11y, AREA_LANG, Entry(AREA, SERVICE))
    open_portal(person)
    sign_in(person, "anna")  # on the dashboard, acting for the area
    banner = area_page.get_by_role("region", name=words("Re-join of the welfare area"))
    expect(banner).to_contain_text(words("Kela has prepared your technical joining data."))
    expect(banner.get_by_role("listitem").filter(has_text=words("Patient data archive"))).to_have_count(1)

    # Its re-join page: the prepared data, and the old patient data archiving's description to accept.
    person.submit(banner.get_by_role("link", name=words("See your re-join")))
    expect(area_page).to_have_url(re.compile(r"/rejoin/$"))
    area_main = area_page.get_by_role("main")
    expect(area_main.get_by_role("heading", level=1)).to_have_text(words("Re-join of the welfare area"))
    applications = area_main.get_by_role("table", name=words("Your applications"))
    expect(applications.get_by_role("row").filter(has_text=words("Patient data archive"))).to_contain_text(
        POINT_OID
    )
    expect(area_main).to_contain_text(OLD.name)
    accept = area_main.get_by_role("button", name=words("Accept"))
    person.submit(accept)  # the box not ticked
    person.expect_errors("accept")
    box = area_main.get_by_label(
        words("I have read the service description of old patient data archiving and accept it")
    )
    box.check()
    person.submit(accept)
    expect(area_page).to_have_url(re.compile(r"/rejoin/$"))
    expect(area_main).to_contain_text(
        words("You have accepted the service description of old patient data archiving.")
    )
    expect(accept).to_have_count(0)
    person.submit(area_page.get_by_role("link", name=words("Back to the front page of your organisation")))
    person.apply_from_dashboard()
    person.expect_step("connection")
    expect(area_page.get_by_label(words("Connection point OID"))).to_have_value(POINT_OID)
    expect(area_page.get_by_label(words("Name of the connection point"))).to_have_value(POINT_NAME)
    products = area_page.get_by_label(words("Product name"))
    expect(products).to_have_count(2)
    expect(products.nth(0)).to_have_value("Terveyskirjo")
    expect(products.nth(1)).to_have_value("Hoitokirja")

    # --- Kela ends the old commitments --------------------------------------------------------------
    page.reload()
    staff.check()
    accepted = texts(
        "Accepted on %(date)s by %(name)s (version %(version)s)", date="@", name="@", version="1"
    )
    accepted_pattern = re.compile(".+".join(re.escape(part) for part in accepted.split("@")))
    expect(summary_value(page, texts("Old patient data archiving"))).to_have_text(accepted_pattern)
    expect(archive).to_contain_text(texts("Draft"))  # the area's application, started
    end = main.get_by_role("button", name=texts("End the old commitments"))
    staff.click(end)  # the box not ticked
    expect(page).to_have_url(re.compile(rf"{re.escape(campaign_url)}/end$"))
    staff.expect_error("confirm", texts("Select the box to confirm that the transition period is over"))
    assert not clinic_customership_ended(portal.app)
    confirm = texts("The transition period is over: end the commitments of the old organisations")
    main.get_by_label(confirm).check()
    staff.click(end)
    expect(page).to_have_url(campaign_url)
    staff.expect_banner(
        plural(
            texts,
            "The old commitments were ended: %(num)d customership ended. No notice was sent.",
            "The old commitments were ended: %(num)d customerships ended. No notice was sent.",
            1,
        )
    )
    expect(state_of_the_rejoin(page, texts)).to_have_text(texts("Old commitments ended"))
    expect(clinic).to_contain_text(texts("End of Kanta services"))
    expect(end).to_have_count(0)
    assert clinic_customership_ended(portal.app)
    assert rejoin_of_the_area(portal.app).state == "ended"

    # The list shows the area's re-join as ended, and its application.
    staff.click(page.get_by_role("link", name=texts("Welfare-area re-joins")))
    listed = main.get_by_role("row").filter(has_text=AREA.business_id)
    expect(listed).to_contain_text(texts("Old commitments ended"))
    expect(listed).to_contain_text(f"{texts('Patient data archive')}: {texts('Draft')}")
