"""The organisation-unit pages through the test client: the hierarchy, the list and its search, a unit's page
with its event log, the downloads, uploads, adding a unit and the quick edit; another organisation's units
and uploads are a 404; random search and form input never ends in a 500."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.auth.models import Person
from portal.cells import FORMULA_STARTS, escape_formula, unescape_formula
from portal.db import utcnow
from portal.extensions import db
from portal.orgunits import queries
from portal.orgunits.files import read_upload
from portal.orgunits.models import ExportRun, UnitChange, UnitEvent, Upload
from portal.orgunits.records import unit_record
from portal.ratelimits import Limit
from portal.registry.models import RegisterUnit
from tests.orgunits.factories import BUSINESS_ID, HEADER, add_to_mirror, csv_bytes, mirror_unit, oid, record

OTHER_BUSINESS_ID = "7654321-9"
PREFIX = "/organisation-units"


def build_mirror() -> None:
    """Top unit 1 with 2 and 3 under it, 4 under 2, 10–69 under 3; another organisation's 100 with 101."""
    add_to_mirror(
        mirror_unit(1, long_name="Testin hyvinvointialue", abbreviation="THVA"),
        mirror_unit(2, parent=1, long_name="Terveyspalvelut", abbreviation="THVA Terveys"),
        mirror_unit(
            3,
            parent=1,
            long_name="Sosiaalipalvelut",
            abbreviation="THVA Sosiaali",
            post_office="Kuopio",
            health_unit=False,
        ),
        mirror_unit(4, parent=2, long_name="Mikä? Terveysasema", abbreviation="THVA Mikä"),
        *(mirror_unit(n, parent=3) for n in range(10, 70)),
        mirror_unit(100, long_name="Toinen Oy", abbreviation="TOINEN", business_id=OTHER_BUSINESS_ID),
        mirror_unit(101, parent=100, long_name="Toisen asema", abbreviation="TOINEN 1"),
    )


@pytest.fixture
def acting(app, client):
    """A person acting for the organisation whose top unit is unit 1."""
    build_mirror()
    person = Person(issuer="http://eid.test", subject="tester", given_name="Tiina", family_name="Testaaja")
    db.session.add(person)
    db.session.commit()
    client.set_cookie("portal_lang", "en")
    with client.session_transaction() as session:
        session.update(
            person_id=person.id,
            person_name="Tiina Testaaja",
            staff=False,
            hetu="150378-934B",
            hetu_masked="150378-****",
            acting={
                "business_id": BUSINESS_ID,
                "name": "Testin hyvinvointialue",
                "oid": oid(1),
                "register": "sote",
                "roles": ["TJ"],
            },
        )
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return text_of(response)


def text_of(response) -> str:
    """The page's text with the quotes that HTML escaping writes as entities put back."""
    html = response.get_data(as_text=True)
    return html.replace("&" + "#39;", "'").replace("&" + "#34;", '"').replace("&" + "quot;", '"')


def listed(html: str) -> list[str]:
    """The OIDs in the list's table, in order."""
    return re.findall(r'govuk-table__cell govuk-body-s">([0-9.]+)<', html)


# --- the hierarchy and the list ------------------------------------------------------------------------


def test_hierarchy_shows_the_branch_as_nested_lists(acting):
    html = page(acting, f"{PREFIX}/")
    assert "Testin hyvinvointialue" in html and "Terveyspalvelut" in html and "Mikä? Terveysasema" in html
    assert "Toinen Oy" not in html and "Toisen asema" not in html
    assert html.count("<details") >= 3  # the top unit, 2 and 3 have units under them
    assert "64 units" in html  # 1, 2, 3, 4 and 10–69


def test_hierarchy_says_when_the_changes_were_and_will_be_exported(acting, app):
    app.config["SCHEDULE"] = {"registry-export": "02:00"}
    html = page(acting, f"{PREFIX}/")
    assert "No changes wait for the daily export." in html and "Next export: " in html
    assert "Last export" not in html
    db.session.add(ExportRun(started_at=utcnow(), finished_at=utcnow(), state="failed", units=0))
    db.session.commit()
    html = page(acting, f"{PREFIX}/")
    assert "failed; its changes go with the next one." in html
    app.config["SCHEDULE"] = {}
    assert "Next export" not in page(acting, f"{PREFIX}/")


