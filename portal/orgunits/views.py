"""The acting organisation's units in the organisation register: the hierarchy, the flat list with search
and quick edit, each unit's page with its event log, downloads, uploads and adding one unit.

Every page reads through the acting organisation's top unit (``g.acting["oid"]``): a unit outside its
branch, or another organisation's upload, is a 404. Every change goes through the rule book's checks
(``checks.check``) and ``loading.apply``: an upload as it is, a form or a quick edit as a file of its rows.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup, escape
from openpyxl import Workbook
from werkzeug.exceptions import RequestEntityTooLarge

from portal.access import Access, access
from portal.cells import FORMULA_STARTS, escape_formula
from portal.extensions import db
from portal.integrations.codeserver import wire
from portal.orgunits import queries, rules
from portal.orgunits.checks import CheckResult, check
from portal.orgunits.export import recent_runs
from portal.orgunits.files import DEFAULT_LIMITS, ParsedFile, UnreadableFile, read_upload
from portal.orgunits.forms import (
    COLUMN_LABELS,
    DEFAULT_EDIT_COLUMNS,
    EDITABLE,
    FIELD_CHOICES,
    OPERATOR_CHOICES,
    LoadForm,
    SearchForm,
    UnitForm,
    UploadForm,
    column_field_name,
    quick_edit_form,
)
from portal.orgunits.loading import NotLoadable, apply, record_failure
from portal.orgunits.models import UnitChange, UnitEvent, Upload
from portal.orgunits.problems import Problem
from portal.orgunits.records import unit_record
from portal.ratelimits.limits import rate_limited
from portal.registry.models import RegisterUnit
from portal.reviews.views import pagination, url_with
from portal.scheduling.jobs import next_run
from portal.templating import error_list, format_date
from portal.texts import gettext as _
from portal.texts import lazy_gettext as _l

bp = Blueprint("orgunits", __name__, url_prefix="/organisation-units")

PREVIEW_ROWS = 15
EVENTS_SHOWN = 500
HEADER = [c.name for c in rules.COLUMNS]
SOURCE_LABELS = {"upload": _l("File upload"), "form": _l("Form"), "quick_edit": _l("Quick edit")}


@bp.context_processor
def helpers() -> dict[str, Any]:
    # Cheap on purpose: it runs for every template the pages render, each GOV.UK widget's included.
    return {"pagination": pagination, "url_with": url_with, "can_maintain": can_maintain()}


def texts(labels: dict[str, Any]) -> dict[str, str]:
    """Lazy labels as plain strings in the current language (for templates that look them up)."""
    return {key: str(label) for key, label in labels.items()}


# --- the acting organisation ----------------------------------------------------------------------------


def top_oid() -> str:
    return g.acting["oid"]


def can_maintain() -> bool:
    """Units are maintained here in the SOTE register only (the practitioners' and pharmacies' registers
    are kept by their own authorities)."""
    acting = g.get("acting") or {}
    return acting.get("register") == "sote"


def maintainer_only() -> None:
    if not can_maintain():
        abort(404)


def who() -> dict[str, Any]:
    return {
        "person_id": g.person_id,
        "person_name": session.get("person_name") or "",
        "organisation": g.acting,
    }


def unit_path_or_404(oid: str) -> list[RegisterUnit]:
    path = queries.branch_path(top_oid(), oid)
    if path is None:
        abort(404)
    return path


# --- the hierarchy and the list -----------------------------------------------------------------------


@bp.get("/")
@access(Access.ACTING)
def hierarchy():
    root = request.args.get("root") or top_oid()
    path = unit_path_or_404(root)
    tree = queries.hierarchy(top_oid(), root)
    if tree is None:
        abort(404)
    return render_template(
        "orgunits/hierarchy.html",
        tree=tree,
        path=path,
        total=len(queries.branch(top_oid())),
        exports=export_status(),
    )


def export_status() -> dict[str, Any]:
    """How many of the branch's changes wait for the daily export, the last export run and the next."""
    kept = queries.branch(top_oid())
    pending = db.session.scalars(sa.select(UnitChange.unit_oid).where(UnitChange.exported_at.is_(None)))
    runs = recent_runs(1)
    return {
        "pending": sum(1 for oid in pending if oid in kept.by_oid),
        "last": runs[0] if runs else None,
        "next": next_run(current_app, "registry-export"),
    }


