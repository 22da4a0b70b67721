"""The staff audit log (filters, newest first, paging) and the outbox (every e-mail's state, a filter by
state, "Retry" on a failed one)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.outbox.models import STATES, OutboxMessage
from tests.reviews.staff_helpers import KAISA, field_error, flashed, sign_in_staff

START = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def staff(client, app):
    sign_in_staff(client)
    db.session.execute(AuditEvent.__table__.delete())  # the sign-in's own events are not the tests'
    db.session.commit()
    return client


def event(
    n: int, kind: str = "application_submitted", *, person="Anna Virtanen", business_id="2958423-0", at=None
):
    audit_event = AuditEvent(
        kind=kind,
        actor_name=person,
        organisation_business_id=business_id,
        organisation_name="Lääkärikeskus Kuusi Oy",
        object_type="application",
        object_id=str(n),
        new_value={"status": "submitted"},
        at=at or START + timedelta(hours=n),
    )
    db.session.add(audit_event)
    db.session.commit()
    return audit_event


def listed_events(response) -> list[str]:
    """The object ids of the events listed, in order ("Application 3" → "3")."""
    return re.findall(r">Application (\d+)</a>", response.get_data(as_text=True))


def test_the_audit_log_is_newest_first_and_filters_by_organisation_person_kind_and_date(staff):
    event(1, person="Anna Virtanen")
    event(2, kind="application_approved", person=KAISA)
    event(3, business_id="0116297-6")
    event(4, at=datetime(2026, 3, 4, 21, 30, tzinfo=UTC))  # 23:30 on 4 March in Finland
    assert listed_events(staff.get("/staff/audit")) == ["4", "3", "2", "1"]
    assert listed_events(staff.get("/staff/audit?business_id=0116297-6")) == ["3"]
    assert listed_events(staff.get("/staff/audit?person=kelan")) == ["2"]
    assert listed_events(staff.get("/staff/audit?kind=application_approved")) == ["2"]
    assert listed_events(staff.get("/staff/audit?date_from=4.3.2026")) == ["4"]
    assert listed_events(staff.get("/staff/audit?date_to=3.3.2026")) == ["3", "2", "1"]
    page = staff.get("/staff/audit?kind=application_approved").get_data(as_text=True)
    assert "Application approved" in page and "Lääkärikeskus Kuusi Oy" in page and "status: submitted" in page


def test_the_audit_log_pages(staff):
    for n in range(60):
        db.session.add(AuditEvent(kind="sign_in", actor_name=f"P {n}", at=START + timedelta(minutes=n)))
    db.session.commit()
    page = staff.get("/staff/audit?kind=sign_in").get_data(as_text=True)
    assert "Showing 1–50 of 60" in page and "P 59" in page and "P 9<" not in page
    page = staff.get("/staff/audit?kind=sign_in&page=2").get_data(as_text=True)
    assert "Showing 51–60 of 60" in page and "P 9<" in page


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?business_id=1234567-8", "business_id", "Enter a business ID in the form 1234567-1"),
        ("?business_id=Kuusi", "business_id", "Enter a business ID in the form 1234567-1"),
        ("?kind=drop+table", "kind", "Choose an event from the list"),
        ("?date_from=yesterday", "date_from", "Enter the date in the form 1.3.2026"),
        ("?date_from=5.3.2026&date_to=4.3.2026", "date_to", "The end date must be"),
        ("?person=" + "a" * 201, "person", "Enter at most 200 characters"),
    ],
)
def test_bad_audit_filters_get_a_message_at_the_field(staff, query, field, message):
    response = staff.get(f"/staff/audit{query}")
    assert response.status_code == 400
    assert field_error(response, field).startswith(message)


# --- the outbox -------------------------------------------------------------------------------------


def message(n: int, state: str = "sent", **values) -> OutboxMessage:
    outbox_message = OutboxMessage(
        kind="decision_approve",
        language="fi",
        recipients=[f"paatokset-{n}@example.fi", "arkisto@example.fi"],
        subject=f"Hakemus {n} on hyväksytty",
        body="…",
        attachments=[],
        message_id=f"<{n}@kanta.test>",
        state=state,
        attempts=values.pop("attempts", 1),
        max_attempts=8,
        created_at=START + timedelta(minutes=n),
        organisation_business_id="2958423-0",
        **values,
    )
    db.session.add(outbox_message)
    db.session.commit()
    return outbox_message


def subjects(response) -> list[str]:
    return re.findall(r'-subject">Hakemus (\d+) on hyväksytty<', response.get_data(as_text=True))


def test_the_outbox_shows_every_email_with_its_state_and_filters_by_state(staff):
    for n, state in enumerate(STATES):
        message(n, state)
    message(9, "failed", attempts=8, last_error="SMTP 451: try again later")
    response = staff.get("/staff/outbox")
    assert response.status_code == 200
    assert subjects(response) == ["9", "4", "3", "2", "1", "0"]
    page = response.get_data(as_text=True)
    for text in ("Queued", "Sending", "Sent", "Retrying", "Failed", "8 / 8", "SMTP 451: try again later"):
        assert text in page
    assert "paatokset-9@example.fi" in page and "arkisto@example.fi" in page
    assert subjects(staff.get("/staff/outbox?state=failed")) == ["9", "4"]
    # "Retry" only on the failed ones.
    assert page.count('/retry"') == 2
    assert staff.get("/staff/outbox?state=lost").status_code == 400


def test_retry_queues_a_failed_email_again_and_is_audited(staff):
    failed = message(1, "failed", attempts=8, last_error="Connection refused")
    response = staff.post(f"/staff/outbox/{failed.id}/retry?state=failed")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/outbox?state=failed"
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert any("queued to be sent again" in text for text in flashed(page))
    db.session.expire_all()
    retried = db.session.get(OutboxMessage, failed.id)
    assert (retried.state, retried.attempts) == ("queued", 0)
    assert retried.message_id == "<1@kanta.test>"  # the same Message-ID: a receiver can drop a copy
    audit_event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "outbox_retried"))
    assert audit_event.actor_name == KAISA and audit_event.object_id == str(failed.id)
    assert audit_event.organisation_business_id == "2958423-0"


def test_retry_of_an_email_that_has_not_failed_changes_nothing(staff):
    sent = message(1, "sent")
    page = staff.get(staff.post(f"/staff/outbox/{sent.id}/retry").headers["Location"]).get_data(as_text=True)
    assert any("had not failed (it is Sent)" in text for text in flashed(page))
    db.session.expire_all()
    assert db.session.get(OutboxMessage, sent.id).state == "sent"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "outbox_retried")
        )
        == 0
    )
    assert staff.post("/staff/outbox/999999/retry").status_code == 404


def test_retry_needs_the_csrf_token(app, staff):
    failed = message(1, "failed")
    app.config["WTF_CSRF_ENABLED"] = True
    assert staff.post(f"/staff/outbox/{failed.id}/retry").status_code == 400
    page = staff.get("/staff/outbox").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert staff.post(f"/staff/outbox/{failed.id}/retry", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(OutboxMessage, failed.id).state == "queued"


def test_the_outbox_pages(staff):
    for n in range(55):
        message(n)
    page = staff.get("/staff/outbox").get_data(as_text=True)
    assert "Showing 1–50 of 55" in page
    assert subjects(staff.get("/staff/outbox?page=2")) == ["4", "3", "2", "1", "0"]


def test_the_staff_home_links_to_the_queue_the_audit_log_and_the_outbox(staff):
    message(1, "failed")
    page = staff.get("/staff/").get_data(as_text=True)
    for href in ("/staff/applications", "/staff/audit", "/staff/outbox"):
        assert f'href="{href}"' in page
    assert "0 waiting for a decision" in page and "1 failed" in page
