"""Outbox fixtures: the wizard's world (a synced mirror, the documents), a real SMTP server (the aiosmtpd
stand-in on a free port), quick retries, and factories for decisions and messages to deliver."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from portal.db import utcnow
from portal.extensions import db
from portal.integrations.demo_data import CLINIC
from portal.integrations.smtp.standin import SmtpStandin
from portal.outbox.models import OutboxMessage
from portal.outbox.services import enqueue
from portal.reviews.models import Decision, DecisionDocument
from portal.reviews.services import Reviewer, decide
from tests.applications.conftest import act_for, codeserver, walk_to_summary, world  # noqa: F401

REVIEWER = Reviewer(None, "Kaisa Kelanen")
RETRY_BASE = 0.2  # seconds: the first retry's delay in these tests (doubling from there)


@pytest.fixture
def smtp() -> Iterator[SmtpStandin]:
    with SmtpStandin() as server:
        yield server


@pytest.fixture
def app_config(codeserver, smtp) -> dict:  # noqa: F811
    return {
        "CODESERVER_URL": codeserver.url,
        **smtp.mail_config(),
        "OUTBOX_RETRY_BASE_SECONDS": RETRY_BASE,
        "OUTBOX_RETRY_MAX_SECONDS": 1.0,
        "OUTBOX_MAX_ATTEMPTS": 8,
    }


def approve(client, lang: str = "en", service: str = "patient_archive") -> Decision:
    """The demo clinic sends an application in ``lang`` (the language chosen in the portal) and a
    reviewer approves it; the decision (its message is queued)."""
    act_for(client, CLINIC)
    client.set_cookie("portal_lang", lang)
    application_id = walk_to_summary(client, service)
    response = client.post(f"/applications/{application_id}/send")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return decide(application_id, "approve", "", REVIEWER, round=1)


def message_of(decision: Decision) -> OutboxMessage:
    return db.session.query(OutboxMessage).filter_by(decision_id=decision.id).one()


def approval_copies(decision: Decision, count: int) -> list[str]:
    """``count`` more approvals like ``decision`` (later rounds of its application, inserted directly),
    each with its queued message and its two PDFs stored already (copies of ``decision``'s, which must
    be stored), so that the worker only sends them. Their Message-IDs."""
    message = message_of(decision)
    documents = db.session.query(DecisionDocument).filter_by(decision_id=decision.id).all()
    assert len(documents) == len(message.attachments) == 2
    ids = []
    for round in range(decision.round + 1, decision.round + 1 + count):
        copy = Decision(
            application_id=decision.application_id,
            round=round,
            kind="approve",
            message="",
            reviewer_name=REVIEWER.name,
            decided_at=utcnow(),
            snapshot=decision.snapshot,
            submitted_at=decision.submitted_at,
            language=decision.language,
        )
        db.session.add(copy)
        db.session.flush()
        for document in documents:
            db.session.add(
                DecisionDocument(
                    decision_id=copy.id,
                    kind=document.kind,
                    filename=document.filename,
                    content=document.content,
                    sha256=document.sha256,
                )
            )
        ids.append(
            enqueue(
                kind=message.kind,
                language=message.language,
                recipients=message.recipients,
                subject=message.subject,
                body=message.body,
                attachments=message.attachments,
                application_id=message.application_id,
                decision_id=copy.id,
                organisation_business_id=message.organisation_business_id,
            ).message_id
        )
    db.session.commit()
    return ids


def queue_messages(count: int) -> list[str]:
    """``count`` messages without attachments, committed; their Message-IDs."""
    messages = [
        enqueue(
            kind="decision_reject",
            language="fi",
            recipients=[f"asiakas{i}@example.fi"],
            subject=f"Viesti {i}",
            body="Hakemus on hylätty.",
        )
        for i in range(count)
    ]
    db.session.commit()
    return [message.message_id for message in messages]


def received_ids(smtp: SmtpStandin) -> Counter[str]:
    """How many times each Message-ID arrived."""
    return Counter(str(m.message["Message-ID"]) for m in smtp.messages)


def states() -> Counter[str]:
    db.session.expire_all()
    return Counter(state for (state,) in db.session.query(OutboxMessage.state))


def wait_until(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it is true (and return it); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:g} s: {condition.__doc__ or condition}")
        time.sleep(interval)
    return result


def wait_until_due() -> None:
    """Sleep until the earliest waiting message is due (and no longer)."""
    db.session.expire_all()
    earliest = min(m.next_attempt_at for m in db.session.query(OutboxMessage).filter_by(state="retrying"))
    time.sleep(max(0.0, (earliest - utcnow()).total_seconds()))


def worker_config(app: Flask, smtp: SmtpStandin, **settings: Any) -> dict[str, Any]:
    """The environment of a worker process (``flask outbox work``) on this test's database and SMTP."""
    return {
        "PORTAL_ENV": "test",
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": smtp.port,
        **settings,
    }


def log_text(path: Path) -> str:
    return path.read_text() if path.exists() else ""
