"""Keeping a service in use current: who holds its roles, the organisation's contacts, its billing
details. Every change is one transaction: the change, its audit events (old and new values) and the
notice to the administrative contacts (``portal.customers.notices``) commit together or not at all.

A change made on top of someone else's newer one is refused with a ``Conflict`` carrying what is
saved now: contacts by their version column (SQLAlchemy's ``version_id_col``), a role by the holder
the user saw, billing details by their version (conditional UPDATEs)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask import abort, g
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.applications.catalogue import SERVICES, SERVICES_BY_KEY, needs_billing_step, required_roles
from portal.applications.models import OPEN_STATUSES, Application
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.billing.services import FIELDS as BILLING_FIELDS
from portal.contacts.forms import NEW, ContactFields, RoleContactForm
from portal.contacts.models import ApplicationContact, Contact
from portal.customers.forms import DeleteContactForm, seen_number
from portal.customers.history import role_title, service_name
from portal.customers.models import ServiceInUse, ServiceRole
from portal.customers.notices import administrative_emails, notify
from portal.extensions import db

CONTACT_FIELDS = ("kind", "name", "email", "phone", "certificate_number")
EINVOICE_FIELDS = ("einvoice_address", "operator_code")
ADDRESS_FIELDS = ("street_address", "postal_code", "post_office")
SERVICE_ORDER = {service.key: index for index, service in enumerate(SERVICES)}


class Conflict(Exception):
    """Someone else saved a change first; nothing was saved."""


class ContactConflict(Conflict):
    def __init__(self, current: Contact | None) -> None:
        super().__init__("contact changed")
        self.current = current  # None: the contact has been deleted


class RoleConflict(Conflict):
    def __init__(self, holder: Contact | None) -> None:
        super().__init__("role changed")
        self.holder = holder


class BillingConflict(Conflict):
    def __init__(self, service: ServiceInUse) -> None:
        super().__init__("billing changed")
        self.billing = service.billing or {}
        self.version = service.billing_version


@dataclass(frozen=True)
class Usage:
    """Where a contact serves: a role in a service in use, or in an application not yet decided."""

    contact_id: int
    role: str
    service: str
    service_in_use_id: int | None = None
    application_id: int | None = None
    application_status: str | None = None

    @property
    def service_name(self) -> str:
        return service_name(self.service)

    @property
    def role_title(self) -> str:
        return role_title(self.role)

    @property
    def key(self) -> str:
        """A name for the place, usable as a form field's name."""
        if self.service_in_use_id is not None:
            return f"service-{self.service_in_use_id}-{self.role}"
        return f"application-{self.application_id}-{self.role}"

    @property
    def needs_replacement(self) -> bool:
        """Whether deleting the contact needs someone to take over: a service in use, or an application
        waiting for Kela's decision (approval puts its roles in use). In an application still being
        edited the role is only left empty, and the wizard asks for it again before sending."""
        return self.application_id is None or self.application_status == "submitted"


# --- reading, always through the acting organisation ---------------------------------------------


def acting_business_id() -> str:
    return g.acting["business_id"]


def is_pharmacy() -> bool:
    return g.acting.get("register") == "pharmacies"


def active_service(service_id: int) -> ServiceInUse:
    """The acting organisation's service in use, or 404 (another organisation's id, or ended)."""
    service = db.session.scalar(
        select(ServiceInUse).where(
            ServiceInUse.id == service_id,
            ServiceInUse.organisation_business_id == acting_business_id(),
            ServiceInUse.ended_at.is_(None),
        )
    )
    if service is None:
        abort(404)
    return service


def organisation_contact(contact_id: int) -> Contact:
    """The acting organisation's contact, or 404."""
    contact = db.session.scalar(
        select(Contact).where(
            Contact.id == contact_id, Contact.organisation_business_id == acting_business_id()
        )
    )
    if contact is None:
        abort(404)
    return contact


def services_in_use(business_id: str) -> list[ServiceInUse]:
    services = db.session.scalars(
        select(ServiceInUse).where(
            ServiceInUse.organisation_business_id == business_id, ServiceInUse.ended_at.is_(None)
        )
    )
    return sorted(services, key=lambda s: SERVICE_ORDER.get(s.service, len(SERVICE_ORDER)))


def roles_of(service: ServiceInUse) -> tuple[str, ...]:
    """The roles the service needs (a pharmacy's ePrescription: no billing contact)."""
    return required_roles(SERVICES_BY_KEY[service.service], pharmacy=is_pharmacy())


