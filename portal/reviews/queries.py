"""What Kela staff read: the queue of sent applications, one application with its organisation's other
applications and its history, the audit log and the outbox, each filtered and a page at a time."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from math import ceil
from typing import Any

from sqlalchemy import Index, Select, and_, case, func, select
from sqlalchemy.orm import defer

from portal.applications.catalogue import SERVICES_BY_KEY
from portal.applications.models import SERVICE_KEYS, Application
from portal.audit.models import AuditEvent
from portal.customers.models import Customership, ServiceInUse
from portal.extensions import db
from portal.outbox.models import STATES, OutboxMessage
from portal.registry.services import FINNISH_TIME, find_organisation
from portal.reviews.models import Decision, DecisionDocument

PER_PAGE = 50
# The statuses an application can have once it has been sent (a draft is not Kela's to see).
SENT_STATUSES = ("submitted", "returned", "approved", "rejected", "withdrawn")
SORTS = ("submitted", "organisation", "service")

# The queue reads sent applications by status in the order they were sent, and counts them by status:
# both from this index alone. Declared here, beside the queries it serves (migration 0006).
Index("ix_application_status_submitted_at", Application.status, Application.submitted_at)

BUSINESS_ID = re.compile(r"\d{7}-\d")
OID = re.compile(r"\d+(\.\d+)+")


@dataclass
class Page:
    """One page of a longer list: ``items`` of ``total`` in all, ``number`` counted from 1."""

    items: Sequence[Any]
    total: int
    number: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        """The position (from 1) of the page's first item in the whole list."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


def paginate(query: Select, number: int, per_page: int = PER_PAGE) -> Page:
    """Page ``number`` of the query's rows; a number past the end gives the last page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, ceil(total / per_page)))
    items = db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items, total, number, per_page)


def day_start(day: date) -> datetime:
    """The start of a Finnish day (the dates staff type are Finnish days; the database keeps UTC)."""
    return datetime.combine(day, time(), FINNISH_TIME)


def in_days(column, first: date | None, last: date | None) -> list:
    """Conditions: ``column`` falls on ``first`` … ``last`` (Finnish days, both included)."""
    conditions = []
    if first is not None:
        conditions.append(column >= day_start(first))
    if last is not None:
        conditions.append(column < day_start(last + timedelta(days=1)))
    return conditions


# --- the queue ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    service: str | None = None
    status: str | None = "submitted"  # None: every sent application
    organisation: str | None = None  # a name (any part), a business id or an OID
    submitted_from: date | None = None
    submitted_to: date | None = None
    sort: str = "submitted"
    descending: bool = False


def organisation_condition(text: str):
    """One search box: a business id or an OID finds that organisation exactly; anything else is
    searched for in the organisation's name, ignoring case."""
    if BUSINESS_ID.fullmatch(text):
        return Application.organisation_business_id == text
    if OID.fullmatch(text):
        return Application.organisation_oid == text
    return Application.organisation_name.icontains(text, autoescape=True)


def _queue_conditions(filters: QueueFilters, *, with_status: bool = True) -> list:
    conditions = [Application.status.in_(SENT_STATUSES)]
    if with_status and filters.status:
        conditions.append(Application.status == filters.status)
    if filters.service:
        conditions.append(Application.service == filters.service)
    if filters.organisation:
        conditions.append(organisation_condition(filters.organisation))
    conditions += in_days(Application.submitted_at, filters.submitted_from, filters.submitted_to)
    return conditions


def _service_order():
    """The services in the alphabetical order of their names in the reader's language."""
    ordered = sorted(SERVICE_KEYS, key=lambda key: str(SERVICES_BY_KEY[key].name).casefold())
    return case({key: position for position, key in enumerate(ordered)}, value=Application.service)


