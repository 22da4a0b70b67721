"""Reading the mandates stand-in's pages as a web would, and the test credentials."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from portal.config import DEFAULT_ALLOWED_ROLES
from portal.integrations.demo_data import DEMO_PERSONS
from portal.integrations.mandates.client import MandatesClient, MandatesSession

CLIENT_ID = "kanta-portal-test"
CLIENT_SECRET = "test-mandates-secret"
API_KEY = "test-mandates-hmac-key"
REDIRECT_URI = (
    "http://127.0.0.1:5999/organisations/callback"  # never reached: redirects are read, not followed
)
ALLOWED_ROLES = tuple(DEFAULT_ALLOWED_ROLES.split(","))

HETU_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(birth: str = "010101", century: str = "-", individual: int = 999) -> str:
    """A henkilötunnus for a test identity (individual number 900-999), check character per the spec."""
    return f"{birth}{century}{individual:03d}{HETU_CHECK_CHARACTERS[int(f'{birth}{individual:03d}') % 31]}"


PERSONS_WITH_MANDATES = [p for p in DEMO_PERSONS if p.hetu and p.mandates]
PERSONS_WITHOUT_MANDATES = [p for p in DEMO_PERSONS if p.hetu and not p.mandates]


def make_client(url: str, **overrides) -> MandatesClient:
    settings = {"client_secret": CLIENT_SECRET, "api_key": API_KEY, "timeout": 5.0, **overrides}
    return MandatesClient(
        url,
        CLIENT_ID,
        settings.pop("client_secret"),
        settings.pop("api_key"),
        allowed_roles=ALLOWED_ROLES,
        **settings,
    )


@dataclass
class Option:
    value: str
    id: str
    label: str


@dataclass
class Page:
    """The parts of a stand-in page that a person (and axe-core) relies on."""

    url: str
    status: int
    lang: str = ""
    title: str = ""
    h1: str = ""
    legend: str = ""
    legend_inside_fieldset: bool = False
    form_action: str = ""
    form_method: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    options: list[Option] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # name, value, text
    links: list[tuple[str, str]] = field(default_factory=list)  # href, text
    error_summary_links: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # for -> text

    def option_labels(self) -> dict[str, str]:
        return {o.value: o.label for o in self.options}


class _PageReader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.text_target: list[str] | None = None
        self.capture: str | None = None
        self.label_for: str | None = None
        self.button: tuple[str, str] | None = None
        self.link: str | None = None
        self.in_fieldset = False
        self.in_error_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.page.lang = a.get("lang", "")
        elif tag in ("title", "h1", "legend"):
            self.capture, self.text_target = tag, []
            if tag == "legend":
                self.page.legend_inside_fieldset = self.in_fieldset
        elif tag == "fieldset":
            self.in_fieldset = True
        elif tag == "div" and "error-summary" in a.get("class", ""):
            self.in_error_summary = True
        elif tag == "form":
            self.page.form_action, self.page.form_method = a.get("action", ""), a.get("method", "").lower()
        elif tag == "input" and a.get("type") == "hidden":
            self.page.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self.page.options.append(Option(a.get("value", ""), a.get("id", ""), ""))
        elif tag == "label":
            self.label_for, self.capture, self.text_target = a.get("for", ""), "label", []
        elif tag == "button":
            self.button, self.capture, self.text_target = (
                (a.get("name", ""), a.get("value", "")),
                "button",
                [],
            )
        elif tag == "a":
            self.link, self.capture, self.text_target = a.get("href", ""), "a", []
            if self.in_error_summary:
                self.page.error_summary_links.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self.in_fieldset = False
        if tag != self.capture or self.text_target is None:
            return
        text = " ".join("".join(self.text_target).split())
        if tag in ("title", "h1", "legend"):
            setattr(self.page, tag, text)
        elif tag == "label" and self.label_for is not None:
            self.page.labels[self.label_for] = text
        elif tag == "button" and self.button is not None:
            self.page.buttons.append((*self.button, text))
        elif tag == "a" and self.link is not None:
            self.page.links.append((self.link, text))
        self.capture, self.text_target = None, None

    def handle_data(self, data: str) -> None:
        if self.text_target is not None:
            self.text_target.append(data)


def read_page(response: requests.Response) -> Page:
    page = Page(response.url, response.status_code)
    _PageReader(page).feed(response.text)
    for option in page.options:
        option.label = page.labels.get(option.id, "")
    return page


def submit(
    web: requests.Session, page: Page, *, button: str, organisation: str | None = None
) -> requests.Response:
    """Submit the chooser form as a web would: its hidden fields, the chosen radio, the pressed button."""
    assert page.form_method == "post"
    [(name, value)] = [(n, v) for n, v, text in page.buttons if text == button]
    data = {**page.hidden, name: value}
    if organisation is not None:
        data["organisation"] = organisation
    return web.post(urljoin(page.url, page.form_action), data=data, allow_redirects=False)


def redirect_params(response: requests.Response, redirect_uri: str = REDIRECT_URI) -> dict[str, str]:
    """The query of a redirect back to the portal (one value per name)."""
    assert response.status_code in (302, 303), response.text[:500]
    location = response.headers["Location"]
    assert location.split("?")[0] == redirect_uri.split("?")[0]
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query, keep_blank_values=True).items()}


def open_chooser(
    web: requests.Session, client: MandatesClient, hetu: str, *, lang: str = "en", state: str = "st-1"
) -> tuple[MandatesSession, Page]:
    session = client.register_session(hetu, request_id="req-1")
    response = web.get(client.authorize_url(session.user_id, REDIRECT_URI, state, lang))
    return session, read_page(response)
