"""When the mandates service is down, slow, broken or refusing: the client's two exceptions, and no
henkilötunnus in any log line or exception along the way."""

from __future__ import annotations

import logging
import traceback
from urllib.parse import quote

import pytest

from portal.integrations.mandates.client import MandatesError, MandatesUnavailable
from portal.integrations.serve import serve_in_thread
from tests.integrations.mandates.helpers import (
    PERSONS_WITH_MANDATES,
    REDIRECT_URI,
    make_client,
    make_hetu,
)

HETU = PERSONS_WITH_MANDATES[0].hetu


def _every_call(client):
    return {
        "register": lambda: client.register_session(HETU, "r"),
        "token": lambda: client.exchange_code("some-code", REDIRECT_URI),
        "organizationRoles": lambda: client.organization_roles("some-session", "some-token"),
        "unregister": lambda: client.unregister("some-session"),
    }


def test_a_stopped_service_is_unavailable_for_every_call(standin_app):
    server = serve_in_thread(standin_app)
    with make_client(server.url) as client:
        assert client.register_session(HETU, "r")
        server.stop()
        for operation, call in _every_call(client).items():
            with pytest.raises(MandatesUnavailable) as down:
                call()
            assert down.value.operation == operation
            assert down.value.status is None
            assert "cannot reach" in str(down.value)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_unavailable(mandates, state, status):
    state.simulate_fault(status, "maintenance")
    for operation, call in _every_call(mandates).items():
        with pytest.raises(MandatesUnavailable) as down:
            call()
        assert (down.value.operation, down.value.status) == (operation, status)


@pytest.mark.parametrize(
    "body", ["<html>Huoltokatko</html>", "", '{"sessionId": 1}', "[]", '{"unexpected": true}', "null"]
)
def test_an_answer_that_cannot_be_read_is_unavailable(mandates, state, body):
    state.simulate_fault(200, body, content_type="application/json")
    for operation in ("register", "token"):
        with pytest.raises(MandatesUnavailable) as unreadable:
            _every_call(mandates)[operation]()
        assert unreadable.value.operation == operation


@pytest.mark.parametrize(
    "body",
    [
        "<html></html>",
        '{"name": "x"}',
        '[{"name": "x"}]',
        '[{"name": "x", "identifier": "1234567-8", "roles": "TJ"}]',
        '[{"name": 1, "identifier": "1234567-8", "roles": []}]',
        "[1]",
    ],
)
def test_malformed_organisation_roles_are_unavailable(mandates, state, body):
    state.simulate_fault(200, body, content_type="application/json")
    with pytest.raises(MandatesUnavailable) as unreadable:
        mandates.organization_roles("s", "t")
    assert unreadable.value.operation == "organizationRoles"


def test_an_organisation_without_complete_is_read_as_incomplete(mandates, state):
    state.simulate_fault(
        200, '[{"name": "Oy", "identifier": "1234567-8", "roles": ["TJ"]}]', content_type="application/json"
    )
    [org] = mandates.organization_roles("s", "t")
    assert (org.identifier, org.roles, org.complete) == ("1234567-8", ("TJ",), False)


def test_a_slow_service_is_unavailable_after_the_timeout(standin, state):
    state.simulate_fault(status=None, delay=1.0)
    with make_client(standin.url, timeout=0.2) as client, pytest.raises(MandatesUnavailable) as slow:
        client.register_session(HETU, "r")
    assert "within 0.2 s" in str(slow.value)


def test_a_refusal_is_an_error_not_an_outage(mandates, state):
    state.simulate_fault(403, '{"error": "forbidden"}', content_type="application/json")
    with pytest.raises(MandatesError) as refused:
        mandates.register_session(HETU, "r")
    assert refused.value.status == 403
    assert "forbidden" in str(refused.value)
    assert not isinstance(refused.value, MandatesUnavailable)


# The henkilötunnus must not leak: not in a log line (ours, urllib3's request lines, the stand-in's
# werkzeug access lines), an exception message, or a traceback with its chain.

PLUS_CENTURY = make_hetu("010195", "+", 901)  # "+" is percent-encoded in the path


def _leaks(hetu: str) -> tuple[str, ...]:
    return (hetu, quote(hetu, safe=""), hetu[7:])


@pytest.fixture
def plain_logging(caplog):
    """Everything logged, at DEBUG (urllib3 writes its request lines there)."""
    caplog.set_level(logging.DEBUG)
    return caplog


def _assert_no_hetu(hetu: str, caplog, failure: BaseException | None = None) -> None:
    texts = [caplog.text, *(r.getMessage() for r in caplog.records)]
    if failure is not None:
        texts += [str(failure), "".join(traceback.format_exception(failure))]
    for text in texts:
        for leak in _leaks(hetu):
            assert leak not in text


@pytest.mark.parametrize("hetu", [HETU, PLUS_CENTURY])
def test_no_henkilotunnus_in_logs_when_the_service_is_down(standin_app, plain_logging, hetu):
    server = serve_in_thread(standin_app)
    server.stop()
    with make_client(server.url) as client, pytest.raises(MandatesUnavailable) as down:
        client.register_session(hetu, "r")
    logging.getLogger("portal.test").exception("mandates failed: %s", down.value, exc_info=down.value)
    assert any("register" in r.getMessage() for r in plain_logging.records)
    _assert_no_hetu(hetu, plain_logging, down.value)


@pytest.mark.parametrize("hetu", [HETU, PLUS_CENTURY])
def test_no_henkilotunnus_in_logs_when_the_service_refuses(standin, plain_logging, hetu):
    with make_client(standin.url, api_key="wrong") as client, pytest.raises(MandatesError) as refused:
        client.register_session(hetu, "r")
    assert refused.value.status == 401
    _assert_no_hetu(hetu, plain_logging, refused.value)


def test_no_henkilotunnus_in_logs_when_an_error_page_repeats_it(standin, state, plain_logging):
    state.simulate_fault(500, f"Internal error for /register/{quote(PLUS_CENTURY)} and {HETU}")
    with make_client(standin.url) as client:
        for hetu in (HETU, PLUS_CENTURY):
            with pytest.raises(MandatesUnavailable) as down:
                client.register_session(hetu, "r")
            assert "HTTP 500" in str(down.value)
            _assert_no_hetu(hetu, plain_logging, down.value)


@pytest.mark.parametrize("hetu", [HETU, PLUS_CENTURY])
def test_request_lines_are_logged_with_the_henkilotunnus_masked(standin, plain_logging, hetu):
    with make_client(standin.url) as client:
        client.register_session(hetu, "r")
    # This call's lines only: the stand-in's thread may log an earlier test's request late.
    request_lines = [
        r
        for r in plain_logging.records
        if "/service/ypa/user/register/" in r.getMessage() and hetu[:6] in r.getMessage()
    ]
    # urllib3's line (client side) and werkzeug's (the stand-in) are both there, masked
    assert {r.name for r in request_lines} >= {"urllib3.connectionpool", "werkzeug"}
    assert all(hetu[:7] + "****" in r.getMessage() for r in request_lines)
    _assert_no_hetu(hetu, plain_logging)
