"""Kela staff's pages of customer data: the list of customers with their services in use and its filters,
an organisation's page (services, contacts by role, billing details, the history of its changes), and the
changes of all organisations. Services are put in use as Kela does: an application sent through the
wizard and approved with decide()."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.customers.models import Customership, ServiceInUse, ServiceRole
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC, PHARMACY
from portal.reviews.services import Reviewer, decide
from tests.applications.conftest import act_for
from tests.reviews.conftest import app_config, codeserver, send_application, world  # noqa: F401
from tests.reviews.staff_helpers import KAISA, field_error, sign_in_staff

REVIEWER = Reviewer(None, KAISA)


def put_in_use(client, organisation=CLINIC, service: str = "patient_archive") -> ServiceInUse:
    """The organisation's application for the service, sent and approved."""
    application_id = send_application(client, service, organisation)
    decide(application_id, "approve", "", REVIEWER, round=1)
    return db.session.scalar(select(ServiceInUse).where(ServiceInUse.application_id == application_id))


@pytest.fixture
def customers(client, world):  # noqa: F811
    """The clinic with the patient data archive and ePrescription, the care home with the social welfare
    archive; a reviewer signed in."""
    put_in_use(client, CLINIC, "patient_archive")
    put_in_use(client, CLINIC, "eprescription")
    put_in_use(client, CARE_HOME, "social_archive")
    sign_in_staff(client)
    return client


def listed(response) -> list[str]:
    """The business ids of the customers a list page shows, in order."""
    assert response.status_code == 200, response.status_code
    return re.findall(r'href="/staff/customers/(\d{7}-\d)"', response.get_data(as_text=True))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def organisation_name(business_id: str) -> str:
    return db.session.scalar(
        select(Customership.organisation_name).where(Customership.organisation_business_id == business_id)
    )


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_shows_every_customer_with_its_services_in_use(customers):
    response = customers.get("/staff/customers/")
    assert sorted(listed(response)) == sorted([CLINIC.business_id, CARE_HOME.business_id])
    page = text_of(response)
    for name in (organisation_name(CLINIC.business_id), organisation_name(CARE_HOME.business_id)):
        assert name in page
    assert "Patient data archive" in page and "ePrescription" in page
    assert "Social welfare client data archive" in page
    assert "Showing 1–2 of 2" in page


def test_the_staff_home_links_to_the_customers(customers):
    assert 'href="/staff/customers/"' in customers.get("/staff/").get_data(as_text=True)


def test_the_list_filters_by_name_business_id_oid_and_service(customers):
    clinic_oid = db.session.scalar(
        select(Customership.organisation_oid).where(
            Customership.organisation_business_id == CLINIC.business_id
        )
    )
    part = organisation_name(CARE_HOME.business_id).split()[0].upper()
    assert listed(customers.get("/staff/customers/", query_string={"organisation": part})) == [
        CARE_HOME.business_id
    ]
    assert listed(customers.get(f"/staff/customers/?organisation={CLINIC.business_id}")) == [
        CLINIC.business_id
    ]
    assert listed(customers.get(f"/staff/customers/?organisation={clinic_oid}")) == [CLINIC.business_id]
    assert listed(customers.get("/staff/customers/?service=social_archive")) == [CARE_HOME.business_id]
    assert listed(customers.get("/staff/customers/?service=eprescription")) == [CLINIC.business_id]
    response = customers.get("/staff/customers/?service=image_archive")
    assert listed(response) == [] and "No customers match the filters." in text_of(response)
    # A percent sign is a character to look for, not a wildcard.
    assert listed(customers.get("/staff/customers/?organisation=%25")) == []


def test_an_ended_service_no_longer_counts_as_in_use(customers):
    db.session.execute(
        update(ServiceInUse)
        .where(ServiceInUse.service == "eprescription")
        .values(ended_at=datetime(2026, 5, 1, tzinfo=UTC), end_reason="Terminated")
    )
    db.session.commit()
    assert listed(customers.get("/staff/customers/?service=eprescription")) == []
    page = text_of(customers.get(f"/staff/customers/{CLINIC.business_id}"))
    assert "Services no longer in use" in page and "Terminated" in page


