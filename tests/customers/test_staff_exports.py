"""The staff's exports of customer data: the contacts (a row per organisation × service in use × role) and
the billing details, as CSV (a file each), Excel (a sheet each) and JSON (both), of all customers or of
those the list's filters choose. Read back with csv, openpyxl and json. Cells a spreadsheet would take for
a formula are escaped in CSV and Excel, not in JSON; no export holds a henkilötunnus."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from portal.contacts.models import Contact
from portal.customers.models import ServiceInUse, ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC, PHARMACY
from portal.registry.services import FINNISH_TIME
from tests.customers.test_staff_customers import organisation_name, put_in_use
from tests.reviews.conftest import app_config, codeserver, world  # noqa: F401
from tests.reviews.staff_helpers import sign_in_staff

CONTACT_HEADINGS = [
    "Organisation",
    "Business ID",
    "Organisation identifier (OID)",
    "Service",
    "In use since",
    "Role",
    "Person or organisation point",
    "Name",
    "E-mail address",
    "Phone number",
    "Certificate number",
]
BILLING_HEADINGS = [
    "Organisation",
    "Business ID",
    "Organisation identifier (OID)",
    "Service",
    "In use since",
    "Business ID of the payer",
    "Invoicing",
    "Street address",
    "Postcode",
    "Post office",
    "E-invoice address",
    "Operator",
    "Reference",
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def staff(client, world):  # noqa: F811
    """The clinic with the patient data archive (billing details) and the care home with the social welfare
    archive (none); a reviewer signed in."""
    put_in_use(client, CLINIC, "patient_archive")
    put_in_use(client, CARE_HOME, "social_archive")
    sign_in_staff(client)
    return client


def today() -> date:
    return datetime.now(FINNISH_TIME).date()


def download(client, path: str, mimetype: str, **filters) -> bytes:
    response = client.get(path, query_string=filters)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith('attachment; filename="kanta-')
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data()


def csv_rows(client, part: str, **filters) -> list[list[str]]:
    content = download(client, f"/staff/customers/export/{part}.csv", "text/csv", **filters)
    assert content.startswith("\ufeff".encode())  # so that Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def workbook(client, **filters):
    content = download(client, "/staff/customers/export/customers.xlsx", XLSX, **filters)
    return load_workbook(io.BytesIO(content))


def json_export(client, **filters) -> dict:
    return json.loads(
        download(client, "/staff/customers/export/customers.json", "application/json", **filters)
    )


def roles_in_use() -> list[tuple[str, str, str]]:
    """(business id, service, role) of every role of a service in use."""
    return sorted(
        db.session.execute(
            select(ServiceInUse.organisation_business_id, ServiceInUse.service, ServiceRole.role).join(
                ServiceRole, ServiceRole.service_in_use_id == ServiceInUse.id
            )
        ).all()
    )


# --- the three formats ----------------------------------------------------------------------------------


def test_the_excel_file_has_a_sheet_of_contacts_and_one_of_billing_details(staff):
    book = workbook(staff)
    assert book.sheetnames == ["Contacts", "Billing details"]
    contacts, billing = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert list(contacts[0]) == CONTACT_HEADINGS
    assert len(contacts) - 1 == len(roles_in_use()) == 6 + 6  # six roles in each service
    clinic = organisation_name(CLINIC.business_id)
    archivist = next(row for row in contacts if row[5] == "Archivist" and row[1] == CLINIC.business_id)
    assert archivist[:4] == (clinic, CLINIC.business_id, archivist[2], "Patient data archive")
    assert archivist[2].startswith("1.2.246.")
    assert archivist[4].date() == today()  # a date cell
    assert archivist[6:] == (
        "Person",
        "Maija archivist",
        "archivist@example.fi",
        "'+358401234567",
        "12345678901",
    )
    # By organisation name, then the catalogue's order of services and roles.
    names = [row[0] for row in contacts[1:]]
    assert names == sorted(names, key=str.lower)
    clinic_roles = [row[5] for row in contacts[1:] if row[1] == CLINIC.business_id]
    assert clinic_roles == [
        "Technical contact point",
        "Recipient of disruption notices",
        "Data protection officer",
        "Administrative contact",
        "Billing contact",
        "Archivist",
    ]
    assert list(billing[0]) == BILLING_HEADINGS
    assert len(billing) == 2  # only the patient data archive has billing details
    assert billing[1][:2] == (clinic, CLINIC.business_id) and billing[1][3] == "Patient data archive"
    assert billing[1][5:] == (
        CLINIC.business_id,
        "E-invoice",
        None,
        None,
        None,
        "003729584230",
        "003721291126",
        "Kanta 2026",
    )


def test_the_csv_files_hold_the_same_rows(staff):
    contacts = csv_rows(staff, "contacts")
    assert contacts[0] == CONTACT_HEADINGS
    book = workbook(staff)
    from_excel = [
        ["" if v is None else v.date().isoformat() if isinstance(v, datetime) else str(v) for v in row]
        for row in book["Contacts"].iter_rows(min_row=2, values_only=True)
    ]
    assert contacts[1:] == from_excel
    billing = csv_rows(staff, "billing")
    assert billing[0] == BILLING_HEADINGS
    assert billing[1][4] == today().isoformat()
    assert billing[1][5:] == [
        CLINIC.business_id,
        "E-invoice",
        "",
        "",
        "",
        "003729584230",
        "003721291126",
        "Kanta 2026",
    ]


def test_the_json_file_holds_both_as_plain_data(staff):
    data = json_export(staff)
    assert data["filters"] == {"organisation": None, "service": None}
    assert datetime.fromisoformat(data["exported_at"]).tzinfo is not None
    assert len(data["contacts"]) == len(roles_in_use())
    archivist = next(
        c for c in data["contacts"] if c["role"] == "archivist" and c["service"] == "patient_archive"
    )
    assert archivist == {
        "organisation": organisation_name(CLINIC.business_id),
        "business_id": CLINIC.business_id,
        "oid": archivist["oid"],
        "service": "patient_archive",
        "since": today().isoformat(),
        "role": "archivist",
        "kind": "person",
        "name": "Maija archivist",
        "email": "archivist@example.fi",
        "phone": "+358401234567",  # not escaped: JSON is data, not a spreadsheet
        "certificate_number": "12345678901",
    }
    assert data["billing"] == [
        {
            "organisation": organisation_name(CLINIC.business_id),
            "business_id": CLINIC.business_id,
            "oid": archivist["oid"],
            "service": "patient_archive",
            "since": today().isoformat(),
            "billing_business_id": CLINIC.business_id,
            "method": "einvoice",
            "street_address": None,
            "postal_code": None,
            "post_office": None,
            "einvoice_address": "003729584230",
            "operator_code": "003721291126",
            "reference": "Kanta 2026",
        }
    ]


def test_csv_and_json_are_streamed(staff):
    for path in ("/staff/customers/export/contacts.csv", "/staff/customers/export/customers.json"):
        response = staff.get(path)
        assert response.is_streamed, path
        response.close()


# --- the filtered set -------------------------------------------------------------------------------------


def test_the_exports_hold_what_the_filters_choose(staff, client):
    put_in_use(client, PHARMACY, "eprescription")
    sign_in_staff(client)
    assert {row[1] for row in csv_rows(staff, "contacts", organisation=CARE_HOME.business_id)[1:]} == {
        CARE_HOME.business_id
    }
    # A service chosen: only that service's rows (the pharmacy's ePrescription has no billing details).
    data = json_export(staff, service="eprescription")
    assert data["filters"] == {"organisation": None, "service": "eprescription"}
    assert {(c["business_id"], c["service"]) for c in data["contacts"]} == {
        (PHARMACY.business_id, "eprescription")
    }
    assert data["billing"] == []
    book = workbook(staff, organisation="kuusi")
    assert {row[1] for row in book["Contacts"].iter_rows(min_row=2, values_only=True)} == {CLINIC.business_id}
    # An ended service is not in use: not exported.
    db.session.execute(
        update(ServiceInUse)
        .where(ServiceInUse.service == "social_archive")
        .values(ended_at=datetime.now(FINNISH_TIME))
    )
    db.session.commit()
    assert csv_rows(staff, "contacts", service="social_archive") == [CONTACT_HEADINGS]


def test_the_list_links_to_the_exports_of_its_filtered_set(staff):
    page = staff.get("/staff/customers/?service=social_archive&organisation=koti").get_data(as_text=True)
    for path in (
        "export/customers.xlsx",
        "export/contacts.csv",
        "export/billing.csv",
        "export/customers.json",
    ):
        assert f'href="/staff/customers/{path}?organisation=koti&amp;service=social_archive"' in page


def test_bad_filters_are_refused(staff):
    for path in ("contacts.csv", "billing.csv", "customers.xlsx", "customers.json"):
        assert staff.get(f"/staff/customers/export/{path}?service=x-ray").status_code == 400
    assert staff.get("/staff/customers/export/other.csv").status_code == 404


# --- escaping -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t"])
def test_a_cell_a_spreadsheet_would_read_as_a_formula_is_escaped_in_csv_and_excel(staff, start):
    name = f'{start}HYPERLINK("http://evil.example","x")'
    reference = f"{start}1+1"
    db.session.execute(update(Contact).where(Contact.name == "Maija archivist").values(name=name))
    db.session.execute(
        update(ServiceInUse)
        .where(ServiceInUse.service == "patient_archive")
        .values(
            billing={
                **db.session.scalar(
                    select(ServiceInUse.billing).where(ServiceInUse.service == "patient_archive")
                ),
                "reference": reference,
            }
        )
    )
    db.session.commit()
    contacts = csv_rows(staff, "contacts")
    assert "'" + name in [row[7] for row in contacts]
    assert csv_rows(staff, "billing")[1][12] == "'" + reference
    book = workbook(staff)
    names = [row[7] for row in book["Contacts"].iter_rows(min_row=2, values_only=True)]
    assert "'" + name in names
    cell = next(row[7] for row in book["Contacts"].iter_rows(min_row=2) if row[7].value == "'" + name)
    assert cell.data_type == "s"  # text, not a formula
    assert book["Billing details"]["M2"].value == "'" + reference
    data = json_export(staff)
    assert name in [c["name"] for c in data["contacts"]]
    assert data["billing"][0]["reference"] == reference


def test_ordinary_text_is_not_escaped(staff):
    db.session.execute(
        update(Contact)
        .where(Contact.name == "Maija archivist")
        .values(name="Maija = arkisto-ihminen @ Kuusi")
    )
    db.session.commit()
    assert "Maija = arkisto-ihminen @ Kuusi" in [row[7] for row in csv_rows(staff, "contacts")]


def test_no_export_holds_a_henkilotunnus(staff):
    db.session.execute(
        update(Contact).where(Contact.name == "Maija archivist").values(name="Maija 150378-934B")
    )
    db.session.commit()
    exports = [
        download(staff, "/staff/customers/export/contacts.csv", "text/csv").decode("utf-8-sig"),
        download(staff, "/staff/customers/export/customers.json", "application/json").decode(),
        " ".join(str(v) for row in workbook(staff)["Contacts"].iter_rows(values_only=True) for v in row if v),
    ]
    for content in exports:
        assert "150378-934B" not in content and "150378-****" in content
