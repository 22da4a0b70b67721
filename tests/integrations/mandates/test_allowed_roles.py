"""Which roles at the mandates service allow applying for an organisation (MANDATES_ALLOWED_ROLES)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.config import load_config
from portal.integrations.demo_data import DEMO_PERSONS
from portal.integrations.mandates.client import OrganizationRoles, allowed_roles_for
from tests.integrations.mandates.helpers import REDIRECT_URI, open_chooser, redirect_params, submit

CONFIGURED = load_config()["MANDATES_ALLOWED_ROLES"]


def org(*roles: str) -> OrganizationRoles:
    return OrganizationRoles("Esimerkki Oy", "1234567-8", roles, complete=True)


def test_the_default_configuration_allows_the_responsible_persons_and_the_mandate():
    assert set(CONFIGURED) == {"TJ", "ELI", "YHM", "NIMKO", "SOTEDIGI"}


@pytest.mark.parametrize("role", ["TJ", "ELI", "YHM", "NIMKO", "SOTEDIGI"])
def test_each_allowed_role_allows_applying(role):
    assert allowed_roles_for(org(role), CONFIGURED) == (role,)


@pytest.mark.parametrize("role", ["HAL", "HPJ", "PJ", "tj", "", "TJX"])
def test_other_roles_do_not(role):
    assert allowed_roles_for(org(role), CONFIGURED) == ()


def test_only_the_allowed_roles_are_kept_in_the_services_order():
    assert allowed_roles_for(org("HAL", "NIMKO", "HPJ", "TJ"), CONFIGURED) == ("NIMKO", "TJ")


def test_no_roles_allow_nothing():
    assert allowed_roles_for(org(), CONFIGURED) == ()
    assert allowed_roles_for(org("TJ"), ()) == ()


def test_the_allowed_list_comes_from_configuration(monkeypatch):
    monkeypatch.setenv("MANDATES_ALLOWED_ROLES", "HAL, SOTEDIGI")
    configured = load_config()["MANDATES_ALLOWED_ROLES"]
    assert allowed_roles_for(org("TJ", "HAL", "SOTEDIGI"), configured) == ("HAL", "SOTEDIGI")


role_codes = st.sampled_from(["TJ", "ELI", "YHM", "NIMKO", "SOTEDIGI", "HAL", "HPJ", "PJ", "IS", "EDUS"])


@given(roles=st.lists(role_codes, max_size=8), allowed=st.sets(role_codes))
def test_the_result_is_every_held_role_that_is_allowed_and_nothing_else(roles, allowed):
    result = allowed_roles_for(org(*roles), allowed)
    assert set(result) == set(roles) & allowed
    # a subsequence of the service's roles: same order, nothing added
    remaining = iter(roles)
    assert all(role in remaining for role in result)


DEMO_CHOICES = [(p, b) for p in DEMO_PERSONS if p.hetu for b in p.mandates]
REFUSED = [(p, b) for p, b in DEMO_CHOICES if p.mandates[b] == ("HAL",)]
ALLOWED = [(p, b) for p, b in DEMO_CHOICES if (p, b) not in REFUSED]


def _roles_through_the_standin(mandates, web, person, business_id) -> OrganizationRoles:
    session, page = open_chooser(web, mandates, person.hetu)
    code = redirect_params(submit(web, page, button="Continue", organisation=business_id))["code"]
    [chosen] = mandates.organization_roles(session.session_id, mandates.exchange_code(code, REDIRECT_URI))
    return chosen


def test_the_demo_world_has_a_board_member_to_refuse():
    assert REFUSED


@pytest.mark.parametrize(("person", "business_id"), REFUSED, ids=lambda v: getattr(v, "sub", v))
def test_a_board_member_is_refused_through_the_standin(mandates, web, person, business_id):
    chosen = _roles_through_the_standin(mandates, web, person, business_id)
    assert chosen.roles == ("HAL",)
    assert allowed_roles_for(chosen, CONFIGURED) == ()


@pytest.mark.parametrize(("person", "business_id"), ALLOWED, ids=lambda v: getattr(v, "sub", v))
def test_a_responsible_person_or_mandate_holder_is_allowed_through_the_standin(
    mandates, web, person, business_id
):
    chosen = _roles_through_the_standin(mandates, web, person, business_id)
    assert allowed_roles_for(chosen, CONFIGURED) == person.mandates[business_id]
