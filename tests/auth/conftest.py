from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from portal.integrations.serve import serve_in_thread
from tests.auth.provider import Behaviour, Provider, create_provider_app

HETU_CLAIM = "urn:oid:1.2.246.21"


@pytest.fixture(scope="session")
def provider():
    provider = Provider()
    server = serve_in_thread(create_provider_app(provider))
    provider.url = server.url
    yield provider
    server.stop()


@pytest.fixture
def app_config(provider):
    provider.behaviour = Behaviour(
        claims={"given_name": "Anna", "family_name": "Virtanen", HETU_CLAIM: "150378-934B"}
    )
    provider.codes.clear()
    provider.authorize_requests.clear()
    # Nothing answers on port 9 (discard): the mandates service is "down" for these tests.
    return {"OIDC_ISSUER": provider.url, "MANDATES_URL": "http://127.0.0.1:9"}


def start_sign_in(client) -> str:
    """POST the sign-in button; return the provider's authorize URL."""
    response = client.post("/sign-in")
    assert response.status_code == 302
    return response.headers["Location"]


def provider_callback_url(authorize_url: str) -> str:
    """Let the provider answer the authorization request; return the portal callback URL it sends back."""
    response = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return response.headers["Location"]


def sign_in(client) -> str:
    """Sign in through the provider; return the callback URL that was used."""
    callback = provider_callback_url(start_sign_in(client))
    parts = urlsplit(callback)
    client.get(f"{parts.path}?{parts.query}")
    return callback


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def client(app):
    """Pages in English, so that assertions can read them."""
    client = app.test_client()
    client.set_cookie("portal_lang", "en")
    return client
