"""The application page and the decisions made on it: approve, reject (a reason), return (a message),
each for the round the reviewer saw; a double click, a second reviewer or an old page leave one decision
and say who decided what and when."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from portal.applications.models import Application
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.integrations.demo_data import CLINIC
from portal.outbox.models import OutboxMessage
from portal.reviews.models import Decision, DecisionDocument
from tests.reviews.staff_helpers import KAISA, field_error, flashed, make_application, sign_in_staff


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def decisions() -> list[tuple[int, str, str]]:
    db.session.expire_all()
    return list(db.session.execute(select(Decision.round, Decision.kind, Decision.reviewer_name)).all())


def status(application_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Application, application_id).status


def post(client, application_id: int, kind: str, round="1", message=None):
    data = {f"{kind}-round": round}
    if message is not None:
        data[f"{kind}-message"] = message
    return client.post(f"/staff/applications/{application_id}/{kind}", data=data)


def follow(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def staff(client, sent):
    sign_in_staff(client)
    return client


def test_the_application_page_shows_what_was_sent_the_register_data_and_the_history(staff, sent):
    page = staff.get(f"/staff/applications/{sent}").get_data(as_text=True)
    application = db.session.get(Application, sent)
    snapshot = application.snapshot
    # What was sent: every section of the snapshot.
    for text in ("Connection points and systems", "Customer details", "Contact persons", "Billing details"):
        assert text in page
    assert snapshot["customer"]["decision_email"] in page
    assert snapshot["connection_points"][0]["oid"] in page
    # The organisation as the register mirror has it.
    assert "In the register" in page and "Social and health care organisation register" in page
    assert "Not yet a Kanta customer" in page
    # The history: the round waiting, and the application's audit events.
    assert "Round 1" in page and "Waiting for a decision" in page
    assert "Application sent" in page and "Application started" in page
    # The decisions, each in its own form with the round seen.
    for kind in ("approve", "reject", "return"):
        assert f'action="/staff/applications/{sent}/{kind}"' in page
        assert f'name="{kind}-round" type="hidden" value="1"' in page
    assert "150378" not in page  # never a henkilötunnus


def test_staff_download_the_application_pdf(staff, sent):
    response = staff.get(f"/staff/applications/{sent}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
    assert f"kanta-application-{sent}-en.pdf" in response.headers["Content-Disposition"]


def test_approve(staff, sent):
    response = post(staff, sent, "approve")
    page = follow(staff, response)
    assert response.headers["Location"] == f"/staff/applications/{sent}"
    assert any("The application was approved" in text for text in flashed(page))
    assert status(sent) == "approved"
    assert decisions() == [(1, "approve", KAISA)]
    assert count(OutboxMessage) == 1
    # The page now shows the decision instead of the forms, and the e-mail on its way.
    assert f'action="/staff/applications/{sent}/approve"' not in page
    assert "Decided by" in page and KAISA in page and "Queued" in page
    assert "A Kanta customer since" in page


def test_reject_needs_a_reason(staff, sent):
    response = post(staff, sent, "reject", message="  ")
    assert response.status_code == 400
    assert field_error(response, "reject-message") == "Enter the reason for the rejection"
    page = response.get_data(as_text=True)
    assert 'href="#reject-message"' in page and "<title>Error: " in page
    assert status(sent) == "submitted" and decisions() == []
    page = follow(staff, post(staff, sent, "reject", message="Not eligible: no operating licence"))
    assert any("rejected" in text for text in flashed(page))
    assert status(sent) == "rejected"
    decision = db.session.scalar(select(Decision))
    assert decision.message == "Not eligible: no operating licence"
    assert "Not eligible: no operating licence" in page


def test_return_needs_a_message_and_the_message_is_kept(staff, sent):
    response = post(staff, sent, "return")
    assert response.status_code == 400
    assert field_error(response, "return-message") == "Enter a message saying what the customer must complete"
    response = post(staff, sent, "return", message="x" * 4001)
    assert field_error(response, "return-message") == "The message can be at most 4000 characters"
    assert "x" * 4001 in response.get_data(as_text=True)  # what was typed stays
    follow(staff, post(staff, sent, "return", message="Add the second connection point"))
    assert status(sent) == "returned"
    assert decisions()[0][1] == "return"


def test_a_double_click_makes_one_decision_and_says_what_happened(staff, sent):
    post(staff, sent, "approve")
    second = post(staff, sent, "approve")
    page = follow(staff, second)
    warning = next(text for text in flashed(page) if "Your decision was not saved" in text)
    assert warning.startswith(f"{KAISA} approved this application on ")
    assert decisions() == [(1, "approve", KAISA)]
    assert count(OutboxMessage) == 1
    assert count(AuditEvent, AuditEvent.kind == "application_approved") == 1


def test_a_second_reviewer_is_told_who_decided_first(app, staff, sent):
    other = app.test_client()
    sign_in_staff(other, "Ville Virkailija")
    follow(staff, post(staff, sent, "approve"))
    page = follow(other, post(other, sent, "reject", message="Too late"))
    assert any(text.startswith(f"{KAISA} approved this application on ") for text in flashed(page))
    assert decisions() == [(1, "approve", KAISA)]
    assert status(sent) == "approved"


def test_two_reviewers_at_the_same_moment_make_one_decision(app, staff, sent):
    clients = [app.test_client(), app.test_client()]
    for client, name in zip(clients, ("Kaisa Kelanen", "Ville Virkailija"), strict=True):
        sign_in_staff(client, name)
    db.session.remove()
    barrier = threading.Barrier(2)
    results = []

    def approve(client):
        with app.app_context():
            barrier.wait()
            results.append(post(client, sent, "approve").status_code)

    threads = [threading.Thread(target=approve, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [303, 303]
    assert len(decisions()) == 1
    assert count(OutboxMessage) == 1


def test_an_old_page_after_a_return_and_a_resend(client, staff, sent):
    """The reviewer's page shows round 1; meanwhile it was returned and the customer sent it again."""
    follow(staff, post(staff, sent, "return", message="Add the billing reference"))
    send_application_again(client, sent)
    sign_in_staff(client)
    page = follow(client, post(client, sent, "approve", round="1"))
    warning = next(text for text in flashed(page) if "not saved" in text)
    assert "returned this application for completion on" in warning
    assert "sent it again" in warning
    assert status(sent) == "submitted"
    # The page shows round 2, and deciding it works.
    assert 'name="approve-round" type="hidden" value="2"' in page
    follow(client, post(client, sent, "approve", round="2"))
    assert decisions() == [(1, "return", KAISA), (2, "approve", KAISA)]
    page = client.get(f"/staff/applications/{sent}").get_data(as_text=True)
    assert "Round 1" in page and "Round 2" in page and "Add the billing reference" in page


