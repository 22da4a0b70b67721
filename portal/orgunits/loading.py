"""Loading checked units into the register mirror: all or nothing, with the event log and export markers.

``apply(result, …)`` takes a passed ``CheckResult`` and, in one transaction: checks the file again against
the mirror as it is now (serialised on PostgreSQL by an advisory lock, so two uploads cannot both take the
same name), adds the new units, updates the changed ones, writes a ``UnitEvent`` per changed field and marks
each changed unit for the daily export (``UnitChange``), records the upload's outcome and an audit event,
and commits. Any failure rolls everything back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSON

from portal.audit.services import record as audit
from portal.db import utcnow
from portal.extensions import db
from portal.orgunits import mirror
from portal.orgunits.checks import CheckResult, check
from portal.orgunits.models import SOURCES, UnitChange, UnitEvent, Upload
from portal.orgunits.records import unit_record
from portal.orgunits.rules import COLUMN_BY_KEY, MUNICIPALITY, SECTOR, SECTOR_LABELS
from portal.registry.models import RegisterUnit
from portal.registry.services import finnish_today

UNITS = RegisterUnit.__table__
LOCK_KEY = 0x6F7267756E6974  # "orgunit": one writer of the register at a time (PostgreSQL advisory lock)


class NotLoadable(Exception):
    """The file does not pass (any more): ``result`` holds the problems found, nothing was written."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(f"{len(result.errors)} problems")
        self.result = result


def apply(
    result: CheckResult,
    *,
    person_id: int | None,
    person_name: str,
    organisation: str | Mapping[str, Any] | None,
    source: str,
    upload: Upload | None = None,
) -> tuple[int, int]:
    """Load a passed check's units; returns (added, updated). ``organisation`` is the acting organisation's
    business id (or a mapping with ``business_id`` and ``name``). An existing unit whose every value is
    already as in the file is not counted as updated and leaves no event. Raises ``NotLoadable`` when the
    file no longer passes (the mirror changed since it was checked)."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    if not result.passed or result.file is None:
        raise NotLoadable(result)
    org = {"business_id": organisation} if isinstance(organisation, str) else dict(organisation or {})
    try:
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))
        fresh = check(result.file, branch_oid=result.branch_oid)
        if not fresh.passed:
            raise NotLoadable(fresh)
        added, updated = _write(fresh, person_id, person_name, org.get("business_id"), source, upload)
        if upload is not None:
            upload.result, upload.added, upload.updated = "passed", added, updated
            upload.error_count, upload.checked_at, upload.content = 0, utcnow(), None
        audit(
            "orgunits.loaded",
            object_type="orgunit_upload" if upload is not None else "orgunit",
            object_id=str(upload.id) if upload is not None and upload.id else None,
            detail={"source": source, "added": added, "updated": updated},
            person_id=person_id,
            actor_name=person_name,
            organisation=org,
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return added, updated


def record_failure(upload: Upload, result: CheckResult) -> None:
    """Keep a refused upload's outcome and error log (in the current language), and commit."""
    upload.result, upload.added, upload.updated = "failed", 0, 0
    upload.error_count, upload.checked_at, upload.content = len(result.errors), utcnow(), None
    upload.error_log = result.log_text()
    db.session.commit()


