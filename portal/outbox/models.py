"""Outgoing e-mail, written in the same transaction as what caused it and delivered by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

STATES = ("queued", "sending", "sent", "retrying", "failed")
# The states a worker may claim a message in ("sending" only once its lease has run out: the worker
# that claimed it died).
CLAIMABLE = ("queued", "retrying", "sending")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'sending', 'sent', 'retrying', 'failed')", name="state"),
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the message is about: "decision_approve", "decision_reject", "decision_return".
    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    recipients: Mapped[list] = mapped_column(JSON)  # e-mail addresses, deduplicated, in order
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)  # plain text, rendered in ``language`` when queued
    # PDFs the worker makes and attaches: [{"kind": "application" | "commitment"}], of ``decision_id``.
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL"), index=True
    )
    decision_id: Mapped[int | None] = mapped_column(
        ForeignKey("decision.id", ondelete="SET NULL"), index=True
    )
    organisation_business_id: Mapped[str | None] = mapped_column(String(9), index=True)
    # Stable across attempts, so that a receiver can drop a copy sent twice (after a crash between
    # the SMTP server's "250" and our commit).
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A worker's claim: who, and until when (a worker that dies leaves the claim to run out).
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