def test_hierarchy_under_a_unit_and_outside_the_branch(acting):
    html = page(acting, f"{PREFIX}/?root={oid(2)}")
    assert "Mikä? Terveysasema" in html and "Sosiaalipalvelut" not in html.split('id="hierarchy"')[1]
    page(acting, f"{PREFIX}/?root={oid(100)}", 404)


def test_hierarchy_shows_whole_levels_and_links_to_the_rest(acting):
    tree = queries.hierarchy(oid(1), budget=5)
    assert [n.oid for n in tree.children] == [oid(3), oid(2)]  # by long name
    assert tree.children[0].hidden == 60 and tree.children[1].hidden == 1


def test_list_pages_through_the_branch(acting):
    first = page(acting, f"{PREFIX}/list")
    assert "Showing 1–50 of 64" in first
    second = page(acting, f"{PREFIX}/list?page=2")
    assert "Showing 51–64 of 64" in second
    assert not set(listed(first)) & set(listed(second))
    assert oid(101) not in first + second


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("TERVEYSASEMA 12", [12]),  # capital and small letters are the same
        ("ta 1?", list(range(10, 20))),  # ? is any one character
        ("asema 6?", list(range(60, 70))),
        ("mikä^?", [4]),  # ^? is a question mark itself
        ("^?", [4]),
        ("thva terveys", [2]),  # the text as a whole, in any searched field
        ("terveysasema 12", [12]),
        (oid(15), [15]),
        ("Toisen", []),  # another organisation's units are never found
        ("100%", []),
        ("a_b", []),
    ],
)
def test_search(acting, query, expected):
    from urllib.parse import quote

    html = page(acting, f"{PREFIX}/list?q={quote(query)}")
    assert sorted(listed(html)) == sorted(oid(n) for n in expected)


def test_search_finds_short_names_and_descriptions(acting):
    attributes = {
        oid(12): {"ShortName": ["Kirkonkylän TK"], "LongName": ["Terveysasema 12"]},
        oid(13): {"Description": ["Päivystää öisin Sotkamossa"]},
    }
    for key, value in attributes.items():
        db.session.execute(sa.update(RegisterUnit).where(RegisterUnit.oid == key).values(attributes=value))
    db.session.commit()
    queries.forget()
    assert listed(page(acting, f"{PREFIX}/list?q=kirkonkyl%C3%A4n")) == [oid(12)]
    assert listed(page(acting, f"{PREFIX}/list?q=SOTKAMO")) == [oid(13)]
    assert listed(page(acting, f"{PREFIX}/list?" + criteria(("description", "contains", "öisin")))) == [
        oid(13)
    ]
    assert listed(page(acting, f"{PREFIX}/list?" + criteria(("short_name", "starts", "kirk")))) == [oid(12)]
    unit = page(acting, f"{PREFIX}/units/{oid(13)}")
    assert "Description" in unit and "Päivystää öisin Sotkamossa" in unit
    assert "Short name" not in unit


def test_search_ignores_case_beyond_ascii(acting):
    assert listed(page(acting, f"{PREFIX}/list?q=MIKÄ")) == [oid(4)]


def test_question_mark_matches_exactly_one_character(acting):
    # "1?" needs a character after the 1: unit 1's OID ends in ".1" and is not found by ".1?" at its end.
    html = page(acting, f"{PREFIX}/list?q=.10.1%3F")
    assert oid(1) not in listed(html) and oid(10) in listed(html)


