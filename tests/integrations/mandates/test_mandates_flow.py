"""The whole mandates flow over HTTP: register, the chooser page, the choice, the code, the token,
the organisation's roles, unregister."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from portal.config import load_config
from portal.integrations.demo_data import DEMO_PERSONS, organisation_by_business_id
from portal.integrations.mandates.client import MandatesClient, MandatesError, allowed_roles_for
from portal.integrations.mandates.standin import TEXTS
from tests.integrations.mandates.helpers import (
    ALLOWED_ROLES,
    API_KEY,
    CLIENT_ID,
    CLIENT_SECRET,
    PERSONS_WITH_MANDATES,
    PERSONS_WITHOUT_MANDATES,
    REDIRECT_URI,
    make_client,
    make_hetu,
    open_chooser,
    read_page,
    redirect_params,
    submit,
)

CHOICES = [
    pytest.param(person, business_id, id=f"{person.sub}-{business_id}")
    for person in PERSONS_WITH_MANDATES
    for business_id in person.mandates
]


@pytest.mark.parametrize(("person", "business_id"), CHOICES)
def test_full_flow_gives_the_chosen_organisation_with_its_roles(mandates, web, person, business_id):
    session, page = open_chooser(web, mandates, person.hetu, state="state-abc")
    assert page.status == 200
    assert business_id in page.option_labels()

    back = redirect_params(submit(web, page, button="Continue", organisation=business_id))
    assert back["state"] == "state-abc"
    assert "error" not in back

    token = mandates.exchange_code(back["code"], REDIRECT_URI)
    [org] = mandates.organization_roles(session.session_id, token)
    assert org.identifier == business_id
    assert org.name == organisation_by_business_id(business_id).name
    assert org.roles == person.mandates[business_id]
    assert org.complete is True

    mandates.unregister(session.session_id)
    with pytest.raises(MandatesError) as refused:
        mandates.organization_roles(session.session_id, token)
    assert refused.value.status == 401


@pytest.mark.parametrize("person", PERSONS_WITH_MANDATES, ids=lambda p: p.sub)
def test_chooser_lists_exactly_the_organisations_the_person_has_mandates_for(mandates, web, person):
    _, page = open_chooser(web, mandates, person.hetu)
    labels = page.option_labels()
    assert set(labels) == set(person.mandates)
    for business_id, label in labels.items():
        assert organisation_by_business_id(business_id).name in label
        assert business_id in label


def test_chooser_page_is_built_for_assistive_technology(mandates, web):
    _, page = open_chooser(web, mandates, PERSONS_WITH_MANDATES[0].hetu, lang="en")
    assert page.lang == "en"
    assert page.h1 == "Choose the organisation you act for"
    assert page.title.startswith(page.h1)
    assert page.legend and page.legend_inside_fieldset
    assert page.options and all(o.id and o.label for o in page.options)
    assert [text for _, _, text in page.buttons] == ["Continue", "Cancel"]


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_chooser_speaks_the_language_asked_for(mandates, web, lang):
    _, page = open_chooser(web, mandates, PERSONS_WITH_MANDATES[0].hetu, lang=lang)
    assert page.lang == lang
    assert page.h1 == TEXTS[lang]["title"]
    assert [text for _, _, text in page.buttons] == [TEXTS[lang]["continue"], TEXTS[lang]["cancel"]]
    # the choice is made in the same language
    again = submit(web, page, button=TEXTS[lang]["continue"])
    assert read_page(again).lang == lang


def test_each_language_has_its_own_texts():
    assert {lang: set(texts) for lang, texts in TEXTS.items()} == {lang: set(TEXTS["en"]) for lang in TEXTS}
    for key in TEXTS["en"]:
        assert len({TEXTS[lang][key] for lang in TEXTS}) == len(TEXTS), key


def test_an_unknown_language_falls_back_to_finnish(mandates, web, standin):
    session = mandates.register_session(PERSONS_WITH_MANDATES[0].hetu, "req")
    url = mandates.authorize_url(session.user_id, REDIRECT_URI, "s", "de")
    assert parse_qs(urlsplit(url).query)["lang"] == ["fi"]
    raw = url.replace("lang=fi", "lang=de")
    assert read_page(web.get(raw)).lang == "fi"


def test_cancel_returns_access_denied_with_the_state_and_no_code(mandates, web):
    _, page = open_chooser(web, mandates, PERSONS_WITH_MANDATES[0].hetu, state="keep-me")
    back = redirect_params(submit(web, page, button="Cancel"))
    assert back == {"error": "access_denied", "state": "keep-me"}


def test_continuing_without_a_choice_asks_for_one(mandates, web):
    _, page = open_chooser(web, mandates, PERSONS_WITH_MANDATES[0].hetu)
    response = submit(web, page, button="Continue")
    again = read_page(response)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert again.error_summary_links == [f"#{page.options[0].id}"]
    assert again.title.startswith("Error:")
    assert again.option_labels() == page.option_labels()


def test_choosing_an_organisation_without_a_mandate_is_refused(mandates, web):
    person = PERSONS_WITH_MANDATES[0]
    other = next(b for p in PERSONS_WITH_MANDATES for b in p.mandates if b not in person.mandates)
    _, page = open_chooser(web, mandates, person.hetu)
    response = submit(web, page, button="Continue", organisation=other)
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize("person", PERSONS_WITHOUT_MANDATES, ids=lambda p: p.sub)
def test_a_person_without_mandates_is_told_so_and_led_back(mandates, web, person):
    _, page = open_chooser(web, mandates, person.hetu, state="s-none")
    assert page.status == 200
    assert page.options == []
    assert page.h1 == TEXTS["en"]["none_title"]
    [(href, text)] = page.links
    assert text == TEXTS["en"]["back"]
    assert href.startswith(REDIRECT_URI)
    assert parse_qs(urlsplit(href).query) == {"error": ["access_denied"], "state": ["s-none"]}


def test_a_registered_person_unknown_to_the_service_has_no_mandates(mandates, web):
    hetu = make_hetu("010101", "-", 999)
    assert all(p.hetu != hetu for p in DEMO_PERSONS)
    _, page = open_chooser(web, mandates, hetu)
    assert page.options == []
    assert page.h1 == TEXTS["en"]["none_title"]


def _chosen_code(mandates, web, person, redirect_uri=REDIRECT_URI):
    session = mandates.register_session(person.hetu, "req")
    page = read_page(web.get(mandates.authorize_url(session.user_id, redirect_uri, "s", "en")))
    response = submit(web, page, button="Continue", organisation=next(iter(person.mandates)))
    return session, redirect_params(response, redirect_uri)["code"]


def test_a_code_is_single_use(mandates, web):
    _, code = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[0])
    assert mandates.exchange_code(code, REDIRECT_URI)
    with pytest.raises(MandatesError) as refused:
        mandates.exchange_code(code, REDIRECT_URI)
    assert refused.value.status == 400
    assert "invalid_grant" in str(refused.value)


def test_a_code_is_bound_to_its_redirect_uri(mandates, web):
    _, code = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[0])
    with pytest.raises(MandatesError) as refused:
        mandates.exchange_code(code, REDIRECT_URI + "/elsewhere")
    assert refused.value.status == 400


def test_a_redirect_uri_with_its_own_query_keeps_it(mandates, web):
    redirect_uri = REDIRECT_URI + "?next=%2Fdashboard"
    _, code = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[0], redirect_uri)
    assert mandates.exchange_code(code, redirect_uri)


def test_the_token_endpoint_refuses_a_wrong_client_secret(standin, mandates, web):
    _, code = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[0])
    with (
        make_client(standin.url, client_secret="not-the-secret") as wrong,
        pytest.raises(MandatesError) as refused,
    ):
        wrong.exchange_code(code, REDIRECT_URI)
    assert refused.value.status == 401
    assert "invalid_client" in str(refused.value)


def test_the_token_endpoint_refuses_a_missing_client_authentication(standin, mandates, web):
    _, code = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[0])
    response = requests.post(
        f"{standin.url}/oauth/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
        timeout=5,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_token_reads_only_its_own_session(mandates, web):
    first, code = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[0])
    second, _ = _chosen_code(mandates, web, PERSONS_WITH_MANDATES[1])
    token = mandates.exchange_code(code, REDIRECT_URI)
    assert mandates.organization_roles(first.session_id, token)
    with pytest.raises(MandatesError) as refused:
        mandates.organization_roles(second.session_id, token)
    assert refused.value.status == 401


def test_roles_are_not_given_before_the_choice(mandates):
    session = mandates.register_session(PERSONS_WITH_MANDATES[0].hetu, "req")
    with pytest.raises(MandatesError):
        mandates.organization_roles(session.session_id, "no-token-yet")


def test_unregister_ends_the_session_once(mandates):
    session = mandates.register_session(PERSONS_WITH_MANDATES[0].hetu, "req")
    mandates.unregister(session.session_id)
    with pytest.raises(MandatesError) as refused:
        mandates.unregister(session.session_id)
    assert refused.value.status == 404


def test_the_authorize_url_carries_the_wire_parameters(mandates):
    url = mandates.authorize_url("user-1", REDIRECT_URI + "?a=1&b=2", "st ate", "sv")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == mandates.base_url
    assert parts.path == "/oauth/authorize"
    assert parse_qs(parts.query) == {
        "client_id": [CLIENT_ID],
        "response_type": ["code"],
        "redirect_uri": [REDIRECT_URI + "?a=1&b=2"],
        "user": ["user-1"],
        "state": ["st ate"],
        "lang": ["sv"],
    }


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("client_id", "someone-else"),
        ("user", "unknown-user"),
        ("response_type", "token"),
        ("redirect_uri", "/x"),
    ],
)
def test_a_bad_authorization_request_shows_an_error_and_never_redirects(mandates, web, param, value):
    session = mandates.register_session(PERSONS_WITH_MANDATES[0].hetu, "req")
    url = mandates.authorize_url(session.user_id, REDIRECT_URI, "s", "en")
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    response = web.get(
        f"{mandates.base_url}/oauth/authorize", params={**query, param: value}, allow_redirects=False
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert read_page(response).h1 == TEXTS["en"]["bad_request"]


def test_register_refuses_an_invalid_henkilotunnus(mandates):
    with pytest.raises(MandatesError) as refused:
        mandates.register_session("150378-934C", "req")  # wrong check character
    assert refused.value.status == 400


def test_the_client_is_built_from_the_portal_configuration(standin, web):
    config = load_config(
        {
            "MANDATES_URL": standin.url + "/",
            "MANDATES_CLIENT_ID": CLIENT_ID,
            "MANDATES_CLIENT_SECRET": CLIENT_SECRET,
            "MANDATES_API_KEY": API_KEY,
            "MANDATES_TIMEOUT": 3.5,
        }
    )
    with MandatesClient.from_config(config) as client:
        assert client.timeout == 3.5
        assert client.allowed_roles == ALLOWED_ROLES
        person = PERSONS_WITH_MANDATES[0]
        session, code = _chosen_code(client, web, person)
        [org] = client.organization_roles(session.session_id, client.exchange_code(code, REDIRECT_URI))
        assert allowed_roles_for(org, client.allowed_roles) == tuple(
            r for r in person.mandates[org.identifier] if r in ALLOWED_ROLES
        )