@bp.get("/list")
@access(Access.ACTING)
def units():
    form = SearchForm(request.args)
    return list_page(form)


def edit_columns() -> tuple[str, ...]:
    chosen = tuple(name for name in EDITABLE if name in request.args.getlist("columns"))
    return chosen or DEFAULT_EDIT_COLUMNS


def list_page(form: SearchForm, edit_form=None, problems: Sequence[dict] = ()):
    valid = form.validate()
    under = form.under.data
    if under and not form.under.errors and under not in queries.branch(top_oid()).by_oid:
        form.under.errors.append(_("Enter the OID of one of your organisation's units"))
        valid = False
    page = queries.search(top_oid(), form.search(), form.page.number) if valid else None
    editing = request.args.get("edit") == "1" and can_maintain() and page is not None
    columns = edit_columns()
    if editing and edit_form is None:
        full = full_units([row.oid for row in page.items])
        edit_form = quick_edit_form(
            columns,
            data={
                "rows": [
                    {"oid": row.oid, **{column_field_name(c): unit_record(full[row.oid])[c] for c in columns}}
                    for row in page.items
                    if row.oid in full
                ]
            },
        )
    if edit_form is not None:
        recount_errors(edit_form)
        problems = error_list(edit_form, list(problems))
    status = 400 if (form.errors or problems or (edit_form is not None and edit_form.errors)) else 200
    return (
        render_template(
            "orgunits/list.html",
            form=form,
            page=page,
            editing=editing,
            edit_form=edit_form,
            columns=columns,
            editable=EDITABLE,
            column_labels=texts(COLUMN_LABELS) if editing else {},
            field_name=column_field_name,
            problems=list(problems),
            options=options,
            unit_rows=list_rows,
            field_choices=[(value, str(label)) for value, label in FIELD_CHOICES],
            operator_choices=[(value, str(label)) for value, label in OPERATOR_CHOICES],
            abbreviations={
                row.oid: row.abbreviation or row.long_name for row in (page.items if page else ())
            },
        ),
        status,
    )


def options(choices: Sequence[tuple[str, str]], selected: Any) -> Markup:
    """A select's <option> elements, written here rather than by a template loop (the advanced search has
    six selects of up to 22 options). Every value goes through escape()."""
    html = "".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
        for value, label in choices
    )
    return Markup(html)  # noqa: S704 -- every value above went through escape()


def list_rows(items: Sequence[Any], href: str) -> Markup:
    """The list's table rows (``href``: a unit page's path without the OID), written here: a template loop
    over 50 rows cost more than the search. Every value goes through escape()."""
    day = memo(format_date)
    cell = '<td class="govuk-table__cell govuk-body-s">'
    html = "\n".join(
        f'<tr class="govuk-table__row"><td class="govuk-table__cell"><a class="govuk-link" '
        f'href="{escape(href)}{escape(row.oid)}">{escape(row.long_name)}</a></td>'
        f'<td class="govuk-table__cell">{escape(row.abbreviation or "")}</td>'
        f"{cell}{escape(row.oid)}</td>"
        f"{cell}{escape(day(row.begin_date))} – {escape(day(row.expiration_date))}</td></tr>"
        for row in items
    )
    return Markup(html)  # noqa: S704 -- every value above went through escape()


def memo(function):
    """``function`` remembering its results for one page (a list shows the same few dates again and again)."""
    return functools.cache(function)


