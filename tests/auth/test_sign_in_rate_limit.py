"""Starting a sign-in is rate-limited per address (quality.md): the button's POST, not the page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portal.ratelimits import Limit
from tests.auth.conftest import provider_callback_url, start_sign_in


@pytest.fixture
def app_config(app_config):  # the provider's, from tests/auth/conftest.py
    return {**app_config, "RATE_LIMITS": {"sign_in": Limit(3, 300), "upload": None, "pdf": None}}


def test_starting_a_sign_in_too_often_from_one_address_is_refused_for_a_while(client, provider):
    started = [start_sign_in(client) for _ in range(3)]
    refused = client.post("/sign-in")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 300
    # The sign-in page still shows, and a sign-in already started still completes.
    assert client.get("/sign-in").status_code == 200
    callback = provider_callback_url(started[-1])
    parts = urlsplit(callback)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    assert client.get("/sign-in").status_code == 302  # signed in: on to the organisation
    # Another address may start its own.
    other = client.post("/sign-in", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 302
