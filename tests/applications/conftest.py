"""The wizard through the Flask test client: a synced register mirror from the code-server stand-in,
the documents loaded, and a person acting for a demo organisation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from portal.auth.models import Person
from portal.documents.services import load_documents
from portal.extensions import db
from portal.integrations.codeserver.standin import create_standin_app
from portal.integrations.demo_data import DemoOrganisation
from portal.integrations.serve import ThreadedServer, serve_in_thread
from portal.registry.services import find_organisation
from portal.registry.sync import sync_full


@pytest.fixture(scope="module")
def codeserver() -> Iterator[ThreadedServer]:
    server = serve_in_thread(create_standin_app(size=200, seed=11))
    yield server
    server.stop()


@pytest.fixture
def app_config(codeserver) -> dict:
    return {"CODESERVER_URL": codeserver.url}


@pytest.fixture
def world(app):
    sync_full()
    load_documents()


def act_for(client, organisation: DemoOrganisation, *, name: str = "Anna Virtanen") -> None:
    """Sign a person in and make them act for the organisation, as the sign-in and mandates flow do."""
    given, family = name.split(" ", 1)
    subject = f"{name}-{organisation.business_id}"
    person = db.session.scalar(select(Person).where(Person.subject == subject))
    if person is None:
        person = Person(issuer="http://eid.test", subject=subject, given_name=given, family_name=family)
        db.session.add(person)
        db.session.commit()
    unit = find_organisation(organisation.business_id)
    client.set_cookie("portal_lang", "en")
    with client.session_transaction() as session:
        session.clear()
        session.update(
            person_id=person.id,
            person_name=name,
            staff=False,
            hetu="150378-934B",
            hetu_masked="150378-****",
            acting={
                "business_id": organisation.business_id,
                "name": unit.long_name,
                "oid": unit.oid,
                "register": unit.register,
                "roles": ["TJ"],
            },
        )


def start(client, service: str) -> int:
    response = client.post(f"/applications/apply/{service}")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return int(re.search(r"/applications/(\d+)/", response.headers["Location"]).group(1))


def fill_connection(client, application_id: int, service: str) -> None:
    data = {
        "action": "save",
        "points-0-oid": "1.2.246.10.29584230.10.1",
        "points-0-name": "Päivystyksen liityntäpiste",
        "systems-0-product": "Terveyskirjo",
        "systems-0-vendor": "Ohjelmisto Oy",
        "systems-0-version": "5.2",
    }
    if service == "social_archive":
        data.update(
            {
                "systems-0-profile": "joining",
                "systems-0-stores": "both",
                "systems-0-service_tasks": first_service_task(),
            }
        )
    if service == "eprescription":
        data["renewal_requests"] = "no"
    response = client.post(f"/applications/{application_id}/connection", data=data)
    assert response.status_code == 303, errors(response)


def first_service_task() -> str:
    from portal.registry.services import service_tasks

    return service_tasks("en")[0][0]


def fill_customer(client, application_id: int) -> None:
    response = client.post(
        f"/applications/{application_id}/customer",
        data={
            "street_address": "Mannerheimintie 1",
            "postal_code": "00100",
            "post_office": "Helsinki",
            "phone": "09 123 4567",
            "decision_email": "paatokset@example.fi",
        },
    )
    assert response.status_code == 303, errors(response)


def fill_contacts(client, application_id: int) -> None:
    page = client.get(f"/applications/{application_id}/contacts").get_data(as_text=True)
    for role in re.findall(r'id="role-([a-z_]+)"', page):
        response = client.post(
            f"/applications/{application_id}/contacts/{role}",
            data={
                "contact": "new",
                "kind": "person",
                "name": f"Maija {role}",
                "email": f"{role}@example.fi",
                "phone": "040 123 4567",
                "certificate_number": "12345678901",
            },
        )
        assert response.status_code == 303, errors(response)
    response = client.post(f"/applications/{application_id}/contacts")
    assert response.status_code == 303, errors(response)


def fill_billing(client, application_id: int) -> None:
    response = client.post(
        f"/applications/{application_id}/billing",
        data={
            "business_id": "2958423-0",
            "method": "einvoice",
            "einvoice_address": "003729584230",
            "operator_code": "003721291126",
            "reference": "Kanta 2026",
        },
    )
    assert response.status_code == 303, errors(response)


def accept(client, application_id: int, step: str, box: str) -> None:
    response = client.post(f"/applications/{application_id}/{step}", data={box: "y"})
    assert response.status_code == 303, errors(response)


def walk_to_summary(client, service: str) -> int:
    """Fill every step of a new application with valid data; return its id."""
    application_id = start(client, service)
    fill_connection(client, application_id, service)
    fill_customer(client, application_id)
    fill_contacts(client, application_id)
    if client.get(f"/applications/{application_id}/billing").status_code == 200:  # not for every service
        fill_billing(client, application_id)
    accept(client, application_id, "description", "accept")
    if client.get(f"/applications/{application_id}/commitment").status_code == 200:
        accept(client, application_id, "commitment", "sign")
    return application_id


def errors(response) -> str:
    page = response.get_data(as_text=True)
    return (
        " | ".join(re.findall(r'govuk-error-message">\s*<span[^>]*>[^<]*</span>\s*([^<]+)<', page))
        or page[:300]
    )
