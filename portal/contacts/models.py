"""Contacts of a customer organisation and the roles they hold in its applications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db
from portal.identifiers import normalise_mobile

KINDS = ("person", "point")
ROLES = (
    "technical",
    "disruption",
    "data_protection",
    "administrative",
    "billing",
    "archivist",
    "image_technical",
)


class Contact(db.Model):
    """A person or an organisation point (e.g. a helpdesk) of the organisation; reused across its
    applications and services."""

    __tablename__ = "contact"
    __table_args__ = (CheckConstraint("kind IN ('person', 'point')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_business_id: Mapped[str] = mapped_column(String(9), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    certificate_number: Mapped[str | None] = mapped_column(String(11))
    # Optimistic locking: an update from a stale copy fails instead of overwriting someone's change.
    version: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": version}
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def can_hold(self, role: str) -> bool:
        """Whether the contact has what the role needs: disruption notices go by e-mail and text
        message (a mobile number); the archivist is a person with a certificate number."""
        if role == "disruption":
            return bool(self.email and normalise_mobile(self.phone or ""))
        if role == "archivist":
            return bool(self.certificate_number and self.kind == "person")
        return True


class ApplicationContact(db.Model):
    """A role in an application held by one of the organisation's contacts."""

    __tablename__ = "application_contact"
    __table_args__ = (
        UniqueConstraint("application_id", "role"),
        CheckConstraint("role IN (" + ", ".join(repr(r) for r in ROLES) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)

    contact: Mapped[Contact] = relationship(lazy="joined")
