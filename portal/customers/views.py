"""A service in use, as its organisation keeps it current (seed 001, 4): the summary page (contacts by
role, billing details), choosing a role's contact, adding, editing and deleting contacts, the billing
details, and the history of changes. Everything is reached through the acting organisation: another
organisation's ids are a 404."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from portal.access import Access, access
from portal.applications.catalogue import ROLE_HINTS, ROLE_TITLES, SERVICES_BY_KEY
from portal.contacts.forms import NEW
from portal.contacts.services import organisation_contacts
from portal.customers import services
from portal.customers.forms import (
    DeleteContactForm,
    EditContactForm,
    NewContactForm,
    ServiceBillingForm,
    ServiceRoleForm,
    seen_number,
    show_number,
)
from portal.customers.history import FIELD_LABELS, change_events, describe, value_text
from portal.customers.services import (
    BillingConflict,
    ContactConflict,
    RoleConflict,
    acting_business_id,
    active_service,
    organisation_contact,
)
from portal.texts import gettext as _

bp = Blueprint("customers", __name__, url_prefix="/services")

HISTORY_PAGE_SIZE = 50


def _service_context(service, **extra) -> dict:
    return {"service": service, "service_name": SERVICES_BY_KEY[service.service].name, **extra}


@bp.get("/<int:service_id>")
@access(Access.ACTING)
def summary(service_id: int):
    service = active_service(service_id)
    holders = services.holders(service)
    places = services.usages(acting_business_id())
    return render_template(
        "customers/summary.html",
        roles=services.roles_of(service),
        holders=holders,
        elsewhere={
            contact.id: services.shared_elsewhere(places.get(contact.id, []), service)
            for contact in holders.values()
        },
        has_billing=services.has_billing(service),
        billing_rows=billing_rows(service.billing),
        titles=ROLE_TITLES,
        back_url=url_for("organisations.dashboard"),
        **_service_context(service),
    )


def billing_rows(billing: dict | None) -> list[dict]:
    """The billing details as summary-list rows (the fields of the chosen method)."""
    if not billing:
        return []
    shown = ["business_id", "method"]
    if billing.get("method") == "einvoice":
        shown += ["einvoice_address", "operator_code"]
    else:
        shown += ["street_address", "postal_code", "post_office"]
    shown.append("reference")
    return [{"label": FIELD_LABELS[name], "value": value_text(name, billing.get(name))} for name in shown]


@bp.get("/<int:service_id>/contacts")
@access(Access.ACTING)
def contacts(service_id: int):
    service = active_service(service_id)
    return render_template(
        "customers/contacts.html",
        contacts=organisation_contacts(acting_business_id()),
        places=services.usages(acting_business_id()),
        back_url=url_for("customers.summary", service_id=service.id),
        **_service_context(service),
    )


@bp.route("/<int:service_id>/roles/<role>", methods=["GET", "POST"])
@access(Access.ACTING)
def role(service_id: int, role: str):
    service = active_service(service_id)
    if role not in services.roles_of(service):
        abort(404)
    current = services.holders(service).get(role)
    form = ServiceRoleForm(role=role, contacts=organisation_contacts(acting_business_id()))
    if not form.is_submitted():
        form.contact.data = str(current.id) if current else NEW
        show_number(form.holder, current.id if current else None)
    conflict = None
    if form.validate_on_submit():
        try:
            if services.assign_role(service, role, form, seen_number(form.holder)):
                flash(_("%(role)s changed.", role=ROLE_TITLES[role]), "success")
            return redirect(url_for("customers.summary", service_id=service.id), code=303)
        except RoleConflict as refused:
            conflict = refused
            # The list as it is now (the other person may have added a contact), with what was
            # chosen and typed kept (the form reads the post again).
            form = ServiceRoleForm(role=role, contacts=organisation_contacts(acting_business_id()))
            show_number(form.holder, refused.holder.id if refused.holder else None)
    return render_template(
        "customers/role.html",
        form=form,
        role=role,
        title=ROLE_TITLES[role],
        hint=ROLE_HINTS[role],
        new_value=NEW,
        conflict=conflict,
        problems=_conflict_problem(conflict),
        back_url=url_for("customers.summary", service_id=service.id),
        **_service_context(service),
    ), (409 if conflict else 400 if form.errors else 200)


def _conflict_problem(conflict) -> list[dict]:
    if conflict is None:
        return []
    return [{"text": _("Someone else saved a change while you were making yours"), "href": "#conflict"}]


@bp.route("/<int:service_id>/contacts/new", methods=["GET", "POST"])
@access(Access.ACTING)
def new_contact(service_id: int):
    service = active_service(service_id)
    roles = services.roles_of(service)
    form = NewContactForm(service_roles=roles)
    if not form.is_submitted() and request.args.get("role") in roles:
        form.take_roles.data = [request.args["role"]]
    if form.validate_on_submit():
        try:
            contact = services.add_contact(service, form)
        except RoleConflict:
            flash(_("Someone else changed the contacts at the same time. Nothing was saved."), "warning")
            return redirect(url_for("customers.summary", service_id=service.id), code=303)
        flash(_("%(name)s added.", name=contact.name), "success")
        return redirect(url_for("customers.summary", service_id=service.id), code=303)
    return render_template(
        "customers/new_contact.html",
        form=form,
        back_url=url_for("customers.contacts", service_id=service.id),
        **_service_context(service),
    ), (400 if form.errors else 200)


@bp.route("/<int:service_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
@access(Access.ACTING)
def edit_contact(service_id: int, contact_id: int):
    service = active_service(service_id)
    contact = organisation_contact(contact_id)
    places = services.usages(acting_business_id()).get(contact.id, [])
    form = EditContactForm(obj=contact, roles={u.role for u in places})
    if not form.is_submitted():
        show_number(form.version, contact.version)
    conflict = None
    if form.validate_on_submit():
        try:
            if services.update_contact(contact, form):
                flash(_("The details of %(name)s were saved.", name=contact.name), "success")
            return redirect(url_for("customers.contacts", service_id=service.id), code=303)
        except ContactConflict as refused:
            if refused.current is None:
                flash(_("Someone else deleted this contact while you were editing it."), "warning")
                return redirect(url_for("customers.contacts", service_id=service.id), code=303)
            conflict = refused
            contact = refused.current
            show_number(form.version, contact.version)
    return render_template(
        "customers/edit_contact.html",
        form=form,
        contact=contact,
        places=places,
        elsewhere=services.shared_elsewhere(places, service),
        conflict=conflict,
        problems=_conflict_problem(conflict),
        back_url=url_for("customers.contacts", service_id=service.id),
        **_service_context(service),
    ), (409 if conflict else 400 if form.errors else 200)


@bp.route("/<int:service_id>/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
@access(Access.ACTING)
def delete_contact(service_id: int, contact_id: int):
    service = active_service(service_id)
    contact = organisation_contact(contact_id)
    slots, emptied = services.deletion_places(contact)
    candidates = services.replacement_candidates(contact, slots)
    form = DeleteContactForm.for_slots(slots, candidates)
    if not form.is_submitted():
        show_number(form.version, contact.version)
    stuck = [slot for slot in slots if not candidates[slot.role]]
    if not stuck and form.validate_on_submit():
        name = contact.name
        try:
            services.delete_contact(contact, form)
        except ContactConflict as refused:
            if refused.current is None:
                flash(_("%(name)s has already been deleted.", name=name), "info")
                return redirect(url_for("customers.contacts", service_id=service.id), code=303)
            # Changed meanwhile: the page again, as the contact and its roles are now.
            target = url_for(
                "customers.delete_contact", service_id=service.id, contact_id=contact_id, changed=1
            )
            return redirect(target, code=303)
        flash(_("%(name)s deleted.", name=name), "success")
        return redirect(url_for("customers.contacts", service_id=service.id), code=303)
    return render_template(
        "customers/delete_contact.html",
        form=form,
        contact=contact,
        slots=slots,
        stuck=stuck,
        emptied=emptied,
        changed=request.args.get("changed") == "1",
        problems=[
            {
                "text": _("Add a contact who can take over as %(role)s first", role=slot.role_title.lower()),
                "href": "#stuck",
            }
            for slot in stuck
        ]
        if form.is_submitted()
        else [],
        back_url=url_for("customers.contacts", service_id=service.id),
        **_service_context(service),
    ), (400 if form.errors or (stuck and form.is_submitted()) else 200)


@bp.route("/<int:service_id>/billing", methods=["GET", "POST"])
@access(Access.ACTING)
def billing(service_id: int):
    service = active_service(service_id)
    if not services.has_billing(service):
        abort(404)
    form = ServiceBillingForm(data=service.billing or {"business_id": service.organisation_business_id})
    if not form.is_submitted():
        show_number(form.version, service.billing_version)
    conflict = None
    if form.validate_on_submit():
        try:
            if services.change_billing(service, form):
                flash(_("The billing details were saved."), "success")
            return redirect(url_for("customers.summary", service_id=service.id), code=303)
        except BillingConflict as refused:
            conflict = refused
            show_number(form.version, refused.version)
    return render_template(
        "customers/billing.html",
        form=form,
        conflict=conflict,
        conflict_rows=billing_rows(conflict.billing) if conflict else [],
        problems=_conflict_problem(conflict),
        back_url=url_for("customers.summary", service_id=service.id),
        **_service_context(service),
    ), (409 if conflict else 400 if form.errors else 200)


@bp.get("/history")
@access(Access.ACTING)
def history():
    page = _page_number(request.args.get("page", ""))
    events, total = change_events(acting_business_id(), page=page, per_page=HISTORY_PAGE_SIZE)
    pages = max(1, -(-total // HISTORY_PAGE_SIZE))
    return render_template(
        "customers/history.html",
        entries=[describe(event) for event in events],
        page=page,
        pages=pages,
        total=total,
        in_use=services.services_in_use(acting_business_id()),
        services_by_key=SERVICES_BY_KEY,
        back_url=url_for("organisations.dashboard"),
    )


def _page_number(value: str) -> int:
    """A page number from the query string; 1 for anything else."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 and int(value) > 0 else 1
