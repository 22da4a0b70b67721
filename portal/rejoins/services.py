"""Preparing a welfare-area re-join, sending it to the area, pre-filling the area's applications from it,
and ending the old units' commitments. Transactions end here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import abort, g, session
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.applications.catalogue import SERVICES
from portal.applications.models import Application, ConnectionPoint, InformationSystem
from portal.audit.services import record
from portal.customers.models import Customership, ServiceInUse
from portal.db import utcnow
from portal.documents.models import DocumentVersion
from portal.extensions import db
from portal.identifiers import is_valid_business_id
from portal.registry.models import RegisterUnit
from portal.registry.services import find_organisation, is_valid_today
from portal.rejoins.models import RejoinCampaign, RejoinOldUnit
from portal.texts import lazy_gettext as _l

SEPARATORS = re.compile(r"[\s,;]+")
# A customership or service in use ended by a re-join keeps this and the area's business id as its reason.
END_REASON_PREFIX = "rejoin:"
MAX_OLD_UNITS = 2_000
ALREADY_PREPARED = _l("A re-join has already been prepared for this welfare area.")


class AlreadyPrepared(Exception):
    """A re-join of the area was prepared meanwhile (two clicks or two reviewers at once)."""


@dataclass(frozen=True)
class OldUnit:
    business_id: str
    name: str


def area_problem(business_id: str) -> tuple[RegisterUnit | None, Any]:
    """The area's top unit in the register mirror, or what is wrong with it (the form has checked the
    business id's form)."""
    unit = find_organisation(business_id)
    if unit is None or not is_valid_today(unit):
        return None, _l(
            "No valid organisation in the register has the business ID %(business_id)s.",
            business_id=business_id,
        )
    if db.session.scalar(select(RejoinCampaign.id).where(RejoinCampaign.area_business_id == business_id)):
        return None, ALREADY_PREPARED
    return unit, None


def read_old_units(text: str, area_business_id: str) -> tuple[list[OldUnit], list[Any]]:
    """The merging organisations typed one per line (or separated by commas): each a Kanta customer or in
    the register. Returns the units and the problems, each naming the business id."""
    ids = list(dict.fromkeys(value for value in SEPARATORS.split(text or "") if value))
    problems: list[Any] = []
    if not ids:
        return [], [_l("Enter the business IDs of the organisations that merge into the welfare area")]
    if len(ids) > MAX_OLD_UNITS:
        return [], [_l("Enter at most %(limit)d business IDs.", limit=MAX_OLD_UNITS)]
    invalid = [value for value in ids if not is_valid_business_id(value)]
    if invalid:
        problems.append(_l("These are not valid business IDs: %(ids)s.", ids=", ".join(invalid[:20])))
    if area_business_id in ids:
        problems.append(_l("The welfare area itself cannot be one of the organisations that merge into it."))
    valid = [value for value in ids if value not in invalid and value != area_business_id]
    names = dict(
        db.session.execute(
            select(Customership.organisation_business_id, Customership.organisation_name).where(
                Customership.organisation_business_id.in_(valid)
            )
        ).all()
    )
    for business_id in (value for value in valid if value not in names):
        unit = find_organisation(business_id)
        if unit is not None:
            names[business_id] = unit.long_name
    unknown = [value for value in valid if value not in names]
    if unknown:
        problems.append(
            _l(
                "These organisations are neither Kanta customers nor in the register: %(ids)s.",
                ids=", ".join(unknown[:20]),
            )
        )
    return [OldUnit(value, names[value]) for value in valid if value in names], problems


def prepare(
    area: RegisterUnit, old_units: list[OldUnit], technical: dict[str, Any], *, old_archiving: bool = False
) -> RejoinCampaign:
    """A new re-join in draft, with its old units and the technical data per service; ``old_archiving``:
    some old units used the old patient data archiving, whose service description the area accepts."""
    campaign = RejoinCampaign(
        old_archiving=old_archiving,
        area_business_id=area.business_id,
        area_oid=area.oid,
        area_name=area.long_name,
        state="draft",
        technical=technical,
        created_by_name=session.get("person_name") or "",
    )
    db.session.add(campaign)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyPrepared from None
    db.session.execute(
        insert(RejoinOldUnit),
        [
            {"campaign_id": campaign.id, "position": i, "business_id": u.business_id, "name": u.name}
            for i, u in enumerate(old_units)
        ],
    )
    record(
        "rejoin_prepared",
        object_type="rejoin",
        object_id=str(campaign.id),
        organisation={"business_id": area.business_id, "name": area.long_name},
        new={
            "old_units": [u.business_id for u in old_units],
            "services": {key: {k: len(v) for k, v in data.items()} for key, data in technical.items()},
            "old_archiving": old_archiving,
        },
    )
    db.session.commit()
    return campaign


