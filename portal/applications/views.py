"""The application wizard's own steps; contacts and billing have their steps in their packages."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for

from portal.access import Access, access
from portal.applications import services
from portal.applications.forms import (
    CommitmentForm,
    ConnectionForm,
    CustomerForm,
    DescriptionForm,
    SendForm,
    StartForm,
)
from portal.applications.pdf import application_pdf
from portal.applications.steps import StepRefused, after_save, open_step, step_context
from portal.applications.summary import build_snapshot, sections, service_name
from portal.applications.units import search_units
from portal.documents.services import current_version, render_body, version_by_id
from portal.i18n import current_language
from portal.organisations.dashboard import acting_unit
from portal.ratelimits.limits import rate_limited
from portal.registry.services import service_tasks
from portal.texts import gettext as _

bp = Blueprint("applications", __name__, url_prefix="/applications")


@bp.app_errorhandler(StepRefused)
def step_refused(error: StepRefused):
    return error.response


@bp.route("/apply/<service_key>", methods=["GET", "POST"])
@access(Access.ACTING)
def instructions(service_key: str):
    unit = acting_unit()
    if unit is None:
        return redirect(url_for("organisations.dashboard"))
    service = services.service_for_acting(service_key, unit)
    existing = services.blocking_application(service)
    form = StartForm()
    if existing is None and form.validate_on_submit():
        try:
            application = services.start_application(service, unit)
        except services.AlreadyApplied as already:
            existing = already.application
        else:
            return redirect(url_for("applications.connection", application_id=application.id), code=303)
    return render_template(
        "applications/instructions.html",
        service=service,
        form=form,
        existing=existing,
        pharmacy=unit.register == "pharmacies",
    )


@bp.get("/<int:application_id>/instructions")
@access(Access.ACTING)
def instructions_of(application_id: int):
    application = services.get_application(application_id)
    return redirect(url_for("applications.instructions", service_key=application.service))


@bp.route("/<int:application_id>/connection", methods=["GET", "POST"])
@access(Access.ACTING)
def connection(application_id: int):
    application, wizard = open_step(application_id, "connection")
    social = application.service == "social_archive"
    eprescription = application.service == "eprescription"
    tasks = service_tasks(current_language()) if social else []
    if request.method == "POST":
        form = ConnectionForm(social=social, eprescription=eprescription, task_choices=tasks)
    else:
        form = ConnectionForm(
            social=social,
            eprescription=eprescription,
            task_choices=tasks,
            data={
                "points": [{"oid": p.oid, "name": p.name} for p in application.connection_points] or [{}],
                "systems": [
                    {
                        "product": s.product,
                        "vendor": s.vendor,
                        "version": s.version,
                        "profile": s.profile,
                        "stores": s.stores,
                        "service_tasks": s.service_tasks,
                    }
                    for s in application.systems
                ]
                or [{}],
                "renewal_requests": {True: "yes", False: "no"}.get(application.renewal_requests),
                "unit": application.renewal_unit_oid,
            },
        )
    action = request.form.get("action", "save")
    units = []
    if eprescription:
        units = search_units(form.unit_query.data or "", chosen=form.unit.data)
        form.unit.choices = [(u.oid, f"{u.long_name} ({u.oid})") for u in units]
    if request.method == "POST" and action == "add_point" and len(form.points) < form.points.max_entries:
        form.points.append_entry()
    elif request.method == "POST" and action == "add_system" and len(form.systems) < form.systems.max_entries:
        form.systems.append_entry()
    elif request.method == "POST" and action == "save" and form.validate():
        renewal = form.renewal_requests.data == "yes" if eprescription else None
        services.replace_connection(
            application,
            form.filled_points(),
            form.filled_systems(),
            renewal,
            (form.unit.data or None) if eprescription else None,
        )
        return after_save(application, wizard, "connection")
    return render_template(
        "applications/connection.html",
        form=form,
        units=units,
        searched=action == "search_unit",
        **step_context(application, wizard, "connection"),
    )


@bp.route("/<int:application_id>/customer", methods=["GET", "POST"])
@access(Access.ACTING)
def customer(application_id: int):
    application, wizard = open_step(application_id, "customer")
    form = CustomerForm(obj=application)
    if form.validate_on_submit():
        changes = {
            name: form[name].data
            for name in ("street_address", "postal_code", "post_office", "phone", "decision_email")
        }
        for name, value in changes.items():
            setattr(application, name, value)
        services.save_step(application, "customer", changes)
        return after_save(application, wizard, "customer")
    return render_template(
        "applications/customer.html",
        form=form,
        **step_context(application, wizard, "customer"),
    )


@bp.route("/<int:application_id>/description", methods=["GET", "POST"])
@access(Access.ACTING)
def description(application_id: int):
    application, wizard = open_step(application_id, "description")
    version = current_version("service_description", application.service, current_language())
    form = DescriptionForm()
    if form.validate_on_submit():
        services.accept_description(application, shown_version(version))
        return after_save(application, wizard, "description")
    return render_template(
        "applications/document.html",
        form=form,
        document=version,
        body=render_body(version),
        checkbox="accept",
        **step_context(application, wizard, "description"),
    )


@bp.route("/<int:application_id>/commitment", methods=["GET", "POST"])
@access(Access.ACTING)
def commitment(application_id: int):
    application, wizard = open_step(application_id, "commitment")
    version = current_version("commitment", None, current_language())
    form = CommitmentForm()
    if form.validate_on_submit():
        services.sign(application, shown_version(version), session.get("hetu_masked", ""))
        return after_save(application, wizard, "commitment")
    return render_template(
        "applications/document.html",
        form=form,
        document=version,
        body=render_body(version),
        checkbox="sign",
        **step_context(application, wizard, "commitment"),
    )


def shown_version(current):
    """The version the page showed is the version accepted, even if a newer one appeared meanwhile;
    anything else posted (another document, garbage) falls back to the current version."""
    posted = request.form.get("version_id", "")
    # ASCII digits only: str.isdigit() also takes "²" and "٣", which int() refuses or reads.
    number = posted.isascii() and posted.isdigit() and len(posted) < 10
    shown = version_by_id(int(posted)) if number else None
    if shown is None or (shown.kind, shown.service) != (current.kind, current.service):
        return current
    return shown


@bp.get("/<int:application_id>/summary")
@access(Access.ACTING)
def summary(application_id: int):
    application, wizard = open_step(application_id, "summary")
    return _summary_page(application, wizard, SendForm(), show_errors=bool(wizard.problems))


@bp.post("/<int:application_id>/send")
@access(Access.ACTING)
def send(application_id: int):
    application = services.get_application(application_id)
    if not application.editable:
        # Sent already (a double click, or another tab): show what happened.
        return redirect(url_for("applications.status", application_id=application.id), code=303)
    application, wizard = open_step(application_id, "summary")
    form = SendForm()
    if not form.validate_on_submit() or wizard.problems:
        return _summary_page(application, wizard, form, show_errors=True), 400
    services.send(application, build_snapshot(application), current_language())
    flash(_("Your application has been sent."), "success")
    return redirect(url_for("applications.status", application_id=application.id), code=303)


def _summary_page(application, wizard, form, show_errors: bool = False):
    snapshot = build_snapshot(application)
    context = step_context(application, wizard, "summary")
    context["steps"] = wizard.states("summary", show_errors=show_errors)
    problems = [{"text": str(p.message), "href": p.href} for p in wizard.problems] if show_errors else []
    return render_template(
        "applications/summary.html",
        form=form,
        sections=sections(snapshot, current_language()),
        problems=problems,
        **context,
    )


@bp.get("/<int:application_id>")
@access(Access.ACTING)
def status(application_id: int):
    application = services.get_application(application_id)
    if application.editable:
        return redirect(url_for("applications.summary", application_id=application.id))
    return render_template(
        "applications/status.html",
        application=application,
        service_name=service_name(application.snapshot),
        sections=sections(application.snapshot, current_language()),
    )


@bp.get("/<int:application_id>/pdf")
@access(Access.ACTING)
@rate_limited("pdf")
def pdf(application_id: int):
    application = services.get_application(application_id)
    if application.snapshot is None:
        return redirect(url_for("applications.summary", application_id=application.id))
    lang = current_language()
    body = application_pdf(application, lang)
    filename = f"kanta-application-{application.id}-{lang}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def continue_url(application) -> str:
    from portal.applications.wizard import Wizard

    step = Wizard(application).first_open_step()
    return url_for(step.endpoint, application_id=application.id)
