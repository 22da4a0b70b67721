"""The outbox worker: claims due messages, makes their PDFs (once; stored with the decision) and
delivers them over SMTP.

A message is claimed in a short transaction of its own (on PostgreSQL the row is locked with
``FOR UPDATE SKIP LOCKED``, so that workers pass each other's rows by; on every database the
conditional UPDATE that re-checks the claim is what makes it this worker's), for
``OUTBOX_LEASE_SECONDS``. A worker that dies leaves its claim to run out; another worker then takes the
message over. Delivery is at least once: a worker that dies between the SMTP server's "250" and marking
the message sent causes one more copy, with the same Message-ID. A claim counts as an attempt, so a
message that kills its worker every time still ends up failed.

    with app.app_context():
        Worker(app, "worker-1").run(poll=1.0)   # until worker.stopping is set
    run_once(app)                               # every message due now; returns how many
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import smtplib
import socket
import threading
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from flask import Flask
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from portal.applications.models import Application
from portal.applications.pdf import commitment_pdf, sent_application_pdf
from portal.customers.models import Customership
from portal.db import utcnow
from portal.documents.models import CommitmentSignature
from portal.documents.services import latest_commitment_signature
from portal.extensions import db, remove_session
from portal.identifiers import scrub_hetu
from portal.outbox.models import STATES, OutboxMessage
from portal.reviews.models import Decision, DecisionDocument
from portal.scheduling.jobs import Scheduler

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 30.0  # seconds for each SMTP step; a hung server must not hold a claim for ever
ERROR_LIMIT = 2000  # characters of last_error
SCHEDULE_POLL = 60.0  # seconds between looks for due daily jobs
JITTER = 0.1  # a retry comes up to 10 % early, so that messages failed together spread out


def default_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds until the next attempt after ``attempts`` failed ones: doubling from ``base`` up to
    ``cap``, less up to ``JITTER`` of it."""
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    return delay * (1 - JITTER * random.random())


def due(now: datetime, as_of: datetime) -> ColumnElement[bool]:
    """Messages a worker may claim: waiting and due by ``as_of``, or claimed by a worker whose claim
    ran out by ``now`` (it died, or hangs)."""
    return or_(
        and_(OutboxMessage.state.in_(("queued", "retrying")), OutboxMessage.next_attempt_at <= as_of),
        and_(OutboxMessage.state == "sending", OutboxMessage.claimed_until < now),
    )


def state_counts() -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    rows = db.session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    counts.update({state: count for state, count in rows})
    return counts


class PermanentFailure(Exception):
    """The SMTP server refused the message for good (a 5xx reply): no more attempts."""


