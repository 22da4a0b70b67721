"""A welfare-area re-join (seed 003): Kela prepares, for a welfare area's new unit, the old units that
merge into it and the technical joining data per service; the area checks that data in its applications,
which arrive pre-filled; after the transition period Kela ends the old units' commitments in one action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.documents.models import DocumentVersion
from portal.extensions import db

STATES = ("draft", "sent", "ended")


class RejoinCampaign(db.Model):
    """One welfare area's re-join. ``draft``: Kela is preparing it; ``sent``: the area sees it and its
    applications are pre-filled from it; ``ended``: the old units' commitments have been ended."""

    __tablename__ = "rejoin_campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_business_id: Mapped[str] = mapped_column(String(9), unique=True)
    area_oid: Mapped[str] = mapped_column(String(200))
    area_name: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    # The technical joining data per service key: {"points": [{oid, name}], "systems": [{product, vendor,
    # version}]}, as imported (and corrected) by Kela.
    technical: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_name: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_name: Mapped[str | None] = mapped_column(Text)
    # Some merging organisations used the old patient data archiving: the area accepts its service
    # description here (the exact version, so its text and hash, who and when).
    old_archiving: Mapped[bool] = mapped_column(default=False)
    old_archiving_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_version.id", ondelete="RESTRICT")
    )
    old_archiving_accepted_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    old_archiving_accepted_by_name: Mapped[str | None] = mapped_column(Text)
    old_archiving_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    old_archiving_text_sha256: Mapped[str | None] = mapped_column(String(64))

    old_archiving_version: Mapped[DocumentVersion | None] = relationship()

    old_units: Mapped[list[RejoinOldUnit]] = relationship(
        back_populates="campaign", order_by="RejoinOldUnit.position", cascade="all, delete-orphan"
    )


class RejoinOldUnit(db.Model):
    """An organisation that merges into the area; ``ended_at`` is its "end of Kanta services" mark."""

    __tablename__ = "rejoin_old_unit"
    __table_args__ = (UniqueConstraint("campaign_id", "business_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("rejoin_campaign.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    business_id: Mapped[str] = mapped_column(String(9), index=True)
    name: Mapped[str] = mapped_column(Text)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[RejoinCampaign] = relationship(back_populates="old_units")
