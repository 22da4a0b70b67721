"""Kela's decisions. ``decide`` writes the decision, the application's new status, the customership and
service in use (on approval), the audit record and the outgoing e-mails in one transaction: either all
of it happens or none of it. A round of an application is decided once: the status changes only from
"submitted" in the same round (a conditional UPDATE), and (application, round) is unique."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, session
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.applications.models import Application
from portal.applications.summary import service_name
from portal.audit.services import record
from portal.contacts.models import ApplicationContact
from portal.customers.models import Customership, ServiceInUse, ServiceRole
from portal.db import utcnow
from portal.documents.services import latest_commitment_signature
from portal.extensions import db
from portal.outbox.services import enqueue
from portal.reviews.models import DECISION_KINDS, STATUS_AFTER, Decision
from portal.texts import gettext as _


class AlreadyDecided(Exception):
    """The round was decided already (another reviewer, a double click) or is not open for a decision."""

    def __init__(self, decision: Decision | None, status: str) -> None:
        super().__init__(status)
        self.decision = decision  # the decision that was made, if any
        self.status = status  # the application's status now


@dataclass(frozen=True)
class Reviewer:
    person_id: int | None
    name: str

    @classmethod
    def current(cls) -> Reviewer:
        return cls(g.get("person_id"), session.get("person_name") or "")


def current_decision(application: Application) -> Decision | None:
    """The decision of the application's latest round, if it has one."""
    return db.session.scalar(
        select(Decision).where(Decision.application_id == application.id, Decision.round == application.round)
    )


def decisions_of(application_id: int) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision).where(Decision.application_id == application_id).order_by(Decision.round)
        )
    )