def recount_errors(form) -> None:
    """Forms keep their error dictionary once read; errors added to fields afterwards need it made again."""
    form._errors = None
    for field in form:
        entries = getattr(field, "entries", None)
        if entries is not None:  # a FieldList keeps a list of its entries' errors made when it validated
            for entry in entries:
                recount_errors(entry.form)
            errors = [entry.errors for entry in entries]
            field.errors = errors if any(errors) else []


def full_units(oids: Sequence[str]) -> dict[str, RegisterUnit]:
    if not oids:
        return {}
    return {u.oid: u for u in db.session.scalars(sa.select(RegisterUnit).where(RegisterUnit.oid.in_(oids)))}


@bp.post("/list")
@access(Access.ACTING)
def quick_edit():
    maintainer_only()
    columns = edit_columns()
    edit_form = quick_edit_form(columns, formdata=request.form)
    search_form = SearchForm(request.args)
    if not edit_form.validate():
        return list_page(search_form, edit_form)
    kept = queries.branch(top_oid())
    oids = [row.form.oid.data for row in edit_form.rows]
    if any(oid not in kept.by_oid for oid in oids):
        abort(404)
    full = full_units(oids)
    keep = list(dict.fromkeys([rules.OID.name, *(c.name for c in rules.MANDATORY), *columns]))
    changed: list[tuple[Any, dict[str, str]]] = []
    for row in edit_form.rows:
        before = unit_record(full[row.form.oid.data])
        after = {**before, **{c: row.form[column_field_name(c)].data or "" for c in columns}}
        if after != before:
            changed.append((row.form, {name: after[name] for name in keep}))
    if not changed:
        flash(_("Nothing was changed."), "info")
        return redirect(url_with(), code=303)
    result = check(ParsedFile.from_records([record for _, record in changed], keep), branch_oid=top_oid())
    try:
        if result.passed:
            _added, updated = apply(result, source="quick_edit", **who())
            flash(_("Saved. Units updated: %(count)d.", count=updated), "success")
            return redirect(url_with(), code=303)
    except NotLoadable as exc:
        result = exc.result
    problems = []
    for problem in result.errors:
        index = (problem.row or 0) - 2
        row_form = changed[index][0] if 0 <= index < len(changed) else None
        if row_form is not None and problem.column in columns:
            row_form[column_field_name(problem.column)].errors.append(f"{problem.rule}: {problem.message}")
        else:
            where = changed[index][1][rules.OID.name] if row_form is not None else "-"
            problems.append(
                {"text": f"{where}, {problem.column}, {problem.rule}: {problem.message}", "href": "#units"}
            )
    return list_page(search_form, edit_form, problems)


# --- one unit -------------------------------------------------------------------------------------------


@bp.get("/units/<oid>")
@access(Access.ACTING)
def unit(oid: str):
    path = unit_path_or_404(oid)
    unit = path[-1]
    events = db.session.scalars(
        sa.select(UnitEvent)
        .where(UnitEvent.unit_oid == unit.oid)
        .order_by(UnitEvent.at.desc(), UnitEvent.id.desc())
        .limit(EVENTS_SHOWN)
    ).all()
    record = unit_record(unit)
    attributes = unit.attributes or {}
    texts_ = [
        (label, name, (attributes.get(name) or [""])[0])
        for label, name in ((_("Short name"), wire.SHORT_NAME), (_("Description"), wire.DESCRIPTION))
    ]
    return render_template(
        "orgunits/unit.html",
        unit=unit,
        path=path,
        record=record,
        code_texts=[text for text in texts_ if text[2]],
        column_labels=texts(COLUMN_LABELS),
        source_labels=texts(SOURCE_LABELS),
        children=queries.children(unit.oid),
        events=events,
        change=db.session.get(UnitChange, unit.oid),
    )


# --- downloads ------------------------------------------------------------------------------------------


