"""Queueing outgoing e-mail. ``enqueue`` adds the message to the caller's transaction: it is sent if and
only if that transaction commits (the outbox pattern); the worker (``portal.outbox.worker``) delivers it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask import current_app

from portal.db import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage


def unique_recipients(addresses: Iterable[str | None]) -> list[str]:
    """The addresses in order, without blanks and without repeats (compared case-insensitively)."""
    seen: set[str] = set()
    result = []
    for address in addresses:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{current_app.config['OUTBOX_MESSAGE_ID_DOMAIN']}>"


def enqueue(
    *,
    kind: str,
    language: str,
    recipients: Iterable[str | None],
    subject: str,
    body: str,
    attachments: list[dict] | None = None,
    application_id: int | None = None,
    decision_id: int | None = None,
    organisation_business_id: str | None = None,
) -> OutboxMessage | None:
    """Add a message to the current transaction; None when there is nobody to send it to."""
    to = unique_recipients(recipients)
    if not to:
        return None
    message = OutboxMessage(
        kind=kind,
        language=language,
        recipients=to,
        subject=subject,
        body=body,
        attachments=list(attachments or []),
        application_id=application_id,
        decision_id=decision_id,
        organisation_business_id=organisation_business_id,
        message_id=new_message_id(),
        state="queued",
        attempts=0,
        max_attempts=current_app.config["OUTBOX_MAX_ATTEMPTS"],
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def retry(message: OutboxMessage) -> bool:
    """Staff's "Retry" of a failed message: queued again now, with a fresh set of attempts. Adds to the
    current transaction; False (nothing changed) unless the message had failed."""
    if message.state != "failed":
        return False
    message.state = "queued"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claimed_by = None
    message.claimed_until = None
    return True
