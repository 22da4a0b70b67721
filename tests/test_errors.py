"""Error pages: generic, in the user's language, without details of the cause, and still there when
the database is down."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import tinyhtml5
from flask import Flask, abort
from flask_babel import force_locale, gettext

from portal.access import Access, access
from portal.errors import PAGES
from portal.extensions import db
from tests.conftest import BACKEND, POSTGRES_ADMIN_URL, make_app

SECRET = "internal detail 5f3a"


def parse(html: str):
    return tinyhtml5.parse(html, namespace_html_elements=False)


def heading(response) -> str:
    return " ".join(" ".join(parse(response.get_data(as_text=True)).find(".//h1").itertext()).split())


def in_language(lang: str, message) -> str:
    with force_locale(lang):
        return gettext(str(message._args[0]) if hasattr(message, "_args") else str(message))


def add_failing_routes(app: Flask) -> None:
    @access(Access.PUBLIC)
    def fail(code: int):
        abort(code)

    @access(Access.PUBLIC)
    def crash():
        raise RuntimeError(SECRET)

    app.add_url_rule("/test-only/abort/<int:code>", "test_abort", fail)
    app.add_url_rule("/test-only/crash", "test_crash", crash)


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_not_found_page_is_generic_and_in_the_chosen_language(client, lang):
    client.set_cookie("portal_lang", lang)
    response = client.get("/no-such-page")
    page = parse(response.get_data(as_text=True))

    assert response.status_code == 404
    assert page.get("lang") == lang
    assert heading(response) == in_language(lang, PAGES[404].title)
    assert page.find(".//main//a[@href='/']") is not None
    assert page.find(".//nav[@class='govuk-language-navigation']") is not None


def test_method_not_allowed_page_keeps_the_allow_header(client):
    response = client.post("/accessibility")

    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert heading(response) == str(PAGES[405].title)
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_expired_form_says_so_in_the_users_language(client, app_config):
    client.set_cookie("portal_lang", "sv")
    response = client.post("/sign-in", data={})

    assert response.status_code == 400
    assert parse(response.get_data(as_text=True)).get("lang") == "sv"
    assert heading(response) == in_language("sv", PAGES["csrf"].title)
    assert "CSRF" not in response.get_data(as_text=True)
    assert "Location" not in response.headers  # not sent on to the identity provider


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 413, 429])
def test_each_client_error_has_its_page(app, client, code):
    add_failing_routes(app)
    response = client.get(f"/test-only/abort/{code}")

    assert response.status_code == code
    assert heading(response) == str(PAGES[code].title)


def test_other_errors_fall_back_to_the_generic_pages(app, client):
    add_failing_routes(app)

    assert heading(client.get("/test-only/abort/410")) == str(PAGES[400].title)
    response = client.get("/test-only/abort/503")
    assert response.status_code == 503
    assert heading(response) == str(PAGES[500].title)


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_server_error_page_shows_nothing_of_the_cause(app, client, app_config):
    add_failing_routes(app)
    response = client.get("/test-only/crash")
    html = response.get_data(as_text=True)

    assert response.status_code == 500
    assert heading(response) == str(PAGES[500].title)
    assert SECRET not in html
    assert "Traceback" not in html and "RuntimeError" not in html


def test_error_pages_render_while_the_database_is_down(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'portal.db'}", PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()
    client.set_cookie("portal_lang", "en")
    # A session cookie makes the request read the database before anything else, and fail.
    client.set_cookie("portal_session", "a-session-token-of-some-length")

    response = client.get("/")
    page = parse(response.get_data(as_text=True))

    assert response.status_code == 500
    assert page.get("lang") == "en"
    assert heading(response) == str(PAGES[500].title)
    assert page.find(".//main[@id='main-content']") is not None
    # Without a database there is no session, hence no form token: the switch still shows.
    assert page.find(".//nav[@class='govuk-language-navigation']") is not None


def test_any_page_gets_the_generic_page_while_the_database_is_down(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'portal.db'}", PROPAGATE_EXCEPTIONS=False)
    # A visitor without a session needs nothing from the database to be told the page is not there.
    response = app.test_client().get("/no-such-page", headers={"Accept-Language": "en"})

    assert response.status_code == 404
    assert heading(response) == str(PAGES[404].title)


@pytest.mark.skipif(BACKEND != "postgresql", reason="the server ends the connection (as a restart does)")
def test_a_connection_lost_as_the_request_ends_still_gives_the_page_made(migrated):
    """PostgreSQL restarting just as a request ends: the teardown's rollback fails on the dead
    connection. The browser still gets the page the view made (not the server's bare "Internal Server
    Error"), and the next request gets a new connection."""
    app = make_app(migrated)
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    @access(Access.PUBLIC)
    def lose_connection():
        pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return f"made on {pid}"

    @access(Access.PUBLIC)
    def backend():
        return str(db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())

    app.add_url_rule("/test-only/lose-connection", "test_lose_connection", lose_connection)
    app.add_url_rule("/test-only/backend", "test_backend", backend)
    client = app.test_client()  # no app context around the requests: each has its own, as when served
    try:
        lost = client.get("/test-only/lose-connection")
        assert lost.status_code == 200 and lost.get_data(as_text=True).startswith("made on ")
        killed = lost.get_data(as_text=True).removeprefix("made on ")
        after = client.get("/test-only/backend")
        assert after.status_code == 200 and after.get_data(as_text=True) != killed
    finally:
        admin.dispose()
        with app.app_context():
            db.engine.dispose()