def branch_records() -> list[dict[str, str]]:
    return [unit_record(u) for u in queries.branch_units(top_oid())]


@bp.get("/download.<any(xlsx, csv):kind>")
@access(Access.ACTING)
def download(kind: str):
    records = branch_records()
    filename = f"organisation-units-{g.acting['business_id']}.{kind}"
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows([escape_formula(r[name]) for name in HEADER] for r in records)
        body, mimetype = ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv"
    else:
        body, mimetype = (
            xlsx_bytes(records),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def xlsx_bytes(records: list[dict[str, str]]) -> bytes:
    """The units as a workbook of text cells. A text cell is never run as a formula; a value beginning as
    a formula would also gets Excel's quote prefix, so that editing the cell keeps it text."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Units"
    sheet.append(HEADER)
    for record in records:
        sheet.append([record[name] for name in HEADER])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str) and cell.value:
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_STARTS):
                    cell.quotePrefix = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- uploads --------------------------------------------------------------------------------------------


def upload_or_404(upload_id: int) -> Upload:
    upload = db.session.get(Upload, upload_id)
    if upload is None or upload.organisation_business_id != g.acting["business_id"]:
        abort(404)
    return upload


@bp.route("/upload", methods=["GET", "POST"])
@access(Access.ACTING)
@rate_limited("upload", methods=("POST",))
def upload():
    maintainer_only()
    request.max_content_length = DEFAULT_LIMITS.max_bytes + 64 * 1024
    try:
        form = UploadForm()
    except RequestEntityTooLarge:
        form = UploadForm(formdata=None)
        form.file.errors = [too_big()]
        return render_template("orgunits/upload.html", form=form), 413
    if not form.validate_on_submit():
        return render_template("orgunits/upload.html", form=form), 400 if form.errors else 200
    data = form.file.data.stream.read(DEFAULT_LIMITS.max_bytes + 1)
    try:
        read_upload(data, DEFAULT_LIMITS)
    except UnreadableFile as exc:
        form.file.errors.append(str(exc.problem.message))
        return render_template("orgunits/upload.html", form=form), 400
    upload = start_upload(form.file.data.filename, data)
    return redirect(url_for("orgunits.uploaded", upload_id=upload.id), code=303)


def too_big() -> str:
    return _("The file is too big: it can be at most %(limit)s MB. Split it into smaller files.",
             limit=f"{DEFAULT_LIMITS.max_bytes / 1024 / 1024:g}")  # fmt: skip


def start_upload(filename: str, data: bytes) -> Upload:
    """Keep the file on the server until it is loaded (the preview and "Start loading" read it from here)."""
    upload = Upload(
        person_id=g.person_id,
        person_name=session.get("person_name") or "",
        organisation_business_id=g.acting["business_id"],
        filename=(filename or "")[-255:],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        result="pending",
    )
    db.session.add(upload)
    db.session.commit()
    return upload


@bp.get("/upload/<int:upload_id>")
@access(Access.ACTING)
def uploaded(upload_id: int):
    upload = upload_or_404(upload_id)
    return upload_page(upload)


def upload_page(upload: Upload, result: CheckResult | None = None, status: int = 200):
    parsed, unreadable = None, None
    if upload.result == "pending" and upload.content is not None:
        try:
            parsed = read_upload(upload.content, DEFAULT_LIMITS)
        except UnreadableFile as exc:
            unreadable = exc.problem
    return (
        render_template(
            "orgunits/uploaded.html",
            upload=upload,
            parsed=parsed,
            preview=parsed.preview(PREVIEW_ROWS) if parsed else [],
            unreadable=unreadable,
            errors=result.errors if result is not None else None,
            log_lines=(upload.error_log or "").splitlines() if result is None else [],
            form=LoadForm(),
        ),
        status,
    )


@bp.post("/upload/<int:upload_id>")
@access(Access.ACTING)
def load(upload_id: int):
    maintainer_only()
    upload = upload_or_404(upload_id)
    form = LoadForm()
    if upload.result != "pending" or upload.content is None or not form.validate_on_submit():
        return redirect(url_for("orgunits.uploaded", upload_id=upload.id), code=303)
    try:
        parsed = read_upload(upload.content, DEFAULT_LIMITS)
    except UnreadableFile as exc:
        result = CheckResult(None, top_oid(), [exc.problem])
    else:
        result = check(parsed, branch_oid=top_oid())
    if result.passed:
        try:
            added, updated = apply(result, source="upload", upload=upload, **who())
        except NotLoadable as exc:
            upload = upload_or_404(upload_id)
            result = exc.result
        else:
            flash(_("The file was loaded. Units added: %(added)d. Units updated: %(updated)d.",
                    added=added, updated=updated), "success")  # fmt: skip
            return redirect(url_for("orgunits.uploaded", upload_id=upload.id), code=303)
    record_failure(upload, result)
    return upload_page(upload, result, 422)


@bp.get("/upload/<int:upload_id>/errors.txt")
@access(Access.ACTING)
def upload_log(upload_id: int):
    upload = upload_or_404(upload_id)
    if upload.result != "failed":
        abort(404)
    return Response(
        (upload.error_log or "").encode("utf-8"),
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="upload-{upload.id}-errors.txt"'},
    )


# --- adding one unit ------------------------------------------------------------------------------------


def new_unit_defaults() -> dict[str, Any]:
    """What a new unit is likely to share with the organisation's top unit; valid for as long as the
    register version is."""
    top = db.session.get(RegisterUnit, top_oid())
    parent = request.args.get("parent")
    record = unit_record(top) if top else {}
    return {
        "parent_oid": parent if parent and queries.in_branch(top_oid(), parent) else top_oid(),
        "business_id": record.get(rules.BUSINESS_ID.name, ""),
        "municipality": record.get(rules.MUNICIPALITY.name, ""),
        "org_unit_abbreviation": record.get(rules.ORG_ABBREVIATION.name, ""),
        "sector": record.get(rules.SECTOR.name) or None,
        "begin_date": f"{rules.VERSION_BEGIN.day}.{rules.VERSION_BEGIN.month}.{rules.VERSION_BEGIN.year}",
        "expiration_date": rules.VERSION_END.strftime("%-d.%-m.%Y") if rules.VERSION_END else "",
    }


@bp.route("/new", methods=["GET", "POST"])
@access(Access.ACTING)
def add():
    maintainer_only()
    form = UnitForm(data=None if request.method == "POST" else new_unit_defaults())
    problems: list[dict[str, str]] = []
    if form.validate_on_submit():
        if db.session.get(RegisterUnit, form.oid.data) is not None:
            form.oid.errors.append(
                _("A unit with this OID is already in the register. Change it in the list.")
            )
        else:
            result = check(ParsedFile.from_records([form.record()], HEADER), branch_oid=top_oid())
            try:
                if result.passed:
                    apply(result, source="form", **who())
                    flash(_("The unit %(name)s was added.", name=form.long_name.data), "success")
                    return redirect(url_for("orgunits.unit", oid=form.oid.data), code=303)
            except NotLoadable as exc:
                result = exc.result
            problems = place_problems(form, result.errors)
    recount_errors(form)
    status = 400 if (form.errors or problems) else 200
    return render_template("orgunits/add.html", form=form, problems=problems), status


def place_problems(form: UnitForm, errors: Sequence[Problem]) -> list[dict[str, str]]:
    """Each problem at its field; those of no field (the file as a whole) for the error summary."""
    rest = []
    for problem in errors:
        field = form.field_for_column(problem.column) if problem.row is not None else None
        if field is not None:
            field.errors.append(f"{problem.message} ({problem.rule})")
        else:
            rest.append({"text": f"{problem.rule}: {problem.message}", "href": "#oid"})
    return rest