def test_filters_that_cannot_be_read_are_shown_at_their_fields(customers):
    response = customers.get("/staff/customers/?service=x-ray")
    assert response.status_code == 400
    assert field_error(response, "service") == "Choose a service from the list"
    assert "Download the customer data" not in response.get_data(as_text=True)
    response = customers.get("/staff/customers/", query_string={"organisation": "x" * 201})
    assert response.status_code == 400
    assert field_error(response, "organisation") == "Enter at most 200 characters"


def test_the_list_is_by_name_a_page_at_a_time(app, client):
    sign_in_staff(client)
    for n in range(55):
        db.session.add(
            Customership(
                organisation_business_id=f"{2000000 + n:07d}-{n % 10}",
                organisation_oid=f"1.2.246.10.{2000000 + n}.10.0",
                organisation_name=f"Organisation {54 - n:02d}",
            )
        )
    db.session.commit()
    first = client.get("/staff/customers/")
    assert "Showing 1–50 of 55" in text_of(first)
    assert listed(first)[0] == "2000054-4"  # "Organisation 00"
    second = client.get("/staff/customers/?page=2")
    assert listed(second) == [f"{2000000 + n:07d}-{n % 10}" for n in (4, 3, 2, 1, 0)]


# --- an organisation ------------------------------------------------------------------------------------


def test_the_organisation_page_shows_services_contacts_by_role_and_billing(customers):
    response = customers.get(f"/staff/customers/{CLINIC.business_id}")
    assert response.status_code == 200
    page = text_of(response)
    assert organisation_name(CLINIC.business_id) in page and CLINIC.business_id in page
    assert "Patient data archive" in page and "ePrescription" in page
    assert "Social welfare client data archive" not in page
    # The wizard's contacts: "Maija <role>", <role>@example.fi; the archivist's certificate number.
    assert "Archivist Maija archivist" in page and "archivist@example.fi" in page and "12345678901" in page
    assert "Data protection officer Maija data_protection" in page
    # The billing details sent in the application.
    assert "E-invoice address 003729584230" in page and "Reference Kanta 2026" in page
    in_use = db.session.scalar(select(ServiceInUse).where(ServiceInUse.service == "patient_archive"))
    assert f'href="/staff/applications/{in_use.application_id}"' in response.get_data(as_text=True)


def test_a_contact_serving_another_service_is_marked_shared(customers):
    services = {
        s.service: s
        for s in db.session.scalars(
            select(ServiceInUse).where(ServiceInUse.organisation_business_id == CLINIC.business_id)
        )
    }
    archivist = db.session.scalar(
        select(ServiceRole).where(
            ServiceRole.service_in_use_id == services["patient_archive"].id, ServiceRole.role == "archivist"
        )
    )
    db.session.execute(
        update(ServiceRole)
        .where(
            ServiceRole.service_in_use_id == services["eprescription"].id,
            ServiceRole.role == "technical",
        )
        .values(contact_id=archivist.contact_id)
    )
    db.session.commit()
    page = text_of(customers.get(f"/staff/customers/{CLINIC.business_id}"))
    assert "Maija archivist Shared Also serves: ePrescription: Technical contact point" in page
    assert "Maija archivist Shared Also serves: Patient data archive: Archivist" in page
    assert page.count("Shared") == 2


def test_an_organisation_that_is_not_a_customer_is_not_found(customers):
    for business_id in ("0116297-6", "2958423", "not-an-id", "2958423-0x", "%20"):
        assert customers.get(f"/staff/customers/{business_id}").status_code == 404, business_id


# --- the history of changes -------------------------------------------------------------------------------


def change(kind: str, old: dict | None, new: dict | None, *, organisation=CLINIC, at=None, detail=None):
    """An audit event as the customer's pages record a change (portal.customers.services)."""
    event = record(
        kind,
        object_type="contact",
        object_id="1",
        old=old,
        new=new,
        detail=detail,
        actor_name="Anna Virtanen",
        organisation={"business_id": organisation.business_id, "name": organisation.name},
    )
    if at is not None:
        event.at = at
    db.session.commit()
    return event


