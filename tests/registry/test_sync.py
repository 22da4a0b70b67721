"""Full and changes-only syncs from the stand-in into the mirror, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.integrations.codeserver.generator import MUNICIPALITY_CODES, SERVICE_TASKS, SOTE
from portal.orgunits.models import UnitChange
from portal.registry.models import CodeEntry, RegisterUnit, SyncRun
from portal.registry.sync import changes_since, mirror_is_empty, sync_changes, sync_full

from .conftest import mirror_units, served_units


def test_full_sync_fills_the_mirror_with_exactly_what_the_standin_serves(app, register):
    assert mirror_is_empty()
    result = sync_full()
    assert result.succeeded
    assert mirror_units() == served_units(register)
    codes = {(c.code, c.name_fi, c.name_sv, c.name_en) for c in db.session.scalars(sa.select(CodeEntry))}
    expected = {
        (c.code, c.name_fi, c.name_sv, c.name_en)
        for key in (MUNICIPALITY_CODES, SERVICE_TASKS)
        for c in register.codes[key]
    }
    assert codes == expected


def test_full_sync_parses_every_column_of_a_unit(app, register):
    sync_full()
    unit = next(u for u in register.units[SOTE] if u.topi_code and u.parent_oid and u.renewal_requests)
    row = db.session.get(RegisterUnit, unit.oid)
    assert (row.municipality_code, row.municipality_name) == tuple(unit.municipality.split(" ", 1))
    assert row.sector == str(unit.sector)
    assert (row.health_unit, row.social_unit, row.health_service_unit, row.social_service_unit) == (
        unit.health_unit,
        unit.social_unit,
        unit.health_service_unit,
        unit.social_service_unit,
    )
    assert (row.renewal_requests, row.topi_code, row.post_number, row.post_office) == (
        True,
        unit.topi_code,
        unit.post_number,
        unit.post_office,
    )
    assert (row.abbreviation, row.org_unit_abbreviation) == (unit.abbreviation, unit.org_unit_abbreviation)
    assert row.attributes["LongName"] == [unit.long_name]


def test_a_second_full_sync_replaces_rather_than_adds(app, register, catalogue):
    sync_full()
    catalogue.touch(60, date(2026, 2, 1), seed=3)
    result = sync_full()
    assert mirror_units() == served_units(register)
    assert next(p for p in result.parts if p.classification == SOTE).removed == 300


def test_full_sync_records_one_successful_run_per_classification(app):
    result = sync_full()
    runs = db.session.scalars(sa.select(SyncRun)).all()
    assert sorted(r.classification for r in runs) == sorted(p.classification for p in result.parts)
    assert all(r.succeeded and r.mode == "full" and r.error is None for r in runs)
    assert {r.received for r in runs if r.classification == SOTE} == {300}


def test_changes_sync_picks_up_exactly_the_touched_units(app, register, catalogue):
    sync_full()
    before = mirror_units()
    today = utcnow().date()
    touched = catalogue.touch(50, today, seed=1)
    result = sync_changes()
    sote = next(p for p in result.parts if p.classification == SOTE)
    assert (sote.mode, sote.modified_after) == ("changes", today)
    assert sote.received == 50
    after = mirror_units()
    assert after == served_units(register)
    assert {oid for oid in after if before.get(oid) != after[oid]} | set(touched["deleted"]) == (
        set(touched["changed"]) | set(touched["new"]) | set(touched["ended"]) | set(touched["deleted"])
    )
    assert set(touched["new"]) <= set(after) and not set(touched["new"]) & set(before)
    assert not set(touched["deleted"]) & set(after)
    assert all(after[oid][-2] < today for oid in touched["ended"])
    assert (sote.written, sote.removed) == (50 - len(touched["deleted"]), len(touched["deleted"]))


def test_changes_sync_with_nothing_changed_changes_nothing(app):
    sync_full()
    before = mirror_units()
    result = sync_changes()
    assert all(p.mode == "changes" and p.received == 0 for p in result.parts)
    assert mirror_units() == before


def test_changes_sync_without_an_earlier_sync_is_a_full_sync(app, register):
    result = sync_changes()
    assert {p.mode for p in result.parts} == {"full"}
    assert mirror_units() == served_units(register)


def test_changes_start_from_the_day_of_the_last_successful_sync(app):
    assert changes_since(SOTE) is None
    sync_full()
    assert changes_since(SOTE) == utcnow().date()
    runs = db.session.scalars(sa.select(SyncRun)).all()
    for run in runs:
        run.started_at = run.started_at.replace(year=2025, month=6, day=3)
    db.session.commit()
    assert changes_since(SOTE) == date(2025, 6, 3)
    assert sync_changes().parts[0].modified_after == date(2025, 6, 3)


def _change_locally(oid: str, long_name: str) -> None:
    """What a form or an upload in the portal does to a unit: the mirror row changes and a pending
    marker waits for the daily export."""
    db.session.get(RegisterUnit, oid).long_name = long_name
    db.session.merge(UnitChange(unit_oid=oid, changed_at=utcnow()))
    db.session.commit()


def test_a_sync_keeps_units_changed_in_the_portal_until_they_are_exported(app, register, catalogue):
    sync_full()
    today = utcnow().date()
    touched = catalogue.touch(40, today, seed=5)
    mine, theirs = touched["changed"][:2]
    _change_locally(mine, "Changed in the portal")
    result = sync_changes()
    sote = next(p for p in result.parts if p.classification == SOTE)
    assert sote.kept == 1 and "1 kept" in result.summary()
    db.session.expire_all()
    assert db.session.get(RegisterUnit, mine).long_name == "Changed in the portal"
    assert mirror_units()[theirs] == served_units(register)[theirs]
    # A full sync keeps it too, and replaces everything else.
    result = sync_full()
    db.session.expire_all()
    assert db.session.get(RegisterUnit, mine).long_name == "Changed in the portal"
    others = {oid: row for oid, row in mirror_units().items() if oid != mine}
    assert others == {oid: row for oid, row in served_units(register).items() if oid != mine}
    # Once exported, the unit is the register's again.
    db.session.execute(sa.update(UnitChange).values(exported_at=utcnow()))
    db.session.commit()
    sync_full()
    assert mirror_units() == served_units(register)