def has_billing(service: ServiceInUse) -> bool:
    return service.billing is not None or needs_billing_step(
        SERVICES_BY_KEY[service.service], pharmacy=is_pharmacy()
    )


def holders(service: ServiceInUse) -> dict[str, Contact]:
    """Role → the contact holding it in the service."""
    rows = db.session.execute(
        select(ServiceRole.role, Contact)
        .join(Contact, Contact.id == ServiceRole.contact_id)
        .where(ServiceRole.service_in_use_id == service.id)
    )
    return {role: contact for role, contact in rows}


def usages(business_id: str) -> dict[int, list[Usage]]:
    """Contact id → where the contact serves in the organisation's services in use and open
    applications, in the catalogue's order of services."""
    result: dict[int, list[Usage]] = defaultdict(list)
    in_services = db.session.execute(
        select(ServiceRole.contact_id, ServiceRole.role, ServiceInUse.service, ServiceInUse.id)
        .join(ServiceInUse, ServiceInUse.id == ServiceRole.service_in_use_id)
        .where(ServiceInUse.organisation_business_id == business_id, ServiceInUse.ended_at.is_(None))
    )
    for contact_id, role, service, service_id in in_services:
        result[contact_id].append(Usage(contact_id, role, service, service_in_use_id=service_id))
    in_applications = db.session.execute(
        select(
            ApplicationContact.contact_id,
            ApplicationContact.role,
            Application.service,
            Application.id,
            Application.status,
        )
        .join(Application, Application.id == ApplicationContact.application_id)
        .where(Application.organisation_business_id == business_id, Application.status.in_(OPEN_STATUSES))
    )
    for contact_id, role, service, application_id, status in in_applications:
        result[contact_id].append(
            Usage(contact_id, role, service, application_id=application_id, application_status=status)
        )
    for places in result.values():
        places.sort(key=lambda u: (u.application_id is not None, SERVICE_ORDER.get(u.service, 9), u.role))
    return result


def service_keys(places: list[Usage]) -> list[str]:
    """The services of ``places``, each once, in the catalogue's order."""
    return sorted({u.service for u in places}, key=lambda key: SERVICE_ORDER.get(key, len(SERVICE_ORDER)))


def shared_elsewhere(places: list[Usage], service: ServiceInUse) -> list[Usage]:
    """The places other than ``service`` (its other services in use and open applications)."""
    return [u for u in places if u.service_in_use_id != service.id]


def contact_values(source: ContactFields | Contact) -> dict[str, Any]:
    """A contact's details as plain data, from a validated form or from the contact."""
    if isinstance(source, Contact):
        return {name: getattr(source, name) for name in CONTACT_FIELDS}
    return {name: (source[name].data or None) if name in source else None for name in CONTACT_FIELDS}


def billing_values(data: dict[str, Any]) -> dict[str, Any]:
    """The billing details to store from the form's data: the fields of the method not chosen empty."""
    values = {name: (data.get(name) or None) for name in BILLING_FIELDS}
    values.update(dict.fromkeys(ADDRESS_FIELDS if values["method"] == "einvoice" else EINVOICE_FIELDS))
    return values


def _holder_values(contact: Contact | None) -> dict[str, Any] | None:
    return None if contact is None else {"contact_id": contact.id, "name": contact.name}


def _service_detail(service: ServiceInUse, **extra: Any) -> dict[str, Any]:
    return {"service": service.service, "service_in_use_id": service.id, **extra}


# --- changes -----------------------------------------------------------------------------------


def _role_row(service_id: int, role: str) -> ServiceRole | None:
    return db.session.scalar(
        select(ServiceRole).where(ServiceRole.service_in_use_id == service_id, ServiceRole.role == role)
    )


def _record_role_change(
    usage_service: str, role: str, old: Contact | None, new: Contact, **place: Any
) -> AuditEvent:
    object_type, object_id = (
        ("service_in_use", place["service_in_use_id"])
        if place.get("service_in_use_id") is not None
        else ("application", place["application_id"])
    )
    return record(
        "contact_role_changed",
        object_type=object_type,
        object_id=str(object_id),
        old=_holder_values(old),
        new=_holder_values(new),
        detail={"service": usage_service, "role": role, **place},
    )


def _new_contact(business_id: str, form: ContactFields) -> Contact:
    contact = Contact(organisation_business_id=business_id, **contact_values(form))
    db.session.add(contact)
    db.session.flush()
    return contact


def _record_created(contact: Contact, service: ServiceInUse, roles) -> AuditEvent:
    return record(
        "customer_contact_created",
        object_type="contact",
        object_id=str(contact.id),
        new=contact_values(contact),
        detail=_service_detail(service, name=contact.name, roles=sorted(roles)),
    )


