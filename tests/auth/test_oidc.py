"""Sign-in with OpenID Connect: PKCE, state and nonce, ID token checks, session handling."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditEvent
from portal.auth.models import Person, WebSession
from portal.db import utcnow
from portal.extensions import db
from tests.auth.conftest import HETU_CLAIM, provider_callback_url, query, sign_in, start_sign_in

COOKIE = "portal_session"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _kinds() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_sign_in_sends_pkce_state_and_nonce(client, provider):
    authorize = query(start_sign_in(client))
    assert authorize["code_challenge_method"] == "S256"
    assert len(authorize["code_challenge"]) >= 43
    assert authorize["state"] and authorize["nonce"]
    assert authorize["client_id"] == "kanta-portal"
    assert "openid" in authorize["scope"].split()


def test_successful_sign_in_creates_person_and_audit_event(client, provider):
    callback = provider_callback_url(start_sign_in(client))
    response = client.get(_path(callback))
    # The mandates service is down in these tests, so the person lands on the organisation chooser.
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organisation")
    person = db.session.scalar(select(Person))
    assert (person.issuer, person.subject, person.display_name) == (provider.url, "tester", "Anna Virtanen")
    assert _kinds() == ["sign_in"]


def test_no_henkilotunnus_in_database_after_sign_in(client, provider):
    sign_in(client)
    for table in db.metadata.sorted_tables:
        if table.name == "web_session":
            continue  # the server-side session holds it while signed in, by design
        for row in db.session.execute(select(table)).all():
            assert "150378-934B" not in repr(row), table.name


def test_replayed_callback_is_refused(client, provider):
    callback = sign_in(client)
    response = client.get(_path(callback))
    assert response.status_code == 400
    assert _kinds()[-1] == "sign_in_refused"


def test_callback_with_wrong_state_is_refused(client, provider):
    callback = provider_callback_url(start_sign_in(client))
    params = query(callback)
    response = client.get(f"/sign-in/callback?code={params['code']}&state=not-the-state")
    assert response.status_code == 400
    assert db.session.scalar(select(Person)) is None


def test_callback_from_another_browser_session_is_refused(client, app, provider):
    callback = provider_callback_url(start_sign_in(client))
    other_browser = app.test_client()
    assert other_browser.get(_path(callback)).status_code == 400
    assert db.session.scalar(select(Person)) is None


@pytest.mark.parametrize(
    ("misbehaviour", "reason"),
    [
        ({"nonce": "some-other-nonce"}, "nonce"),
        ({"iss": "https://evil.example"}, "iss"),
        ({"aud": "some-other-client"}, "aud"),
        # A token for another audience that names us as the authorised party is still not ours.
        ({"aud": "some-other-client", "claims": {"azp": "kanta-portal"}}, "aud"),
        ({"sign_with_unpublished_key": True}, "signature"),
    ],
    ids=["wrong-nonce", "other-issuer", "other-audience", "other-audience-with-azp", "unpublished-key"],
)
def test_id_token_failing_a_check_is_refused(client, provider, misbehaviour, reason):
    for name, value in misbehaviour.items():
        if name == "claims":
            provider.behaviour.claims.update(value)
        else:
            setattr(provider.behaviour, name, value)
    callback = provider_callback_url(start_sign_in(client))
    assert client.get(_path(callback)).status_code == 400
    assert db.session.scalar(select(Person)) is None
    assert db.session.scalar(select(WebSession.id).where(WebSession.person_id.is_not(None))) is None
    assert reason in str(db.session.scalar(select(AuditEvent.detail))).lower()


def test_session_id_changes_at_sign_in(client, provider):
    authorize_url = start_sign_in(client)
    before = client.get_cookie(COOKIE).value
    client.get(_path(provider_callback_url(authorize_url)))
    after = client.get_cookie(COOKIE).value
    assert before != after
    # The pre-sign-in id no longer opens anything.
    client.set_cookie(COOKIE, before)
    assert client.get("/organisation").status_code == 302


def test_signed_out_cookie_no_longer_works(client, app, provider):
    sign_in(client)
    cookie = client.get_cookie(COOKIE).value
    assert client.get("/organisation").status_code == 200
    response = client.post("/sign-out")
    assert response.status_code == 303
    assert client.get_cookie(COOKIE) is None
    assert db.session.scalar(select(WebSession)) is None
    # Replaying the old cookie from another client gets nowhere.
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie)
    response = thief.get("/organisation")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")
    assert _kinds() == ["sign_in", "sign_out"]


def _age_session(**columns) -> None:
    db.session.execute(update(WebSession).values(**columns))
    db.session.commit()


def test_idle_session_ends_with_a_notice(client, provider):
    sign_in(client)
    _age_session(last_seen_at=utcnow() - timedelta(minutes=31))
    response = client.get("/organisation")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "inactive for 30 minutes" in page
    assert db.session.scalar(select(WebSession.id).where(WebSession.person_id.is_not(None))) is None


def test_static_file_leaves_an_expired_session_and_its_notice_to_the_page(client, provider):
    sign_in(client)
    cookie = client.get_cookie(COOKIE).value
    _age_session(last_seen_at=utcnow() - timedelta(minutes=31))
    static = client.get("/static/images/favicon.svg")
    assert static.status_code == 200
    assert "Set-Cookie" not in static.headers
    assert client.get_cookie(COOKIE).value == cookie
    assert db.session.scalar(select(WebSession.id).where(WebSession.person_id.is_not(None))) is not None
    response = client.get("/organisation")
    assert "inactive for 30 minutes" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_session_ends_after_twelve_hours_even_when_active(client, provider):
    sign_in(client)
    _age_session(created_at=utcnow() - timedelta(hours=12, minutes=1), last_seen_at=utcnow())
    response = client.get("/organisation")
    assert response.status_code == 302
    assert "12 hours" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_session_within_limits_stays_signed_in(client, provider):
    sign_in(client)
    _age_session(created_at=utcnow() - timedelta(hours=11), last_seen_at=utcnow() - timedelta(minutes=29))
    assert client.get("/organisation").status_code == 200


def test_foreign_identity_without_henkilotunnus_gets_an_explanation(client, provider):
    provider.behaviour.claims.pop(HETU_CLAIM)
    callback = provider_callback_url(start_sign_in(client))
    response = client.get(_path(callback))
    assert response.headers["Location"].endswith("/sign-in/no-henkilotunnus")
    page = client.get("/sign-in/no-henkilotunnus")
    assert page.status_code == 200
    assert "eIDAS" in page.get_data(as_text=True)
    # Choosing an organisation leads back to the explanation, never to the mandates service.
    assert client.post("/organisation").headers["Location"].endswith("/sign-in/no-henkilotunnus")


def test_staff_claim_signs_in_as_staff_who_cannot_use_customer_pages(client, provider):
    provider.behaviour.claims["kela_roles"] = ["reviewer"]
    callback = provider_callback_url(start_sign_in(client))
    assert client.get(_path(callback)).headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    assert client.get("/dashboard").status_code == 403
    assert client.get("/organisation").status_code == 403


def test_customer_cannot_reach_staff_pages(client, provider):
    sign_in(client)
    assert client.get("/staff/").status_code == 403
    assert _kinds()[-1] == "access_refused"


def test_purge_command_deletes_only_idle_sessions(client, app, provider, runner):
    sign_in(client)
    other = app.test_client()
    sign_in(other)
    db.session.execute(
        update(WebSession)
        .where(WebSession.id == db.session.scalars(select(WebSession.id)).first())
        .values(last_seen_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    result = runner.invoke(args=["sessions", "purge"])
    assert "Deleted 1 expired sessions and 0 ended rate-limit counts." in result.output
    assert db.session.query(WebSession).count() == 1
