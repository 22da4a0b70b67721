"""The notice of a change to customer data: an e-mail to the administrative contacts of the
organisation's services in use, as they were before the change and after it (so that a change of the
administrative contact itself, or of their address, reaches the one who was replaced too). Queued in
the change's transaction, in the language of the user who made it. Never a henkilötunnus."""

from __future__ import annotations

from flask import current_app, g, session
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.contacts.models import Contact
from portal.customers.history import describe
from portal.customers.models import ServiceInUse, ServiceRole
from portal.extensions import db
from portal.i18n import current_language
from portal.identifiers import scrub_hetu
from portal.outbox.services import enqueue, unique_recipients
from portal.templating import format_datetime
from portal.texts import gettext as _


def administrative_emails(business_id: str) -> list[str]:
    """The e-mail addresses of the administrative contacts of the organisation's services in use."""
    addresses = db.session.scalars(
        select(Contact.email)
        .join(ServiceRole, ServiceRole.contact_id == Contact.id)
        .join(ServiceInUse, ServiceInUse.id == ServiceRole.service_in_use_id)
        .where(
            ServiceInUse.organisation_business_id == business_id,
            ServiceInUse.ended_at.is_(None),
            ServiceRole.role == "administrative",
        )
        .order_by(ServiceInUse.id)
    )
    return unique_recipients(addresses)


def notify(business_id: str, events: list[AuditEvent], before: list[str]) -> None:
    """Queue the notice of ``events`` (recorded in this transaction) to the administrative contacts
    ``before`` the change and now."""
    db.session.flush()  # the events' times
    recipients = unique_recipients([*before, *administrative_emails(business_id)])
    subject, body = notice_text(events)
    enqueue(
        kind="customer_data_changed",
        language=current_language(),
        recipients=recipients,
        subject=scrub_hetu(subject),
        body=scrub_hetu(body),
        organisation_business_id=business_id,
    )


def notice_text(events: list[AuditEvent]) -> tuple[str, str]:
    """The subject and plain-text body, in the current locale."""
    organisation = (g.get("acting") or {}).get("name") or ""
    business_id = (g.get("acting") or {}).get("business_id") or ""
    subject = _("Customer data changed in the Kanta services: %(organisation)s", organisation=organisation)
    entries = [describe(event) for event in events]
    lines = [
        _(
            "The customer data of %(organisation)s (%(business_id)s) in the Kanta services was changed "
            "in the Kanta customer portal.",
            organisation=organisation,
            business_id=business_id,
        ),
        "",
        _("Changed by: %(name)s", name=session.get("person_name") or ""),
        _("Time: %(time)s", time=format_datetime(entries[0].at) if entries else ""),
    ]
    for entry in entries:
        lines += ["", f"{entry.title}: {entry.subject}"]
        for change in entry.changes:
            lines.append(f"- {change.label}: {change.old or _('(empty)')} → {change.new or _('(empty)')}")
        if len(entry.services) > 1:
            lines.append(_("Applies to: %(services)s", services=", ".join(entry.services)))
    lines += [
        "",
        _(
            "You receive this notice as the administrative contact of your organisation's Kanta "
            "services. If you did not expect the change, check the customer data in the portal:"
        ),
        f"{current_app.config['PORTAL_URL']}/services/history",
        "",
        _("Kanta services, Kela"),
    ]
    return subject, "\n".join(lines)