def campaign_or_404(campaign_id: int) -> RejoinCampaign:
    campaign = db.session.get(RejoinCampaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


def replace_technical(campaign: RejoinCampaign, technical: dict[str, Any]) -> None:
    old = campaign.technical
    campaign.technical = technical
    record("rejoin_technical_replaced", object_type="rejoin", object_id=str(campaign.id),
           organisation=_area(campaign), old=old, new=technical)  # fmt: skip
    db.session.commit()


def send(campaign: RejoinCampaign) -> bool:
    """Show the re-join to the area (its applications are pre-filled from here on); False if already sent."""
    done = db.session.execute(
        update(RejoinCampaign)
        .where(RejoinCampaign.id == campaign.id, RejoinCampaign.state == "draft")
        .values(state="sent", sent_at=utcnow())
    ).rowcount
    if done:
        record("rejoin_sent", object_type="rejoin", object_id=str(campaign.id), organisation=_area(campaign))
    db.session.commit()
    return bool(done)


def end_old_commitments(campaign: RejoinCampaign) -> int | None:
    """End the old units' customerships and services in use, and mark each unit; no notice is sent.
    Returns how many customerships ended, or None if the re-join was not in the state to do it (already
    ended, or never sent)."""
    now = utcnow()
    by = session.get("person_name") or ""
    claimed = db.session.execute(
        update(RejoinCampaign)
        .where(RejoinCampaign.id == campaign.id, RejoinCampaign.state == "sent")
        .values(state="ended", ended_at=now, ended_by_name=by)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return None
    reason = END_REASON_PREFIX + campaign.area_business_id
    ids = [u.business_id for u in campaign.old_units]
    ended = db.session.scalars(
        select(Customership).where(
            Customership.organisation_business_id.in_(ids), Customership.ended_at.is_(None)
        )
    ).all()
    db.session.execute(
        update(ServiceInUse)
        .where(ServiceInUse.organisation_business_id.in_(ids), ServiceInUse.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    db.session.execute(
        update(RejoinOldUnit).where(RejoinOldUnit.campaign_id == campaign.id).values(ended_at=now)
    )
    for customership in ended:
        customership.ended_at = now
        customership.end_reason = reason
        record(
            "customership_ended",
            object_type="customership",
            object_id=str(customership.id),
            organisation={
                "business_id": customership.organisation_business_id,
                "name": customership.organisation_name,
            },
            new={"ended_at": now.isoformat(), "reason": reason},
        )
    record(
        "rejoin_old_commitments_ended",
        object_type="rejoin",
        object_id=str(campaign.id),
        organisation=_area(campaign),
        new={"old_units": ids, "customerships_ended": len(ended)},
    )
    db.session.commit()
    return len(ended)


def accept_old_archiving(campaign: RejoinCampaign, version: DocumentVersion) -> bool:
    """The area accepts the old patient data archiving's service description (the version it was shown);
    False if it was not asked for or has been accepted already (a double click)."""
    now = utcnow()
    done = db.session.execute(
        update(RejoinCampaign)
        .where(
            RejoinCampaign.id == campaign.id,
            RejoinCampaign.old_archiving.is_(True),
            RejoinCampaign.state != "draft",
            RejoinCampaign.old_archiving_accepted_at.is_(None),
        )
        .values(
            old_archiving_version_id=version.id,
            old_archiving_text_sha256=version.sha256,
            old_archiving_accepted_by_person_id=g.person_id,
            old_archiving_accepted_by_name=g.person_name,
            old_archiving_accepted_at=now,
        )
    ).rowcount
    if done:
        record(
            "rejoin_old_archiving_accepted",
            object_type="rejoin",
            object_id=str(campaign.id),
            new={"document_version": version.id, "sha256": version.sha256},
        )
    db.session.commit()
    return bool(done)


def end_reason_text(reason: str | None) -> str:
    """Why a customership or a service in use ended, for a page (the template filter ``end_reason``)."""
    if not reason or not reason.startswith(END_REASON_PREFIX):
        return reason or ""
    business_id = reason.removeprefix(END_REASON_PREFIX)
    name = db.session.scalar(
        select(RejoinCampaign.area_name).where(RejoinCampaign.area_business_id == business_id)
    )
    return _l("Merged into %(area)s in a welfare-area re-join", area=name or business_id)


def _area(campaign: RejoinCampaign) -> dict[str, str]:
    return {"business_id": campaign.area_business_id, "name": campaign.area_name}


def sent_campaign_for(business_id: str) -> RejoinCampaign | None:
    """The re-join the area may see: sent to it (or already ended)."""
    return db.session.scalar(
        select(RejoinCampaign).where(
            RejoinCampaign.area_business_id == business_id, RejoinCampaign.state != "draft"
        )
    )


def merging_organisations(business_id: str) -> dict[str, str]:
    """The organisations merging into the area (business id → name) once its re-join has been sent: their
    contacts are offered for reuse in the area's applications."""
    return dict(
        db.session.execute(
            select(RejoinOldUnit.business_id, RejoinOldUnit.name)
            .join(RejoinCampaign)
            .where(RejoinCampaign.area_business_id == business_id, RejoinCampaign.state != "draft")
            .order_by(RejoinOldUnit.position)
        ).all()
    )


def prefill(application: Application) -> bool:
    """Add the re-join's connection points and systems of the application's service to a new application
    of the area; the area checks and corrects them in the connection step. True if anything was added."""
    campaign = sent_campaign_for(application.organisation_business_id)
    data = (campaign.technical or {}).get(application.service) if campaign is not None else None
    if not data or not (data.get("points") or data.get("systems")):
        return False
    application.connection_points = [
        ConnectionPoint(position=i, oid=p["oid"], name=p["name"])
        for i, p in enumerate(data.get("points", []))
    ]
    application.systems = [
        InformationSystem(
            position=i, product=s["product"], vendor=s["vendor"], version=s["version"], service_tasks=[]
        )
        for i, s in enumerate(data.get("systems", []))
    ]
    return True


def progress(campaign: RejoinCampaign) -> list[dict[str, Any]]:
    """Per Kanta service: the technical data prepared, and the area's latest application for it."""
    from portal.applications.services import applications_by_service  # it pre-fills from here

    latest = applications_by_service(campaign.area_business_id)
    rows = []
    for service in SERVICES:
        data = (campaign.technical or {}).get(service.key) or {}
        rows.append(
            {
                "service": service,
                "points": data.get("points", []),
                "systems": data.get("systems", []),
                "application": latest.get(service.key),
            }
        )
    return rows
