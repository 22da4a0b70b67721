"""The daily export: units changed in the portal go to the code server, so that the national register has
them by the next morning (the worker runs it daily, see ``portal.scheduling``; by hand:
``flask registry export-changes``).

Every unit marked pending (``UnitChange.exported_at`` is null) is sent as a concept code, as the code server
serves them, in pages of 500. When the code server has taken them all, the markers are stamped with the run;
a unit changed again while the export ran stays pending for the next one. If the code server fails, nothing
is stamped and the next run sends everything again (the code server's update is idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app

from portal.db import utcnow
from portal.extensions import db
from portal.integrations.codeserver import wire
from portal.integrations.codeserver.client import CodeServerClient, CodeServerError
from portal.orgunits.models import ExportRun, UnitChange
from portal.registry.models import RegisterUnit

log = logging.getLogger(__name__)
PAGE = 500


def concept(unit: Mapping[str, Any]) -> dict[str, Any]:
    """A mirror unit as the code server's concept code."""
    attributes = unit.get("attributes") or {}
    day = unit.get
    return {
        wire.ID: unit["oid"],
        wire.STATUS: unit.get("status") or wire.ACTIVE,
        wire.BEGIN_DATE: day("begin_date").isoformat() if day("begin_date") else None,
        wire.EXPIRATION_DATE: day("expiration_date").isoformat() if day("expiration_date") else None,
        wire.MODIFIED_DATE: day("modified_date").isoformat() if day("modified_date") else None,
        wire.ATTRIBUTES: [
            {wire.ATTRIBUTE_NAME: name, wire.ATTRIBUTE_VALUE: list(values)}
            for name, values in sorted(attributes.items())
        ],
    }


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(UnitChange.exported_at.is_(None))) or 0


def recent_runs(limit: int = 10) -> list[ExportRun]:
    return list(
        db.session.scalars(
            sa.select(ExportRun).order_by(ExportRun.started_at.desc(), ExportRun.id.desc()).limit(limit)
        )
    )


def export_changes(client: CodeServerClient | None = None) -> ExportRun:
    """Send the pending units; returns the recorded run (``state`` "succeeded" or "failed")."""
    run = ExportRun(started_at=utcnow(), state="succeeded", units=0)
    units = RegisterUnit.__table__
    pending = db.session.execute(
        sa.select(UnitChange.unit_oid, UnitChange.changed_at).where(UnitChange.exported_at.is_(None))
    ).all()
    changed_at = dict(pending)
    rows = []
    for start in range(0, len(pending), PAGE):
        oids = [oid for oid, _ in pending[start : start + PAGE]]
        rows += db.session.execute(sa.select(units).where(units.c.oid.in_(oids))).mappings().all()
    db.session.rollback()  # no transaction held open while the code server is called
    own_client = client is None
    client = client or CodeServerClient.from_config(current_app.config)
    sent = 0
    try:
        oid = current_app.config["CODESERVER_SOTE_OID"]
        for start in range(0, len(rows), PAGE):
            sent += client.send_concepts(oid, [concept(r) for r in rows[start : start + PAGE]])
    except CodeServerError as exc:
        run.state, run.detail = "failed", str(exc)
    finally:
        if own_client:
            client.close()
    run.units = sent if run.state == "succeeded" else 0
    run.finished_at = utcnow()
    missing = len(pending) - len(rows)
    if run.state == "succeeded" and missing:
        run.detail = f"{missing} changed units were no longer in the mirror and were not sent."
    db.session.add(run)
    db.session.flush()
    if run.state == "succeeded" and pending:
        table = UnitChange.__table__
        db.session.execute(
            sa.update(table)
            .where(table.c.unit_oid == sa.bindparam("key"), table.c.changed_at == sa.bindparam("seen"))
            .values(exported_at=run.finished_at, export_run_id=run.id),
            [{"key": oid, "seen": at} for oid, at in changed_at.items()],
        )
    db.session.commit()
    if run.state == "failed":
        log.warning("export of %s changed units failed: %s", len(rows), run.detail)
    return run
