"""The customer data of all organisations, or of those that match the staff's filters, for download: the
contacts (one row per organisation × service in use × role) and the billing details (one row per
organisation × service with billing), as CSV (one file each), Excel (one sheet each) and JSON (both).

Rows are read from the database a batch at a time and written out as they come: CSV and JSON are streamed
to the browser, Excel is written by openpyxl's write-only workbook to a temporary file first (a zip is
finished only at its end) and then streamed. CSV and Excel cells that a spreadsheet would read as a
formula (they start with = + - @, a tab or a carriage return) get a single quote in front (OWASP's CSV
injection advice); JSON is plain data. No export holds a henkilötunnus: any text shaped like one, typed
where it should not be, is masked."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import case, func, select

from portal.applications.catalogue import ROLE_TITLES, SERVICES_BY_KEY
from portal.billing.services import FIELDS as BILLING_FIELDS
from portal.cells import escape_formula
from portal.contacts.models import Contact
from portal.customers.history import FIELD_LABELS, VALUE_LABELS
from portal.customers.models import Customership, ServiceInUse, ServiceRole
from portal.customers.staff_queries import (
    ROLE_ORDER,
    SERVICE_ORDER,
    CustomerFilters,
    customer_conditions,
    finnish_day,
)
from portal.extensions import db
from portal.identifiers import scrub_hetu
from portal.texts import lazy_gettext as _l

BATCH = 1000
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key
    title: Any  # the heading in CSV and Excel (lazy string)
    labels: dict[str, Any] | None = None  # code → readable text, in CSV and Excel


ORGANISATION_COLUMNS = (
    Column("organisation", _l("Organisation")),
    Column("business_id", _l("Business ID")),
    Column("oid", _l("Organisation identifier (OID)")),
    Column("service", _l("Service"), {key: s.name for key, s in SERVICES_BY_KEY.items()}),
    Column("since", _l("In use since")),
)
CONTACT_COLUMNS = (
    *ORGANISATION_COLUMNS,
    Column("role", _l("Role"), dict(ROLE_TITLES)),
    # The contact's and the billing details' fields under the names the customer's pages give them.
    *(
        Column(name, FIELD_LABELS[name], VALUE_LABELS.get(name))
        for name in ("kind", "name", "email", "phone", "certificate_number")
    ),
)
BILLING_COLUMNS = (
    *ORGANISATION_COLUMNS,
    Column("billing_business_id", FIELD_LABELS["business_id"]),
    *(Column(n, FIELD_LABELS[n], VALUE_LABELS.get(n)) for n in BILLING_FIELDS if n != "business_id"),
)


# --- the rows -----------------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    return scrub_hetu(value) if isinstance(value, str) else value


def _in_order(column, order: dict[str, int]):
    return case(order, value=column, else_=len(order))


def _services(filters: CustomerFilters):
    """The services in use of the customers that match, and the columns every row begins with."""
    conditions = [*customer_conditions(filters), ServiceInUse.ended_at.is_(None)]
    if filters.service:
        conditions.append(ServiceInUse.service == filters.service)
    columns = (
        Customership.organisation_name,
        Customership.organisation_business_id,
        Customership.organisation_oid,
        ServiceInUse.service,
        ServiceInUse.started_at,
    )
    order = (
        func.lower(Customership.organisation_name),
        Customership.organisation_business_id,
        _in_order(ServiceInUse.service, SERVICE_ORDER),
    )
    join = ServiceInUse.organisation_business_id == Customership.organisation_business_id
    return columns, join, conditions, order


def _organisation_part(row) -> dict[str, Any]:
    return {
        "organisation": row.organisation_name,
        "business_id": row.organisation_business_id,
        "oid": row.organisation_oid,
        "service": row.service,
        "since": finnish_day(row.started_at),
    }


def contact_rows(filters: CustomerFilters) -> Iterator[dict[str, Any]]:
    """One row per organisation × service in use × role (a service without roles: one row without)."""
    columns, join, conditions, order = _services(filters)
    query = (
        select(
            *columns,
            ServiceRole.role,
            Contact.kind,
            Contact.name,
            Contact.email,
            Contact.phone,
            Contact.certificate_number,
        )
        .join(ServiceInUse, join)
        .outerjoin(ServiceRole, ServiceRole.service_in_use_id == ServiceInUse.id)
        .outerjoin(Contact, Contact.id == ServiceRole.contact_id)
        .where(*conditions)
        .order_by(*order, _in_order(ServiceRole.role, ROLE_ORDER), Contact.name)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(query):
        yield {
            **_organisation_part(row),
            "role": row.role,
            "kind": row.kind,
            "name": _clean(row.name),
            "email": _clean(row.email),
            "phone": row.phone,
            "certificate_number": row.certificate_number,
        }


def billing_rows(filters: CustomerFilters) -> Iterator[dict[str, Any]]:
    """One row per organisation × service in use that has billing details."""
    columns, join, conditions, order = _services(filters)
    query = (
        select(*columns, ServiceInUse.billing)
        .join(ServiceInUse, join)
        .where(*conditions)
        .order_by(*order)
        .execution_options(yield_per=BATCH)
    )
    for row in db.session.execute(query):
        billing = row.billing
        if not isinstance(billing, dict) or not billing:
            continue  # a JSON null: the service has no billing details
        values = {field: _clean(billing.get(field)) for field in BILLING_FIELDS}
        values["billing_business_id"] = values.pop("business_id")
        yield {**_organisation_part(row), **values}


# --- cells --------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    """A text as a cell holds it: without control characters (the Excel format does not allow them,
    and nobody types them; tabs and line breaks stay), then with any formula escaped."""
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def _readable(column: Column, value: Any) -> Any:
    if value is None:
        return ""
    if column.labels is not None and value in column.labels:
        return str(column.labels[value])
    return value


def _cells(columns: Iterable[Column], row: dict[str, Any]) -> list[Any]:
    """The row's values as CSV and Excel show them: codes as readable text, formulas escaped."""
    cells = []
    for column in columns:
        value = _readable(column, row[column.key])
        cells.append(_text(value) if isinstance(value, str) else value)
    return cells


