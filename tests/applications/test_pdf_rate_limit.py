"""Downloading PDFs is rate-limited per person (quality.md): a WeasyPrint render costs the server about
a hundred milliseconds, so a script must not be able to ask for thousands."""

from __future__ import annotations

import pytest

from portal.integrations.demo_data import CLINIC
from portal.ratelimits import Limit
from tests.applications.conftest import act_for, walk_to_summary


@pytest.fixture
def app_config(app_config):  # the code server's, from tests/applications/conftest.py
    return {**app_config, "RATE_LIMITS": {"sign_in": None, "upload": None, "pdf": Limit(2, 600)}}


def test_a_person_downloading_too_many_pdfs_is_refused_for_a_while(app, client, world):
    act_for(client, CLINIC)
    application_id = walk_to_summary(client, "patient_archive")
    client.post(f"/applications/{application_id}/send")
    path = f"/applications/{application_id}/pdf"
    first, second = client.get(path), client.head(path)  # a HEAD renders the PDF too: it counts
    assert (first.status_code, second.status_code) == (200, 200) and first.mimetype == "application/pdf"
    refused = client.get(path)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert 1 <= int(refused.headers["Retry-After"]) <= 600
    # The limit is the person's: a colleague acting for the same organisation may download.
    colleague = app.test_client()
    act_for(colleague, CLINIC, name="Ville Virtanen")
    assert colleague.get(path).status_code == 200
