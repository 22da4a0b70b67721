"""Contacts of the acting organisation and their roles in an application."""

from __future__ import annotations

from sqlalchemy import select

from portal.applications.models import Application
from portal.audit.services import record
from portal.contacts.forms import NEW, RoleContactForm
from portal.contacts.models import ApplicationContact, Contact
from portal.extensions import db


def organisation_contacts(business_id: str) -> list[Contact]:
    return list(
        db.session.scalars(
            select(Contact)
            .where(Contact.organisation_business_id == business_id)
            .order_by(Contact.name, Contact.id)
        )
    )


def assignments(application: Application) -> dict[str, Contact]:
    return {
        a.role: a.contact
        for a in db.session.scalars(
            select(ApplicationContact).where(ApplicationContact.application_id == application.id)
        )
    }


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
    else:
        contact = form.contacts[form.contact.data]
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
        new={"role": role, "contact_id": contact.id, "new_contact": form.contact.data == NEW},
    )
    db.session.commit()
    return contact
