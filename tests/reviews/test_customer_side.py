"""Kela's decisions as the customer sees them: the dashboard's status in words and Kela's message, the
returned application's notice on every wizard page, the history of rounds on the status page, and the
deployment-test report template after approval."""

from __future__ import annotations

import re
import subprocess
import tomllib
from html import unescape

import pytest
from sqlalchemy import event

from portal.applications.models import Application
from portal.documents.deployment_test import CASE_GROUPS, LABELS, TEXTS_DIR, case_groups, report_text
from portal.documents.models import LANGUAGES
from portal.extensions import db
from portal.integrations.demo_data import CARE_HOME, CLINIC
from portal.reviews.customer import return_notice
from portal.reviews.services import Reviewer, decide
from portal.templating import format_date
from tests.applications.conftest import act_for
from tests.reviews.conftest import send_application

REVIEWER = Reviewer(None, "Kaisa Kelanen")
RETURN_MESSAGE = "Add the connection point of the second unit.\nThe system version is out of support."
REJECT_REASON = "The organisation has no operating licence for health care."


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return unescape(response.get_data(as_text=True))


def text_of(html: str) -> str:
    """The page's main content as text, with whitespace collapsed."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def service_item(html: str, service: str) -> str:
    match = re.search(
        rf'<li class="portal-service-list__item" id="service-{service}">(.*?)</li>\s*(?:<li|</ul>)',
        html,
        re.S,
    )
    assert match, service
    return match.group(1)


def application(application_id: int) -> Application:
    db.session.expire_all()
    return db.session.get(Application, application_id)


def decided_on(application_id: int) -> str:
    from portal.reviews.services import current_decision

    with_date = current_decision(application(application_id))
    return format_date(with_date.decided_at)


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF")
    out = subprocess.run(["pdftotext", "-", "-"], input=body, capture_output=True, check=True).stdout
    return " ".join(out.decode("utf-8").split())


# --- the dashboard --------------------------------------------------------------------------------


def test_dashboard_says_each_status_in_words_with_kelas_message(app, client, world):
    approved = send_application(client, "patient_archive")
    rejected = send_application(client, "eprescription")
    returned = send_application(client, "image_archive")
    decide(approved, "approve", "Welcome to Kanta.", REVIEWER, round=1)
    decide(rejected, "reject", REJECT_REASON, REVIEWER, round=1)
    decide(returned, "return", RETURN_MESSAGE, REVIEWER, round=1)
    act_for(client, CLINIC)
    html = page(client, "/dashboard")

    item = text_of(f"<main>{service_item(html, 'patient_archive')}</main>")
    assert f"In use since {decided_on(approved)}" in item
    assert (
        f"Kela approved your application on {decided_on(approved)} with this message: Welcome to Kanta."
        in item
    )
    assert "Next step: the deployment test" in item
    assert "kanta@kanta.fi" in item
    assert f'href="/dashboard/applications/{approved}/deployment-test-report"' in service_item(
        html, "patient_archive"
    )
    assert "/applications/apply/patient_archive" not in service_item(html, "patient_archive")

    item = service_item(html, "eprescription")
    assert f"Rejected on {decided_on(rejected)}" in text_of(f"<main>{item}</main>")
    assert (
        f"Kela rejected your application on {decided_on(rejected)}. The reason: {REJECT_REASON}"
        in text_of(f"<main>{item}</main>")
    )
    assert "/applications/apply/eprescription" in item  # may apply again
    assert f'href="/applications/{rejected}"' in item
    assert "deployment-test-report" not in item

    item = service_item(html, "image_archive")
    words = text_of(f"<main>{item}</main>")
    assert "Returned for completion" in words
    assert (
        f"Kela returned your application for completion on {decided_on(returned)}: "
        "Add the connection point of the second unit. The system version is out of support." in words
    )
    # Each line of the message its own paragraph.
    assert '<p class="govuk-body">The system version is out of support.</p>' in item
    assert "Complete your application" in words
    assert re.search(rf'href="/applications/{returned}/(summary|connection)"', item)


def test_dashboard_of_a_draft_and_a_sent_application(app, client, world):
    sent = send_application(client, "patient_archive")
    act_for(client, CLINIC)
    client.post("/applications/apply/image_archive")
    html = page(client, "/dashboard")
    assert f"Submitted {format_date(application(sent).submitted_at)}" in text_of(
        f"<main>{service_item(html, 'patient_archive')}</main>"
    )
    draft = text_of(f"<main>{service_item(html, 'image_archive')}</main>")
    assert "Draft, not sent" in draft and "Continue your application" in draft
    assert "Kela" not in draft
    assert "Not applied for" in text_of(f"<main>{service_item(html, 'eprescription')}</main>")


def test_a_message_is_text_not_markup(app, client, world):
    sent = send_application(client)
    decide(sent, "return", "<script>alert(1)</script> & more", REVIEWER, round=1)
    act_for(client, CLINIC)
    raw = client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in raw
    raw = client.get(f"/applications/{sent}/summary").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in raw


# --- the returned application in the wizard -------------------------------------------------------

WIZARD_PAGES = ("connection", "customer", "contacts", "billing", "description", "summary")


def test_a_returned_application_shows_kelas_message_on_every_wizard_page(app, client, sent):
    decide(sent, "return", RETURN_MESSAGE, REVIEWER, round=1)
    act_for(client, CLINIC)
    expected = (
        f"Kela returned your application for completion on {decided_on(sent)}: "
        "Add the connection point of the second unit. The system version is out of support."
    )
    for step in WIZARD_PAGES:
        html = page(client, f"/applications/{sent}/{step}")
        banner = html.split('class="govuk-notification-banner"', 1)[1].split("</div>\n</div>", 1)[0]
        assert 'aria-labelledby="return-notice-title"' in banner, step
        assert expected in text_of(f"<main>{banner}</main>"), step
        # The banner comes before the page's heading.
        assert html.index("return-notice-title") < html.index('<h1 class="govuk-heading-l">'), step
    # A contact role's page is a wizard page too.
    html = page(client, f"/applications/{sent}/contacts/technical")
    assert "return-notice-title" in html
    # The status page of a returned application is its summary.
    assert client.get(f"/applications/{sent}").headers["Location"].endswith(f"/applications/{sent}/summary")


def test_a_draft_has_no_notice(app, client, world):
    act_for(client, CLINIC)
    response = client.post("/applications/apply/patient_archive")
    draft = int(re.search(r"/applications/(\d+)/", response.headers["Location"]).group(1))
    assert "return-notice-title" not in page(client, f"/applications/{draft}/connection")


def count_statements(work) -> tuple[object, int]:
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(statements)


def test_the_notice_costs_one_query_and_none_unless_returned(app, client, sent):
    submitted = application(sent)
    assert count_statements(lambda: return_notice(submitted)) == (None, 0)
    assert count_statements(lambda: return_notice(None)) == (None, 0)
    decide(sent, "return", RETURN_MESSAGE, REVIEWER, round=1)
    returned = application(sent)
    notice, statements = count_statements(lambda: return_notice(returned))
    assert statements == 1
    assert notice.message == RETURN_MESSAGE
    assert notice.paragraphs == RETURN_MESSAGE.split("\n")


# --- resending and the history ----------------------------------------------------------------------


def test_a_resend_makes_round_two_and_the_status_page_lists_both_rounds(app, client, sent):
    first_sent = format_date(application(sent).submitted_at)
    decide(sent, "return", RETURN_MESSAGE, REVIEWER, round=1)
    act_for(client, CLINIC)
    # The customer changes a field and sends again.
    customer = {**application(sent).snapshot["customer"], "street_address": "Mannerheimintie 2"}
    assert client.post(f"/applications/{sent}/customer", data=customer).status_code == 303
    assert client.post(f"/applications/{sent}/send").status_code == 303
    resent = application(sent)
    assert (resent.status, resent.round) == ("submitted", 2)
    assert resent.snapshot["customer"]["street_address"] == "Mannerheimintie 2"

    html = page(client, f"/applications/{sent}")
    words = text_of(html)
    assert "return-notice-title" not in html
    history = text_of("<main>" + html.split('id="history-heading"', 1)[1] + "</main>")
    returned_on = decided_on_round(sent, 1)
    assert f"1 {first_sent} {returned_on} Returned for completion Add the connection point" in history
    assert f"2 {format_date(resent.submitted_at)} – Waiting for a decision –" in history
    assert f"Submitted {format_date(resent.submitted_at)}" in words

    decide(sent, "approve", "", REVIEWER, round=2)
    html = page(client, f"/applications/{sent}")
    history = text_of("<main>" + html.split('id="history-heading"', 1)[1] + "</main>")
    assert "Returned for completion" in history and "Approved" in history
    assert f"In use since {decided_on(sent)}" in text_of(html)
    assert f'href="/dashboard/applications/{sent}/deployment-test-report"' in html
    assert "Next step: the deployment test" in html


def decided_on_round(application_id: int, round: int) -> str:
    from portal.reviews.services import decisions_of

    return format_date(next(d for d in decisions_of(application_id) if d.round == round).decided_at)


def test_the_status_page_of_a_rejected_application_gives_the_reason(app, client, sent):
    decide(sent, "reject", REJECT_REASON, REVIEWER, round=1)
    act_for(client, CLINIC)
    words = text_of(page(client, f"/applications/{sent}"))
    assert f"Rejected on {decided_on(sent)}" in words
    assert f"The reason: {REJECT_REASON}" in words
    assert "deployment test" not in words


# --- the deployment-test report template -------------------------------------------------------------

TITLES = {
    "fi": "Kanta-palvelut: käyttöönottokokeen raportti",
    "sv": "Kanta-tjänsterna: rapport om ibruktagningsprovet",
    "en": "Kanta services: deployment test report",
}
FIRST_CASE = {
    "fi": "Kirjaa testipotilaalle palvelutapahtuma ja potilaskertomusmerkintä",
    "sv": "Registrera en servicehändelse och en journalanteckning för testpatienten",
    "en": "Record a service event and a patient record entry for the test patient",
}
SERVICE_NAMES = {"fi": "Potilastiedon arkisto", "sv": "Patientdataarkivet", "en": "Patient data archive"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_report_template_downloads_in_each_language(app, client, sent, lang):
    decide(sent, "approve", "", REVIEWER, round=1)
    act_for(client, CLINIC)
    response = client.get(f"/dashboard/applications/{sent}/deployment-test-report?lang={lang}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="kanta-deployment-test-report-{sent}-{lang}.pdf"'
    )
    text = pdf_text(response.data)
    snapshot = application(sent).snapshot
    for expected in (
        TITLES[lang],
        FIRST_CASE[lang],
        SERVICE_NAMES[lang],
        snapshot["organisation"]["name"],
        CLINIC.business_id,
        snapshot["connection_points"][0]["oid"],
        "Terveyskirjo",
        "Ohjelmisto Oy",
        "kanta@kanta.fi",
        report_text(lang)["labels"]["signatures"],
        report_text(lang)["demo_label"],
    ):
        assert expected in text, expected
    # The other languages' texts are not in it.
    for other in LANGUAGES:
        if other != lang:
            assert TITLES[other] not in text


def test_the_report_template_comes_in_the_pages_language_by_default(app, client, sent):
    decide(sent, "approve", "", REVIEWER, round=1)
    act_for(client, CLINIC)
    client.set_cookie("portal_lang", "sv")
    response = client.get(f"/dashboard/applications/{sent}/deployment-test-report")
    assert response.headers["Content-Disposition"].endswith(f'-{sent}-sv.pdf"')
    assert TITLES["sv"] in pdf_text(response.data)
    # The dashboard offers it in the page's language and links the others.
    html = page(client, "/dashboard")
    assert f'href="/dashboard/applications/{sent}/deployment-test-report?lang=fi" hreflang="fi"' in html
    assert f'href="/dashboard/applications/{sent}/deployment-test-report?lang=en" hreflang="en"' in html
    assert f'href="/dashboard/applications/{sent}/deployment-test-report?lang=sv"' not in html


def test_the_report_template_is_only_for_an_approved_application(app, client, sent):
    act_for(client, CLINIC)
    assert client.get(f"/dashboard/applications/{sent}/deployment-test-report").status_code == 404
    decide(sent, "return", RETURN_MESSAGE, REVIEWER, round=1)
    assert client.get(f"/dashboard/applications/{sent}/deployment-test-report").status_code == 404
    assert client.get("/dashboard/applications/999999/deployment-test-report").status_code == 404
    decide_and_approve = client.post(f"/applications/{sent}/send")
    assert decide_and_approve.status_code == 303
    decide(sent, "approve", "", REVIEWER, round=2)
    assert client.get(f"/dashboard/applications/{sent}/deployment-test-report?lang=de").status_code == 404
    assert client.get(f"/dashboard/applications/{sent}/deployment-test-report?lang=en").status_code == 200


def test_another_organisations_application_is_not_found(app, client, sent):
    decide(sent, "approve", "", REVIEWER, round=1)
    act_for(client, CARE_HOME)
    assert client.get(f"/applications/{sent}").status_code == 404
    assert client.get(f"/dashboard/applications/{sent}/deployment-test-report").status_code == 404
    assert client.get(f"/dashboard/applications/{sent}/deployment-test-report?lang=fi").status_code == 404
    # Nor is its decision shown on the other organisation's dashboard.
    assert "In use since" not in page(client, "/dashboard")


def test_the_report_needs_a_signed_in_person_acting_for_the_organisation(app, client, sent):
    decide(sent, "approve", "", REVIEWER, round=1)
    client.delete_cookie("session")
    with client.session_transaction() as session:
        session.clear()
    response = client.get(f"/dashboard/applications/{sent}/deployment-test-report")
    assert response.status_code in (302, 303, 401, 403)


# --- the report's texts --------------------------------------------------------------------------


def test_the_report_texts_say_the_same_in_every_language():
    texts = {lang: report_text(lang) for lang in LANGUAGES}
    for lang, text in texts.items():
        assert set(text["labels"]) == set(LABELS), lang
        assert {group: len(text["cases"][group]) for group in CASE_GROUPS} == {
            group: len(texts["en"]["cases"][group]) for group in CASE_GROUPS
        }, lang
        assert (text["version"], text["valid_from"]) == (texts["en"]["version"], texts["en"]["valid_from"])
        assert set(text["service_notes"]) == set(texts["en"]["service_notes"])
        for group in CASE_GROUPS:
            for case in text["cases"][group]:
                assert set(case) == {"case", "expected"} and all(case.values()), (lang, group)
    # Every file that is there is one of the languages.
    assert {path.name for path in TEXTS_DIR.iterdir()} == {
        f"deployment_test.{lang}.toml" for lang in LANGUAGES
    }
    for lang in LANGUAGES:
        with (TEXTS_DIR / f"deployment_test.{lang}.toml").open("rb") as file:
            assert tomllib.load(file) == texts[lang]


def test_the_report_cases_fit_what_was_applied_for():
    assert case_groups({"service": "patient_archive", "organisation": {"register": "sote"}}) == [
        "common",
        "patient_archive",
    ]
    prescriber = {"service": "eprescription", "organisation": {"register": "sote"}}
    assert case_groups({**prescriber, "renewal": {"requested": False}}) == ["common", "eprescription"]
    assert case_groups({**prescriber, "renewal": {"requested": True}}) == [
        "common",
        "eprescription",
        "eprescription_renewal",
    ]
    pharmacy = {"service": "eprescription", "organisation": {"register": "pharmacies"}, "renewal": None}
    assert case_groups(pharmacy) == ["common", "eprescription_pharmacy"]
