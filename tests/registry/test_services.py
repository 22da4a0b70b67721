"""Lookups in the mirror: organisations by business id, validity, municipality names, service tasks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.integrations.demo_data import DEMO_ORGANISATIONS, ENDED, NOT_IN_REGISTER
from portal.registry.models import RegisterUnit
from portal.registry.services import (
    find_organisation,
    finnish_today,
    is_valid_today,
    last_sync,
    municipality_name,
    service_tasks,
)
from portal.registry.sync import sync_full

REGISTER_OF_KIND = {"practitioner": "practitioners", "pharmacy": "pharmacies"}
BUSINESS_ID = "1234567-1"


def unit(oid, *, parent=None, business_id=BUSINESS_ID, begin=date(2020, 1, 1), end=None, status="ACTIVE",
         register="sote"):  # fmt: skip
    row = RegisterUnit(
        oid=oid, register=register, long_name=f"Yksikkö {oid}", parent_oid=parent, business_id=business_id,
        status=status, begin_date=begin, expiration_date=end, attributes={}, synced_at=utcnow(),
    )  # fmt: skip
    db.session.add(row)
    db.session.commit()
    return row


@pytest.mark.parametrize("org", [o for o in DEMO_ORGANISATIONS if o.in_register], ids=lambda o: o.kind)
def test_each_demo_organisation_is_found_as_its_top_unit(app, org):
    sync_full()
    found = find_organisation(org.business_id)
    assert (found.long_name, found.business_id, found.parent_oid) == (org.name, org.business_id, None)
    assert f"{found.municipality_code} {found.municipality_name}" == org.municipality
    assert found.register == REGISTER_OF_KIND.get(org.kind, "sote")
    assert is_valid_today(found) is not org.ended


def test_the_ended_demo_organisation_is_found_with_its_end_in_the_past(app):
    sync_full()
    found = find_organisation(ENDED.business_id)
    assert found.expiration_date < finnish_today()
    assert not is_valid_today(found)


def test_an_organisation_missing_from_the_register_is_not_found(app):
    sync_full()
    assert find_organisation(NOT_IN_REGISTER.business_id) is None


def test_a_unit_under_another_organisation_counts_as_a_top_unit(app):
    unit("1.2.246.10.99.10.1", business_id="7654321-0")
    child = unit("1.2.246.10.12345671.10.1", parent="1.2.246.10.99.10.1")
    unit("1.2.246.10.12345671.10.2", parent=child.oid)
    assert find_organisation(BUSINESS_ID).oid == child.oid


def test_a_unit_whose_parent_is_not_in_the_mirror_counts_as_a_top_unit(app):
    unit("1.2.246.10.12345671.10.5", parent="1.2.246.10.404.10.1")
    assert find_organisation(BUSINESS_ID).oid == "1.2.246.10.12345671.10.5"


def test_a_valid_top_unit_is_preferred_over_an_ended_one(app):
    unit("1.2.246.10.12345671.10.1", end=date(2024, 1, 31))
    unit("1.2.246.10.12345671.10.2", begin=date(2024, 2, 1))
    assert find_organisation(BUSINESS_ID).oid == "1.2.246.10.12345671.10.2"


def test_of_ended_top_units_the_most_recently_ended_is_returned(app):
    unit("1.2.246.10.12345671.10.1", end=date(2021, 5, 1))
    unit("1.2.246.10.12345671.10.3", end=date(2024, 5, 1))
    unit("1.2.246.10.12345671.10.2", end=date(2022, 5, 1))
    found = find_organisation(BUSINESS_ID)
    assert (found.oid, is_valid_today(found)) == ("1.2.246.10.12345671.10.3", False)


def test_the_sote_register_is_preferred_when_several_valid_top_units_exist(app):
    unit("1.2.246.10.12345671.10.1", register="pharmacies", begin=date(2010, 1, 1))
    unit("1.2.246.10.12345671.10.2", register="sote")
    assert find_organisation(BUSINESS_ID).register == "sote"


@pytest.mark.parametrize(
    ("begin", "end", "status", "valid"),
    [
        (0, None, "ACTIVE", True),
        (-10, 0, "ACTIVE", True),
        (-10, -1, "ACTIVE", False),
        (1, None, "ACTIVE", False),
        (-10, None, "PROPOSAL", False),
    ],
    ids=["begins today", "ends today", "ended yesterday", "begins tomorrow", "a proposal"],
)
def test_validity_includes_both_ends_and_needs_active_status(app, begin, end, status, valid):
    today = date(2026, 6, 15)
    row = RegisterUnit(
        oid="1.2.3", status=status, begin_date=today + timedelta(days=begin),
        expiration_date=None if end is None else today + timedelta(days=end),
    )  # fmt: skip
    assert is_valid_today(row, today) is valid


def test_municipality_names_in_each_language_fall_back_to_finnish(app):
    sync_full()
    assert [municipality_name("091", lang) for lang in ("fi", "sv", "en")] == [
        "Helsinki",
        "Helsingfors",
        "Helsinki",
    ]
    assert municipality_name("297", "sv") == "Kuopio"
    assert municipality_name("999", "fi") is None


def test_service_tasks_come_in_code_order_in_the_language_asked(app, register):
    sync_full()
    swedish = service_tasks("sv")
    assert [code for code, _ in swedish] == sorted(c.code for c in register.codes["service_tasks"])
    assert ("1020", "Barnskydd") in swedish
    assert ("1020", "Lastensuojelu") in service_tasks("fi")
    assert ("1020", "Child welfare") in service_tasks("en")


def test_last_sync_is_none_before_any_sync_and_the_latest_run_after(app):
    assert last_sync() is None
    result = sync_full()
    run = last_sync()
    assert run.succeeded and run.started_at == result.started_at
