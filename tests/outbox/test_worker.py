"""The outbox worker against a real SMTP server: what a decided application's e-mail carries (its
PDFs, made once and stored with the decision, in the decision's language; the stored Message-ID),
back-off, bounded attempts and staff's retry."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.outbox.services import retry
from portal.outbox.worker import retry_delay, run_once
from portal.reviews.models import DecisionDocument
from portal.reviews.services import decide
from tests.documents.conftest import pdf_text
from tests.outbox.conftest import (
    RETRY_BASE,
    REVIEWER,
    approve,
    message_of,
    queue_messages,
    received_ids,
    wait_until_due,
)
from tests.reviews.conftest import send_application


def documents_of(decision_id: int) -> dict[str, DecisionDocument]:
    db.session.expire_all()
    rows = db.session.scalars(select(DecisionDocument).where(DecisionDocument.decision_id == decision_id))
    return {row.kind: row for row in rows}


def test_approval_arrives_with_both_pdfs_in_the_language_it_was_sent_in(app, client, world, smtp, tmp_path):
    decision = approve(client, lang="sv")
    message = message_of(decision)
    assert documents_of(decision.id) == {}  # the reviewer's request made no PDF

    assert run_once(app, name="test") == 1

    [received] = smtp.wait_for(1)
    assert received.message["Message-ID"] == message.message_id
    assert set(received.rcpt_tos) == set(message.recipients)
    assert received.mail_from == "noreply@kanta.example"
    with force_locale("sv"):
        assert received.subject == _(
            "Your application has been approved: %(service)s", service=_("Patient data archive")
        )
    assert "150378" not in received.raw.decode("ascii", "replace")
    attachments = {name: content for name, _type, content in received.attachments()}
    assert [t for _n, t, _c in received.attachments()] == ["application/pdf", "application/pdf"]
    commitment = pdf_text(attachments["kanta-commitment-2958423-0-sv.pdf"], tmp_path)
    application = pdf_text(attachments[f"kanta-application-{decision.application_id}-sv.pdf"], tmp_path)
    # The application as it was sent, in Swedish, with the texts that were accepted and signed.
    assert "Ansökan: Patientdataarkivet" in application
    assert "Kontaktpersoner" in application and "paatokset@example.fi" in application
    assert "Förbindelse angående kundrelationen till Kanta-tjänsterna" in application
    assert "Sida 1 av" in application
    # The commitment alone: its text and signature, none of the application's sections.
    assert commitment.startswith("Kanta-kundportalen")
    assert "Förbindelse" in commitment and "Undertecknad av" in commitment
    assert "Förbindelse angående kundrelationen till Kanta-tjänsterna" in commitment
    assert "150378-****" in commitment and "150378-934B" not in commitment
    assert "Kontaktpersoner" not in commitment and "paatokset@example.fi" not in commitment
    assert "Lääkärikeskus Kuusi Oy" in commitment  # whose commitment
    stored = documents_of(decision.id)
    assert {kind: doc.content for kind, doc in stored.items()} == {
        "commitment": attachments["kanta-commitment-2958423-0-sv.pdf"],
        "application": attachments[f"kanta-application-{decision.application_id}-sv.pdf"],
    }
    db.session.expire_all()
    assert (message.state, message.attempts, message.claimed_by) == ("sent", 1, "test")
    assert message.sent_at is not None and message.last_error is None


def test_a_resend_attaches_the_stored_pdfs_with_the_same_message_id(app, client, world, smtp):
    decision = approve(client, lang="fi")
    run_once(app, name="first")
    smtp.wait_for(1)
    stored = {kind: (doc.id, doc.created_at) for kind, doc in documents_of(decision.id).items()}
    # The worker died after the SMTP server's "250", before marking it sent: its claim has run out.
    message = message_of(decision)
    message.state = "sending"
    message.claimed_until = message.sent_at
    db.session.commit()

    assert run_once(app, name="second") == 1

    first_copy, second_copy = smtp.wait_for(2)
    assert second_copy.message["Message-ID"] == first_copy.message["Message-ID"] == message.message_id
    assert second_copy.attachments() == first_copy.attachments()
    assert {kind: (doc.id, doc.created_at) for kind, doc in documents_of(decision.id).items()} == stored
    db.session.expire_all()
    assert (message.state, message.claimed_by, message.attempts) == ("sent", "second", 2)


def test_smtp_refusing_makes_the_message_wait_twice_as_long_each_time(app, smtp):
    [message_id] = queue_messages(1)
    smtp.fail_with("451 4.3.0 Try again later")
    message = db.session.scalar(select(OutboxMessage))
    for attempt in (1, 2, 3):
        if attempt > 1:
            wait_until_due()
        before = utcnow()
        assert run_once(app) == 1
        after = utcnow()
        assert run_once(app) == 0  # not due again at once
        db.session.expire_all()
        assert (message.state, message.attempts) == ("retrying", attempt)
        assert message.last_error == "SMTP 451 4.3.0 Try again later"
        delay = RETRY_BASE * 2 ** (attempt - 1)
        assert (message.next_attempt_at - before).total_seconds() >= delay * 0.9
        assert (message.next_attempt_at - after).total_seconds() <= delay
    smtp.fail_with(None)
    wait_until_due()
    assert run_once(app) == 1
    assert received_ids(smtp) == {message_id: 1}


def test_retry_delay_doubles_up_to_the_cap_with_a_little_jitter():
    for attempts, expected in ((1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)):
        delay = retry_delay(attempts, 30, 3600)
        assert expected * 0.9 <= delay <= expected


def test_after_the_last_attempt_the_message_fails_and_staff_can_retry_it(app, client, world, smtp):
    application_id = send_application(client)
    decision = decide(application_id, "reject", "Not eligible", REVIEWER, round=1)
    message = message_of(decision)
    message.max_attempts = 3
    db.session.commit()
    smtp.fail_with("451 4.3.0 Mailbox of 150378-934B busy")
    for attempt in range(message.max_attempts):
        if attempt:
            wait_until_due()
        assert run_once(app) == 1
    db.session.expire_all()
    assert (message.state, message.attempts) == ("failed", 3)
    assert message.last_error == "SMTP 451 4.3.0 Mailbox of 150378-**** busy"  # never a henkilötunnus
    assert run_once(app) == 0
    assert smtp.messages == []

    smtp.fail_with(None)
    assert retry(message)
    db.session.commit()
    assert run_once(app) == 1

    [received] = smtp.wait_for(1)
    assert received.message["Message-ID"] == message.message_id
    db.session.expire_all()
    assert (message.state, message.attempts) == ("sent", 1)


def test_a_permanent_refusal_fails_at_once(app, smtp):
    queue_messages(1)
    smtp.fail_with("550 5.1.1 No such user")
    assert run_once(app) == 1
    message = db.session.scalar(select(OutboxMessage))
    assert (message.state, message.attempts, message.last_error) == (
        "failed",
        1,
        "SMTP 550 5.1.1 No such user",
    )


def test_the_commands_deliver_the_due_messages_and_count_them_by_state(app, runner, smtp):
    queue_messages(2)
    assert "queued    2" in runner.invoke(args=["outbox", "status"]).output

    result = runner.invoke(args=["outbox", "work", "--once", "--name", "cli"])

    assert result.output == "2 message(s) handled.\n"
    assert len(smtp.wait_for(2)) == 2
    status = runner.invoke(args=["outbox", "status"]).output.splitlines()
    assert status == ["queued    0", "sending   0", "sent      2", "retrying  0", "failed    0"]