def criteria(*lines: tuple[str, str, str]) -> str:
    return "&".join(
        f"criteria-{i}-field={field}&criteria-{i}-operator={operator}&criteria-{i}-value={value}"
        for i, (field, operator, value) in enumerate(lines)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (criteria(("post_office", "eq", "kuopio")), [3]),
        (criteria(("post_office", "ne", "Helsinki")), [3]),
        (criteria(("long_name", "starts", "Mikä")), [4]),
        (
            criteria(("long_name", "contains", "asema 1?"), ("oid", "ne", oid(12))),
            [*range(10, 12), *range(13, 20)],
        ),
        (criteria(("abbreviation", "eq", "ta 2?")), list(range(20, 30))),
        (criteria(("parent_oid", "eq", oid(2))), [4]),
        (criteria(("begin_date", "gt", "31.12.2022"), ("oid", "starts", oid(1))), [1, *range(10, 20)]),
        (criteria(("begin_date", "lt", "2023-01-01")), []),
        (criteria(("begin_date", "eq", "1.1.2023"), ("long_name", "contains", "palvelut")), [2, 3]),
        (criteria(("sector", "ne", "1")), []),
        (criteria(("health_unit", "eq", "f")), [3]),
        (criteria(("health_unit", "eq", "T"), ("long_name", "contains", "palvelut")), [2]),
        (f"under={oid(2)}", [2, 4]),
        (f"under={oid(2)}&q=asema", [4]),
    ],
)
def test_advanced_search(acting, query, expected):
    html = page(acting, f"{PREFIX}/list?{query}")
    assert sorted(listed(html)) == sorted(oid(n) for n in expected)


def test_advanced_search_refuses_what_does_not_fit(acting):
    html = page(acting, f"{PREFIX}/list?{criteria(('begin_date', 'contains', '2023'))}", 400)
    assert "Choose a comparison that fits the field" in html
    html = page(acting, f"{PREFIX}/list?{criteria(('begin_date', 'gt', '32.1.2023'))}", 400)
    assert "Enter the date as D.M.YYYY or YYYY-MM-DD" in html
    html = page(acting, f"{PREFIX}/list?under={oid(100)}", 400)
    assert "one of your organisation's units" in html
    assert oid(101) not in html


# --- a unit's page -----------------------------------------------------------------------------------


def test_unit_page_shows_attributes_place_and_children(acting):
    html = page(acting, f"{PREFIX}/units/{oid(2)}")
    assert "Terveyspalvelut" in html and "THVA Terveys" in html and "01234" in html and "091 Helsinki" in html
    breadcrumbs = html.split('class="govuk-breadcrumbs"')[1].split("</nav>")[0]
    assert "THVA" in breadcrumbs and 'aria-current="page">THVA Terveys<' in breadcrumbs
    assert f'href="{PREFIX}/units/{oid(4)}"' in html.split('id="children"')[1]
    assert "has not been changed in the portal" in html


def test_another_organisations_unit_is_not_found(acting):
    for url in (f"/units/{oid(100)}", f"/units/{oid(101)}", "/units/1.2.3", f"/?root={oid(101)}"):
        page(acting, PREFIX + url, 404)
    # A foreign parent is not offered.
    assert f'value="{oid(100)}"' not in page(acting, f"{PREFIX}/new?parent={oid(100)}")


# --- downloads -----------------------------------------------------------------------------------------


def test_excel_download_round_trips(acting):
    response = acting.get(f"{PREFIX}/download.xlsx")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert len(rows) == 65
    assert rows[1][0] == oid(1)  # parents before their children
    by_oid = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert by_oid[oid(4)]["ParentId"] == oid(2)
    assert by_oid[oid(4)]["A:Sijainti kunta"] == "091 Helsinki"
    assert by_oid[oid(4)]["BeginningDate"] == "2023-01-01"
    assert oid(101) not in by_oid


