"""Welfare-area re-joins: Kela prepares one (the area, the merging organisations, the technical data from a
spreadsheet), sends it, the area's new applications arrive pre-filled, and Kela ends the old commitments."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from portal.applications.models import Application
from portal.audit.models import AuditEvent
from portal.contacts.models import ApplicationContact, Contact
from portal.customers.models import Customership, ServiceInUse
from portal.documents.models import DocumentVersion
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC, WELFARE_AREA
from portal.rejoins.models import RejoinCampaign, RejoinOldUnit
from tests.applications.conftest import (  # noqa: F401
    act_for,
    codeserver,
    fill_connection,
    fill_customer,
    start,
    world,
)
from tests.customers.conftest import app_config, field_errors, page_text, put_in_use  # noqa: F401
from tests.outbox.conftest import smtp  # noqa: F401
from tests.reviews.staff_helpers import sign_in_staff

TECHNICAL_CSV = (
    "palvelu;liityntäpisteen oid;liityntäpisteen nimi;järjestelmä;toimittaja;versio\n"
    "patient_archive;1.2.246.10.32213115.10.1;Kuopion liityntäpiste;Terveyskirjo;Ohjelmisto Oy;5.2\n"
    "Potilastiedon arkisto;1.2.246.10.32213115.10.1;Kuopion liityntäpiste;Hoitokirja;Toinen Oy;1.0\n"
    "Recepttjänsten;;;Reseptori;Ohjelmisto Oy;3\n"
)


def upload(text: str, name: str = "technical.csv"):
    return (io.BytesIO(text.encode()), name)


def prepare(client, area=WELFARE_AREA.business_id, old_units=None, technical=TECHNICAL_CSV):
    data = {
        "area": area,
        "old_units": old_units if old_units is not None else f"{CLINIC.business_id}\n{CARE_HOME.business_id}",
        "file": upload(technical),
    }
    return client.post("/staff/rejoins/new", data=data, content_type="multipart/form-data")


@pytest.fixture
def clinic_in_use(client, world):  # noqa: F811
    """The demo clinic is a Kanta customer with the patient data archive in use."""
    return put_in_use(client, CLINIC, "patient_archive")


def test_kela_prepares_sends_and_ends_a_rejoin(client, clinic_in_use):
    sign_in_staff(client)
    response = prepare(client)
    assert response.status_code == 303, field_errors(response)
    campaign = db.session.scalar(select(RejoinCampaign))
    assert (campaign.area_business_id, campaign.state) == (WELFARE_AREA.business_id, "draft")
    assert [u.business_id for u in campaign.old_units] == [CLINIC.business_id, CARE_HOME.business_id]
    assert campaign.technical["patient_archive"] == {
        "points": [{"oid": "1.2.246.10.32213115.10.1", "name": "Kuopion liityntäpiste"}],
        "systems": [
            {"product": "Terveyskirjo", "vendor": "Ohjelmisto Oy", "version": "5.2"},
            {"product": "Hoitokirja", "vendor": "Toinen Oy", "version": "1.0"},
        ],
    }
    assert campaign.technical["eprescription"]["systems"] == [
        {"product": "Reseptori", "vendor": "Ohjelmisto Oy", "version": "3"}
    ]
    assert "Welfare-area re-join prepared" in page_text(client.get("/staff/audit"))
    listed = client.get("/staff/rejoins/")
    assert listed.status_code == 200
    assert WELFARE_AREA.name in page_text(listed) and "Being prepared" in page_text(listed)
    page = page_text(client.get(response.headers["Location"]))
    assert "Being prepared" in page and "Kuopion liityntäpiste" in page and CLINIC.name in page, page

    # Not sent yet: the area sees nothing and its application starts empty.
    act_for(client, WELFARE_AREA)
    assert "Kela has prepared your technical joining data" not in page_text(client.get("/dashboard"))

    sign_in_staff(client)
    assert client.post(f"/staff/rejoins/{campaign.id}/send").status_code == 303
    db.session.expire_all()
    assert campaign.state == "sent" and campaign.sent_at is not None

    act_for(client, WELFARE_AREA)
    dashboard = page_text(client.get("/dashboard"))
    assert "Kela has prepared your technical joining data" in dashboard
    application_id = start(client, "patient_archive")
    connection = client.get(f"/applications/{application_id}/connection").get_data(as_text=True)
    assert 'value="1.2.246.10.32213115.10.1"' in connection and 'value="Hoitokirja"' in connection
    application = db.session.get(Application, application_id)
    assert "connection" not in application.completed_steps  # the area checks it by saving the step

    sign_in_staff(client)
    refused = client.post(f"/staff/rejoins/{campaign.id}/end", data={})
    assert refused.status_code == 400
    assert "Select the box to confirm" in field_errors(refused)["confirm"]
    assert client.post(f"/staff/rejoins/{campaign.id}/end", data={"confirm": "y"}).status_code == 303
    db.session.expire_all()
    customership = db.session.scalar(
        select(Customership).where(Customership.organisation_business_id == CLINIC.business_id)
    )
    assert (
        customership.ended_at is not None and customership.end_reason == f"rejoin:{WELFARE_AREA.business_id}"
    )
    in_use = db.session.scalars(
        select(ServiceInUse).where(ServiceInUse.organisation_business_id == CLINIC.business_id)
    ).all()
    assert in_use and all(s.ended_at is not None for s in in_use)
    assert all(u.ended_at is not None for u in db.session.scalars(select(RejoinOldUnit)))
    kinds = db.session.scalars(select(AuditEvent.kind)).all()
    assert {"rejoin_prepared", "rejoin_sent", "rejoin_old_commitments_ended", "customership_ended"} <= set(
        kinds
    )
    page = page_text(client.get(f"/staff/rejoins/{campaign.id}"))
    assert "End of Kanta services" in page and "Old commitments ended" in page
    client.set_cookie("portal_lang", "fi")
    customer_page = page_text(client.get(f"/staff/customers/{CLINIC.business_id}"))
    assert f"Yhdistyi organisaatioon {WELFARE_AREA.name} hyvinvointialueen liittymisessä" in customer_page
    client.set_cookie("portal_lang", "en")

    # A second click changes nothing more.
    assert client.post(f"/staff/rejoins/{campaign.id}/end", data={"confirm": "y"}).status_code == 303
    assert db.session.scalars(select(AuditEvent.kind)).all().count("rejoin_old_commitments_ended") == 1


def test_what_is_wrong_is_told_at_each_field_and_what_was_typed_stays(client, world):  # noqa: F811
    sign_in_staff(client)
    bad = "palvelu;liityntäpisteen oid;liityntäpisteen nimi;järjestelmä;toimittaja;versio\n" \
          "kuvat;;;X;Y;1\npatient_archive;1.02.3;Nimi;;;\npatient_archive;;;Tuote;;\n"  # fmt: skip
    response = prepare(client, area="3221311-4", old_units="2958423-0 1234567-1", technical=bad)
    assert response.status_code == 400
    errors = field_errors(response)
    assert "Enter a business ID in the form" in errors["area"]
    assert "1234567-1" in errors["old_units"]
    text = page_text(response)
    assert "Row 2: The service kuvat is not one of the Kanta services" in text
    assert "Row 3: The connection point OID 1.02.3 is not valid" in text
    assert "Row 4: Give the system&#39;s name, vendor and version." in text
    assert "3 rows of the file have problems" in field_errors(response)["file"]
    assert 'value="3221311-4"' in response.get_data(as_text=True)
    assert "2958423-0 1234567-1" in response.get_data(as_text=True)
    assert db.session.scalar(select(RejoinCampaign)) is None


def test_a_file_without_the_columns_or_rows_is_refused(client, world):  # noqa: F811
    sign_in_staff(client)
    response = prepare(client, technical="service,system\npatient_archive,X\n")
    assert response.status_code == 400
    assert "The header row lacks the columns" in page_text(response)
    response = prepare(
        client, technical="palvelu;liityntäpisteen oid;liityntäpisteen nimi;järjestelmä;toimittaja;versio\n"
    )
    assert response.status_code == 400
    assert "The file has no rows of technical data." in page_text(response)


def test_one_rejoin_per_area(client, world):  # noqa: F811
    sign_in_staff(client)
    assert prepare(client, old_units=CLINIC.business_id).status_code == 303
    again = prepare(client, old_units=CLINIC.business_id)
    assert again.status_code == 400
    assert "already been prepared" in field_errors(again)["area"]


def test_customers_cannot_reach_the_rejoin_pages_and_an_unknown_id_is_404(client, world):  # noqa: F811
    sign_in_staff(client)
    prepare(client, old_units=CLINIC.business_id)
    campaign = db.session.scalar(select(RejoinCampaign))
    assert client.get("/staff/rejoins/999999").status_code == 404
    act_for(client, WELFARE_AREA)
    for url in ("/staff/rejoins/", "/staff/rejoins/new", f"/staff/rejoins/{campaign.id}"):
        assert client.get(url).status_code == 403
    assert client.post(f"/staff/rejoins/{campaign.id}/send").status_code == 403


def test_the_area_reuses_the_contacts_of_the_merging_organisations(client, clinic_in_use):
    sign_in_staff(client)
    prepare(client)
    campaign = db.session.scalar(select(RejoinCampaign))
    act_for(client, WELFARE_AREA)
    application_id = start(client, "image_archive")
    fill_connection(client, application_id, "image_archive")
    fill_customer(client, application_id)
    roles = re.findall(
        r'id="role-([a-z_]+)"', client.get(f"/applications/{application_id}/contacts").get_data(as_text=True)
    )
    clinic_contact = db.session.scalar(
        select(Contact).where(
            Contact.organisation_business_id == CLINIC.business_id, Contact.name == "Maija technical"
        )
    )
    # Not offered while the re-join is a draft.
    page = client.get(f"/applications/{application_id}/contacts/{roles[0]}").get_data(as_text=True)
    assert f'value="{clinic_contact.id}"' not in page

    sign_in_staff(client)
    client.post(f"/staff/rejoins/{campaign.id}/send")
    act_for(client, WELFARE_AREA)
    page = client.get(f"/applications/{application_id}/contacts/{roles[0]}").get_data(as_text=True)
    assert f'value="{clinic_contact.id}"' in page and "Maija technical, technical@example.fi" in page
    assert f"({CLINIC.name})" in page
    for role in roles[:2]:
        response = client.post(
            f"/applications/{application_id}/contacts/{role}", data={"contact": str(clinic_contact.id)}
        )
        assert response.status_code == 303, field_errors(response)
    copies = db.session.scalars(
        select(Contact).where(Contact.organisation_business_id == WELFARE_AREA.business_id)
    ).all()
    assert [(c.name, c.email) for c in copies] == [("Maija technical", "technical@example.fi")]
    held = db.session.scalars(
        select(ApplicationContact.contact_id).where(ApplicationContact.application_id == application_id)
    ).all()
    assert held == [copies[0].id, copies[0].id]
    db.session.refresh(clinic_contact)
    assert clinic_contact.organisation_business_id == CLINIC.business_id  # the clinic's own is untouched


def test_the_area_accepts_the_old_patient_data_archiving_on_its_rejoin_page(client, world):  # noqa: F811
    sign_in_staff(client)
    response = client.post(
        "/staff/rejoins/new",
        data={
            "area": WELFARE_AREA.business_id,
            "old_units": CLINIC.business_id,
            "file": upload(TECHNICAL_CSV),
            "old_archiving": "y",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, field_errors(response)
    campaign = db.session.scalar(select(RejoinCampaign))
    assert campaign.old_archiving
    act_for(client, WELFARE_AREA)
    assert client.get("/rejoin/").status_code == 404  # not sent yet

    sign_in_staff(client)
    client.post(f"/staff/rejoins/{campaign.id}/send")
    act_for(client, WELFARE_AREA)
    page = client.get("/rejoin/")
    assert page.status_code == 200
    text = page_text(page)
    assert "Old patient data archiving – service description" in text
    assert "Kuopion liityntäpiste" in text and CLINIC.name in text
    version = db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.service == "old_patient_archiving", DocumentVersion.language == "en"
        )
    )
    assert f'name="version_id" value="{version.id}"' in page.get_data(as_text=True)

    refused = client.post("/rejoin/old-archiving", data={"version_id": str(version.id)})
    assert refused.status_code == 400
    assert "Select the box to accept" in field_errors(refused)["accept"]
    assert (
        client.post("/rejoin/old-archiving", data={"version_id": str(version.id), "accept": "y"}).status_code
        == 303
    )
    assert (
        client.post("/rejoin/old-archiving", data={"version_id": str(version.id), "accept": "y"}).status_code
        == 303
    )
    db.session.expire_all()
    assert campaign.old_archiving_version_id == version.id
    assert campaign.old_archiving_text_sha256 == version.sha256
    assert campaign.old_archiving_accepted_by_name == "Anna Virtanen"
    kinds = db.session.scalars(select(AuditEvent.kind)).all()
    assert kinds.count("rejoin_old_archiving_accepted") == 1
    assert "Anna Virtanen accepted the service description of old patient data archiving" in page_text(
        client.get("/rejoin/")
    )
    sign_in_staff(client)
    assert "Accepted on" in page_text(client.get(f"/staff/rejoins/{campaign.id}"))


def test_the_rejoin_page_is_the_acting_areas_own(client, world):  # noqa: F811
    sign_in_staff(client)
    prepare(client, old_units=CLINIC.business_id)
    campaign = db.session.scalar(select(RejoinCampaign))
    client.post(f"/staff/rejoins/{campaign.id}/send")
    act_for(client, CLINIC)  # another organisation: no re-join of its own
    assert client.get("/rejoin/").status_code == 404
    assert client.post("/rejoin/old-archiving", data={"accept": "y"}).status_code == 404
    act_for(client, WELFARE_AREA)
    assert client.get("/rejoin/").status_code == 200
    # No old patient data archiving in this re-join: nothing to accept.
    assert client.post("/rejoin/old-archiving", data={"accept": "y"}).status_code == 404


def test_the_technical_data_is_replaced_while_a_draft_and_a_file_too_big_is_told(client, world):  # noqa: F811
    sign_in_staff(client)
    prepare(client, old_units=CLINIC.business_id)
    campaign = db.session.scalar(select(RejoinCampaign))
    header = TECHNICAL_CSV.splitlines()[0]
    replaced = client.post(
        f"/staff/rejoins/{campaign.id}/technical",
        data={"file": upload(f"{header}\nimage_archive;1.2.246.10.1.1;Kuvat;PACS;Kuvat Oy;7\n")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 303
    db.session.expire_all()
    assert campaign.technical == {
        "image_archive": {
            "points": [{"oid": "1.2.246.10.1.1", "name": "Kuvat"}],
            "systems": [{"product": "PACS", "vendor": "Kuvat Oy", "version": "7"}],
        }
    }
    huge = header + "\n" + "patient_archive;;;X;Y;1\n" * 120_000  # over 2 MB
    too_big = client.post(
        f"/staff/rejoins/{campaign.id}/technical",
        data={"file": upload(huge)},
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 413
    assert "The file is too big: it can be at most 2 MB." in field_errors(too_big)["file"]
    too_big = prepare(client, area="3221311-5", technical=huge)
    assert too_big.status_code == 413
    assert "The file is too big" in field_errors(too_big)["file"]

    client.post(f"/staff/rejoins/{campaign.id}/send")
    refused = client.post(
        f"/staff/rejoins/{campaign.id}/technical",
        data={"file": upload(TECHNICAL_CSV)},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 303
    db.session.expire_all()
    assert list(campaign.technical) == ["image_archive"]  # unchanged once sent


def test_the_template_to_fill_in_is_a_file_the_prepare_form_takes(client, world):  # noqa: F811
    sign_in_staff(client)
    assert 'href="/staff/rejoins/template.csv"' in client.get("/staff/rejoins/new").get_data(as_text=True)
    response = client.get("/staff/rejoins/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    prepared = prepare(client, technical=response.data.decode("utf-8-sig"))
    assert prepared.status_code == 303, field_errors(prepared)
    campaign = db.session.scalar(select(RejoinCampaign))
    assert sorted(campaign.technical) == ["eprescription", "patient_archive"]


def test_two_prepares_at_once_make_one_rejoin_and_the_second_is_told(client, world, monkeypatch):  # noqa: F811
    """Both pass the check before either has committed (a double click, two reviewers): the database's
    unique area refuses the second, which is told at the field rather than given a 500."""
    from portal.registry.services import find_organisation
    from portal.rejoins import services

    sign_in_staff(client)
    monkeypatch.setattr(services, "area_problem", lambda business_id: (find_organisation(business_id), None))
    assert prepare(client, old_units=CLINIC.business_id).status_code == 303
    again = prepare(client, old_units=CLINIC.business_id)
    assert again.status_code == 400
    assert "already been prepared" in field_errors(again)["area"]
    assert db.session.scalar(select(func.count()).select_from(RejoinCampaign)) == 1
    assert db.session.scalar(select(func.count()).select_from(RejoinOldUnit)) == 1