def decide(application_id: int, kind: str, message: str, reviewer: Reviewer, *, round: int) -> Decision:
    """Decide round ``round`` (the round the reviewer saw) of the application and commit; raises
    AlreadyDecided if it is no longer waiting for a decision in that round."""
    if kind not in DECISION_KINDS:
        raise ValueError(kind)
    message = (message or "").strip()
    if kind != "approve" and not message:
        raise ValueError("a rejection and a return need a message")
    now = utcnow()
    changed = db.session.execute(
        update(Application)
        .where(
            Application.id == application_id, Application.status == "submitted", Application.round == round
        )
        .values(status=STATUS_AFTER[kind], updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise _already_decided(application_id, round)
    application = db.session.get(Application, application_id, populate_existing=True)  # as just updated
    decision = Decision(
        application_id=application.id,
        round=round,
        kind=kind,
        message=message,
        reviewer_person_id=reviewer.person_id,
        reviewer_name=reviewer.name,
        decided_at=now,
        snapshot=application.snapshot,
        submitted_at=application.submitted_at,
        language=application.submitted_language or "fi",
    )
    db.session.add(decision)
    try:
        db.session.flush()
    except IntegrityError:  # the unique (application, round): the conditional UPDATE makes this rare
        db.session.rollback()
        raise _already_decided(application_id, round) from None
    organisation = {
        "business_id": application.organisation_business_id,
        "name": application.organisation_name,
    }
    if kind == "approve":
        _activate(application, decision, organisation)
    record(
        f"application_{STATUS_AFTER[kind]}",
        object_type="application",
        object_id=str(application.id),
        old={"status": "submitted"},
        new={"status": application.status, "round": round, "message": message or None},
        detail={"decision_id": decision.id, "service": application.service},
        person_id=reviewer.person_id,
        actor_name=reviewer.name,
        organisation=organisation,
    )
    _queue_emails(application, decision)
    db.session.commit()
    return decision


def _already_decided(application_id: int, round: int) -> AlreadyDecided:
    application = db.session.get(Application, application_id)
    decision = db.session.scalar(
        select(Decision).where(Decision.application_id == application_id, Decision.round == round)
    )
    return AlreadyDecided(decision, application.status if application else "")


def _activate(application: Application, decision: Decision, organisation: dict) -> None:
    """The organisation's first approval makes it a Kanta customer (from the commitment it signed);
    every approval puts the service in use with the contacts and billing details that were sent."""
    business_id = application.organisation_business_id
    customership = db.session.scalar(
        select(Customership).where(Customership.organisation_business_id == business_id)
    )
    if customership is None:
        signature_id = application.commitment_signature_id
        if signature_id is None:
            signature = latest_commitment_signature(business_id)
            signature_id = signature.id if signature else None
        customership = Customership(
            organisation_business_id=business_id,
            organisation_oid=application.organisation_oid,
            organisation_name=application.organisation_name,
            commitment_signature_id=signature_id,
            application_id=application.id,
            started_at=decision.decided_at,
        )
        db.session.add(customership)
        db.session.flush()
        record(
            "customership_created",
            object_type="customership",
            object_id=str(customership.id),
            new={"business_id": business_id, "commitment_signature_id": signature_id},
            person_id=decision.reviewer_person_id,
            actor_name=decision.reviewer_name,
            organisation=organisation,
        )
    in_use = ServiceInUse(
        organisation_business_id=business_id,
        service=application.service,
        application_id=application.id,
        billing=(application.snapshot or {}).get("billing"),
        started_at=decision.decided_at,
    )
    db.session.add(in_use)
    db.session.flush()
    for assignment in db.session.scalars(
        select(ApplicationContact).where(ApplicationContact.application_id == application.id)
    ):
        db.session.add(
            ServiceRole(service_in_use_id=in_use.id, role=assignment.role, contact_id=assignment.contact_id)
        )
    record(
        "service_activated",
        object_type="service_in_use",
        object_id=str(in_use.id),
        new={"service": application.service, "application_id": application.id},
        person_id=decision.reviewer_person_id,
        actor_name=decision.reviewer_name,
        organisation=organisation,
    )


def decision_recipients(snapshot: dict, kind: str) -> list[str | None]:
    """Approval: the customer-details address, the administrative contact and the archivists.
    A rejection or a return: the customer-details address."""
    recipients = [(snapshot.get("customer") or {}).get("decision_email")]
    if kind == "approve":
        for contact in snapshot.get("contacts") or []:
            if contact.get("role") in ("administrative", "archivist"):
                recipients.append(contact.get("email"))
    return recipients


def _queue_emails(application: Application, decision: Decision) -> None:
    snapshot = decision.snapshot or {}
    with force_locale(decision.language):
        subject, body = decision_email_text(application, decision, snapshot)
    attachments = []
    if decision.kind == "approve":
        if application.commitment_signature_id is not None or latest_commitment_signature(
            application.organisation_business_id
        ):
            attachments.append({"kind": "commitment"})
        attachments.append({"kind": "application"})
    enqueue(
        kind=f"decision_{decision.kind}",
        language=decision.language,
        recipients=decision_recipients(snapshot, decision.kind),
        subject=subject,
        body=body,
        attachments=attachments,
        application_id=application.id,
        decision_id=decision.id,
        organisation_business_id=application.organisation_business_id,
    )


def decision_email_text(application: Application, decision: Decision, snapshot: dict) -> tuple[str, str]:
    """The subject and plain-text body, in the current locale. Never a henkilötunnus."""
    service = service_name(snapshot) if snapshot else application.service
    organisation = application.organisation_name
    link = f"{current_app.config['PORTAL_URL']}/dashboard"
    if decision.kind == "approve":
        subject = _("Your application has been approved: %(service)s", service=service)
        lines = [
            _(
                "Kela has approved the application of %(organisation)s to join %(service)s.",
                organisation=organisation,
                service=service,
            ),
            "",
            _("The approved application and the signed commitment are attached as PDF files."),
            "",
            _(
                "Next step: run the deployment test with your system vendor and report it. "
                "The report template is on the portal's front page of your organisation:"
            ),
            link,
        ]
        if decision.message:
            lines[1:1] = ["", decision.message]
    elif decision.kind == "reject":
        subject = _("Your application has been rejected: %(service)s", service=service)
        lines = [
            _(
                "Kela has rejected the application of %(organisation)s to join %(service)s.",
                organisation=organisation,
                service=service,
            ),
            "",
            _("Reason:"),
            decision.message,
            "",
            link,
        ]
    else:
        subject = _("Your application needs completing: %(service)s", service=service)
        lines = [
            _(
                "Kela has returned the application of %(organisation)s to join %(service)s for completion.",
                organisation=organisation,
                service=service,
            ),
            "",
            _("Message from Kela:"),
            decision.message,
            "",
            _("Complete the application and send it again in the portal:"),
            link,
        ]
    lines += ["", _("Application number: %(id)s", id=application.id), "", _("Kanta services, Kela")]
    return subject, "\n".join(lines)
