"""The stand-in's pages in Chromium: no axe-core violation (WCAG 2.1 A and AA) in any language or
state, and the choice can be made with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask, request
from playwright.sync_api import Page

from portal.integrations.mandates.standin import TEXTS
from portal.integrations.serve import serve_in_thread
from tests.browser.conftest import AXE_TAGS, CHROMIUM, CHROMIUM_FLAGS
from tests.integrations.mandates.helpers import PERSONS_WITH_MANDATES, PERSONS_WITHOUT_MANDATES, REDIRECT_URI

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@dataclass
class Callback:
    """A stand-in for the portal's callback: records the query of each redirect back."""

    url: str
    seen: list[dict[str, list[str]]]


@pytest.fixture
def callback() -> Iterator[Callback]:
    app = Flask(__name__)
    seen: list[dict[str, list[str]]] = []

    @app.get("/organisations/callback")
    def back() -> str:
        seen.append({k: request.args.getlist(k) for k in request.args})
        return "<!DOCTYPE html><html lang='en'><title>portal</title></html>"

    server = serve_in_thread(app)
    yield Callback(f"{server.url}/organisations/callback", seen)
    server.stop()


def assert_accessible(axe: Axe, page: Page) -> None:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _authorize(mandates, hetu: str, lang: str, redirect_uri: str = REDIRECT_URI) -> str:
    session = mandates.register_session(hetu, "req")
    return mandates.authorize_url(session.user_id, redirect_uri, "st", lang)


@pytest.mark.parametrize("lang", list(TEXTS))
def test_the_chooser_and_its_error_state_have_no_violations(mandates, page, axe, lang):
    texts = TEXTS[lang]
    page.goto(_authorize(mandates, PERSONS_WITH_MANDATES[0].hetu, lang))
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(axe, page)

    page.get_by_role("button", name=texts["continue"]).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(axe, page)


@pytest.mark.parametrize("lang", list(TEXTS))
def test_the_no_mandates_and_bad_request_pages_have_no_violations(mandates, standin, page, axe, lang):
    page.goto(_authorize(mandates, PERSONS_WITHOUT_MANDATES[0].hetu, lang))
    assert page.get_by_role("heading", level=1).inner_text() == TEXTS[lang]["none_title"]
    assert_accessible(axe, page)

    page.goto(f"{standin.url}/oauth/authorize?client_id=nobody&lang={lang}")
    assert page.get_by_role("heading", level=1).inner_text() == TEXTS[lang]["bad_request"]
    assert_accessible(axe, page)


def test_the_choice_can_be_made_with_the_keyboard_alone(mandates, page, callback):
    person = PERSONS_WITH_MANDATES[0]
    page.goto(_authorize(mandates, person.hetu, "fi", callback.url))
    radios = page.get_by_role("radio")
    assert radios.count() == len(person.mandates)

    for _ in range(10):  # tab until the first radio has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    page.keyboard.press("Space")
    chosen = page.evaluate("document.activeElement.value")
    page.keyboard.press("Enter")  # submits with the form's first button: Jatka
    page.wait_for_url(lambda url: url.startswith(callback.url))

    [back] = callback.seen
    assert back["state"] == ["st"] and back["code"]
    assert chosen in person.mandates


def test_radios_are_named_by_their_labels(mandates, page):
    person = PERSONS_WITH_MANDATES[0]
    page.goto(_authorize(mandates, person.hetu, "en"))
    for business_id in person.mandates:
        radio = page.get_by_role("radio", name=business_id)  # the label holds the business id
        assert radio.get_attribute("value") == business_id
        radio.check()
        assert radio.is_checked()
