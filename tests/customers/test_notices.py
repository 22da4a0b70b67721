"""The notice of a change to customer data: queued in the change's transaction, delivered by the
outbox worker to the real SMTP stand-in, to the administrative contacts before and after the change,
in the language of the user who made it, saying what changed and never a henkilötunnus."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.outbox.worker import run_once
from tests.customers.conftest import app_config, change_reference, holder, notices  # noqa: F401


def test_a_contact_change_reaches_the_administrative_contact_through_smtp(app, client, archive, smtp):
    administrative = holder(archive, "administrative")
    technical = holder(archive, "technical")
    client.set_cookie("portal_lang", "sv")
    data = {
        "kind": "person",
        "name": technical.name,
        "email": "tekniikka@example.fi",
        "phone": technical.phone,
        "version": "1",
    }
    assert client.post(f"/services/{archive.id}/contacts/{technical.id}", data=data).status_code == 303
    [notice] = notices()
    assert notice.language == "sv" and notice.recipients == [administrative.email]

    assert run_once(app, name="test") == 1

    [received] = smtp.wait_for(1)
    assert received.rcpt_tos == (administrative.email,)
    assert received.message["Message-ID"] == notice.message_id
    with force_locale("sv"):
        assert received.subject == _(
            "Customer data changed in the Kanta services: %(organisation)s",
            organisation="Lääkärikeskus Kuusi Oy",
        )
        changed, email_label = _("Contact details changed"), _("E-mail address")
    body = received.body()
    assert f"{changed}: {technical.name}" in body
    assert f"- {email_label}: technical@example.fi → tekniikka@example.fi" in body
    assert "Anna Virtanen" in body and "/services/history" in body
    assert "150378" not in received.raw.decode("utf-8", "replace")


def test_a_henkilotunnus_typed_into_a_field_never_reaches_the_notice(app, client, archive, smtp):
    technical = holder(archive, "technical")
    data = {
        "kind": "person",
        "name": "Teppo 010190-123M",
        "email": technical.email,
        "phone": technical.phone,
        "version": "1",
    }
    assert client.post(f"/services/{archive.id}/contacts/{technical.id}", data=data).status_code == 303
    [notice] = notices()
    assert "010190-123M" not in notice.body and "010190-123M" not in notice.subject
    run_once(app, name="test")
    [received] = smtp.wait_for(1)
    assert "010190-123M" not in received.raw.decode("utf-8", "replace")


def test_changing_the_administrative_contact_tells_the_one_replaced(client, archive):
    old = holder(archive, "administrative")
    new = holder(archive, "billing")
    url = f"/services/{archive.id}/roles/administrative"
    client.post(url, data={"contact": str(new.id), "holder": str(old.id)})
    [notice] = notices()
    assert notice.recipients == [old.email, new.email]
    assert "Contact for a role changed" in notice.body and f"{old.name} → {new.name}" in notice.body


def test_a_billing_change_is_noticed(client, archive):
    change_reference(client, archive, "Uusi viite")
    [notice] = notices()
    assert "Billing details changed: Patient data archive" in notice.body
    assert "- Reference: Kanta 2026 → Uusi viite" in notice.body


def test_a_refused_change_sends_nothing(client, archive):
    technical = holder(archive, "technical")
    data = {"kind": "person", "name": "X", "email": technical.email, "phone": technical.phone, "version": "7"}
    assert client.post(f"/services/{archive.id}/contacts/{technical.id}", data=data).status_code == 409
    assert notices() == []
