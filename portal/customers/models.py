"""Kanta customership and the services an organisation has in use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.contacts.models import ROLES
from portal.db import UTCDateTime, utcnow
from portal.extensions import db


class Customership(db.Model):
    """An organisation's Kanta customership: created when its first application is approved, from the
    commitment it signed."""

    __tablename__ = "customership"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_business_id: Mapped[str] = mapped_column(String(9), unique=True)
    organisation_oid: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str] = mapped_column(Text)
    commitment_signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment_signature.id", ondelete="RESTRICT")
    )
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(Text)


class ServiceInUse(db.Model):
    """A Kanta service an organisation uses, activated by an approved application with the contacts
    and billing details that were sent (as plain data: the roles and billing of the snapshot)."""

    __tablename__ = "service_in_use"
    __table_args__ = (
        # One active use per organisation and service.
        Index(
            "uq_service_in_use_active",
            "organisation_business_id",
            "service",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_business_id: Mapped[str] = mapped_column(String(9), index=True)
    service: Mapped[str] = mapped_column(String(30))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="SET NULL"))
    # The billing details that were sent (the snapshot's ``billing``); None for services without.
    billing: Mapped[dict | None] = mapped_column(JSON)
    # Raised by every change of ``billing`` (a conditional UPDATE on the version the user saw), so
    # that of two people changing the billing details at once the second is told, not overwritten.
    billing_version: Mapped[int] = mapped_column(default=1, server_default="1")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(Text)


class ServiceRole(db.Model):
    """A role of a service in use held by one of the organisation's contacts (shared with its other
    services and applications: changing the contact changes it everywhere)."""

    __tablename__ = "service_role"
    __table_args__ = (
        UniqueConstraint("service_in_use_id", "role"),
        CheckConstraint("role IN (" + ", ".join(repr(r) for r in ROLES) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_in_use_id: Mapped[int] = mapped_column(
        ForeignKey("service_in_use.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