def _write(
    result: CheckResult,
    person_id: int | None,
    person_name: str,
    business_id: str | None,
    source: str,
    upload: Upload | None,
) -> tuple[int, int]:
    now = utcnow()
    today = finnish_today()
    if upload is not None and upload.id is None:
        db.session.flush()
    event = {
        "at": now,
        "person_id": person_id,
        "person_name": person_name,
        "organisation_business_id": business_id,
        "source": source,
        "upload_id": upload.id if upload is not None else None,
    }
    units = result.rows
    current = mirror.existing_units(u.oid for u in units if u.existing)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for unit in units:
        old = current.get(unit.oid)
        if old is None:
            row = _new_row(unit.values, now, today)
            row["attributes"] = _attributes({}, unit.record)
            inserts.append(row)
            events += (
                {**event, "unit_oid": unit.oid, "field": name, "old_value": None, "new_value": value}
                for name, value in unit.record.items()
                if value
            )
            continue
        before = unit_record(old)
        changed = {name: value for name, value in unit.record.items() if before.get(name, "") != value}
        if not changed:
            continue
        row = {**old, **unit.values, "modified_date": today, "synced_at": now}
        row["attributes"] = _attributes(old.get("attributes") or {}, changed)
        row["key"] = unit.oid
        updates.append(row)
        events += (
            {
                **event,
                "unit_oid": unit.oid,
                "field": name,
                "old_value": before.get(name) or None,
                "new_value": value or None,
            }
            for name, value in changed.items()
        )
    if inserts:
        _insert(UNITS, inserts)
    if updates:
        columns = [c.name for c in UNITS.columns if c.name != "oid"]
        statement = (
            sa.update(UNITS)
            .where(UNITS.c.oid == sa.bindparam("key"))
            .values({name: sa.bindparam(f"new_{name}") for name in columns})
        )
        params = [{"key": r["key"], **{f"new_{name}": r[name] for name in columns}} for r in updates]
        db.session.connection().execute(statement, params)
    if events:
        _insert(UnitEvent.__table__, events)
    _mark_changed([r["oid"] for r in inserts] + [r["key"] for r in updates], now)
    return len(inserts), len(updates)


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Rows into a table within the session's transaction: ``COPY`` on PostgreSQL (an upload of new units
    writes tens of thousands of events; one INSERT each, even pipelined, takes seconds), executemany
    elsewhere."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    json_columns = {c.name for c in table.columns if isinstance(c.type, sa.JSON)}
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c] for c in columns]
            )


def _new_row(values: dict[str, Any], now: datetime, today) -> dict[str, Any]:
    row = {c.name: None for c in UNITS.columns}
    row.update(
        register=mirror.SOTE,
        health_unit=False,
        social_unit=False,
        health_service_unit=False,
        social_service_unit=False,
        renewal_requests=False,
        status="ACTIVE",
        modified_date=today,
        synced_at=now,
    )
    row.update(values)
    return row


def _attributes(attributes: dict[str, Any], changed: dict[str, str]) -> dict[str, Any]:
    """The code server's attributes of the unit with the changed columns put in (``Sektori`` as its label)."""
    result = dict(attributes)
    for name, value in changed.items():
        column = COLUMN_BY_KEY[name.casefold()]
        if column.wire is None:
            continue
        if column is SECTOR and value:
            value = SECTOR_LABELS[value]
        if value:
            result[column.wire] = [value]
        else:
            result.pop(column.wire, None)
    if MUNICIPALITY.name in changed and not changed[MUNICIPALITY.name]:
        result.pop(MUNICIPALITY.wire, None)
    return result


def _mark_changed(oids: list[str], now: datetime) -> None:
    """Pending for the daily export: a new marker, or one already exported made pending again."""
    if not oids:
        return
    table = UnitChange.__table__
    reset = {"changed_at": now, "exported_at": None, "export_run_id": None}
    if db.session.get_bind().dialect.name == "postgresql":
        # the OIDs as one JSON parameter: compiling a VALUES list of thousands of rows costs more
        given = sa.select(
            sa.func.json_array_elements_text(sa.cast(sa.bindparam("oids", json.dumps(oids)), JSON)),
            sa.bindparam("now", now, UnitChange.changed_at.type),
        )
        statement = postgresql.insert(table).from_select(["unit_oid", "changed_at"], given)
        db.session.execute(statement.on_conflict_do_update(index_elements=[table.c.unit_oid], set_=reset))
        return
    for start in range(0, len(oids), 10_000):  # one statement per 10,000 units (20,000 parameters)
        rows = [{"unit_oid": oid, "changed_at": now} for oid in oids[start : start + 10_000]]
        statement = sqlite.insert(table).values(rows)
        db.session.execute(statement.on_conflict_do_update(index_elements=[table.c.unit_oid], set_=reset))
