"""What Kela staff read of the customers: the customerships with their services in use, one organisation's
services with the contacts by role, and the changes of customer data from the audit log. The lists reuse
the review pages' paging, day ranges and audit filters; an organisation's contacts and the changes are
read as the customer's own pages read them (``portal.customers.services`` and ``.history``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from portal.applications.catalogue import ROLE_TITLES
from portal.audit.models import AuditEvent
from portal.contacts.models import Contact
from portal.customers import history
from portal.customers.models import Customership, ServiceInUse
from portal.customers.services import SERVICE_ORDER, Usage, holders, services_in_use, shared_elsewhere, usages
from portal.extensions import db
from portal.registry.services import FINNISH_TIME
from portal.reviews.forms import EVENT_LABELS
from portal.reviews.queries import (
    BUSINESS_ID,
    OID,
    PER_PAGE,
    AuditFilters,
    Page,
    audit_events,
    paginate,
)

# The changes of an organisation's customer data: those of the customer's own pages (contacts, who holds
# a role, billing details) and Kela's approvals (a customership and a service in use begin).
KELA_KINDS = ("customership_created", "service_activated")
CHANGE_KINDS = (*history.CHANGE_KINDS, *KELA_KINDS)

ROLE_ORDER = {role: position for position, role in enumerate(ROLE_TITLES)}


@dataclass(frozen=True)
class CustomerFilters:
    organisation: str | None = None  # a business id, an OID, or part of the name
    service: str | None = None  # has this service in use (the exports: only its rows)


def finnish_day(moment: datetime | None) -> date | None:
    """The Finnish calendar day of a moment the database keeps in UTC."""
    return moment.astimezone(FINNISH_TIME).date() if moment else None


# --- the customers --------------------------------------------------------------------------------------


def customer_conditions(filters: CustomerFilters) -> list:
    """Conditions on Customership: one search box (a business id or an OID finds that organisation
    exactly, anything else is looked for in the name) and a service the organisation has in use."""
    conditions = []
    text = filters.organisation
    if text and BUSINESS_ID.fullmatch(text):
        conditions.append(Customership.organisation_business_id == text)
    elif text and OID.fullmatch(text):
        conditions.append(Customership.organisation_oid == text)
    elif text:
        conditions.append(Customership.organisation_name.icontains(text, autoescape=True))
    if filters.service:
        # An alias: the exports join the services in use themselves, and this must not correlate to those.
        other = aliased(ServiceInUse)
        conditions.append(
            exists()
            .where(
                other.organisation_business_id == Customership.organisation_business_id,
                other.service == filters.service,
                other.ended_at.is_(None),
            )
            .correlate(Customership)
        )
    return conditions


@dataclass
class CustomerRow:
    customership: Customership
    services: list[ServiceInUse]  # in use now, in the catalogue's order


def customers(filters: CustomerFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The customerships that match, by name, a page at a time, each with its services in use."""
    query = (
        select(Customership)
        .where(*customer_conditions(filters))
        .order_by(func.lower(Customership.organisation_name), Customership.organisation_business_id)
    )
    result = paginate(query, page, per_page)
    customerships = [row[0] for row in result.items]
    services = active_services([c.organisation_business_id for c in customerships])
    result.items = [CustomerRow(c, services.get(c.organisation_business_id, [])) for c in customerships]
    return result


def active_services(business_ids: list[str]) -> dict[str, list[ServiceInUse]]:
    """Business id → the services the organisation has in use now."""
    if not business_ids:
        return {}
    found: dict[str, list[ServiceInUse]] = defaultdict(list)
    for in_use in db.session.scalars(
        select(ServiceInUse).where(
            ServiceInUse.organisation_business_id.in_(business_ids), ServiceInUse.ended_at.is_(None)
        )
    ):
        found[in_use.organisation_business_id].append(in_use)
    for services in found.values():
        services.sort(key=lambda s: SERVICE_ORDER.get(s.service, len(SERVICE_ORDER)))
    return found


# --- one organisation -----------------------------------------------------------------------------------


@dataclass
class RoleHolder:
    role: str
    contact: Contact
    elsewhere: list[Usage]  # the contact's other places: services in use, open applications


@dataclass
class ServiceView:
    in_use: ServiceInUse
    roles: list[RoleHolder] = field(default_factory=list)


@dataclass
class OrganisationView:
    customership: Customership
    services: list[ServiceView]  # in use now, in the catalogue's order
    ended: list[ServiceInUse]  # no longer in use, the latest first


def organisation(business_id: str) -> OrganisationView | None:
    """A customer organisation's services with their contacts by role (and where else each serves)."""
    if not BUSINESS_ID.fullmatch(business_id):
        return None
    customership = db.session.scalar(
        select(Customership).where(Customership.organisation_business_id == business_id)
    )
    if customership is None:
        return None
    places = usages(business_id)
    services = []
    for in_use in services_in_use(business_id):
        roles = sorted(holders(in_use).items(), key=lambda item: ROLE_ORDER.get(item[0], len(ROLE_ORDER)))
        services.append(
            ServiceView(
                in_use,
                [
                    RoleHolder(role, contact, shared_elsewhere(places.get(contact.id, []), in_use))
                    for role, contact in roles
                ],
            )
        )
    ended = db.session.scalars(
        select(ServiceInUse)
        .where(ServiceInUse.organisation_business_id == business_id, ServiceInUse.ended_at.is_not(None))
        .order_by(ServiceInUse.ended_at.desc())
    ).all()
    return OrganisationView(customership, services, list(ended))


# --- the changes of customer data -------------------------------------------------------------------------


def changes(filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The changes of customer data that match the audit log's filters, newest first."""
    result = audit_events(filters, page, per_page, kinds=CHANGE_KINDS)
    result.items = [
        StaffEntry(entry(event), event.organisation_name, event.organisation_business_id)
        for event in result.items
    ]
    return result


@dataclass(frozen=True)
class StaffEntry:
    """A change as Kela's pages list it: as the customer reads it, and whose it is."""

    entry: history.Entry
    organisation_name: str | None
    business_id: str | None


def entry(event: AuditEvent) -> history.Entry:
    """The change in readable form, as the customer's history shows it; Kela's approvals name the
    service they put in use."""
    if event.kind not in KELA_KINDS:
        return history.describe(event)
    service = (event.new_value or {}).get("service")
    return history.Entry(
        id=event.id,
        at=event.at,
        actor=event.actor_name or "",
        title=str(EVENT_LABELS.get(event.kind, event.kind)),
        subject=history.service_name(service) if service else "",
        changes=[],
        services=[],
    )
