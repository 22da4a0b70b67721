"""Loading a checked file: new and changed units, the event log, the export markers, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.orgunits import loading
from portal.orgunits.checks import check, check_bytes
from portal.orgunits.files import ParsedFile
from portal.orgunits.loading import NotLoadable, apply, record_failure
from portal.orgunits.models import UnitChange, UnitEvent, Upload
from portal.registry.models import RegisterUnit
from tests.orgunits.factories import HEADER, add_to_mirror, csv_bytes, mirror_unit, oid, record

pytestmark = pytest.mark.usefixtures("english")


def load(records, *, branch=None, upload=None, source="upload"):
    result = check(ParsedFile.from_records(records, HEADER), branch_oid=branch)
    assert result.passed, result.lines()
    return apply(
        result,
        person_id=None,
        person_name="Maija Meikäläinen",
        organisation={"business_id": "1234567-1", "name": "Testi"},
        source=source,
        upload=upload,
    )


def events(unit_oid=None):
    query = sa.select(UnitEvent).order_by(UnitEvent.id)
    if unit_oid:
        query = query.where(UnitEvent.unit_oid == unit_oid)
    return db.session.scalars(query).all()


def test_new_units_are_added_with_an_event_per_given_field_and_marked_for_export():
    upload = Upload(organisation_business_id="1234567-1", filename="units.csv", size=10, sha256="0" * 64)
    db.session.add(upload)
    db.session.commit()
    added, updated = load([record(1), record(2, ParentId=oid(1), ExpiringDate="31.12.2030")], upload=upload)
    assert (added, updated) == (2, 0)
    unit = db.session.get(RegisterUnit, oid(2))
    assert unit.register == "sote" and unit.status == "ACTIVE"
    assert unit.parent_oid == oid(1) and unit.expiration_date == date(2030, 12, 31)
    assert (unit.municipality_code, unit.municipality_name, unit.sector) == ("091", "Helsinki", "1")
    assert unit.health_unit and unit.health_service_unit and not unit.social_unit
    assert unit.attributes["Sektori"] == ["1 Julkinen"] and unit.attributes["LongName"] == ["Terveysasema 2"]
    logged = {e.field: (e.old_value, e.new_value) for e in events(oid(2))}
    assert logged["LongName"] == (None, "Terveysasema 2")
    assert logged["ExpiringDate"] == (None, "2030-12-31")
    assert "A:Korvaava koodi" not in logged  # empty fields leave no event
    event = events(oid(2))[0]
    assert (event.source, event.person_name, event.organisation_business_id, event.upload_id) == (
        "upload",
        "Maija Meikäläinen",
        "1234567-1",
        upload.id,
    )
    pending = db.session.scalars(sa.select(UnitChange.unit_oid).where(UnitChange.exported_at.is_(None))).all()
    assert sorted(pending) == [oid(1), oid(2)]
    db.session.refresh(upload)
    assert (upload.result, upload.added, upload.updated, upload.error_count) == ("passed", 2, 0, 0)
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.kind == "orgunits.loaded")).one()
    assert audit.detail == {"source": "upload", "added": 2, "updated": 0}


def test_an_existing_oid_updates_that_unit_and_logs_old_and_new_values():
    add_to_mirror(mirror_unit(1), mirror_unit(2, parent=1), mirror_unit(3, parent=1))
    added, updated = load(
        [
            record(1),  # as it is: not counted, no event
            record(2, ParentId=oid(1), PhoneNumber="09 765 4321", LongName="Terveysasema Keskusta"),
            record(3, ParentId=oid(1)),
            record(4, ParentId=oid(2)),
        ]
    )
    assert (added, updated) == (1, 1)
    unit = db.session.get(RegisterUnit, oid(2))
    assert unit.phone == "09 765 4321" and unit.long_name == "Terveysasema Keskusta"
    assert {(e.field, e.old_value, e.new_value) for e in events(oid(2))} == {
        ("PhoneNumber", "09 123 4567", "09 765 4321"),
        ("LongName", "Terveysasema 2", "Terveysasema Keskusta"),
    }
    assert events(oid(1)) == [] and events(oid(3)) == []
    assert db.session.get(UnitChange, oid(1)) is None and db.session.get(UnitChange, oid(2)) is not None


def test_left_out_columns_keep_their_values_and_an_empty_cell_empties():
    add_to_mirror(mirror_unit(1, expiration_date=date(2030, 1, 1)))
    header = [h for h in HEADER if h not in ("PhoneNumber", "BeginningDate")]
    result = check(ParsedFile.from_records([record(1, PostOffice="", PostNumber="")], header))
    assert result.passed, result.lines()
    apply(result, person_id=None, person_name="", organisation="1234567-1", source="quick_edit")
    unit = db.session.get(RegisterUnit, oid(1))
    assert unit.phone == "09 123 4567" and unit.begin_date == date(2023, 1, 1)  # left out: kept
    assert unit.post_office is None and unit.post_number is None and unit.expiration_date is None
    assert {e.field for e in events(oid(1))} == {"PostOffice", "PostNumber", "ExpiringDate"}


def test_a_unit_changed_again_after_an_export_is_pending_again():
    load([record(1)])
    db.session.execute(sa.update(UnitChange).values(exported_at=sa.func.current_timestamp()))
    db.session.commit()
    load([record(1, PhoneNumber="09 111 1111")], source="form")
    assert db.session.get(UnitChange, oid(1)).exported_at is None


def test_nothing_is_written_when_anything_fails(monkeypatch):
    add_to_mirror(mirror_unit(1))

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(loading, "_mark_changed", broken)
    with pytest.raises(RuntimeError):
        load([record(1, PhoneNumber="09 111 1111"), record(2)])
    assert db.session.get(RegisterUnit, oid(1)).phone == "09 123 4567"
    assert db.session.get(RegisterUnit, oid(2)) is None
    assert events() == [] and db.session.scalars(sa.select(UnitChange)).all() == []


def test_a_file_that_no_longer_passes_is_not_loaded():
    result = check(ParsedFile.from_records([record(1), record(2)], HEADER))
    assert result.passed
    add_to_mirror(mirror_unit(9, long_name="Terveysasema 2"))  # someone took the name meanwhile
    with pytest.raises(NotLoadable) as refused:
        apply(result, person_id=None, person_name="", organisation="1234567-1", source="upload")
    assert [(p.row, p.rule) for p in refused.value.result.errors] == [(3, "LN2")]
    assert db.session.get(RegisterUnit, oid(1)) is None


def test_a_failed_check_cannot_be_applied_and_its_log_is_kept():
    result = check_bytes(csv_bytes([record(1, PostNumber="123")]))
    with pytest.raises(NotLoadable):
        apply(result, person_id=None, person_name="", organisation="1234567-1", source="upload")
    upload = Upload(organisation_business_id="1234567-1", filename="u.csv", size=1, sha256="0" * 64)
    db.session.add(upload)
    db.session.commit()
    record_failure(upload, result)
    db.session.refresh(upload)
    assert upload.result == "failed" and upload.error_count == 1
    assert upload.error_log.startswith("row 2, PostNumber, PN2: ")
