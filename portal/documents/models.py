"""Versioned texts (service descriptions, the commitment) and the signatures of the commitment.

A version's text never changes once stored: a signature points to the version and keeps a copy of
its SHA-256, and the database refuses a signature whose hash is not the version's (composite foreign
key), so what was signed can always be shown exactly.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.applications.catalogue import SERVICES
from portal.auth.models import Person
from portal.db import UTCDateTime, utcnow
from portal.extensions import db

KINDS = ("service_description", "commitment")
LANGUAGES = ("fi", "sv", "en")
# The old patient data archiving ("Vanhojen potilastietojen arkistointi") is no service one applies for here,
# but a welfare area whose merging organisations used it accepts its service description in its re-join.
OLD_PATIENT_ARCHIVING = "old_patient_archiving"
# The services a service description may be of.
SERVICE_KEYS = (*(s.key for s in SERVICES), OLD_PATIENT_ARCHIVING)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class DocumentVersion(db.Model):
    """One version of a document in one language. ``body`` is the text in the restricted markup of
    ``portal.documents.markup``; ``sha256`` is the hex digest of ``body`` encoded as UTF-8."""

    __tablename__ = "document_version"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("language", LANGUAGES), name="language"),
        CheckConstraint(
            f"(kind = 'commitment' AND service IS NULL)"
            f" OR (kind = 'service_description' AND {_in('service', SERVICE_KEYS)})",
            name="service_matches_kind",
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        UniqueConstraint("kind", "service", "version", "language"),
        # The unique constraint above treats NULL services as distinct (both databases), so the
        # commitment, whose service is NULL, needs its own.
        Index(
            "uq_document_version_commitment",
            "version",
            "language",
            unique=True,
            sqlite_where=text("service IS NULL"),
            postgresql_where=text("service IS NULL"),
        ),
        # Target of the signatures' (version id, hash) foreign key.
        UniqueConstraint("id", "sha256", name="uq_document_version_id_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    service: Mapped[str | None] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        what = self.service or self.kind
        return f"<DocumentVersion {what} v{self.version} {self.language}>"


class CommitmentSignature(db.Model):
    """An organisation's signature of the commitment to Kanta customership.

    Not unique per organisation: a customership that ended (a welfare-area re-join) may be signed
    again, and the history stays. Only the masked henkilötunnus is kept, and the database checks
    that the column has the masked shape (``010190-****``).
    """

    __tablename__ = "commitment_signature"
    __table_args__ = (
        CheckConstraint(
            "length(signer_hetu_masked) = 11 AND substr(signer_hetu_masked, 8, 4) = '****'",
            name="hetu_masked",
        ),
        CheckConstraint("length(organisation_business_id) = 9", name="business_id_length"),
        ForeignKeyConstraint(
            ["document_version_id", "text_sha256"],
            ["document_version.id", "document_version.sha256"],
            name="fk_commitment_signature_version_text",
            ondelete="RESTRICT",
        ),
        # The organisation's signatures, newest first (latest_commitment_signature).
        Index("ix_commitment_signature_org_signed_at", "organisation_business_id", "signed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_business_id: Mapped[str] = mapped_column(String(9))
    document_version_id: Mapped[int] = mapped_column(
        ForeignKey("document_version.id", ondelete="RESTRICT"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    signer_name: Mapped[str] = mapped_column(String(400))
    signer_hetu_masked: Mapped[str] = mapped_column(String(11))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text_sha256: Mapped[str] = mapped_column(String(64))

    document_version: Mapped[DocumentVersion] = relationship(
        primaryjoin="CommitmentSignature.document_version_id == DocumentVersion.id",
        foreign_keys=[document_version_id],
        lazy="joined",
    )
    person: Mapped[Person] = relationship()

    def __repr__(self) -> str:
        return f"<CommitmentSignature {self.organisation_business_id} v{self.document_version_id}>"
