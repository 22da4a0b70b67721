"""Kela staff's pages of customer data: the customers with their services in use, one organisation's
services, contacts by role, billing details and the history of its changes, the changes of all
organisations, and the exports. The filter forms and the lists' paging are those of the review pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context

from portal.access import Access, access
from portal.applications.catalogue import ROLE_TITLES
from portal.customers import exports, history
from portal.customers import staff_queries as queries
from portal.customers.views import billing_rows
from portal.registry.services import FINNISH_TIME
from portal.reviews.forms import EVENT_LABELS, AuditFilterForm, FilterForm, QueueFilterForm, choice_field
from portal.reviews.views import labels, list_page
from portal.texts import lazy_gettext as _l

bp = Blueprint("customers_staff", __name__, url_prefix="/staff/customers")
bp.context_processor(labels)  # the review pages' labels, paging and links

# The changes of customer data by kind, for the filter: the customer's changes as its history names
# them, and Kela's approvals as the audit log does.
CHANGE_LABELS = {
    **history.TITLES,
    **{kind: EVENT_LABELS[kind] for kind in queries.KELA_KINDS},
}


# --- forms (GET: a filtered list has a URL to share) ------------------------------------------------------


class CustomerFilterForm(FilterForm):
    # The queue's own fields: the same search box (name, business id or OID) and service choice.
    organisation = QueueFilterForm.organisation
    service = QueueFilterForm.service

    def filters(self) -> queries.CustomerFilters:
        return queries.CustomerFilters(
            organisation=self.organisation.data or None, service=self.service.data or None
        )


class ChangesFilterForm(AuditFilterForm):
    """The audit log's filters, the events narrowed to the changes of customer data."""

    kind = choice_field(
        _l("Change"),
        [("", _l("All changes")), *CHANGE_LABELS.items()],
        _l("Choose a change from the list"),
    )


@bp.context_processor
def customer_labels() -> dict[str, Any]:
    return {
        "role_titles": {role: str(title) for role, title in ROLE_TITLES.items()},
        "billing_rows": billing_rows,  # as the customer's summary page shows them
    }


# --- the pages ------------------------------------------------------------------------------------------


@bp.get("/")
@access(Access.STAFF)
def customers():
    form = CustomerFilterForm(request.args)
    page = queries.customers(form.filters(), form.page.number) if form.validate() else None
    return list_page("staff/customers/list.html", form, page=page, export_args=_export_args(form))


@bp.get("/<business_id>")
@access(Access.STAFF)
def organisation(business_id: str):
    view = queries.organisation(business_id)
    if view is None:
        abort(404)
    paging = FilterForm(request.args)
    paging.validate()
    history = queries.changes(queries.AuditFilters(business_id=business_id), paging.page.number)
    return render_template("staff/customers/organisation.html", view=view, history=history)


@bp.get("/changes")
@access(Access.STAFF)
def changes():
    form = ChangesFilterForm(request.args)
    page = queries.changes(form.filters(), form.page.number) if form.validate() else None
    return list_page("staff/customers/changes.html", form, page=page)


# --- the exports ----------------------------------------------------------------------------------------


def _export_args(form: CustomerFilterForm) -> dict[str, str]:
    """The list's filters, for its export links (the export has the rows of what the list shows)."""
    if form.errors:
        return {}
    return {name: form[name].data for name in ("organisation", "service") if form[name].data}


def _export_filters() -> queries.CustomerFilters:
    form = CustomerFilterForm(request.args)
    if not form.validate():
        abort(400)
    return form.filters()


def _download(body, mimetype: str, part: str, extension: str) -> Response:
    stamp = datetime.now(FINNISH_TIME).strftime("%Y-%m-%d")
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="kanta-{part}-{stamp}.{extension}"'},
    )


CSV_PARTS = {
    "contacts": (exports.CONTACT_COLUMNS, exports.contact_rows),
    "billing": (exports.BILLING_COLUMNS, exports.billing_rows),
}


@bp.get("/export/<any(contacts, billing):part>.csv")
@access(Access.STAFF)
def export_csv(part: str):
    """CSV has one table a file: the contacts, or the billing details."""
    columns, rows = CSV_PARTS[part]
    lines = exports.csv_lines(columns, rows(_export_filters()))
    return _download(stream_with_context(lines), "text/csv", f"customer-{part}", "csv")


@bp.get("/export/customers.xlsx")
@access(Access.STAFF)
def export_xlsx():
    filters = _export_filters()
    file = exports.xlsx_file(
        [
            (_l("Contacts"), exports.CONTACT_COLUMNS, exports.contact_rows(filters)),
            (_l("Billing details"), exports.BILLING_COLUMNS, exports.billing_rows(filters)),
        ]
    )
    mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(exports.file_chunks(file), mimetype, "customers", "xlsx")


@bp.get("/export/customers.json")
@access(Access.STAFF)
def export_json():
    filters = _export_filters()
    head = {
        "exported_at": datetime.now(FINNISH_TIME).isoformat(timespec="seconds"),
        "filters": {"organisation": filters.organisation, "service": filters.service},
    }
    parts = {"contacts": exports.contact_rows(filters), "billing": exports.billing_rows(filters)}
    lines = exports.json_lines(parts, head)
    return _download(stream_with_context(lines), "application/json", "customers", "json")
