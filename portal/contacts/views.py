"""The wizard's contacts step: the roles the service needs, each given to a contact."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from portal.access import Access, access
from portal.applications import services as applications
from portal.applications.catalogue import ROLE_HINTS, ROLE_TITLES, required_roles
from portal.applications.steps import after_save, open_step, returning_to_summary, step_context
from portal.applications.wizard import is_pharmacy, service_of
from portal.contacts.forms import NEW, RoleContactForm
from portal.contacts.services import assign, assignments, organisation_contacts
from portal.forms.base import PortalForm
from portal.rejoins.services import merging_organisations

bp = Blueprint("contacts", __name__, url_prefix="/applications")


def _roles(application) -> tuple[str, ...]:
    return required_roles(service_of(application), pharmacy=is_pharmacy(application))


@bp.route("/<int:application_id>/contacts", methods=["GET", "POST"])
@access(Access.ACTING)
def step(application_id: int):
    application, wizard = open_step(application_id, "contacts")
    roles = _roles(application)
    assigned = assignments(application)
    form = PortalForm()
    missing = [role for role in roles if role not in assigned]
    contact_problems = [p for p in wizard.problems if p.step == "contacts"]
    if form.validate_on_submit() and not contact_problems:
        applications.save_step(application, "contacts")
        return after_save(application, wizard, "contacts")
    show_errors = request.method == "POST"
    return render_template(
        "contacts/step.html",
        form=form,
        roles=roles,
        assigned=assigned,
        titles=ROLE_TITLES,
        hints=ROLE_HINTS,
        missing=missing,
        problems=[{"text": str(p.message), "href": f"#{p.anchor}"} for p in contact_problems]
        if show_errors
        else [],
        **step_context(application, wizard, "contacts"),
    ), (400 if show_errors else 200)


@bp.route("/<int:application_id>/contacts/<role>", methods=["GET", "POST"])
@access(Access.ACTING)
def role(application_id: int, role: str):
    application, wizard = open_step(application_id, "contacts")
    if role not in _roles(application):
        abort(404)
    merging = merging_organisations(application.organisation_business_id)
    contacts = organisation_contacts(application.organisation_business_id, *merging)
    current = assignments(application).get(role)
    form = RoleContactForm(role=role, contacts=contacts, merging=merging)
    if request.method == "GET":
        form.contact.data = str(current.id) if current else (None if contacts else NEW)
    if form.validate_on_submit():
        assign(application, role, form)
        target = url_for(
            "contacts.step",
            application_id=application.id,
            **({"return": "summary"} if returning_to_summary() else {}),
        )
        return redirect(target, code=303)
    context = step_context(application, wizard, "contacts")
    context["action_url"] = url_for(
        "contacts.role",
        application_id=application.id,
        role=role,
        **({"return": "summary"} if returning_to_summary() else {}),
    )
    return render_template(
        "contacts/role.html",
        form=form,
        role=role,
        title=ROLE_TITLES[role],
        hint=ROLE_HINTS[role],
        new_value=NEW,
        **context,
    )
