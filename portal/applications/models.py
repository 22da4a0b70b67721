"""An organisation's application for one Kanta service, and the data of its wizard steps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

SERVICE_KEYS = ("patient_archive", "social_archive", "eprescription", "image_archive")
STATUSES = ("draft", "submitted", "returned", "approved", "rejected", "withdrawn")
OPEN_STATUSES = ("draft", "submitted", "returned")
EDITABLE_STATUSES = ("draft", "returned")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(_in("service", SERVICE_KEYS), name="service"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        # One open application per organisation and service, enforced by the database.
        Index(
            "uq_application_open_per_service",
            "organisation_business_id",
            "service",
            unique=True,
            sqlite_where=text(_in("status", OPEN_STATUSES)),
            postgresql_where=text(_in("status", OPEN_STATUSES)),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_business_id: Mapped[str] = mapped_column(String(9), index=True)
    organisation_oid: Mapped[str] = mapped_column(String(200))
    organisation_name: Mapped[str] = mapped_column(Text)
    # Which register the organisation is in ("sote", "practitioners", "pharmacies"): a pharmacy's
    # application is shorter.
    organisation_register: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # The steps saved and valid, in no particular order.
    completed_steps: Mapped[list] = mapped_column(JSON, default=list)
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    submitted_language: Mapped[str | None] = mapped_column(String(2))
    # How many times it has been sent: a return for completion and a resend make round 2.
    round: Mapped[int] = mapped_column(default=0, server_default="0")

    # Customer details (the register data itself is read from the mirror, not copied here).
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    post_office: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    decision_email: Mapped[str | None] = mapped_column(String(254))

    # ePrescription: the optional renewal-request service and the unit that receives the requests.
    renewal_requests: Mapped[bool | None]
    renewal_unit_oid: Mapped[str | None] = mapped_column(String(200))

    commitment_signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitment_signature.id", ondelete="SET NULL")
    )
    # What was sent, frozen at sending: the summary and the PDF of a sent application read only this.
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    connection_points: Mapped[list[ConnectionPoint]] = relationship(
        back_populates="application", order_by="ConnectionPoint.position", cascade="all, delete-orphan"
    )
    systems: Mapped[list[InformationSystem]] = relationship(
        back_populates="application", order_by="InformationSystem.position", cascade="all, delete-orphan"
    )

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class ConnectionPoint(db.Model):
    __tablename__ = "connection_point"
    __table_args__ = (UniqueConstraint("application_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    oid: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))

    application: Mapped[Application] = relationship(back_populates="connection_points")


PROFILES = ("joining", "storing", "reading", "own_documents")
STORES = ("before_deployment", "new_documents", "both")


class InformationSystem(db.Model):
    """A Kanta-certified system the organisation uses for the service."""

    __tablename__ = "information_system"
    __table_args__ = (
        UniqueConstraint("application_id", "position"),
        CheckConstraint(f"profile IS NULL OR {_in('profile', PROFILES)}", name="profile"),
        CheckConstraint(f"stores IS NULL OR {_in('stores', STORES)}", name="stores"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    product: Mapped[str] = mapped_column(String(200), index=True)
    vendor: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[str] = mapped_column(String(50))
    # Social welfare archive only.
    profile: Mapped[str | None] = mapped_column(String(20))
    stores: Mapped[str | None] = mapped_column(String(20))
    service_tasks: Mapped[list] = mapped_column(JSON, default=list)

    application: Mapped[Application] = relationship(back_populates="systems")


class ServiceDescriptionAcceptance(db.Model):
    """Who accepted which exact version of the service description, for which application, when."""

    __tablename__ = "service_description_acceptance"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    document_version_id: Mapped[int] = mapped_column(ForeignKey("document_version.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    person_name: Mapped[str] = mapped_column(String(400))
    text_sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