def test_downloads_escape_what_a_spreadsheet_would_run(acting):
    db.session.execute(
        sa.update(RegisterUnit)
        .where(RegisterUnit.oid == oid(2))
        .values(long_name="=HYPERLINK(\"http://x\")", phone="+358 40 123 4567", street_address="@SUM(A1)",
                post_address="-1+1", abbreviation="\tTab")
    )  # fmt: skip
    db.session.commit()
    queries.forget()
    text = acting.get(f"{PREFIX}/download.csv").data.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[0] == oid(2))
    record_ = dict(zip(HEADER, row, strict=True))
    assert record_["LongName"] == '\'=HYPERLINK("http://x")'
    assert record_["PhoneNumber"] == "'+358 40 123 4567"
    assert record_["StreetAddress"] == "'@SUM(A1)"
    assert record_["PostAddress"] == "'-1+1"
    assert record_["Abbreviation"] == "'\tTab"
    assert record_["PostNumber"] == "00100"  # leading zeros kept
    workbook = openpyxl.load_workbook(io.BytesIO(acting.get(f"{PREFIX}/download.xlsx").data))
    cells = {c.value: c for row in workbook.active.iter_rows() for c in row if c.value}
    for value in ('=HYPERLINK("http://x")', "+358 40 123 4567", "@SUM(A1)", "-1+1", "\tTab"):
        assert cells[value].data_type == "s", value  # text, never a formula
        assert cells[value].quotePrefix, value
    assert all(c.data_type != "f" for c in cells.values())


# --- uploads -------------------------------------------------------------------------------------------


def upload(client, data: bytes, filename: str = "units.csv"):
    return client.post(
        f"{PREFIX}/upload", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data"
    )


def upload_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_upload_that_fails_loads_nothing_and_lists_the_errors(acting):
    bad = [
        record(200, ParentId=oid(1)),
        record(201, ParentId=oid(1), PostNumber="123", **{"A:Y-Tunnus": "1234567-2"}),
        record(202, ParentId=oid(100)),  # another organisation's unit
    ]
    number = upload_id(upload(acting, csv_bytes(bad)))
    preview = page(acting, f"{PREFIX}/upload/{number}")
    assert "Start loading" in preview and "overwrites changes" in preview
    assert "Terveysasema 201" in preview.split('id="preview"')[1]
    response = acting.post(f"{PREFIX}/upload/{number}")
    html = text_of(response)
    assert response.status_code == 422
    assert "Nothing was changed" in html
    table = html.split('id="problem-table"')[1]
    for expected in (">PN2<", ">YT3<", ">PA2<", ">3<", ">4<", "PostNumber", "A:Y-Tunnus", "ParentId"):
        assert expected in table, expected
    assert db.session.get(RegisterUnit, oid(200)) is None
    log = acting.get(f"{PREFIX}/upload/{number}/errors.txt")
    assert log.status_code == 200 and "attachment" in log.headers["Content-Disposition"]
    lines = log.data.decode().splitlines()
    assert any(line.startswith("row 3, PostNumber, PN2: ") for line in lines)
    assert any(line.startswith("row 4, ParentId, PA2: ") for line in lines)
    # The page after the failure still shows the problems, from the log.
    assert "row 3, PostNumber, PN2" in page(acting, f"{PREFIX}/upload/{number}")
    assert acting.post(f"{PREFIX}/upload/{number}").status_code == 303  # nothing left to load


def test_upload_that_passes_shows_the_counts(acting):
    rows = [
        record(200, ParentId=oid(1)),
        record(201, ParentId=oid(200)),  # its parent earlier in the file
        record(
            2,
            ParentId=oid(1),
            LongName="Terveyspalvelut",
            Abbreviation="THVA Terveys",
            PhoneNumber="017 123 4567",
        ),
    ]
    number = upload_id(upload(acting, csv_bytes(rows, separator=";", bom=True), "units.txt"))
    response = acting.post(f"{PREFIX}/upload/{number}")
    assert response.status_code == 303
    html = page(acting, response.headers["Location"])
    assert "Units added: 2" in html and "Units updated: 1" in html
    assert db.session.get(RegisterUnit, oid(201)).parent_oid == oid(200)
    assert db.session.get(Upload, number).result == "passed"
    assert oid(201) in listed(page(acting, f"{PREFIX}/list?q=terveysasema%20201"))