def _swap_holder(service: ServiceInUse, role: str, seen: int | None, contact: Contact) -> bool:
    """Give the role to ``contact`` if ``seen`` still holds it (no holder: None); False otherwise."""
    if seen is None:
        if _role_row(service.id, role) is not None:
            return False
        db.session.add(ServiceRole(service_in_use_id=service.id, role=role, contact_id=contact.id))
        try:
            db.session.flush()
        except IntegrityError:  # someone gave the role at the same moment (the caller rolls back)
            return False
        return True
    changed = db.session.execute(
        update(ServiceRole)
        .where(
            ServiceRole.service_in_use_id == service.id,
            ServiceRole.role == role,
            ServiceRole.contact_id == seen,
        )
        .values(contact_id=contact.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    return bool(changed)


def assign_role(service: ServiceInUse, role: str, form: RoleContactForm, seen: int | None) -> bool:
    """Give the role to the chosen contact, or to a new one made from the form, and commit; False when
    the chosen contact held it already. Raises RoleConflict when the role's holder is no longer
    ``seen`` (the contact the page showed)."""
    business_id = service.organisation_business_id
    row = _role_row(service.id, role)
    current = db.session.get(Contact, row.contact_id) if row else None
    if (current.id if current else None) != seen:
        raise RoleConflict(current)
    if form.contact.data != NEW and form.contacts[form.contact.data] is current:
        return False
    before = administrative_emails(business_id)
    events = []
    if form.contact.data == NEW:
        contact = _new_contact(business_id, form)
        events.append(_record_created(contact, service, {role}))
    else:
        contact = form.contacts[form.contact.data]
    if not _swap_holder(service, role, seen, contact):
        db.session.rollback()
        row = _role_row(service.id, role)
        raise RoleConflict(db.session.get(Contact, row.contact_id) if row else None)
    events.append(_record_role_change(service.service, role, current, contact, service_in_use_id=service.id))
    notify(business_id, events, before)
    db.session.commit()
    return True


def add_contact(service: ServiceInUse, form) -> Contact:
    """A new contact of the organisation from the form, holding the roles chosen in it in ``service``
    (in place of their holders), and commit."""
    business_id = service.organisation_business_id
    roles = form.roles_to_hold()
    before = administrative_emails(business_id)
    contact = _new_contact(business_id, form)
    events = [_record_created(contact, service, roles)]
    current = holders(service)
    for role in sorted(roles, key=roles_of(service).index):
        previous = current.get(role)
        if not _swap_holder(service, role, previous.id if previous else None, contact):
            db.session.rollback()
            raise RoleConflict(None)
        events.append(
            _record_role_change(service.service, role, previous, contact, service_in_use_id=service.id)
        )
    notify(business_id, events, before)
    db.session.commit()
    return contact


def _reload(contact_id: int) -> Contact | None:
    db.session.expire_all()
    return db.session.get(Contact, contact_id)


def update_contact(contact: Contact, form) -> bool:
    """Save the form's details of the contact, and commit; False when nothing changed. Raises
    ContactConflict when the contact is no longer at the version the form was opened on."""
    business_id = contact.organisation_business_id
    if seen_number(form.version) != contact.version:
        raise ContactConflict(contact)
    old = contact_values(contact)
    new = contact_values(form)
    changed = [name for name in CONTACT_FIELDS if old[name] != new[name]]
    if not changed:
        return False
    before = administrative_emails(business_id)
    contact_id = contact.id
    for name in changed:
        setattr(contact, name, new[name])
    try:
        db.session.flush()
    except StaleDataError:  # saved by someone else after this request read it
        db.session.rollback()
        raise ContactConflict(_reload(contact_id)) from None
    places = usages(business_id).get(contact.id, [])
    event = record(
        "customer_contact_updated",
        object_type="contact",
        object_id=str(contact.id),
        old={name: old[name] for name in changed},
        new={name: new[name] for name in changed},
        detail={"name": contact.name, "services": service_keys(places)},
    )
    notify(business_id, [event], before)
    db.session.commit()
    return True


def deletion_places(contact: Contact) -> tuple[list[Usage], list[Usage]]:
    """(the places someone must take over from the contact, the draft roles that are left empty)."""
    places = usages(contact.organisation_business_id).get(contact.id, [])
    return [u for u in places if u.needs_replacement], [u for u in places if not u.needs_replacement]


def replacement_candidates(contact: Contact, slots: list[Usage]) -> dict[str, list[Contact]]:
    """Role → the organisation's other contacts that can hold it (for each role of ``slots``)."""
    others = db.session.scalars(
        select(Contact)
        .where(Contact.organisation_business_id == contact.organisation_business_id, Contact.id != contact.id)
        .order_by(Contact.name, Contact.id)
    ).all()
    return {slot.role: [c for c in others if c.can_hold(slot.role)] for slot in slots}


def delete_contact(contact: Contact, form: DeleteContactForm) -> None:
    """Hand the contact's roles to the replacements chosen in the form, empty its roles in applications
    still being edited, delete it, and commit. Raises ContactConflict when the contact changed (or
    took a new role) after the confirmation page was opened."""
    business_id = contact.organisation_business_id
    contact_id = contact.id
    if seen_number(form.version) != contact.version:
        raise ContactConflict(contact)
    old = contact_values(contact)
    _slots, emptied = deletion_places(contact)
    before = administrative_emails(business_id)
    events = []
    for slot, replacement in zip(form.slots, form.replacements().values(), strict=True):
        if slot.service_in_use_id is not None:
            table, place = ServiceRole, {"service_in_use_id": slot.service_in_use_id}
            where = ServiceRole.service_in_use_id == slot.service_in_use_id
        else:
            table, place = ApplicationContact, {"application_id": slot.application_id}
            where = ApplicationContact.application_id == slot.application_id
        changed = db.session.execute(
            update(table)
            .where(where, table.role == slot.role, table.contact_id == contact_id)
            .values(contact_id=replacement.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            db.session.rollback()
            raise ContactConflict(_reload(contact_id))
        events.append(_record_role_change(slot.service, slot.role, contact, replacement, **place))
    if _still_needed(business_id, contact_id):  # a role given to the contact after the page was read
        db.session.rollback()
        raise ContactConflict(_reload(contact_id))
    # Left: roles in applications being edited (asked again before sending), in decided applications
    # (their snapshot keeps what was sent) and in ended services.
    for table in (ApplicationContact, ServiceRole):
        db.session.execute(
            delete(table).where(table.contact_id == contact_id).execution_options(synchronize_session=False)
        )
    db.session.delete(contact)
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise ContactConflict(_reload(contact_id)) from None
    events.append(
        record(
            "customer_contact_deleted",
            object_type="contact",
            object_id=str(contact_id),
            old=old,
            detail={
                "name": old["name"],
                "emptied": [
                    {"service": u.service, "role": u.role, "application_id": u.application_id}
                    for u in emptied
                ],
            },
        )
    )
    notify(business_id, events, before)
    db.session.commit()


def _still_needed(business_id: str, contact_id: int) -> bool:
    """Whether the contact still holds a role in a service in use or a submitted application."""
    in_service = db.session.scalar(
        select(func.count())
        .select_from(ServiceRole)
        .join(ServiceInUse, ServiceInUse.id == ServiceRole.service_in_use_id)
        .where(ServiceRole.contact_id == contact_id, ServiceInUse.ended_at.is_(None))
    )
    in_application = db.session.scalar(
        select(func.count())
        .select_from(ApplicationContact)
        .join(Application, Application.id == ApplicationContact.application_id)
        .where(ApplicationContact.contact_id == contact_id, Application.status == "submitted")
    )
    return bool(in_service or in_application)


def change_billing(service: ServiceInUse, form) -> bool:
    """Save the form's billing details for the service, and commit; False when nothing changed.
    Raises BillingConflict when they are no longer at the version the form was opened on."""
    seen = seen_number(form.version)
    if seen != service.billing_version:
        raise BillingConflict(service)
    old = dict(service.billing or {})
    new = billing_values(form.data)
    changed = [name for name in BILLING_FIELDS if old.get(name) != new[name]]
    if not changed:
        return False
    before = administrative_emails(service.organisation_business_id)
    saved = db.session.execute(
        update(ServiceInUse)
        .where(ServiceInUse.id == service.id, ServiceInUse.billing_version == seen)
        .values(billing=new, billing_version=seen + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not saved:
        db.session.rollback()
        db.session.expire_all()
        raise BillingConflict(db.session.get(ServiceInUse, service.id))
    event = record(
        "service_billing_changed",
        object_type="service_in_use",
        object_id=str(service.id),
        old={name: old.get(name) for name in changed},
        new={name: new[name] for name in changed},
        detail=_service_detail(service),
    )
    notify(service.organisation_business_id, [event], before)
    db.session.commit()
    db.session.expire(service)
    return True