# --- CSV ----------------------------------------------------------------------------------------------


def csv_lines(columns: tuple[Column, ...], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A CSV file (RFC 4180, UTF-8 with a byte order mark so that Excel reads ä and ö) in pieces of
    about 64 kB: a heading row, then the rows. Dates are ISO dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([_text(str(column.title)) for column in columns])
    for row in rows:
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in _cells(columns, row)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# --- Excel --------------------------------------------------------------------------------------------


def xlsx_file(sheets: Iterable[tuple[Any, tuple[Column, ...], Iterable[dict[str, Any]]]]) -> IO[bytes]:
    """An Excel workbook with a sheet per (title, columns, rows), in a temporary file (rewound)."""
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(str(title)))
        for number, column in enumerate(columns, start=1):
            width = 30 if column.key == "organisation" else 20
            sheet.column_dimensions[get_column_letter(number)].width = width
        sheet.freeze_panes = "A2"
        heading = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=_text(str(column.title)))
            cell.font = Font(bold=True)
            heading.append(cell)
        sheet.append(heading)
        for row in rows:
            cells = []
            for value in _cells(columns, row):
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, date):
                    cell.number_format = "d.m.yyyy"
                cells.append(cell)
            sheet.append(cells)
    # Not a context manager: the file outlives this call, and file_chunks closes it once it is sent.
    file = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        workbook.save(file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return file


def _sheet_title(title: str) -> str:
    """A sheet's title: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"


def file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    """The file's content in pieces; the file is closed (and so removed) at the end."""
    try:
        while chunk := file.read(CHUNK):
            yield chunk
    finally:
        file.close()


# --- JSON ---------------------------------------------------------------------------------------------


def json_lines(parts: dict[str, Iterable[dict[str, Any]]], head: dict[str, Any]) -> Iterator[str]:
    """A JSON object: ``head``'s members (at least one), then each part as a list of plain objects (codes
    as stored, ISO dates), written a row at a time."""
    yield json.dumps(head, ensure_ascii=False)[:-1]
    for name, rows in parts.items():
        yield f", {json.dumps(name)}: ["
        separator = "\n"
        for row in rows:
            yield separator + json.dumps(row, ensure_ascii=False, default=_json_default)
            separator = ",\n"
        yield "\n]"
    yield "}\n"


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value))
