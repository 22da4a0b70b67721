"""The history of changes to customer data, read from the audit log: which events count, and each in
readable form (what changed, old → new, in the reader's language). The customer's history page and
the change notices use it; Kela's pages may too (``change_events`` without an organisation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from portal.applications.catalogue import ROLE_TITLES, SERVICES_BY_KEY
from portal.applications.summary import KIND_LABELS, METHOD_LABELS
from portal.audit.models import AuditEvent
from portal.db import utcnow
from portal.extensions import db
from portal.texts import lazy_gettext as _l

CHANGE_KINDS = (
    "customer_contact_created",
    "customer_contact_updated",
    "customer_contact_deleted",
    "contact_role_changed",
    "service_billing_changed",
)
TITLES = {
    "customer_contact_created": _l("Contact added"),
    "customer_contact_updated": _l("Contact details changed"),
    "customer_contact_deleted": _l("Contact deleted"),
    "contact_role_changed": _l("Contact for a role changed"),
    "service_billing_changed": _l("Billing details changed"),
}
FIELD_LABELS = {
    "kind": _l("Person or organisation point"),
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "certificate_number": _l("Certificate number"),
    "business_id": _l("Business ID of the payer"),
    "method": _l("Invoicing"),
    "einvoice_address": _l("E-invoice address"),
    "operator_code": _l("Operator"),
    "street_address": _l("Street address"),
    "postal_code": _l("Postcode"),
    "post_office": _l("Post office"),
    "reference": _l("Reference"),
}
VALUE_LABELS = {"kind": KIND_LABELS, "method": METHOD_LABELS}


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    """One change in readable form."""

    id: int
    at: datetime
    actor: str
    title: str
    subject: str  # whom or what it concerns: a contact's name, a service and role
    changes: list[Change]
    services: list[str]  # the services a contact's change applies to (names)


def change_events(
    business_id: str | None, *, page: int = 1, per_page: int = 50
) -> tuple[list[AuditEvent], int]:
    """The changes of customer data, newest first (of one organisation, or of all), one page of them,
    and how many there are in all."""
    where = [AuditEvent.kind.in_(CHANGE_KINDS)]
    if business_id is not None:
        where.append(AuditEvent.organisation_business_id == business_id)
    total = db.session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    events = db.session.scalars(
        select(AuditEvent)
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(events), total


def service_name(key: str | None) -> str:
    service = SERVICES_BY_KEY.get(key or "")
    return str(service.name) if service else (key or "")


def role_title(role: str | None) -> str:
    return str(ROLE_TITLES.get(role or "", role or ""))


def value_text(name: str, value: Any) -> str:
    """A stored value as the reader sees it ("" for none)."""
    if value is None or value == "":
        return ""
    labels = VALUE_LABELS.get(name)
    if labels and value in labels:
        return str(labels[value])
    return str(value)


def field_changes(old: dict | None, new: dict | None) -> list[Change]:
    """Old → new for each field either side holds, in the order of FIELD_LABELS."""
    old, new = old or {}, new or {}
    return [
        Change(str(label), value_text(name, old.get(name)), value_text(name, new.get(name)))
        for name, label in FIELD_LABELS.items()
        if (name in old or name in new) and old.get(name) != new.get(name)
    ]


def describe(event: AuditEvent) -> Entry:
    detail = event.detail or {}
    old, new = event.old_value or {}, event.new_value or {}
    if event.kind == "contact_role_changed":
        where = service_name(detail.get("service"))
        if detail.get("application_id") is not None:
            where = str(_l("%(service)s (application %(id)s)", service=where, id=detail["application_id"]))
        subject = f"{where}: {role_title(detail.get('role'))}"
        changes = [Change(role_title(detail.get("role")), old.get("name") or "", new.get("name") or "")]
    elif event.kind == "service_billing_changed":
        subject = service_name(detail.get("service"))
        changes = field_changes(old, new)
    else:
        subject = detail.get("name") or new.get("name") or old.get("name") or ""
        changes = field_changes(old, new)
    return Entry(
        id=event.id,
        at=event.at or utcnow(),
        actor=event.actor_name or "",
        title=str(TITLES.get(event.kind, event.kind)),
        subject=subject,
        changes=changes,
        services=[service_name(key) for key in detail.get("services") or ()],
    )