def history_cells(response, heading: str = "History of changes") -> list[list[str]]:
    """The rows of the table of changes under the heading, each a list of its cells' texts."""
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    after = body[body.index(f">{heading}<") :]
    if "<tbody" not in after:
        return []
    table = after[after.index("<tbody") : after.index("</tbody>")]
    return [
        [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr class=\"govuk-table__row\"[^>]*>(.*?)</tr>", table, re.S)
    ]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_history_says_who_changed_what_when_old_to_new(customers):
    change(
        "customer_contact_updated",
        {"email": "archivist@example.fi", "phone": "+358401234567"},
        {"email": "maija.arkisto@example.fi", "phone": None},
        detail={"name": "Maija archivist", "services": ["patient_archive", "eprescription"]},
        at=datetime(2030, 6, 1, 9, 30, tzinfo=UTC),
    )
    change(
        "service_billing_changed",
        {"method": "einvoice", "reference": "Kanta 2026"},
        {"method": "address", "reference": "Kanta 2027"},
        detail={"service": "patient_archive"},
        at=datetime(2030, 6, 2, 9, 30, tzinfo=UTC),
    )
    change("customer_contact_updated", {"name": "Other"}, {"name": "Other org"}, organisation=CARE_HOME)
    rows = history_cells(customers.get(f"/staff/customers/{CLINIC.business_id}"))
    assert [row[1:] for row in rows[:2]] == [
        [
            "Anna Virtanen",
            "Billing details changed Patient data archive",
            "Invoicing: E-invoice → Paper invoice to a billing address Reference: Kanta 2026 → Kanta 2027",
        ],
        [
            "Anna Virtanen",
            "Contact details changed Maija archivist Applies to: Patient data archive, ePrescription",
            "E-mail address: archivist@example.fi → maija.arkisto@example.fi "
            "Phone number: +358401234567 → (empty)",
        ],
    ]
    assert rows[0][0] == "6/2/30, 12:30 PM"  # 09:30 UTC is 12:30 in Finnish summer time
    # Then Kela's approval: the services put in use and the customership created, by the reviewer.
    assert [row[1:3] for row in rows[2:]] == [
        [KAISA, "Service activated ePrescription"],
        [KAISA, "Service activated Patient data archive"],
        [KAISA, "Kanta customership created"],
    ]


