"""The generated register: deterministic, realistic, and valid by every upload rule."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.integrations.codeserver.finland import WELFARE_AREAS
from portal.integrations.codeserver.generator import (
    GENERATED_AS_OF,
    MIN_SIZE,
    MUNICIPALITY_CODES,
    PHARMACIES,
    PRACTITIONERS,
    SERVICE_TASKS,
    SOTE,
    UNIT_REGISTERS,
    generate_register,
)
from portal.integrations.codeserver.wire import ACTIVE, DELETED
from portal.integrations.demo_data import DEMO_ORGANISATIONS

from .conftest import SEED, SIZE
from .register_rules import problems

REGISTER_OF_KIND = {"practitioner": PRACTITIONERS, "pharmacy": PHARMACIES}


def served(register, key):
    return [unit.to_wire() for unit in register.units[key]]


def test_same_seed_and_size_give_byte_identical_json():
    assert generate_register(SIZE, SEED).to_json() == generate_register(SIZE, SEED).to_json()


def test_another_seed_gives_another_register():
    assert generate_register(SIZE, SEED).to_json() != generate_register(SIZE, SEED + 1).to_json()


def test_size_is_the_number_of_sote_units(register):
    assert len(register.units[SOTE]) == SIZE


def test_a_register_smaller_than_its_skeleton_is_refused():
    with pytest.raises(ValueError, match="at least"):
        generate_register(MIN_SIZE - 1, SEED)


@pytest.mark.parametrize("key", UNIT_REGISTERS)
def test_every_generated_unit_passes_the_register_rules(register, key):
    assert problems(served(register, key)) == []


def test_every_unit_of_a_large_register_passes_the_register_rules():
    register = generate_register(20_000, SEED)
    for key in UNIT_REGISTERS:
        assert problems(served(register, key)) == []


def test_oids_are_unique_across_the_three_registers(register):
    oids = [u.oid for key in UNIT_REGISTERS for u in register.units[key]]
    assert len(oids) == len(set(oids))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32), size=st.integers(min_value=MIN_SIZE, max_value=400))
def test_any_seed_and_size_give_a_valid_register_with_the_demo_organisations(seed, size):
    register = generate_register(size, seed)
    assert len(register.units[SOTE]) == size
    for key in UNIT_REGISTERS:
        assert problems(served(register, key)) == []
    business_ids = {u.business_id for key in UNIT_REGISTERS for u in register.units[key]}
    for org in DEMO_ORGANISATIONS:
        assert (org.business_id in business_ids) == org.in_register
    modified = [u.modified_date for key in UNIT_REGISTERS for u in register.units[key]]
    assert max(modified) <= GENERATED_AS_OF


@pytest.mark.parametrize("org", [o for o in DEMO_ORGANISATIONS if o.in_register], ids=lambda o: o.kind)
def test_each_demo_organisation_is_a_top_unit_with_its_name_and_municipality(register, org):
    units = register.units[REGISTER_OF_KIND.get(org.kind, SOTE)]
    tops = [u for u in units if u.business_id == org.business_id and u.parent_oid is None]
    assert [(u.long_name, u.municipality) for u in tops] == [(org.name, org.municipality)]
    today = date.today()
    assert tops[0].is_valid_on(today) is not org.ended
    if org.ended:
        assert tops[0].expiration_date < today


def test_the_organisation_missing_from_the_register_is_absent(register):
    missing = [o.business_id for o in DEMO_ORGANISATIONS if not o.in_register]
    assert missing
    assert not [u for key in UNIT_REGISTERS for u in register.units[key] if u.business_id in missing]


def test_welfare_areas_have_deep_hierarchies_of_hundreds_of_units_at_full_size():
    register = generate_register(40_000, SEED)
    by_oid = {u.oid: u for u in register.units[SOTE]}
    tops = {u.long_name: u for u in register.units[SOTE] if u.parent_oid is None}
    for area in WELFARE_AREAS:
        top = tops[area.name]
        units = [u for u in by_oid.values() if u.business_id == top.business_id]
        assert len(units) >= 300, area.name

        def depth(unit):
            return 0 if unit.parent_oid is None else 1 + depth(by_oid[unit.parent_oid])

        assert max(depth(u) for u in units) >= 3
        assert {u.sector for u in units} == {1}


def test_sectors_and_kinds_of_units_all_occur(register):
    units = register.units[SOTE]
    assert {u.sector for u in units} == {1, 2, 3}
    assert any(u.health_unit and not u.social_unit for u in units)
    assert any(u.social_unit and not u.health_unit for u in units)
    assert any(u.social_unit and u.health_unit for u in units)


def test_pharmacies_are_health_care_units_that_may_receive_renewal_requests(register):
    pharmacies = register.units[PHARMACIES]
    assert all(u.health_unit and not u.social_unit for u in pharmacies)
    assert any(u.renewal_requests for u in pharmacies)


def test_municipality_codes_carry_finnish_and_swedish_names(register):
    codes = {c.code: c for c in register.codes[MUNICIPALITY_CODES]}
    assert (codes["091"].name_fi, codes["091"].name_sv) == ("Helsinki", "Helsingfors")
    assert (codes["297"].name_fi, codes["297"].name_sv) == ("Kuopio", "Kuopio")
    assert len(codes) > 300
    municipalities = {u.municipality for key in UNIT_REGISTERS for u in register.units[key]}
    assert {m[:3] for m in municipalities} <= set(codes)


def test_service_tasks_have_names_in_three_languages(register):
    tasks = register.codes[SERVICE_TASKS]
    assert 35 <= len(tasks) <= 50
    assert len({t.code for t in tasks}) == len(tasks)
    assert all(t.name_fi and t.name_sv and t.name_en for t in tasks)
    assert ("Lastensuojelu", "Barnskydd", "Child welfare") in {
        (t.name_fi, t.name_sv, t.name_en) for t in tasks
    }


def test_touch_changes_exactly_count_units_and_stamps_them_with_the_day(register):
    on = date(2026, 3, 2)
    before = {u.oid: u.to_wire() for u in register.units[SOTE]}
    touched = register.touch(200, on=on, seed=5)
    after = {u.oid: u.to_wire() for u in register.units[SOTE]}
    assert len(touched.oids) == 200
    assert {oid for oid, c in after.items() if before.get(oid) != c} == touched.oids
    assert {oid for oid, c in after.items() if c["modifiedDate"] == on.isoformat()} == touched.oids
    assert set(touched.new) == set(after) - set(before)
    assert all(after[oid]["expirationDate"] == "2026-03-01" for oid in touched.ended)
    assert all(after[oid]["status"] == DELETED for oid in touched.deleted)
    assert all(after[oid]["status"] == ACTIVE for oid in touched.changed + touched.new + touched.ended)
    assert touched.changed and touched.new and touched.ended and touched.deleted
    assert problems(served(register, SOTE)) == []


def test_touch_leaves_the_demo_organisations_alone(register):
    demo_ids = {o.business_id for o in DEMO_ORGANISATIONS}
    touched = register.touch(150, on=date(2026, 3, 2))
    units = {u.oid: u for u in register.units[SOTE]}
    assert not {units[oid].business_id for oid in touched.oids} & demo_ids


def test_touch_is_deterministic_for_the_same_seed():
    first, second = generate_register(SIZE, SEED), generate_register(SIZE, SEED)
    assert first.touch(50, on=date(2026, 3, 2), seed=1) == second.touch(50, on=date(2026, 3, 2), seed=1)
    assert first.to_json() == second.to_json()


def test_touch_refuses_a_day_inside_the_generated_history(register):
    with pytest.raises(ValueError, match="after"):
        register.touch(10, on=GENERATED_AS_OF)
