"""Applications: starting, saving the steps, sending. Every function here reaches applications
through the acting organisation, so an id of another organisation is a 404; transactions end here."""

from __future__ import annotations

from typing import Any

from flask import abort, g
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from portal.applications.catalogue import SERVICES_BY_KEY, KantaService, services_for
from portal.applications.models import (
    OPEN_STATUSES,
    Application,
    ConnectionPoint,
    InformationSystem,
    ServiceDescriptionAcceptance,
)
from portal.audit.services import record
from portal.db import utcnow
from portal.documents.models import DocumentVersion
from portal.documents.services import sign_commitment
from portal.extensions import db
from portal.registry.models import RegisterUnit
from portal.rejoins.services import prefill


class AlreadyApplied(Exception):
    """The organisation has an open application for the service, or the service in use."""

    def __init__(self, application: Application) -> None:
        super().__init__(application.id)
        self.application = application


def acting_business_id() -> str:
    return g.acting["business_id"]


# Built once (every wizard request runs one): a reused statement keeps its compiled form's cache key.
APPLICATION_OF_ORGANISATION = select(Application).where(
    Application.id == bindparam("id"), Application.organisation_business_id == bindparam("business_id")
)
APPLICATION_OF_ORGANISATION_LOCKED = APPLICATION_OF_ORGANISATION.with_for_update()


def application_row(statement, application_id: int):
    """The row ``statement`` (built on APPLICATION_OF_ORGANISATION) gives for an application of the
    acting organisation, or 404."""
    row = db.session.execute(statement, {"id": application_id, "business_id": acting_business_id()}).first()
    if row is None:
        abort(404)
    return row


def get_application(application_id: int, *, for_update: bool = False) -> Application:
    """An application of the acting organisation, or 404. ``for_update`` locks the row until the
    transaction ends, so two saves of the same step (a double click) run one after the other."""
    statement = APPLICATION_OF_ORGANISATION_LOCKED if for_update else APPLICATION_OF_ORGANISATION
    return application_row(statement, application_id)[0]


def applications_by_service(business_id: str | None = None) -> dict[str, Application]:
    """The latest application per service of the acting organisation (or, for Kela's pages, of the
    organisation ``business_id``)."""
    latest: dict[str, Application] = {}
    for application in db.session.scalars(
        select(Application)
        .where(Application.organisation_business_id == (business_id or acting_business_id()))
        .order_by(Application.created_at)
    ):
        latest[application.service] = application
    return latest


def services_available(unit: RegisterUnit) -> list[KantaService]:
    return services_for(
        health_care=unit.health_unit, social_care=unit.social_unit, pharmacy=unit.register == "pharmacies"
    )


def service_for_acting(service_key: str, unit: RegisterUnit) -> KantaService:
    """The service if the acting organisation may apply for it; otherwise 404."""
    service = SERVICES_BY_KEY.get(service_key)
    if service is None or service not in services_available(unit):
        abort(404)
    return service


def blocking_application(service: KantaService) -> Application | None:
    """An open application for the service, or an approved one (the service is in use)."""
    return db.session.scalar(
        select(Application).where(
            Application.organisation_business_id == acting_business_id(),
            Application.service == service.key,
            Application.status.in_((*OPEN_STATUSES, "approved")),
        )
    )


def start_application(service: KantaService, unit: RegisterUnit) -> Application:
    existing = blocking_application(service)
    if existing is not None:
        raise AlreadyApplied(existing)
    application = Application(
        organisation_business_id=acting_business_id(),
        organisation_oid=unit.oid,
        organisation_name=unit.long_name,
        organisation_register=unit.register,
        service=service.key,
        status="draft",
        completed_steps=["instructions"],
        created_by_person_id=g.person_id,
    )
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        # Two starts at once (a double click): the database let one through.
        db.session.rollback()
        existing = blocking_application(service)
        if existing is None:
            raise
        raise AlreadyApplied(existing) from None
    prefilled = prefill(application)  # a welfare area's re-join: the data Kela prepared, to check
    record(
        "application_started",
        object_type="application",
        object_id=str(application.id),
        new={"service": service.key, **({"prefilled_from": "rejoin"} if prefilled else {})},
    )
    db.session.commit()
    return application


def complete_step(application: Application, step: str) -> None:
    if step not in application.completed_steps:
        application.completed_steps = [*application.completed_steps, step]


def save_step(application: Application, step: str, changes: dict[str, Any] | None = None) -> None:
    """Commit a step's changes and mark it saved; the audit log keeps what changed."""
    complete_step(application, step)
    record(
        "application_step_saved",
        object_type="application",
        object_id=str(application.id),
        detail={"step": step},
        new=changes,
    )
    db.session.commit()


def replace_connection(
    application: Application,
    points: list[dict],
    systems: list[dict],
    renewal_requests: bool | None,
    renewal_unit_oid: str | None,
) -> None:
    # The old rows go before the new take their positions: in one flush SQLAlchemy inserts before it
    # deletes orphans, and (application, position) is unique.
    application.connection_points = []
    application.systems = []
    db.session.flush()
    application.connection_points = [
        ConnectionPoint(position=i, oid=p["oid"], name=p["name"]) for i, p in enumerate(points)
    ]
    application.systems = [
        InformationSystem(
            position=i,
            product=s["product"],
            vendor=s["vendor"],
            version=s["version"],
            profile=s.get("profile") or None,
            stores=s.get("stores") or None,
            service_tasks=list(s.get("service_tasks") or []),
        )
        for i, s in enumerate(systems)
    ]
    application.renewal_requests = renewal_requests
    application.renewal_unit_oid = renewal_unit_oid if renewal_requests else None
    save_step(
        application,
        "connection",
        {"points": points, "systems": systems, "renewal_unit_oid": application.renewal_unit_oid},
    )


def accept_description(application: Application, version: DocumentVersion) -> None:
    acceptance = db.session.scalar(
        select(ServiceDescriptionAcceptance).where(
            ServiceDescriptionAcceptance.application_id == application.id
        )
    )
    if acceptance is None:
        acceptance = ServiceDescriptionAcceptance(application_id=application.id)
        db.session.add(acceptance)
    acceptance.document_version_id = version.id
    acceptance.person_id = g.person_id
    acceptance.person_name = g.person_name
    acceptance.text_sha256 = version.sha256
    acceptance.accepted_at = utcnow()
    save_step(application, "description", {"document_version": version.id, "sha256": version.sha256})


def sign(application: Application, version: DocumentVersion, hetu_masked: str) -> None:
    signature = sign_commitment(
        business_id=application.organisation_business_id,
        version=version,
        person_id=g.person_id,
        signer_name=g.person_name,
        hetu_masked=hetu_masked,
    )
    db.session.flush()
    application.commitment_signature_id = signature.id
    save_step(application, "commitment", {"document_version": version.id, "sha256": version.sha256})


def send(application: Application, snapshot: dict, language: str) -> bool:
    """Send the application once. A second "Send" (a double click, another tab) changes nothing and
    returns False."""
    now = utcnow()
    sent = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status.in_(("draft", "returned")))
        .values(
            status="submitted",
            round=Application.round + 1,
            submitted_at=now,
            submitted_by_person_id=g.person_id,
            submitted_language=language,
            snapshot=snapshot,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not sent:
        db.session.rollback()
        return False
    record(
        "application_submitted",
        object_type="application",
        object_id=str(application.id),
        new={"service": application.service},
    )
    db.session.commit()
    db.session.refresh(application)
    return True
