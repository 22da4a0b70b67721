"""The foundation journey in a real browser: language, sign-in, acting for an organisation, the
dashboard, switching, sign-out; and the people who cannot act, told why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, update

from portal.auth.models import WebSession
from portal.db import utcnow
from portal.extensions import db
from portal.integrations.demo_data import CLINIC, ENDED, NOT_IN_REGISTER, WELFARE_AREA
from portal.ratelimits import Limit
from portal.ratelimits.models import RateLimitCount

pytestmark = pytest.mark.browser

# A few words per language, to see that the page really is in that language.
KANTA_SERVICES = {"fi": "Kanta-palvelut", "sv": "Kanta-tjänster", "en": "Kanta services"}
TOO_MANY = {
    "fi": ("Liian monta yritystä", re.compile(r"Voit yrittää uudelleen [1-5] minuutin kuluttua\.")),
    "sv": ("För många försök", re.compile(r"Du kan försöka igen om [1-5] minut(er)?\.")),
}


def choose_language(page: Page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:  # the current language has no button
        page.locator(f"button[name=lang][value={lang}]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in_as(page: Page, portal, check_a11y, sub: str) -> None:
    page.locator("form[action$='/sign-in'] button").first.click()
    # The e-identification stand-in (oidc-provider-mock's own page, not the portal's).
    page.locator(f"button[name=sub][value={sub}]").click()


def choose_organisation(page: Page, check_a11y, business_id: str) -> None:
    """On the mandates stand-in's chooser page."""
    expect(page.locator("h1")).to_be_visible()
    check_a11y(page)
    page.locator(f"input[name=organisation][value='{business_id}']").check()
    page.locator("button[value=choose]").click()


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_sign_in_act_switch_and_sign_out(page: Page, portal, check_a11y, lang):
    page.goto(portal.url)
    check_a11y(page)
    choose_language(page, lang)
    check_a11y(page)

    sign_in_as(page, portal, check_a11y, "anna")
    choose_organisation(page, check_a11y, CLINIC.business_id)

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("h1")).to_have_text(CLINIC.name)
    body = page.locator("body")
    expect(body).to_contain_text("Anna Virtanen")
    expect(body).to_contain_text("150378-****")
    expect(body).not_to_contain_text("150378-934B")
    expect(body).to_contain_text(CLINIC.business_id)
    expect(body).to_contain_text("1.2.246.10.2958423")
    expect(body).to_contain_text(KANTA_SERVICES[lang])
    check_a11y(page)

    # Switch to the welfare area (Anna holds the mandate for it).
    page.locator("a[href$='/organisation']").first.click()
    check_a11y(page)
    page.locator("main form[action$='/organisation'] button").click()
    choose_organisation(page, check_a11y, WELFARE_AREA.business_id)
    expect(page.locator("h1")).to_have_text(WELFARE_AREA.name)
    check_a11y(page)

    page.locator("form[action$='/sign-out'] button").first.click()
    expect(page).to_have_url(re.compile(r"/signed-out$"))
    check_a11y(page)
    page.goto(f"{portal.url}/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    check_a11y(page)


@pytest.mark.parametrize(
    ("business_id", "expected"),
    [
        (CLINIC.business_id, "HAL"),  # a board member's role does not allow applying
        (NOT_IN_REGISTER.business_id, NOT_IN_REGISTER.business_id),
        (ENDED.business_id, ENDED.business_id),
    ],
    ids=["roles", "not-in-register", "validity-ended"],
)
def test_person_who_cannot_act_is_told_why(page: Page, portal, check_a11y, business_id, expected):
    page.goto(portal.url)
    choose_language(page, "en")
    sign_in_as(page, portal, check_a11y, "mikko")
    choose_organisation(page, check_a11y, business_id)
    expect(page.locator("h1")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("kanta@kanta.fi")
    if expected == "HAL":
        expect(main).to_contain_text("do not allow")
    elif business_id == ENDED.business_id:
        expect(main).to_contain_text("ended")
    else:
        expect(main).to_contain_text("not in the national code service")
    check_a11y(page)
    # Nothing to act for: the dashboard sends the person back to choose.
    page.goto(f"{portal.url}/dashboard")
    expect(page).to_have_url(re.compile(r"/organisation$"))


def test_foreign_identity_is_told_it_cannot_act(page: Page, portal, check_a11y):
    page.goto(portal.url)
    choose_language(page, "sv")
    sign_in_as(page, portal, check_a11y, "jean")
    expect(page).to_have_url(re.compile(r"/sign-in/no-henkilotunnus$"))
    expect(page.locator("main")).to_contain_text("eIDAS")
    check_a11y(page)


def test_idle_session_ends_with_a_notice(page: Page, portal, check_a11y):
    page.goto(portal.url)
    choose_language(page, "fi")
    sign_in_as(page, portal, check_a11y, "erik")
    choose_organisation(page, check_a11y, "1938556-1")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.wait_for_load_state("networkidle")  # nothing of the dashboard's still on its way
    with portal.app.app_context():
        db.session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
        db.session.commit()
    page.reload()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    check_a11y(page)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_error_pages_are_accessible_and_in_the_users_language(page: Page, portal, check_a11y, lang):
    """A page that is not there (404), and starting a sign-in too often (429, with the minutes to
    wait): each the generic page in the chosen language, axe-clean."""
    page.goto(portal.url)
    choose_language(page, lang)
    response = page.goto(f"{portal.url}/no-such-page")
    assert response is not None and response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", lang)
    check_a11y(page)

    page.goto(portal.url)
    limits = portal.app.config["RATE_LIMITS"]
    portal.app.config["RATE_LIMITS"] = {**limits, "sign_in": Limit(1, 300)}
    # Counted per address: every journey signs in from 127.0.0.1, so start from a clean count.
    with portal.app.app_context():
        db.session.execute(delete(RateLimitCount))
        db.session.commit()
    try:
        page.locator("form[action$='/sign-in'] button").first.click()  # the one allowed
        expect(page.locator("button[name=sub]").first).to_be_visible()  # the e-identification stand-in
        page.goto(portal.url)
        with page.expect_response(lambda r: r.url.endswith("/sign-in")) as refused:
            page.locator("form[action$='/sign-in'] button").first.click()
        assert refused.value.status == 429
        expect(page.locator("h1")).to_have_text(TOO_MANY[lang][0])
        expect(page.locator("main")).to_contain_text(TOO_MANY[lang][1])
        check_a11y(page)
    finally:
        portal.app.config["RATE_LIMITS"] = limits
        with portal.app.app_context():
            db.session.execute(delete(RateLimitCount))
            db.session.commit()
