"""The decision service: one transaction for the decision, the status, the customership and service in
use, the audit record and the e-mails; a round is decided once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.applications.models import Application
from portal.audit.models import AuditEvent
from portal.customers.models import Customership, ServiceInUse, ServiceRole
from portal.extensions import db
from portal.outbox.models import OutboxMessage
from portal.reviews.models import Decision
from portal.reviews.services import AlreadyDecided, Reviewer, decide
from tests.reviews.conftest import send_application

REVIEWER = Reviewer(None, "Kaisa Kelanen")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_approval_activates_the_service_and_queues_the_email_with_both_pdfs(app, client, sent):
    decision = decide(sent, "approve", "", REVIEWER, round=1)
    application = db.session.get(Application, sent)
    assert application.status == "approved"
    assert decision.round == 1 and decision.snapshot["application_id"] == sent
    customership = db.session.scalar(select(Customership))
    assert customership.organisation_business_id == application.organisation_business_id
    assert customership.commitment_signature_id == application.commitment_signature_id is not None
    in_use = db.session.scalar(select(ServiceInUse))
    assert in_use.service == "patient_archive" and in_use.billing["business_id"]
    roles = {r.role for r in db.session.scalars(select(ServiceRole))}
    assert {"technical", "administrative", "archivist"} <= roles
    message = db.session.scalar(select(OutboxMessage))
    assert message.state == "queued" and message.decision_id == decision.id
    snapshot = application.snapshot
    expected = {snapshot["customer"]["decision_email"]} | {
        c["email"]
        for c in snapshot["contacts"]
        if c["role"] in ("administrative", "archivist") and c["email"]
    }
    assert set(message.recipients) == expected
    assert [a["kind"] for a in message.attachments] == ["commitment", "application"]
    assert "150378" not in message.body
    kinds = set(db.session.scalars(select(AuditEvent.kind)))
    assert {"application_approved", "customership_created", "service_activated"} <= kinds


def test_a_round_is_decided_once(app, client, sent):
    decide(sent, "approve", "", REVIEWER, round=1)
    with pytest.raises(AlreadyDecided) as raised:
        decide(sent, "reject", "Too late", Reviewer(None, "Other Reviewer"), round=1)
    assert raised.value.decision.kind == "approve" and raised.value.status == "approved"
    assert count(Decision) == 1 and count(OutboxMessage) == 1 and count(ServiceInUse) == 1


def test_rejection_and_return_need_a_message(app, client, sent):
    for kind in ("reject", "return"):
        with pytest.raises(ValueError):
            decide(sent, kind, "  ", REVIEWER, round=1)
    assert db.session.get(Application, sent).status == "submitted"


def test_return_then_resend_makes_a_second_round(app, client, sent):
    decide(sent, "return", "Add the second connection point", REVIEWER, round=1)
    assert db.session.get(Application, sent).status == "returned"
    message = db.session.scalar(select(OutboxMessage))
    assert message.attachments == [] and "Add the second connection point" in message.body
    response = client.post(f"/applications/{sent}/send")
    assert response.status_code == 303
    db.session.expire_all()
    application = db.session.get(Application, sent)
    assert (application.status, application.round) == ("submitted", 2)
    with pytest.raises(AlreadyDecided):
        decide(sent, "approve", "", REVIEWER, round=1)  # the reviewer saw round 1
    decide(sent, "reject", "Not eligible", REVIEWER, round=2)
    rounds = db.session.execute(select(Decision.round, Decision.kind).order_by(Decision.round)).all()
    assert rounds == [(1, "return"), (2, "reject")]


def test_second_application_does_not_make_a_second_customership(app, client, world):
    first = send_application(client, "patient_archive")
    decide(first, "approve", "", REVIEWER, round=1)
    second = send_application(client, "image_archive")
    decide(second, "approve", "", REVIEWER, round=1)
    assert count(Customership) == 1 and count(ServiceInUse) == 2