class Worker:
    """Delivers the outbox's messages. Runs inside an app context of ``app``; ``stopping`` ends
    ``run`` (and ``run_once``) after the message in hand."""

    def __init__(
        self,
        app: Flask,
        name: str | None = None,
        stopping: threading.Event | None = None,
        *,
        schedule: bool = False,
    ) -> None:
        self.app = app
        self.name = name or default_name()
        self.stopping = stopping or threading.Event()
        self.thread: threading.Thread | None = None
        # With ``schedule``, the loop also runs the daily jobs when they are due (looking once a minute).
        self.scheduler = Scheduler(app, self.name) if schedule else None
        self._schedule_checked = 0.0

    # The loop.

    def start(self, poll: float = 1.0) -> threading.Thread:
        """Run in a background thread with an app context of its own; ``stop()`` ends it."""
        self.thread = threading.Thread(
            target=self._run_in_context, args=(poll,), name=f"outbox-{self.name}", daemon=True
        )
        self.thread.start()
        return self.thread

    def stop(self, timeout: float = 60.0) -> None:
        """Ask the thread to stop after the message in hand, and wait for it."""
        self.stopping.set()
        self.thread.join(timeout)

    def _run_in_context(self, poll: float) -> None:
        with self.app.app_context():
            self.run(poll)

    def run(self, poll: float = 1.0) -> None:
        """Deliver due messages until ``stopping`` is set, looking for new ones every ``poll`` seconds.
        Database errors (PostgreSQL restarting) are logged and the loop goes on."""
        log.info("outbox worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                self.run_scheduled()
                handled = self.run_once()
            except Exception:
                log.exception("outbox worker %s failed; trying again in %g s", self.name, poll)
                handled = 0
            finally:
                remove_session()  # the next round starts with a fresh session and connection
            if not handled:
                self.stopping.wait(poll)
        log.info("outbox worker %s stopped", self.name)

    def run_scheduled(self) -> None:
        if self.scheduler is None or time.monotonic() - self._schedule_checked < SCHEDULE_POLL:
            return
        self._schedule_checked = time.monotonic()
        self.scheduler.run_due()
        remove_session()

    def run_once(self) -> int:
        """Deliver every message due now (a message that fails is not tried again in the same call);
        returns how many were handled."""
        as_of = utcnow()
        handled = 0
        while not self.stopping.is_set():
            message_id = self.claim(as_of)
            if message_id is None:
                break
            self.handle(message_id)
            handled += 1
        return handled

    def claim(self, as_of: datetime) -> int | None:
        """Claim the next due message (one transaction); its id, or None when none is due."""
        while True:
            now = utcnow()
            condition = due(now, as_of)
            message_id = db.session.scalar(
                select(OutboxMessage.id)
                .where(condition)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True)  # SQLite has no row locks: the UPDATE decides
            )
            if message_id is None:
                db.session.rollback()
                return None
            claimed = db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, condition)
                .values(
                    state="sending",
                    claimed_by=self.name,
                    claimed_until=now + timedelta(seconds=self.app.config["OUTBOX_LEASE_SECONDS"]),
                    attempts=OutboxMessage.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            db.session.commit()
            if claimed:
                return message_id
            # Another worker claimed it between our SELECT and UPDATE (SQLite): look again.

    # One message.

    def handle(self, message_id: int) -> None:
        message = db.session.get(OutboxMessage, message_id)
        try:
            attachments = [stored_document(message, a["kind"]) for a in message.attachments]
            refused = self.send(message, attachments)
        except Exception as exc:
            db.session.rollback()
            self.failed(message_id, exc)
            return
        if refused:
            log.warning("outbox message %s: %d recipient(s) refused", message_id, len(refused))
        self.sent(message_id)

    def send(self, message: OutboxMessage, attachments: list[DecisionDocument]) -> dict:
        """Connect, then build the e-mail and deliver it (nothing is built while the server is down);
        the refused recipients, when some were accepted."""
        config = self.app.config
        sender = config["MAIL_DEFAULT_SENDER"]
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        try:
            with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
                email = build_email(message, attachments, sender)
                return smtp.send_message(email, from_addr=parseaddr(sender)[1], to_addrs=message.recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            if all(code >= 500 for code, _ in exc.recipients.values()):
                raise PermanentFailure(smtp_error(exc)) from exc
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                raise PermanentFailure(smtp_error(exc)) from exc
            raise

    def sent(self, message_id: int) -> None:
        marked = db.session.execute(
            update(OutboxMessage)
            .where(*self._still_mine(message_id))
            .values(state="sent", sent_at=utcnow(), claimed_until=None, last_error=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if marked:
            log.info("outbox message %s sent by %s", message_id, self.name)
        else:
            log.warning(
                "outbox message %s was sent, but its claim had run out and another worker took it over: "
                "it may arrive twice (with the same Message-ID)",
                message_id,
            )

    def failed(self, message_id: int, exc: Exception) -> None:
        message = db.session.get(OutboxMessage, message_id)
        attempts, max_attempts = message.attempts, message.max_attempts
        error = describe(exc)
        config = self.app.config
        values: dict = {"claimed_until": None, "last_error": error}
        if isinstance(exc, PermanentFailure) or attempts >= max_attempts:
            values["state"] = "failed"
        else:
            delay = retry_delay(
                attempts, config["OUTBOX_RETRY_BASE_SECONDS"], config["OUTBOX_RETRY_MAX_SECONDS"]
            )
            values.update(state="retrying", next_attempt_at=utcnow() + timedelta(seconds=delay))
        marked = db.session.execute(
            update(OutboxMessage)
            .where(*self._still_mine(message_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if not marked:
            log.warning("outbox message %s failed after another worker took it over: %s", message_id, error)
        elif values["state"] == "failed":
            log.error(
                "outbox message %s failed after %d attempt(s), no more tries: %s",
                message_id,
                attempts,
                error,
            )
        else:
            log.warning(
                "outbox message %s: attempt %d of %d failed, next in %.1f s: %s",
                message_id,
                attempts,
                max_attempts,
                delay,
                error,
            )

    def _still_mine(self, message_id: int) -> tuple[ColumnElement[bool], ...]:
        return (
            OutboxMessage.id == message_id,
            OutboxMessage.state == "sending",
            OutboxMessage.claimed_by == self.name,
        )


def run_once(app: Flask, name: str | None = None) -> int:
    """Deliver every message due now with a worker named ``name``; how many were handled. For tests,
    the devstack and ``flask outbox work --once``."""
    with app.app_context():
        return Worker(app, name).run_once()


def describe(exc: Exception) -> str:
    """The error as staff read it in last_error: never a henkilötunnus, never longer than ERROR_LIMIT."""
    if isinstance(exc, smtplib.SMTPException):
        text = smtp_error(exc)
    elif isinstance(exc, PermanentFailure):
        text = str(exc)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return scrub_hetu(text)[:ERROR_LIMIT]


def smtp_error(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = {f"{code} {_text(message)}" for code, message in exc.recipients.values()}
        return f"SMTP: every recipient refused: {'; '.join(sorted(replies))}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def build_email(message: OutboxMessage, attachments: list[DecisionDocument], sender: str) -> EmailMessage:
    email = EmailMessage()
    email["Message-ID"] = message.message_id  # the same in every attempt
    email["Date"] = format_datetime(message.created_at)
    email["From"] = sender
    email["To"] = ", ".join(message.recipients)
    email["Subject"] = message.subject
    email["Content-Language"] = message.language
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body)
    for document in attachments:
        email.add_attachment(
            document.content, maintype="application", subtype="pdf", filename=document.filename
        )
    return email


# The decision's PDFs ------------------------------------------------------------------------------


def stored_document(message: OutboxMessage, kind: str) -> DecisionDocument:
    """The message's decision's PDF of ``kind``, made and stored (committed) the first time it is
    needed, so that every later attempt attaches the same bytes."""
    if message.decision_id is None:
        raise LookupError(f"outbox message {message.id} has attachments but no decision")
    document = _document_of(message.decision_id, kind)
    if document is not None:
        return document
    decision = db.session.get(Decision, message.decision_id)
    filename, content = make_document(decision, kind)
    document = DecisionDocument(
        decision_id=decision.id,
        kind=kind,
        filename=filename,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
    db.session.add(document)
    try:
        db.session.commit()
    except IntegrityError:  # a worker that took over a lapsed claim stored it first: use theirs
        db.session.rollback()
        document = _document_of(message.decision_id, kind)
    return document


def _document_of(decision_id: int, kind: str) -> DecisionDocument | None:
    return db.session.scalar(
        select(DecisionDocument).where(
            DecisionDocument.decision_id == decision_id, DecisionDocument.kind == kind
        )
    )


def make_document(decision: Decision, kind: str) -> tuple[str, bytes]:
    """(file name, PDF) of the decision's ``kind``: "application" (as it was sent) or "commitment"
    (the signed commitment alone), from the decision's snapshot in the decision's language."""
    application = db.session.get(Application, decision.application_id)
    same_round = application is not None and application.round == decision.round
    lang = decision.language
    facts = {
        "submitted_at": decision.submitted_at,
        # The application keeps its latest round's sender only.
        "submitted_by_person_id": application.submitted_by_person_id if same_round else None,
        "reference": str(decision.application_id),
    }
    if kind == "application":
        return (
            f"kanta-application-{decision.application_id}-{lang}.pdf",
            sent_application_pdf(decision.snapshot, lang, **facts),
        )
    if kind == "commitment":
        business_id = decision.snapshot["organisation"]["business_id"]
        return (
            f"kanta-commitment-{business_id}-{lang}.pdf",
            commitment_pdf(decision.snapshot, lang, signature=organisation_signature(application), **facts),
        )
    raise ValueError(f"unknown attachment {kind!r}")


def organisation_signature(application: Application | None) -> CommitmentSignature | None:
    """The commitment signature the organisation's customership rests on: the application's own, the
    one its customership was made from, or its latest."""
    if application is None:
        return None
    signature_id = application.commitment_signature_id or db.session.scalar(
        select(Customership.commitment_signature_id).where(
            Customership.organisation_business_id == application.organisation_business_id
        )
    )
    if signature_id is not None:
        return db.session.get(CommitmentSignature, signature_id)
    return latest_commitment_signature(application.organisation_business_id)
