"""Rate limits (portal.ratelimits): the count per client and window, shared through the database and
exact under concurrent requests; the window's end; the configuration; the purge; the 429 page in the
user's language. The limited routes themselves are tested where they live (sign-in start in
tests/auth, PDF downloads in tests/applications, uploads in tests/orgunits)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from portal.access import Access, access
from portal.config import ConfigError, load_config
from portal.extensions import db
from portal.ratelimits import Limit
from portal.ratelimits.limits import count_request, purge_expired_counts, rate_limited
from portal.ratelimits.models import RateLimitCount
from portal.scheduling.jobs import JOBS

NOW = datetime(2026, 11, 23, 9, 0, 10, tzinfo=UTC)  # 10 s into a 60-second window


def counts() -> list[tuple[str, str, int]]:
    return [
        (row.name, row.client, row.hits)
        for row in db.session.scalars(sa.select(RateLimitCount).order_by(RateLimitCount.client))
    ]


def test_a_client_is_refused_after_its_count_until_the_window_ends(app):
    limit = Limit(3, 60)
    assert [count_request("pdf", "a", limit, NOW) for _ in range(3)] == [None, None, None]
    assert count_request("pdf", "a", limit, NOW) == 50  # seconds left in the window
    assert count_request("pdf", "a", limit, NOW + timedelta(seconds=49.5)) == 1
    # Another client, and the same client under another limit, count apart.
    assert count_request("pdf", "b", limit, NOW) is None
    assert count_request("upload", "a", limit, NOW) is None
    # The next window starts afresh.
    assert count_request("pdf", "a", limit, NOW + timedelta(seconds=50)) is None
    assert sorted(counts()) == [("pdf", "a", 1), ("pdf", "a", 5), ("pdf", "b", 1), ("upload", "a", 1)]


def test_concurrent_requests_are_counted_exactly(app):
    """Twenty requests at once from one client under a limit of eight: eight pass, twelve are refused,
    and the count says twenty (each INSERT … ON CONFLICT DO UPDATE is atomic)."""
    limit = Limit(8, 300)
    results: list[int | None] = []
    start = threading.Barrier(20)

    def one() -> None:
        with app.app_context():
            start.wait()
            results.append(count_request("sign_in", "crowd", limit, NOW))

    threads = [threading.Thread(target=one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 20
    assert results.count(None) == 8
    assert counts() == [("sign_in", "crowd", 20)]


def test_the_count_is_kept_when_the_request_rolls_back(app):
    """The count is committed on a connection of its own: a view that fails does not undo it."""
    count_request("upload", "a", Limit(5, 60), NOW)
    db.session.rollback()
    assert counts() == [("upload", "a", 1)]


def test_purge_deletes_only_the_counts_of_ended_windows(app, runner):
    limit = Limit(5, 60)
    now = datetime.now(UTC)
    count_request("pdf", "old", limit, now - timedelta(minutes=5))
    count_request("pdf", "current", limit, now)
    assert purge_expired_counts() == 1
    assert [client for _, client, _ in counts()] == ["current"]
    count_request("pdf", "old", limit, now - timedelta(minutes=5))
    result = runner.invoke(args=["sessions", "purge"])
    assert "0 expired sessions and 1 ended rate-limit counts" in result.output
    assert [client for _, client, _ in counts()] == ["current"]


def test_the_daily_purge_job_deletes_ended_counts(app):
    count_request("pdf", "old", Limit(5, 60), datetime.now(UTC) - timedelta(minutes=5))
    assert "1 ended rate-limit counts deleted" in JOBS["sessions-purge"]()
    assert counts() == []


# --- a limited view -----------------------------------------------------------------------------------


@pytest.fixture
def limited_app(app: Flask) -> Flask:
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "pdf": Limit(2, 300)}

    @app.route("/test-limited", methods=["GET", "POST"], endpoint="test_limited")
    @access(Access.PUBLIC)
    @rate_limited("pdf", methods=("POST",))
    def view():
        return "done"

    return app


def test_a_limited_view_answers_429_with_retry_after_and_the_page_in_the_users_language(limited_app):
    client = limited_app.test_client()
    assert [client.post("/test-limited").status_code for _ in range(2)] == [200, 200]
    assert client.get("/test-limited").status_code == 200  # a GET is not counted here
    for lang, title, wait in (
        ("fi", "Liian monta yritystä", "minuutin kuluttua"),
        ("sv", "För många försök", "Du kan försöka igen om"),
        ("en", "Too many attempts", "You can try again in"),
    ):
        client.set_cookie("portal_lang", lang)
        response = client.post("/test-limited")
        assert response.status_code == 429
        assert 1 <= int(response.headers["Retry-After"]) <= 300
        page = response.get_data(as_text=True)
        assert f'lang="{lang}"' in page and title in page and wait in page
        assert "done" not in page
    # The table keeps an HMAC of the address, not the address.
    [(_, client_key, hits)] = counts()
    assert hits == 5 and "127.0.0.1" not in client_key and len(client_key) == 64


def test_a_limit_set_off_lets_every_request_through(limited_app):
    limited_app.config["RATE_LIMITS"]["pdf"] = None
    client = limited_app.test_client()
    assert {client.post("/test-limited").status_code for _ in range(5)} == {200}
    assert counts() == []


def test_the_limit_counts_each_address_apart(limited_app):
    client = limited_app.test_client()
    for _ in range(2):
        client.post("/test-limited", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert client.post("/test-limited", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    assert client.post("/test-limited", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200
    # Without trusted proxies, X-Forwarded-For is the browser's word and is ignored.
    forged = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.post("/test-limited", environ_base=forged).status_code == 429


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(limited_app):
    client = limited_app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(2):
        client.post("/test-limited", environ_base={**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"})
    blocked = client.post("/test-limited", environ_base={**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"})
    assert blocked.status_code == 429
    other = client.post("/test-limited", environ_base={**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.8"})
    assert other.status_code == 200


# --- configuration ------------------------------------------------------------------------------------


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PDF", "5/60")
    monkeypatch.setenv("RATE_LIMIT_UPLOAD", "off")
    limits = load_config()["RATE_LIMITS"]
    assert limits["pdf"] == Limit(5, 60) and limits["upload"] is None and limits["sign_in"] is not None


@pytest.mark.parametrize("value", ["5", "five/60", "0/60", "5/0", "5/60/2", "-1/60"])
def test_a_bad_limit_in_the_environment_is_named_at_start(monkeypatch, value):
    monkeypatch.setenv("RATE_LIMIT_SIGN_IN", value)
    with pytest.raises(ConfigError, match="RATE_LIMIT_SIGN_IN"):
        load_config()


@given(st.text(max_size=20))
def test_parsing_any_text_gives_a_limit_none_or_a_value_error(text):
    try:
        limit = Limit.parse(text)
    except ValueError:
        return
    assert limit is None or (limit.count >= 1 and limit.seconds >= 1)
    if limit is not None:
        assert Limit.parse(f"{limit.count}/{limit.seconds}") == limit


@given(st.integers(1, 10**6), st.integers(1, 10**6))
def test_a_written_limit_parses_back(count, seconds):
    assert Limit.parse(f" {count}/{seconds} ") == Limit(count, seconds)


# --- which routes -------------------------------------------------------------------------------------

LIMITED = {
    "auth.start": "sign_in",
    "orgunits.upload": "upload",
    "rejoins.prepare": "upload",
    "rejoins.technical": "upload",
    "applications.pdf": "pdf",
    "organisations.deployment_test_report": "pdf",
    "reviews.application_pdf_download": "pdf",
    "reviews.decision_document": "pdf",
}


def test_sign_in_start_uploads_and_every_pdf_download_are_limited(app):
    found = {
        endpoint: view.rate_limit
        for endpoint, view in app.view_functions.items()
        if hasattr(view, "rate_limit")
    }
    assert found == LIMITED
    for name in set(LIMITED.values()):
        assert name in app.config["RATE_LIMITS"]
    # A new PDF or upload route (by its path) must be limited too.
    for rule in app.url_map.iter_rules():
        last = rule.rule.rsplit("/", 1)[-1]
        if last in ("pdf", "upload", "sign-in") or last.endswith("-report") or "/documents/" in rule.rule:
            assert rule.endpoint in LIMITED, rule.rule
