"""The portal with its mandates and code-server stand-ins on 127.0.0.1, and a synced register mirror.
A signed-in person is set up through the session (sign-in itself is tested in tests/auth)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from portal.integrations.codeserver.standin import create_standin_app as codeserver_app
from portal.integrations.demo_data import DemoPerson
from portal.integrations.mandates.standin import create_standin_app as mandates_app
from portal.integrations.serve import ThreadedServer, serve_in_thread
from portal.registry.sync import sync_full
from tests.integrations.mandates.helpers import read_page, submit

MANDATES = {
    "MANDATES_CLIENT_ID": "portal-test",
    "MANDATES_CLIENT_SECRET": "s3cret",
    "MANDATES_API_KEY": "k3y",
}


@pytest.fixture(scope="module")
def mandates() -> Iterator[ThreadedServer]:
    server = serve_in_thread(
        mandates_app(
            MANDATES["MANDATES_CLIENT_ID"], MANDATES["MANDATES_CLIENT_SECRET"], MANDATES["MANDATES_API_KEY"]
        )
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def codeserver() -> Iterator[ThreadedServer]:
    server = serve_in_thread(codeserver_app(size=200, seed=7))
    yield server
    server.stop()


@pytest.fixture
def app_config(mandates, codeserver) -> dict:
    return {**MANDATES, "MANDATES_URL": mandates.url, "CODESERVER_URL": codeserver.url}


@pytest.fixture
def mirror(app):
    sync_full()


def signed_in_as(client, person: DemoPerson) -> None:
    """Put a signed-in person in the client's session, as sign-in leaves it."""
    from portal.auth.models import Person
    from portal.extensions import db
    from portal.identifiers import mask_hetu

    row = Person(
        issuer="http://eid.test",
        subject=person.sub,
        given_name=person.given_name,
        family_name=person.family_name,
    )
    db.session.add(row)
    db.session.commit()
    client.set_cookie("portal_lang", "en")
    with client.session_transaction() as session:
        session["person_id"] = row.id
        session["person_name"] = f"{person.given_name} {person.family_name}"
        session["staff"] = False
        if person.hetu:
            session["hetu"] = person.hetu
            session["hetu_masked"] = mask_hetu(person.hetu)


def choose(client, business_id: str | None, *, button: str = "Continue"):
    """Press "Choose organisation", pick one on the mandates stand-in, and follow the way back."""
    to_mandates = client.post("/organisation")
    assert to_mandates.status_code == 303
    web = requests.Session()
    chooser = read_page(web.get(to_mandates.headers["Location"], timeout=10))
    back = submit(web, chooser, button=button, organisation=business_id)
    parts = urlsplit(back.headers["Location"])
    return client.get(f"{parts.path}?{parts.query}")
