"""Test data for the upload checks: valid unit records, files in every format, units in the mirror."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import sqlalchemy as sa

from portal.extensions import db
from portal.orgunits.rules import COLUMNS
from portal.registry.models import RegisterUnit

BUSINESS_ID = "1234567-1"  # a valid check digit
ROOT = "1.2.246.10.1234567"
HEADER = [c.name for c in COLUMNS]


def oid(n: int) -> str:
    return f"{ROOT}.10.{n}"


def record(n: int, **changes: str) -> dict[str, str]:
    """A valid public-sector unit, number ``n`` (names and OID unique by ``n``)."""
    values = {
        "OrganizationId": oid(n),
        "LongName": f"Terveysasema {n}",
        "ParentId": "",
        "Abbreviation": f"TA {n}",
        "StreetAddress": "Kauppakatu 1",
        "PostAddress": "PL 12",
        "PostNumber": "00100",
        "PostOffice": "Helsinki",
        "PhoneNumber": "09 123 4567",
        "BeginningDate": "2023-01-01",
        "ExpiringDate": "",
        "A:Y-Tunnus": BUSINESS_ID,
        "A:Sijainti kunta": "091 Helsinki",
        "A:Terv.toimintayksikkö": "T",
        "A:Reseptin uusiminen": "F",
        "A:Korvaava koodi": "",
        "A:Org.Yks.lyhenne": "TESTI",
        "A:SektorI": "1",
        "A:Sos.toimintayksikkö": "F",
        "A:Terv.palveluyksikkö": "T",
        "A:Sos.palveluyksikkö": "F",
        "A:TOPI-koodi": "01234",
    }
    values.update(changes)
    return values


def rows_of(records: list[dict[str, str]], header: list[str] | None = None) -> list[list[str]]:
    header = header or HEADER
    return [header, *([r.get(name, "") for name in header] for r in records)]


def csv_bytes(
    records: list[dict[str, str]], *, separator: str = ",", bom: bool = False, header: list[str] | None = None
) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerows(rows_of(records, header))
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_bytes(records: list[dict[str, str]], *, header: list[str] | None = None) -> bytes:
    """A workbook as Excel writes one: shared strings, styles, a dimension."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows_of(records, header):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def formats(records: list[dict[str, str]], header: list[str] | None = None) -> dict[str, bytes]:
    """The same rows in every accepted format."""
    return {
        "csv-comma": csv_bytes(records, header=header),
        "csv-semicolon": csv_bytes(records, separator=";", header=header),
        "csv-comma-bom": csv_bytes(records, bom=True, header=header),
        "csv-semicolon-bom": csv_bytes(records, separator=";", bom=True, header=header),
        "xlsx": xlsx_bytes(records, header=header),
        "xlsx-shared-strings": excel_like_xlsx(records, header=header),
        "xlsx-prefixed": excel_like_xlsx(records, prefix="x:", header=header),
        "tsv": csv_bytes(records, separator="\t", header=header),
    }


def mirror_unit(n: int, *, register: str = "sote", parent: int | str | None = None, **values: Any) -> dict:
    """A mirror row for unit ``n`` (the same names as ``record(n)``)."""
    row = {
        "oid": oid(n),
        "register": register,
        "long_name": f"Terveysasema {n}",
        "abbreviation": f"TA {n}",
        "org_unit_abbreviation": "TESTI",
        "parent_oid": oid(parent) if isinstance(parent, int) else parent,
        "business_id": BUSINESS_ID,
        "post_number": "00100",
        "post_office": "Helsinki",
        "phone": "09 123 4567",
        "municipality_code": "091",
        "municipality_name": "Helsinki",
        "sector": "1",
        "health_unit": True,
        "social_unit": False,
        "health_service_unit": True,
        "social_service_unit": False,
        "renewal_requests": False,
        "topi_code": "01234",
        "status": "ACTIVE",
        "begin_date": date(2023, 1, 1),
        "expiration_date": None,
        "modified_date": date(2024, 1, 1),
        "attributes": {},
        "synced_at": datetime(2025, 1, 1, tzinfo=UTC),
        "street_address": "Kauppakatu 1",
        "post_address": "PL 12",
    }
    row.update(values)
    return row


def add_to_mirror(*rows: dict) -> None:
    db.session.execute(sa.insert(RegisterUnit), list(rows))
    db.session.commit()


def excel_like_xlsx(
    records: list[dict[str, str]], *, prefix: str = "", header: list[str] | None = None
) -> bytes:
    """A workbook written the way Excel writes one (openpyxl writes inline strings instead): text in the
    shared strings, the first string as rich text runs with a phonetic guide, and with ``prefix``
    ("x:") every element of the workbook and sheet in a prefixed namespace."""
    from xml.sax.saxutils import escape

    p = prefix
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    xmlns = f'xmlns:{p[:-1]}="{ns}"' if p else f'xmlns="{ns}"'
    strings: dict[str, int] = {}
    sheet_rows = []
    for r, row in enumerate(rows_of(records, header), start=1):
        cells = []
        for c, value in enumerate(row):
            if value == "":
                continue
            ref = f"{chr(65 + c) if c < 26 else 'A' + chr(65 + c - 26)}{r}"
            index = strings.setdefault(value, len(strings))
            cells.append(f'<{p}c r="{ref}" t="s"><{p}v>{index}</{p}v></{p}c>')
        sheet_rows.append(f'<{p}row r="{r}">{"".join(cells)}</{p}row>')
    items = []
    for n, value in enumerate(strings):
        if n == 0 and len(value) > 2:
            items.append(
                f"<si><r><t>{escape(value[:2])}</t></r><r><rPr><b/></rPr><t>{escape(value[2:])}</t></r>"
                '<rPh sb="0" eb="1"><t>フリガナ</t></rPh></si>'
            )
        else:
            items.append(f'<si><t xml:space="preserve">{escape(value)}</t></si>')
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><{p}workbook {xmlns} xmlns:r="{rel}"><{p}sheets>'
            f'<{p}sheet name="Units" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="/xl/sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{ns}">{"".join(items)}</sst>',
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?><{p}worksheet {xmlns}><{p}sheetData>{"".join(sheet_rows)}'
            f"</{p}sheetData></{p}worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text.encode())
    return out.getvalue()
