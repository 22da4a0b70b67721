"""Review fixtures: the wizard's (a synced mirror, the documents, a person acting for an organisation)
and a sent application."""

from __future__ import annotations

import pytest

from portal.integrations.demo_data import CLINIC
from tests.applications.conftest import act_for, app_config, codeserver, walk_to_summary, world  # noqa: F401


def send_application(client, service: str = "patient_archive", organisation=None) -> int:
    """A person acting for ``organisation`` (the demo clinic) fills in and sends an
    application; returns its id."""
    act_for(client, organisation or CLINIC)
    application_id = walk_to_summary(client, service)
    response = client.post(f"/applications/{application_id}/send")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return application_id


@pytest.fixture
def sent(client, world):  # noqa: F811
    return send_application(client)
