"""Kela's decisions on submitted applications, one per round of review, and the PDFs made for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

DECISION_KINDS = ("approve", "reject", "return")
# The application's status after each kind of decision.
STATUS_AFTER = {"approve": "approved", "reject": "rejected", "return": "returned"}
DOCUMENT_KINDS = ("application", "commitment")


class Decision(db.Model):
    """A reviewer's decision on one round of an application (a round is one sending). The unique
    (application, round) pair is the database's guarantee that a round is decided once."""

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("application_id", "round"),
        CheckConstraint("kind IN ('approve', 'reject', 'return')", name="kind"),
        CheckConstraint("kind = 'approve' OR length(message) > 0", name="message_required"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    round: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    # The reason of a rejection, the message of a return; an optional note with an approval.
    message: Mapped[str] = mapped_column(Text, default="")
    reviewer_person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reviewer_name: Mapped[str] = mapped_column(String(400))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # What was decided on: the application's snapshot of this round (a resend replaces the
    # application's own snapshot; the history keeps every round's here).
    snapshot: Mapped[dict] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The language of the e-mails and PDFs: the language the application was sent in.
    language: Mapped[str] = mapped_column(String(2))


class DecisionDocument(db.Model):
    """A PDF made by the outbox worker for a decision (the approved application, the signed
    commitment), stored with it so that a resend attaches the same bytes."""

    __tablename__ = "decision_document"
    __table_args__ = (
        UniqueConstraint("decision_id", "kind"),
        CheckConstraint("kind IN ('application', 'commitment')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
