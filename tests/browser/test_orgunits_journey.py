"""Maintaining the organisation register's units in a real browser: a person acting for the welfare area
loads a file that fails (the problems listed, the error log downloaded, nothing loaded), then the corrected
file (units added and updated, with the counts), and reads the event log of a unit the file changed; the
list's search and the unit's page on the way. Once in English, once in Finnish. Every portal page is checked
with axe-core, the error states included.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.extensions import db
from portal.integrations.demo_data import CLINIC, WELFARE_AREA
from portal.orgunits.models import UnitEvent
from portal.orgunits.records import unit_record
from portal.orgunits.rules import COLUMNS
from portal.registry.models import RegisterUnit
from portal.registry.services import find_organisation

pytestmark = pytest.mark.browser

HEADER = [c.name for c in COLUMNS]


def sign_in(page: Page, portal, check_a11y, lang: str) -> None:
    """Anna signs in and acts for the welfare area, in ``lang``; ends on the dashboard."""
    page.goto(portal.url)
    if page.locator("html").get_attribute("lang") != lang:
        with page.expect_navigation():
            page.locator(f"button[name=lang][value={lang}]").first.click()
    check_a11y(page)
    page.locator("form[action$='/sign-in'] button").first.click()
    page.locator("button[name=sub][value=anna]").click()
    page.locator(f"input[name=organisation][value='{WELFARE_AREA.business_id}']").check()
    page.locator("button[value=choose]").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    check_a11y(page)


def branch_units(portal) -> tuple[RegisterUnit, RegisterUnit, RegisterUnit]:
    """The welfare area's top unit, a unit under it to change, and another organisation's top unit."""
    with portal.app.app_context():
        top = find_organisation(WELFARE_AREA.business_id)
        child = db.session.scalars(
            select(RegisterUnit).where(RegisterUnit.parent_oid == top.oid).order_by(RegisterUnit.oid)
        ).first()
        other = find_organisation(CLINIC.business_id)
        db.session.expunge_all()
        return top, child, other


def new_unit(top: RegisterUnit, number: int, suffix: str, **changes: str) -> dict[str, str]:
    record = {name: "" for name in HEADER}
    record.update(
        {
            "OrganizationId": f"{top.oid}.{number}",
            "LongName": f"Selaimen terveysasema {suffix} {number}",
            "ParentId": top.oid,
            "Abbreviation": f"PSHVA Selain {suffix} {number}",
            "PostNumber": "70100",
            "PostOffice": "Kuopio",
            "PhoneNumber": "017 123 4567",
            "BeginningDate": "1.1.2026",
            "A:Y-Tunnus": WELFARE_AREA.business_id,
            "A:Sijainti kunta": "297 Kuopio",
            "A:Terv.toimintayksikkö": "T",
            "A:Org.Yks.lyhenne": "PSHVA",
            "A:SektorI": "1",
        }
    )
    record.update(changes)
    return record


def csv_file(tmp_path: Path, name: str, records: list[dict[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([r.get(name, "") for name in HEADER] for r in records)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def choose_file(page: Page, check_a11y, path: Path) -> None:
    """From the upload page: choose the file, read it, and land on its preview."""
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.locator("main form[enctype] button[type=submit]").click()
    expect(page.locator("#preview")).to_be_visible()
    check_a11y(page)


def start_loading(page: Page) -> None:
    with page.expect_navigation():
        page.locator(f"main form[action$='/upload/{upload_number(page)}'] button[type=submit]").click()


def upload_number(page: Page) -> str:
    return re.search(r"/upload/(\d+)", page.url).group(1)


def journey(
    page: Page, portal, check_a11y, tmp_path: Path, *, lang: str, first: int, suffix: str, phone: str
) -> None:
    top, child, other = branch_units(portal)
    sign_in(page, portal, check_a11y, lang)

    page.locator("a#organisation-units").click()
    expect(page.locator("#hierarchy")).to_be_visible()
    check_a11y(page)
    page.locator(f"main a[href$='/organisation-units/units/{child.oid}']").first.click()
    expect(page.locator("main h1")).to_contain_text(child.long_name)
    check_a11y(page)

    # The list and its search, then the upload page.
    page.locator("nav a[href$='/organisation-units/list']").click()
    check_a11y(page)
    page.locator("#q").fill(child.long_name[:5].upper() + "?" + child.long_name[6:])
    page.locator("main form[method=get] button[type=submit]").first.click()
    expect(page.locator(f"main a[href$='/units/{child.oid}']")).to_be_visible()
    check_a11y(page)
    page.locator("nav a[href$='/organisation-units/upload']").click()
    check_a11y(page)

    # A file that fails: a postal code of three digits, a parent in another organisation.
    changed = {**unit_record(child), "PhoneNumber": phone}
    bad = [
        new_unit(top, first, suffix, PostNumber="701"),
        new_unit(top, first + 1, suffix, ParentId=other.oid),
        changed,
    ]
    choose_file(page, check_a11y, csv_file(tmp_path, "units.csv", bad))
    start_loading(page)
    table = page.locator("#problem-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("PN2")
    expect(table).to_contain_text("PA2")
    check_a11y(page)
    with page.expect_download() as download:
        page.locator("#error-log").click()
    log = Path(download.value.path()).read_text(encoding="utf-8")
    assert re.search(r"^row 2, PostNumber, PN2: ", log, re.M), log
    assert re.search(r"^row 3, ParentId, PA2: ", log, re.M), log
    with portal.app.app_context():
        assert db.session.get(RegisterUnit, f"{top.oid}.{first}") is None

    # The corrected file: two units added, one updated.
    page.locator("main a[href$='/organisation-units/upload']").last.click()
    check_a11y(page)
    good = [new_unit(top, first, suffix), new_unit(top, first + 1, suffix), changed]
    choose_file(page, check_a11y, csv_file(tmp_path, "units-corrected.csv", good))
    start_loading(page)
    loaded = page.locator("#loaded")
    expect(loaded).to_contain_text("2")
    expect(loaded).to_contain_text("1")
    check_a11y(page)
    with portal.app.app_context():
        assert db.session.get(RegisterUnit, f"{top.oid}.{first + 1}").parent_oid == top.oid
        assert db.session.get(RegisterUnit, child.oid).phone == phone

    # The changed unit's event log: who, the field, old and new value.
    page.goto(f"{portal.url}/organisation-units/units/{child.oid}")
    events = page.locator("#events + table")
    expect(events).to_contain_text("Anna Virtanen")
    expect(events).to_contain_text(child.phone)
    expect(events).to_contain_text(phone)
    check_a11y(page)
    with portal.app.app_context():
        fields = db.session.scalars(select(UnitEvent.field).where(UnitEvent.unit_oid == child.oid)).all()
        assert "PhoneNumber" in fields


def test_failed_then_corrected_upload_in_english(page: Page, portal, check_a11y, tmp_path):
    journey(page, portal, check_a11y, tmp_path, lang="en", first=9001, suffix="EN", phone="017 555 0101")


def test_failed_then_corrected_upload_in_finnish(page: Page, portal, check_a11y, tmp_path):
    journey(page, portal, check_a11y, tmp_path, lang="fi", first=9101, suffix="FI", phone="017 555 0202")