def test_unreadable_file_gets_a_message_and_no_preview(acting):
    response = upload(acting, b"%PDF-1.7 not a table", "units.csv")
    html = text_of(response)
    assert response.status_code == 400
    assert "not in a format that can be loaded" in html and 'id="preview"' not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 0
    response = acting.post(f"{PREFIX}/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the file to load" in response.get_data(as_text=True)


def test_another_organisations_upload_is_not_found(acting):
    number = upload_id(upload(acting, csv_bytes([record(200, ParentId=oid(1))])))
    db.session.execute(sa.update(Upload).values(organisation_business_id=OTHER_BUSINESS_ID))
    db.session.commit()
    page(acting, f"{PREFIX}/upload/{number}", 404)
    assert acting.post(f"{PREFIX}/upload/{number}").status_code == 404
    page(acting, f"{PREFIX}/upload/{number}/errors.txt", 404)
    page(acting, f"{PREFIX}/upload/999999", 404)


# --- adding a unit and the quick edit -------------------------------------------------------------------


def new_unit(**changes: str) -> dict[str, str]:
    data = {
        "oid": oid(300),
        "long_name": "Uusi terveysasema",
        "abbreviation": "THVA Uusi",
        "parent_oid": oid(2),
        "begin_date": "1.1.2026",
        "expiration_date": "",
        "business_id": BUSINESS_ID,
        "municipality": "297 Kuopio",
        "org_unit_abbreviation": "THVA",
        "sector": "1",
        "health_unit": "T",
        "social_unit": "F",
        "health_service_unit": "T",
        "social_service_unit": "F",
        "renewal_requests": "F",
        "post_number": "70100",
        "post_office": "Kuopio",
        "phone": "017 123 4567",
    }
    data.update(changes)
    return data


def test_new_unit_form_starts_from_the_top_unit_and_the_version(acting):
    html = page(acting, f"{PREFIX}/new?parent={oid(3)}")
    assert f'value="{oid(3)}"' in html and f'value="{BUSINESS_ID}"' in html and 'value="1.1.2008"' in html


def test_adding_a_unit_logs_every_field(acting):
    response = acting.post(f"{PREFIX}/new", data=new_unit())
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(f"/units/{oid(300)}")
    unit = db.session.get(RegisterUnit, oid(300))
    assert (
        unit.parent_oid == oid(2)
        and unit.municipality_name == "Kuopio"
        and str(unit.begin_date) == "2026-01-01"
    )
    assert db.session.get(UnitChange, oid(300)).exported_at is None
    html = page(acting, response.headers["Location"])
    log = html.split('id="events"')[1]
    assert "Tiina Testaaja" in log and "Form" in log and "Uusi terveysasema" in log
    assert "waits" not in html and "reaches the national register by the next morning" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"oid": ""}, "oid", "Enter the unit's OID"),
        ({"abbreviation": ""}, "abbreviation", "Enter the unit's abbreviation"),
        ({"long_name": ""}, "long_name", "Enter the unit's long name"),
        ({"oid": "1.2.246.010.1"}, "oid", "(ID3)"),
        ({"oid": oid(4)}, "oid", "already in the register"),
        ({"long_name": "Sosiaalipalvelut"}, "long_name", "(LN2)"),
        ({"abbreviation": "X" * 61}, "abbreviation", "(AB4)"),
        ({"parent_oid": oid(100)}, "parent_oid", "(PA2)"),
        ({"parent_oid": "1.2.3.4"}, "parent_oid", "(PA1)"),
        ({"begin_date": "1.1.2001"}, "begin_date", "(DT2)"),
        ({"begin_date": "31.2.2026"}, "begin_date", "(DT1)"),
        ({"expiration_date": "1.1.2025"}, "expiration_date", "(DT3)"),
        ({"post_number": "7010"}, "post_number", "(PN2)"),
        ({"business_id": "1234567-2"}, "business_id", "(YT3)"),
    ],
)
def test_adding_a_unit_applies_the_upload_rules(acting, changes, field, message):
    response = acting.post(f"{PREFIX}/new", data=new_unit(**changes))
    html = text_of(response)
    assert response.status_code == 400
    assert message in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    if changes.get("oid") != oid(4):
        assert db.session.get(RegisterUnit, oid(300)) is None


def quick_edit_url(*columns: str, query: str = "q=terveysasema%201") -> str:
    return f"{PREFIX}/list?{query}&edit=1" + "".join(f"&columns={c}" for c in columns)