def send_application_again(client, application_id: int) -> None:
    from tests.applications.conftest import act_for

    act_for(client, CLINIC)
    response = client.post(f"/applications/{application_id}/send")
    assert response.status_code == 303


def test_a_round_that_was_never_seen_is_refused(staff, sent):
    page = follow(staff, post(staff, sent, "approve", round="2"))
    assert any("The page was out of date" in text for text in flashed(page))
    assert decisions() == []


@pytest.mark.parametrize("round", ["", "x", "-1", "1.0", "²", "9" * 20])
def test_a_garbled_round_is_a_problem_of_the_page(staff, sent, round):
    response = post(staff, sent, "approve", round=round)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'href="#decision"' in page and "The page was out of date" in page
    assert decisions() == []


def test_a_withdrawn_application_is_not_waiting_for_a_decision(staff, sent):
    db.session.get(Application, sent).status = "withdrawn"
    db.session.commit()
    page = follow(staff, post(staff, sent, "approve"))
    assert any("not waiting for a decision: it is Withdrawn" in text for text in flashed(page))
    assert decisions() == []


def test_unknown_and_unsent_applications_are_not_found(staff, sent):
    draft = make_application(900, status="draft", round=0)
    for application_id in (draft.id, 999_999):
        assert staff.get(f"/staff/applications/{application_id}").status_code == 404
        assert staff.get(f"/staff/applications/{application_id}/pdf").status_code == 404
        assert post(staff, application_id, "approve").status_code == 404
    assert staff.post(f"/staff/applications/{sent}/withdraw").status_code == 404


def test_the_pdfs_made_for_a_decision_are_listed_and_downloadable(staff, sent):
    follow(staff, post(staff, sent, "approve"))
    decision = db.session.scalar(select(Decision))
    page = staff.get(f"/staff/applications/{sent}").get_data(as_text=True)
    assert "Not made yet" in page
    document = DecisionDocument(
        decision_id=decision.id,
        kind="application",
        filename="kanta-application.pdf",
        content=b"%PDF-1.7 test",
        sha256="0" * 64,
    )
    db.session.add(document)
    db.session.commit()
    page = staff.get(f"/staff/applications/{sent}").get_data(as_text=True)
    url = f"/staff/applications/{sent}/documents/{document.id}"
    assert f'href="{url}"' in page
    response = staff.get(url)
    assert response.data == b"%PDF-1.7 test" and response.mimetype == "application/pdf"
    other = make_application(901)
    assert staff.get(f"/staff/applications/{other.id}/documents/{document.id}").status_code == 404


def test_other_applications_of_the_organisation_are_listed_with_their_decisions(staff, sent):
    follow(staff, post(staff, sent, "reject", message="No licence"))
    earlier = db.session.get(Application, sent)
    later = make_application(1, organisation=earlier.organisation_business_id, service="image_archive")
    page = staff.get(f"/staff/applications/{later.id}").get_data(as_text=True)
    assert f'href="/staff/applications/{sent}"' in page
    assert "Rejected" in page and KAISA in page
