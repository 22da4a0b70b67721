"""Contacts of the acting organisation and their roles in an application."""

from __future__ import annotations

from sqlalchemy import select

from portal.applications.models import Application
from portal.audit.services import record
from portal.contacts.forms import NEW, RoleContactForm
from portal.contacts.models import ApplicationContact, Contact
from portal.extensions import db


def organisation_contacts(business_id: str, *others: str) -> list[Contact]:
    """The organisation's contacts, then those of the ``others`` (organisations merging into it)."""
    found = list(
        db.session.scalars(
            select(Contact)
            .where(Contact.organisation_business_id.in_((business_id, *others)))
            .order_by(Contact.name, Contact.id)
        )
    )
    return sorted(found, key=lambda c: c.organisation_business_id != business_id)


def assignments(application: Application) -> dict[str, Contact]:
    return {
        a.role: a.contact
        for a in db.session.scalars(
            select(ApplicationContact).where(ApplicationContact.application_id == application.id)
        )
    }


def _own_copy(contact: Contact, business_id: str) -> Contact:
    """A contact of an organisation merging into a welfare area, as the area's own: the copy made when
    it was chosen before, or a new one."""
    details = {
        "kind": contact.kind,
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "certificate_number": contact.certificate_number,
    }
    same = select(Contact).where(
        Contact.organisation_business_id == business_id,
        *(
            getattr(Contact, k).is_(None) if v is None else getattr(Contact, k) == v
            for k, v in details.items()
        ),
    )
    copy = db.session.scalars(same.order_by(Contact.id)).first()
    if copy is None:
        copy = Contact(organisation_business_id=business_id, **details)
        db.session.add(copy)
        db.session.flush()
    return copy


def assign(application: Application, role: str, form: RoleContactForm) -> Contact:
    """Give the role to the chosen contact, or to a new contact made from the form, and commit."""
    if form.contact.data == NEW:
        contact = Contact(
            organisation_business_id=application.organisation_business_id,
            kind=form.kind.data,
            name=form.name.data,
            email=form.email.data or None,
            phone=form.phone.data or None,
            certificate_number=(form.certificate_number.data or None)
            if "certificate_number" in form
            else None,
        )
        db.session.add(contact)
        db.session.flush()
    copied_from = None
    if form.contact.data != NEW:
        contact = form.contacts[form.contact.data]
        if contact.organisation_business_id != application.organisation_business_id:
            copied_from = contact.id
            contact = _own_copy(contact, application.organisation_business_id)
    assignment = db.session.scalar(
        select(ApplicationContact).where(
            ApplicationContact.application_id == application.id, ApplicationContact.role == role
        )
    )
    if assignment is None:
        assignment = ApplicationContact(application_id=application.id, role=role, contact_id=contact.id)
        db.session.add(assignment)
    else:
        assignment.contact_id = contact.id
    record(
        "application_contact_set",
        object_type="application",
        object_id=str(application.id),
        new={
            "role": role,
            "contact_id": contact.id,
            "new_contact": form.contact.data == NEW,
            **({"copied_from_contact_id": copied_from} if copied_from else {}),
        },
    )
    db.session.commit()
    return contact