def test_quick_edit_saves_several_units_and_logs_them(acting):
    url = quick_edit_url("LongName", "PhoneNumber")
    html = page(acting, url)
    rows = re.findall(r'name="rows-(\d+)-oid" type="hidden" value="([0-9.]+)"', html)
    assert len(rows) == 10  # Terveysasema 10–19
    data = {f"rows-{i}-oid": value for i, value in rows}
    for i, _oid in rows:
        current = dict(re.findall(rf'name="rows-{i}-(c\d+)" type="text" value="([^"]*)"', html))
        data.update({f"rows-{i}-{k}": v for k, v in current.items()})
    first, second = rows[0], rows[1]
    data[f"rows-{first[0]}-c0"] = "Terveysasema Uusi Nimi"
    data[f"rows-{second[0]}-c7"] = "017 555 0000"
    response = acting.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert "Units updated: 2" in page(acting, response.headers["Location"])
    assert db.session.get(RegisterUnit, first[1]).long_name == "Terveysasema Uusi Nimi"
    assert db.session.get(RegisterUnit, second[1]).phone == "017 555 0000"
    events = db.session.scalars(sa.select(UnitEvent).where(UnitEvent.unit_oid == first[1])).all()
    assert [(e.field, e.new_value, e.source) for e in events] == [
        ("LongName", "Terveysasema Uusi Nimi", "quick_edit")
    ]
    log = page(acting, f"{PREFIX}/units/{first[1]}").split('id="events"')[1]
    assert "Quick edit" in log and "Terveysasema Uusi Nimi" in log


def test_quick_edit_with_a_problem_saves_nothing(acting):
    url = quick_edit_url("PostNumber", "LongName", query=f"q={oid(12)}")
    data = {"rows-0-oid": oid(12), "rows-0-c5": "123", "rows-0-c0": "Sosiaalipalvelut"}
    response = acting.post(url, data=data)
    html = text_of(response)
    assert response.status_code == 400
    assert "PN2" in html and "LN2" in html and 'href="#rows-0-c5"' in html and 'href="#rows-0-c0"' in html
    unit = db.session.get(RegisterUnit, oid(12))
    assert (unit.post_number, unit.long_name) == ("00100", "Terveysasema 12")


def test_quick_edit_refuses_a_parent_outside_the_branch_with_the_reason(acting):
    url = quick_edit_url("ParentId", query=f"q={oid(12)}")
    response = acting.post(url, data={"rows-0-oid": oid(12), "rows-0-c1": oid(101)})
    html = text_of(response)
    assert response.status_code == 400
    assert "PA2" in html and oid(101) in html and 'href="#rows-0-c1"' in html
    assert db.session.get(RegisterUnit, oid(12)).parent_oid == oid(3)


def test_quick_edit_of_a_unit_outside_the_branch_is_not_found(acting):
    response = acting.post(quick_edit_url("LongName"), data={"rows-0-oid": oid(101), "rows-0-c0": "Kaapattu"})
    assert response.status_code == 404
    assert db.session.get(RegisterUnit, oid(101)).long_name == "Toisen asema"


def test_other_registers_cannot_maintain_their_units(acting):
    assert "Load from a file" in page(acting, f"{PREFIX}/units/{oid(2)}")
    with acting.session_transaction() as session:
        session["acting"] = {**session["acting"], "register": "pharmacies"}
    html = page(acting, f"{PREFIX}/units/{oid(2)}")
    assert "Load from a file" not in html and "Add a unit" not in html
    page(acting, f"{PREFIX}/upload", 404)
    page(acting, f"{PREFIX}/new", 404)


# --- fuzzing ---------------------------------------------------------------------------------------------

