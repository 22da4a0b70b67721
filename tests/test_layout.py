"""The page layout, the language switch and the shared components.

Until the catalogues are translated, gettext returns the English source; so texts are compared with
what the catalogue gives for that language (``in_language``), and structure (lang, aria, hrefs) is
asserted directly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinyhtml5
from flask import Flask, flash, g, render_template, render_template_string
from flask_babel import force_locale, gettext, refresh
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextInput
from wtforms import DateField, Form, StringField
from wtforms.validators import InputRequired

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fi", "sv", "en")
OWN_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
PUBLIC_PAGES = ("/", "/accessibility", "/privacy")


def parse(html: str):
    return tinyhtml5.parse(html, namespace_html_elements=False)


def text_of(element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def in_language(lang: str, message: str, **variables) -> str:
    with force_locale(lang):
        return gettext(message, **variables)


def language_form_token(client, path: str = "/") -> str:
    page = parse(client.get(path).get_data(as_text=True))
    token = page.find(".//form[@action='/language']/input[@name='csrf_token']")
    return token.get("value") if token is not None else ""


def choose_language(client, lang: str, next_path: str):
    response = client.post(
        "/language", data={"lang": lang, "next": next_path, "csrf_token": language_form_token(client)}
    )
    # The app fixture keeps one app context (and so one ``g``) across the client's requests, and
    # Flask-Babel caches the locale in ``g``: forget it, as a new request in production would.
    refresh()
    return response


class NameForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=[InputRequired("Enter your name")])
    started = DateField("Start date", widget=GovDateInput(), validators=[InputRequired("Enter the date")])


def render_components(app: Flask, source: str, **context) -> str:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        return render_template_string(source, **context)


# Languages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_browser_language_decides_until_the_user_chooses(client, lang):
    response = client.get("/", headers={"Accept-Language": f"{lang},en;q=0.1"})
    page = parse(response.get_data(as_text=True))

    assert response.status_code == 200
    assert page.get("lang") == lang
    header = page.find(".//header")
    assert in_language(lang, "Kanta customer portal") in text_of(header)
    title = page.find(".//title").text
    assert title.endswith(in_language(lang, "Kanta customer portal"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_chosen_language_is_remembered_in_a_cookie(client, lang):
    response = choose_language(client, lang, "/privacy")

    assert response.status_code == 303
    assert response.headers["Location"] == "/privacy"
    assert f"portal_lang={lang}" in response.headers["Set-Cookie"]
    # The choice wins over the browser's preference from then on.
    page = parse(client.get("/privacy", headers={"Accept-Language": "de"}).get_data(as_text=True))
    assert page.get("lang") == lang
    current = page.findall(".//*[@aria-current='true']")
    assert [(e.get("lang"), text_of(e)) for e in current] == [(lang, OWN_NAMES[lang])]


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example/x", "javascript:alert(1)"])
def test_language_switch_returns_only_to_local_paths(client, target):
    response = choose_language(client, "sv", target)

    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_language_switch_offers_each_language_in_its_own_language(client):
    client.set_cookie("portal_lang", "sv")
    page = parse(client.get("/accessibility?x=1").get_data(as_text=True))

    form = page.find(".//nav[@class='govuk-language-navigation']/form")
    assert form.get("method") == "post"
    assert form.get("action") == "/language"
    assert form.find("input[@name='next']").get("value") == "/accessibility?x=1"
    choices = form.findall(".//*[@lang]")
    assert [(e.get("lang"), text_of(e)) for e in choices] == [(code, OWN_NAMES[code]) for code in LANGUAGES]
    buttons = form.findall(".//button[@name='lang']")
    assert sorted(b.get("value") for b in buttons) == ["en", "fi"]
    assert form.find(".//span[@aria-current='true']").get("lang") == "sv"


# The layout --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_skip_link_landmarks_and_footer_links(client, path):
    page = parse(client.get(path).get_data(as_text=True))
    body = page.find("body")

    skip = body.find("a")
    assert skip.get("class") == "govuk-skip-link"
    assert skip.get("href") == "#main-content"
    assert len(page.findall(".//main")) == 1
    assert page.find(".//main").get("id") == "main-content"
    assert page.find(".//header") is not None
    assert len(page.findall(".//h1")) == 1
    footer = page.find(".//footer")
    assert {a.get("href") for a in footer.iter("a")} == {"/accessibility", "/privacy"}
    script = page.find(".//script")
    assert script.get("type") == "module"
    assert script.get("src") == "/static/js/init.js"


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/no-such-page"])
def test_pages_have_no_inline_script_or_style(client, path):
    html = client.get(path).get_data(as_text=True)
    page = parse(html)

    assert all(script.get("src") for script in page.iter("script"))
    assert not list(page.iter("style"))
    assert not [e.tag for e in page.iter() if "style" in e.attrib]
    assert "GOV.UK" not in html and "Crown copyright" not in html


def test_signed_in_header_shows_person_organisation_and_account_actions(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        g.person_name = "Maija Meikäläinen"
        g.acting = {"name": "Terveys Oy", "business_id": "1234567-8"}
        html = render_template("pages/home.html")
    page = parse(html)
    account = page.find(".//header//nav[@aria-label='Your account']")

    assert "Maija Meikäläinen" in text_of(account)
    assert "Terveys Oy (1234567-8)" in text_of(account)
    assert account.find(".//a[@href='/organisation']") is not None
    sign_out = account.find(".//form[@action='/sign-out']")
    assert sign_out.get("method") == "post"
    assert sign_out.find("input[@name='csrf_token']").get("value")
    # Signed in, the front page leads to the dashboard instead of offering to sign in.
    main = page.find(".//main")
    assert main.find(".//a[@href='/dashboard']") is not None
    assert main.find(".//form[@action='/sign-in']") is None


def test_signed_out_header_has_no_account_navigation_and_home_offers_sign_in(client):
    page = parse(client.get("/").get_data(as_text=True))

    assert page.find(".//nav[@aria-label='Your account']") is None
    sign_in = page.find(".//main//form[@action='/sign-in']")
    assert sign_in.get("method") == "post"
    assert sign_in.find("input[@name='csrf_token']") is not None
    assert sign_in.find(".//button[@type='submit']") is not None


def test_flashed_messages_show_as_notification_banners(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        flash("Saved", "success")
        flash("Your session will end soon", "warning")
        flash("Something to know")
        html = render_template("pages/privacy.html")
    banners = parse(html).findall(".//main//div[@data-module='govuk-notification-banner']")

    assert [text_of(b.find(".//p[@class='govuk-notification-banner__heading']")) for b in banners] == [
        "Saved",
        "Your session will end soon",
        "Something to know",
    ]
    assert banners[0].get("role") == "alert"
    assert "govuk-notification-banner--success" in banners[0].get("class")
    assert "portal-notification-banner--warning" in banners[1].get("class")
    title_ids = [b.get("aria-labelledby") for b in banners]
    assert len(set(title_ids)) == 3


def test_sidebar_block_turns_the_page_into_two_columns(app):
    two = render_components(
        app,
        '{% extends "base.html" %}{% block sidebar %}<p>Steps</p>{% endblock %}'
        "{% block content %}<h1>Page</h1>{% endblock %}",
    )
    one = render_components(app, '{% extends "base.html" %}{% block content %}<h1>Page</h1>{% endblock %}')

    row = parse(two).find(".//div[@class='govuk-grid-row']")
    assert row.find("div").get("class") == "govuk-grid-column-one-third portal-sidebar"
    assert row.find("main").get("class") == "govuk-main-wrapper govuk-grid-column-two-thirds"
    assert parse(one).find(".//main").get("class") == "govuk-main-wrapper"
    assert "Steps" not in one


def test_title_says_error_when_the_form_has_errors(app):
    form = NameForm()
    form.validate()
    html = render_components(
        app, '{% extends "base.html" %}{% block title %}Your name{% endblock %}', form=form
    )

    assert parse(html).find(".//title").text == "Error: Your name – Kanta customer portal"


# Components --------------------------------------------------------------------------------------


def test_error_summary_links_each_error_to_its_field(app):
    form = NameForm()
    assert not form.validate()
    html = render_components(
        app,
        "{{ error_summary(form) }}{{ field(form.name) }}{{ field(form.started) }}",
        form=form,
    )
    page = parse(html)

    summary = page.find(".//div[@data-module='govuk-error-summary']")
    assert text_of(summary.find(".//h2")) == "There is a problem"
    links = [(a.get("href"), text_of(a)) for a in summary.iter("a")]
    assert links == [("#name", "Enter your name"), ("#started-day", "Enter the date")]
    for href, _text in links:
        assert page.find(f".//input[@id='{href[1:]}']") is not None
    message = page.find(".//p[@id='name-error']")
    assert text_of(message) == "Error: Enter your name"
    assert page.find(".//input[@id='name']").get("aria-describedby") == "name-error"


def test_error_summary_is_empty_without_errors(app):
    html = render_components(
        app,
        "{{ error_summary(form) }}",
        form=NameForm(),
    )
    assert html.strip() == ""


def test_field_passes_macro_parameters_and_translates_date_parts(app):
    form = NameForm()
    html = render_components(
        app,
        ""
        '{{ field(form.name, hint={"text": "As in the register"}, classes="govuk-input--width-20") }}'
        "{{ field(form.started) }}",
        form=form,
    )
    page = parse(html)

    assert text_of(page.find(".//div[@id='name-hint']")) == "As in the register"
    assert "govuk-input--width-20" in page.find(".//input[@id='name']").get("class")
    labels = [text_of(label) for label in page.findall(".//div[@class='govuk-date-input']//label")]
    assert labels == ["Day", "Month", "Year"]


STEPS = [
    {"key": "instructions", "title": "Instructions", "url": "/a/1", "status": "done"},
    {"key": "connection", "title": "Connection points", "url": "/a/2", "status": "todo"},
    {"key": "customer", "title": "Customer details", "url": "/a/3", "status": "error"},
    {"key": "summary", "title": "Summary", "url": "/a/4", "status": "locked"},
]


def test_step_list_marks_the_current_step_and_says_every_status_in_words(app):
    html = render_components(
        app,
        '{{ step_list(steps, current="connection") }}',
        steps=STEPS,
    )
    page = parse(html)
    nav = page.find(".//nav")
    items = nav.findall(".//li")

    assert nav.get("aria-labelledby") == page.find(".//h2").get("id")
    current = nav.findall(".//*[@aria-current]")
    assert [(e.tag, e.get("aria-current"), e.get("href")) for e in current] == [("a", "step", "/a/2")]
    statuses = [text_of(item.find(".//div[@id]")) for item in items]
    assert statuses == ["Completed", "Current step", "Incomplete", "Cannot start yet"]
    for item in items[:3]:
        link = item.find(".//a")
        assert link.get("aria-describedby") == item.find(".//div[@id]").get("id")
    # A locked step is named but not a link.
    assert items[3].find(".//a") is None
    assert "Summary" in text_of(items[3])


def test_step_list_takes_the_current_step_from_its_status(app):
    steps = [dict(step) for step in STEPS]
    steps[2]["status"] = "current"
    html = render_components(app, "{{ step_list(steps) }}", steps=steps)
    current = parse(html).findall(".//*[@aria-current='step']")
    assert [e.get("href") for e in current] == ["/a/3"]


def test_summary_list_change_links_say_what_they_change(app):
    rows = [
        {"label": "E-mail", "value": "info@example.fi", "change_url": "/a/3#email"},
        {"label": "Address", "value": ["Katu 1", "00100 Helsinki"], "change_url": "/a/3#address"},
        {"label": "Phone", "value": None},
    ]
    html = render_components(
        app,
        '{{ summary_list(rows) }}{{ summary_list(rows[:1], title="Customer details", change_url="/a/3") }}',
        rows=rows,
    )
    page = parse(html)
    first = page.find(".//dl")
    links = [(a.get("href"), text_of(a)) for a in first.iter("a")]

    assert links == [("/a/3#email", "Change E-mail"), ("/a/3#address", "Change Address")]
    hidden = first.find(".//a/span[@class='govuk-visually-hidden']")
    assert text_of(hidden) == "E-mail"
    values = [text_of(dd) for dd in first.findall(".//dd[@class]") if "value" in dd.get("class")]
    assert values == ["info@example.fi", "Katu 1 00100 Helsinki", "Not given"]
    card = page.find(".//div[@class='govuk-summary-card']")
    assert text_of(card.find(".//h2")) == "Customer details"
    assert card.find(".//div[@class='govuk-summary-card__actions']/a").get("href") == "/a/3"


def test_summary_list_escapes_values(app):
    html = render_components(
        app,
        "{{ summary_list(rows) }}",
        rows=[{"label": "Name", "value": "<script>x</script>"}],
    )
    assert "<script>x" not in html and "&lt;script&gt;x" in html


def test_button_notification_heading_and_back_link(app):
    html = render_components(
        app,
        ""
        '{% from "components/notification.html" import notification %}'
        '{% from "components/page_heading.html" import page_heading %}'
        '{% from "components/back_link.html" import back_link %}'
        '{{ back_link("/a/1") }}'
        '{{ page_heading("Contact persons", caption="Patient data archive") }}'
        '{{ button("Save and continue") }}{{ button("Cancel", href="/a", secondary=true) }}'
        '{{ notification("Application sent", kind="success") }}',
    )
    page = parse(html)

    back = page.find(".//a[@class='govuk-back-link']")
    assert (back.get("href"), text_of(back)) == ("/a/1", "Back")
    heading = page.find(".//h1")
    assert text_of(heading) == "Patient data archive Contact persons"
    assert heading.find("span").get("class") == "govuk-caption-l"
    submit = page.find(".//button")
    assert (submit.get("type"), text_of(submit)) == ("submit", "Save and continue")
    assert submit.get("data-prevent-double-click") == "true"
    link = page.find(".//a[@role='button']")
    assert link.get("href") == "/a" and "govuk-button--secondary" in link.get("class")
    banner = page.find(".//div[@data-module='govuk-notification-banner']")
    assert text_of(banner.find(".//h2")) == "Success"


def test_format_date_follows_the_language(app):
    from datetime import date

    with app.test_request_context("/"), force_locale("fi"):
        finnish = render_template_string("{{ d | format_date }}", d=date(2026, 3, 9))
    with app.test_request_context("/"), force_locale("sv"):
        swedish = render_template_string("{{ d | format_date }}", d=date(2026, 3, 9))
    assert finnish == "9.3.2026"
    assert "2026" in swedish and swedish != finnish


# Look ------------------------------------------------------------------------------------------


def contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_brand_colours_meet_wcag_aa():
    scss = (ROOT / "frontend" / "scss" / "portal.scss").read_text()
    colours = dict(re.findall(r"^\$portal-([a-z-]+): (#[0-9a-f]{6});", scss, re.MULTILINE))
    white, yellow, black = "#ffffff", "#ffdd00", "#0b0c0c"

    assert contrast(colours["brand"], white) >= 4.5  # header text, links on white
    assert contrast(colours["brand"], colours["brand-tint"]) >= 4.5  # links in the footer
    assert contrast(colours["brand-dark"], white) >= 4.5  # link hover
    assert contrast(yellow, colours["brand"]) >= 3  # focus outline on the header
    assert contrast(black, yellow) >= 4.5  # focused text


def test_built_stylesheet_is_rebranded():
    css_path = ROOT / "portal" / "static" / "dist" / "portal.css"
    if not css_path.exists():
        pytest.skip("the front end is not built: run frontend/build.sh")
    css = css_path.read_text()

    assert "GDS Transport" not in css
    assert "@font-face" not in css
    assert "#005a70" in css
    assert (ROOT / "portal" / "static" / "dist" / "govuk-frontend.min.js").exists()


def test_templates_render_outside_a_request(app):
    # The worker renders e-mails and PDFs with an app context only.
    html = render_template_string(
        "{{ current_path }} {{ languages | length }} {{ has_endpoint('pages.home') }}"
    )
    assert html == "/ 3 True"


def test_notification_takes_rich_content_from_a_call_block(app):
    html = render_components(
        app,
        '{% from "components/notification.html" import notification %}'
        '{% call notification(kind="warning", title="Check") %}<p class="govuk-body">Rich <b>text</b></p>'
        "{% endcall %}",
    )
    banner = parse(html).find(".//div[@data-module='govuk-notification-banner']")

    assert "portal-notification-banner--warning" in banner.get("class")
    assert text_of(banner.find(".//h2")) == "Check"
    assert banner.find(".//p/b") is not None