def queue(filters: QueueFilters, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The sent applications that match, a page at a time (rows of the columns the list shows)."""
    key = {
        "submitted": Application.submitted_at,
        "organisation": func.lower(Application.organisation_name),
        "service": _service_order(),
    }[filters.sort]
    direction = (lambda c: c.desc()) if filters.descending else (lambda c: c.asc())
    query = (
        select(
            Application.id,
            Application.organisation_name,
            Application.organisation_business_id,
            Application.service,
            Application.status,
            Application.round,
            Application.submitted_at,
        )
        .where(*_queue_conditions(filters))
        .order_by(direction(key), direction(Application.id))
    )
    return paginate(query, page, per_page)


def status_counts(filters: QueueFilters) -> dict[str, int]:
    """How many sent applications of each status match the other filters (for the status choice)."""
    rows = db.session.execute(
        select(Application.status, func.count())
        .where(*_queue_conditions(filters, with_status=False))
        .group_by(Application.status)
    ).all()
    counts = dict.fromkeys(SENT_STATUSES, 0)
    counts.update({status: number for status, number in rows})
    return counts


# --- one application --------------------------------------------------------------------------------


@dataclass
class ApplicationView:
    """Everything the application page shows besides the application itself."""

    application: Application
    decisions: list[Decision]
    documents: dict[int, list[DecisionDocument]]  # decision id → its PDFs
    unit: Any  # the organisation's RegisterUnit in the mirror, or None
    customership: Customership | None
    services_in_use: list[ServiceInUse]
    others: list[Any]  # the organisation's other sent applications, with their latest decision
    events: list[AuditEvent]  # the application's audit events, oldest first
    messages: list[OutboxMessage]  # the e-mails about the application, oldest first
    rounds: list[dict] = field(default_factory=list)  # {"round", "submitted_at", "decision"}


def sent_application(application_id: int) -> Application | None:
    """The application, if it has ever been sent (a draft is not Kela's to see)."""
    application = db.session.get(Application, application_id)
    if application is None or application.round < 1 or application.snapshot is None:
        return None
    return application


def application_view(application: Application) -> ApplicationView:
    decisions = list(
        db.session.scalars(
            select(Decision).where(Decision.application_id == application.id).order_by(Decision.round)
        )
    )
    documents: dict[int, list[DecisionDocument]] = {}
    if decisions:
        for document in db.session.scalars(
            select(DecisionDocument)
            .where(DecisionDocument.decision_id.in_([d.id for d in decisions]))
            .order_by(DecisionDocument.kind)
            .options(defer(DecisionDocument.content))
        ):
            documents.setdefault(document.decision_id, []).append(document)
    business_id = application.organisation_business_id
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "application", AuditEvent.object_id == str(application.id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    view = ApplicationView(
        application=application,
        decisions=decisions,
        documents=documents,
        unit=find_organisation(business_id),
        customership=db.session.scalar(
            select(Customership).where(Customership.organisation_business_id == business_id)
        ),
        services_in_use=list(
            db.session.scalars(
                select(ServiceInUse)
                .where(ServiceInUse.organisation_business_id == business_id)
                .order_by(ServiceInUse.started_at)
            )
        ),
        others=_other_applications(application),
        events=events,
        messages=list(
            db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.application_id == application.id)
                .options(defer(OutboxMessage.body))
                .order_by(OutboxMessage.created_at, OutboxMessage.id)
            )
        ),
    )
    view.rounds = _rounds(application, decisions)
    return view


def _other_applications(application: Application) -> list[Any]:
    """The organisation's other sent applications, newest first, each with the decision of its
    latest round (if any)."""
    latest = (
        select(Decision.application_id, func.max(Decision.round).label("round"))
        .group_by(Decision.application_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Application.id,
            Application.service,
            Application.status,
            Application.round,
            Application.submitted_at,
            Decision.kind.label("decision_kind"),
            Decision.decided_at,
            Decision.reviewer_name,
        )
        .outerjoin(latest, latest.c.application_id == Application.id)
        .outerjoin(
            Decision, and_(Decision.application_id == Application.id, Decision.round == latest.c.round)
        )
        .where(
            Application.organisation_business_id == application.organisation_business_id,
            Application.id != application.id,
            Application.status.in_(SENT_STATUSES),
        )
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    ).all()


def _rounds(application: Application, decisions: list[Decision]) -> list[dict]:
    """Every sending of the application, newest first, each with the decision that closed it (the
    latest round has none while it waits)."""
    rounds = [{"round": d.round, "submitted_at": d.submitted_at, "decision": d} for d in decisions]
    if not any(d.round == application.round for d in decisions):
        current = {"round": application.round, "submitted_at": application.submitted_at, "decision": None}
        rounds.append(current)
    return rounds[::-1]


def decision_document(application_id: int, document_id: int) -> DecisionDocument | None:
    return db.session.scalar(
        select(DecisionDocument)
        .join(Decision, Decision.id == DecisionDocument.decision_id)
        .where(DecisionDocument.id == document_id, Decision.application_id == application_id)
    )


# --- the audit log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    business_id: str | None = None
    person: str | None = None  # any part of the actor's name
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def audit_events(
    filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE, *, kinds: Collection[str] | None = None
) -> Page:
    """The audit log, newest first; ``kinds``: only events of these kinds."""
    conditions = in_days(AuditEvent.at, filters.date_from, filters.date_to)
    if kinds is not None:
        conditions.append(AuditEvent.kind.in_(kinds))
    if filters.business_id:
        conditions.append(AuditEvent.organisation_business_id == filters.business_id)
    if filters.person:
        conditions.append(AuditEvent.actor_name.icontains(filters.person, autoescape=True))
    if filters.kind:
        conditions.append(AuditEvent.kind == filters.kind)
    query = select(AuditEvent).where(*conditions).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    result = paginate(query, page, per_page)
    result.items = [row[0] for row in result.items]
    return result


# --- the outbox -------------------------------------------------------------------------------------


def outbox_messages(state: str | None, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Outgoing e-mail, newest first (the body is left out: the list does not show it)."""
    query = (
        select(OutboxMessage)
        .options(defer(OutboxMessage.body))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    if state:
        query = query.where(OutboxMessage.state == state)
    result = paginate(query, page, per_page)
    result.items = [row[0] for row in result.items]
    return result


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: number for state, number in rows})
    return counts


def waiting_counts() -> dict[str, int]:
    """For the staff home page: applications waiting for a decision, e-mails that failed."""
    return {
        "submitted": db.session.scalar(
            select(func.count()).select_from(Application).where(Application.status == "submitted")
        )
        or 0,
        "failed": db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "failed")
        )
        or 0,
    }