FIELDS = ["", "oid", "long_name", "begin_date", "health_unit", "sector", "municipality", "nonsense"]
OPERATORS = ["", "eq", "ne", "contains", "starts", "lt", "gt", "≠"]
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=texts,
    under=st.one_of(texts, st.sampled_from([oid(2), oid(100), ""])),
    field=st.sampled_from(FIELDS),
    operator=st.sampled_from(OPERATORS),
    value=texts,
    page_=st.one_of(texts, st.integers(-5, 10**12).map(str)),
)
def test_random_search_never_fails(acting, q, under, field, operator, value, page_):
    response = acting.get(
        f"{PREFIX}/list",
        query_string={
            "q": q,
            "under": under,
            "criteria-0-field": field,
            "criteria-0-operator": operator,
            "criteria-0-value": value,
            "criteria-7-field": field,
            "page": page_,
            "edit": "1",
        },
    )
    assert response.status_code in (200, 400)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {
            name: texts
            for name in ("oid", "long_name", "abbreviation", "parent_oid", "begin_date", "post_number")
        }
    ),
    sector=st.sampled_from(["1", "2", "3", "", "9"]),
    flag=st.sampled_from(["T", "F", "", "x"]),
)
def test_random_new_unit_never_fails(acting, values, sector, flag):
    data = new_unit(**values, sector=sector, health_unit=flag)
    response = acting.post(f"{PREFIX}/new", data=data)
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        db.session.execute(sa.delete(RegisterUnit).where(RegisterUnit.oid == values["oid"]))
        db.session.commit()
        queries.forget()


def test_list_escapes_what_the_register_holds(acting):
    db.session.execute(
        sa.update(RegisterUnit)
        .where(RegisterUnit.oid == oid(2))
        .values(long_name="<script>alert(1)</script>", abbreviation='"><b>x</b>')
    )
    db.session.commit()
    queries.forget()
    html = page(acting, f"{PREFIX}/list?q=%3Cscript")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
    assert 'value="long_name" selected' in page(
        acting, f"{PREFIX}/list?{criteria(('long_name', 'contains', 'x'))}"
    )


def test_too_big_upload_is_refused_with_a_message(acting, monkeypatch):
    from portal.orgunits import views
    from portal.orgunits.files import Limits

    monkeypatch.setattr(views, "DEFAULT_LIMITS", Limits(max_bytes=1000))
    response = upload(acting, b"x" * 200_000)
    assert response.status_code == 413
    assert "The file is too big" in text_of(response)
    data = csv_bytes([record(n, ParentId=oid(1)) for n in range(200, 220)])
    assert len(data) > 1000
    response = upload(acting, data)  # over the limit, under the request's
    assert response.status_code == 400 and "The file is too big" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 0


UPLOAD_LIMIT = {"RATE_LIMITS": {"sign_in": None, "upload": Limit(2, 600), "pdf": None}}


@pytest.mark.parametrize("app_config", [UPLOAD_LIMIT])
def test_uploading_too_often_is_refused_for_a_while(acting):
    """Uploads are rate-limited per person (quality.md): every file sent counts, a refused one too;
    opening the upload page does not."""
    assert upload(acting, b"%PDF-1.7 not a table", "units.csv").status_code == 400
    upload_id(upload(acting, csv_bytes([record(200, ParentId=oid(1))])))
    assert page(acting, f"{PREFIX}/upload")
    refused = upload(acting, csv_bytes([record(201, ParentId=oid(1))]))
    assert refused.status_code == 429 and "Too many attempts" in text_of(refused)
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Upload)) == 1


def test_a_downloaded_csv_reads_back_as_the_units_are(acting):
    db.session.execute(
        sa.update(RegisterUnit)
        .where(RegisterUnit.oid == oid(2))
        .values(phone="+358 40 123 4567", street_address="'Kulma' 1", post_address="-1+1")
    )
    db.session.commit()
    queries.forget()
    parsed = read_upload(acting.get(f"{PREFIX}/download.csv").data)
    by_oid = {row[0]: dict(zip(parsed.header, row, strict=True)) for row in parsed.rows}
    assert by_oid[oid(2)]["PhoneNumber"] == "+358 40 123 4567"
    assert by_oid[oid(2)]["StreetAddress"] == "'Kulma' 1"
    assert by_oid[oid(2)]["PostAddress"] == "-1+1"
    expected = {u.oid: unit_record(u) for u in queries.branch_units(oid(1))}
    assert by_oid == {key: {name: value[name] for name in parsed.header} for key, value in expected.items()}


@given(st.text())
def test_escaped_cells_read_back_as_written(value):
    escaped = escape_formula(value)
    assert not escaped.startswith(FORMULA_STARTS)
    assert unescape_formula(escaped) == value
