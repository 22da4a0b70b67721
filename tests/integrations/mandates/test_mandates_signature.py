"""The X-AsiointivaltuudetAuthorization checksum: the client's header against vectors computed here by
hand, and the stand-in refusing what the real service refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import string
from datetime import UTC, datetime, timedelta, timezone

import pytest
import requests
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from portal.integrations.mandates.client import MandatesError, authorization_header
from portal.integrations.mandates.standin import check_authorization_header, create_standin_app
from portal.integrations.serve import serve_in_thread
from tests.integrations.mandates.helpers import (
    API_KEY,
    CLIENT_ID,
    CLIENT_SECRET,
    PERSONS_WITH_MANDATES,
    make_client,
)

HETU = PERSONS_WITH_MANDATES[0].hetu


def expected_checksum(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


def test_header_matches_a_vector_computed_by_hand():
    path = "/service/ypa/user/register/kanta-portal/010101-999X?requestId=abc-123"
    sent_at = datetime(2026, 11, 22, 9, 35, 40, 123456, tzinfo=UTC)

    header = authorization_header("kanta-portal", "secret-key", path, sent_at)

    stamp = "2026-11-22T09:35:40.123Z"
    assert header == f"kanta-portal {stamp} {expected_checksum('secret-key', path + ' ' + stamp)}"


def test_header_timestamp_is_given_in_utc_whatever_the_zone_of_the_clock():
    helsinki_summer = timezone(timedelta(hours=3))
    sent_at = datetime(2026, 6, 1, 12, 0, 0, tzinfo=helsinki_summer)
    path = "/service/ypa/api/organizationRoles/s1"

    header = authorization_header("c", "k", path, sent_at)

    stamp = "2026-06-01T09:00:00.000Z"
    assert header == f"c {stamp} {expected_checksum('k', path + ' ' + stamp)}"


def test_header_refuses_a_timestamp_without_a_zone():
    with pytest.raises(ValueError, match="timezone"):
        authorization_header("c", "k", "/p", datetime(2026, 1, 1, 12, 0))


def _register_with(standin, header: str | None, path: str | None = None) -> requests.Response:
    path = path or f"/service/ypa/user/register/{CLIENT_ID}/{HETU}?requestId=r1"
    headers = {} if header is None else {"X-AsiointivaltuudetAuthorization": header}
    return requests.get(standin.url + path, headers=headers, timeout=5)


def by_hand(client_id: str, key: str, path: str, stamp: str) -> str:
    return f"{client_id} {stamp} {expected_checksum(key, path + ' ' + stamp)}"


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.mark.parametrize(
    ("make_header", "reason"),
    [
        pytest.param(lambda path, now: None, "not '<clientId>", id="missing"),
        pytest.param(
            lambda path, now: by_hand(CLIENT_ID, "not-the-key", path, iso(now)), "checksum", id="key"
        ),
        pytest.param(lambda path, now: by_hand("someone", API_KEY, path, iso(now)), "client id", id="client"),
        pytest.param(
            lambda path, now: by_hand(CLIENT_ID, API_KEY, path + "x", iso(now)), "checksum", id="path"
        ),
        pytest.param(
            lambda path, now: by_hand(CLIENT_ID, API_KEY, path, iso(now - timedelta(minutes=6))),
            "5 minutes",
            id="stale",
        ),
        pytest.param(
            lambda path, now: by_hand(CLIENT_ID, API_KEY, path, iso(now + timedelta(minutes=6))),
            "5 minutes",
            id="future",
        ),
        pytest.param(
            lambda path, now: by_hand(CLIENT_ID, API_KEY, path, iso(now.replace(tzinfo=None))),
            "time zone",
            id="no-zone",
        ),
        pytest.param(
            lambda path, now: by_hand(CLIENT_ID, API_KEY, path, "yesterday"), "ISO-8601", id="not-a-time"
        ),
        pytest.param(
            lambda path, now: f"{CLIENT_ID} {expected_checksum(API_KEY, path)}", "not '<", id="2-parts"
        ),
    ],
)
def test_the_standin_refuses_a_bad_header(standin, make_header, reason):
    path = f"/service/ypa/user/register/{CLIENT_ID}/{HETU}?requestId=r1"
    response = _register_with(standin, make_header(path, datetime.now(UTC)), path)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert reason in response.json()["error_description"]


def test_a_header_made_by_hand_with_a_right_checksum_passes(standin):
    path = f"/service/ypa/user/register/{CLIENT_ID}/{HETU}?requestId=r1"
    assert (
        _register_with(standin, by_hand(CLIENT_ID, API_KEY, path, iso(datetime.now(UTC))), path).status_code
        == 200
    )


def test_a_changed_query_breaks_the_checksum(standin):
    signed = f"/service/ypa/user/register/{CLIENT_ID}/{HETU}?requestId=r1"
    header = authorization_header(CLIENT_ID, API_KEY, signed, datetime.now(UTC))
    assert _register_with(standin, header, signed).status_code == 200
    assert _register_with(standin, header, signed.replace("r1", "r2")).status_code == 401


@pytest.mark.parametrize(("offset", "accepted"), [(-6, False), (-4, True), (4, True), (6, False)])
def test_the_client_clock_may_be_off_by_under_five_minutes(standin, offset, accepted):
    clock = lambda: datetime.now(UTC) + timedelta(minutes=offset)  # noqa: E731
    with make_client(standin.url, clock=clock) as client:
        if accepted:
            assert client.register_session(HETU, "r").session_id
        else:
            with pytest.raises(MandatesError) as refused:
                client.register_session(HETU, "r")
            assert refused.value.status == 401


def test_every_api_call_is_signed(standin):
    """A client with the wrong key is refused on each of the three API calls, not only on register."""
    with make_client(standin.url) as good, make_client(standin.url, api_key="wrong") as wrong:
        session = good.register_session(HETU, "r")
        calls = [
            lambda: wrong.register_session(HETU, "r"),
            lambda: wrong.organization_roles(session.session_id, "token"),
            lambda: wrong.unregister(session.session_id),
        ]
        for call in calls:
            with pytest.raises(MandatesError) as refused:
                call()
            assert refused.value.status == 401
            assert "checksum" in str(refused.value)
        good.unregister(session.session_id)  # the refused unregister left it in place


# Any path and query the client may send, and any moment within the allowed skew.
paths = st.text(alphabet=string.ascii_letters + string.digits + "/?=&-_.~%+:@!$'()*,;", min_size=1).map(
    lambda s: "/" + s
)
skews = st.integers(min_value=-299_000, max_value=299_000).map(lambda ms: timedelta(milliseconds=ms))
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(path=paths, sent_at=moments, skew=skews, key=st.text(min_size=1))
def test_every_header_the_client_makes_passes_the_standins_verifier(path, sent_at, skew, key):
    header = authorization_header(CLIENT_ID, key, path, sent_at)
    verdict = check_authorization_header(
        header, client_id=CLIENT_ID, key=key, path_and_query=path, now=sent_at + skew
    )
    assert verdict is None


@given(path=paths, other=paths, sent_at=moments)
def test_a_header_is_good_for_its_own_path_only(path, other, sent_at):
    assume(path != other)
    header = authorization_header(CLIENT_ID, API_KEY, path, sent_at)
    verdict = check_authorization_header(
        header, client_id=CLIENT_ID, key=API_KEY, path_and_query=other, now=sent_at
    )
    assert verdict == "the checksum does not match"


@pytest.fixture(scope="module")
def shared_standin():
    server = serve_in_thread(create_standin_app(CLIENT_ID, CLIENT_SECRET, API_KEY))
    yield server
    server.stop()


# Text that may be anything a caller passes: the client quotes it, and signs what goes on the wire.
any_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request_id=any_text)
def test_any_request_id_is_signed_as_sent(shared_standin, request_id):
    with make_client(shared_standin.url) as client:
        session = client.register_session(HETU, request_id)
        client.unregister(session.session_id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(session_id=any_text)
def test_any_session_id_is_signed_as_sent(shared_standin, session_id):
    assume("/" not in session_id and session_id.strip(".") != "")  # would not reach the route at all
    with make_client(shared_standin.url) as client, pytest.raises(MandatesError) as refused:
        client.unregister(session_id)
    # Past the checksum, to the route itself: the session is unknown, not the signature wrong.
    assert refused.value.status == 404, str(refused.value)
    assert "unknown session" in str(refused.value)