def test_a_change_on_the_customers_own_page_is_in_the_staff_history(customers):
    in_use = db.session.scalar(select(ServiceInUse).where(ServiceInUse.service == "patient_archive"))
    act_for(customers, CLINIC)
    response = customers.post(
        f"/services/{in_use.id}/billing",
        data={
            "business_id": CLINIC.business_id,
            "method": "address",
            "street_address": "Laskutie 1",
            "postal_code": "00100",
            "post_office": "Helsinki",
            "reference": "Kanta 2027",
            "version": str(in_use.billing_version),
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    sign_in_staff(customers)
    page = customers.get(f"/staff/customers/{CLINIC.business_id}")
    newest = history_cells(page)[0]
    assert newest[1:3] == ["Anna Virtanen", "Billing details changed Patient data archive"]
    assert "Reference: Kanta 2026 → Kanta 2027" in newest[3]
    assert "Street address Laskutie 1 Postcode 00100 Post office Helsinki" in text_of(page)
    changes = history_cells(customers.get("/staff/customers/changes"), "Changes, newest first")
    assert changes[0][2:4] == [
        f"{organisation_name(CLINIC.business_id)} {CLINIC.business_id}",
        "Billing details changed Patient data archive",
    ]


def test_the_history_leaves_out_what_is_not_customer_data(customers):
    organisation = {"business_id": CLINIC.business_id}
    record("sign_in", actor_name="Anna Virtanen", organisation=organisation)
    record("application_contact_set", new={"role": "technical"}, organisation=organisation)
    db.session.commit()
    rows = history_cells(customers.get(f"/staff/customers/{CLINIC.business_id}"))
    assert len(rows) == 3 and not any("Signed in" in row[2] or "application" in row[2] for row in rows)


# --- the changes of all organisations -------------------------------------------------------------------


def test_the_changes_page_filters_by_organisation_person_kind_and_date(customers):
    db.session.execute(AuditEvent.__table__.delete())
    db.session.commit()
    change("customer_contact_created", None, {"name": "Uusi"}, at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    at = datetime(2026, 6, 3, 9, tzinfo=UTC)
    change("customer_contact_updated", {"name": "A"}, {"name": "B"}, organisation=CARE_HOME, at=at)
    at = datetime(2026, 6, 5, 21, 30, tzinfo=UTC)  # 00:30 on 6 June in Finland
    change("service_billing_changed", {"reference": "1"}, {"reference": "2"}, at=at)
    record("sign_in", actor_name="Anna Virtanen", organisation={"business_id": CLINIC.business_id})
    db.session.commit()

    def changes(**args) -> list[str]:
        """The changes listed: their titles."""
        response = customers.get("/staff/customers/changes", query_string=args)
        rows = history_cells(response, "Changes, newest first")
        return [
            re.match(r"(Billing details changed|Contact details changed|Contact added)", row[3])[1]
            for row in rows
        ]

    assert changes() == ["Billing details changed", "Contact details changed", "Contact added"]
    assert changes(business_id=CARE_HOME.business_id) == ["Contact details changed"]
    assert changes(kind="customer_contact_created") == ["Contact added"]
    assert changes(person="virtanen", date_from="6.6.2026") == ["Billing details changed"]
    assert changes(date_from="2.6.2026", date_to="5.6.2026") == ["Contact details changed"]
    assert changes(person="Kaisa") == []
    page = customers.get("/staff/customers/changes").get_data(as_text=True)
    assert f'href="/staff/customers/{CARE_HOME.business_id}"' in page


def test_the_changes_page_shows_bad_filters_at_their_fields(customers):
    response = customers.get("/staff/customers/changes?kind=sign_in")
    assert response.status_code == 400
    assert field_error(response, "kind") == "Choose a change from the list"
    response = customers.get("/staff/customers/changes?date_from=31.2.2026")
    assert field_error(response, "date_from") == "Enter a real date, like 1.3.2026"


# --- who may see them ------------------------------------------------------------------------------------


ARGUMENTS = {"business_id": CLINIC.business_id, "part": "billing"}


def customer_routes(app) -> list[str]:
    """Every staff page of customer data, with an argument where it takes one."""
    return [
        rule.build({name: ARGUMENTS[name] for name in rule.arguments})[1]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("customers_staff.")
    ]


def test_customers_get_403_and_anonymous_users_are_sent_to_sign_in(app, client, world):  # noqa: F811
    put_in_use(client, PHARMACY, "eprescription")
    urls = customer_routes(app)
    assert len(urls) == 6
    act_for(client, PHARMACY)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
    refused = set(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.kind == "access_refused")))
    assert {"customers_staff.customers", "customers_staff.export_xlsx"} <= refused
    anonymous = app.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in"), url


def test_the_history_is_a_page_at_a_time(app, client):
    sign_in_staff(client)
    db.session.add(
        Customership(
            organisation_business_id=CLINIC.business_id,
            organisation_oid="1.2.246.10.29584230.10.1",
            organisation_name=CLINIC.name,
        )
    )
    db.session.commit()
    for n in range(55):
        at = datetime(2026, 6, 1, 9, n, tzinfo=UTC)
        change(
            "customer_contact_updated",
            {"email": f"old{n}@example.fi"},
            {"email": f"new{n}@example.fi"},
            at=at,
        )
    first = client.get(f"/staff/customers/{CLINIC.business_id}")
    assert "Showing 1–50 of 55" in text_of(first)
    assert "new54@example.fi" in history_cells(first)[0][3]
    second = client.get(f"/staff/customers/{CLINIC.business_id}?page=2")
    assert [row[3] for row in history_cells(second)] == [
        f"E-mail address: old{n}@example.fi → new{n}@example.fi" for n in (4, 3, 2, 1, 0)
    ]
