"""Lookups in the register mirror, for the dashboard and the organisation choice. They never call the code
server: the mirror answers even when the code server is down."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.registry.models import REGISTERS, CodeEntry, RegisterUnit, SyncRun

FINNISH_TIME = ZoneInfo("Europe/Helsinki")


def finnish_today() -> date:
    """The register's days are Finnish days."""
    return datetime.now(FINNISH_TIME).date()


def is_valid_today(unit: RegisterUnit, today: date | None = None) -> bool:
    """Active, and today (Finnish time) within its validity, both ends included."""
    return unit.is_valid_on(today or finnish_today())


def find_organisation(business_id: str) -> RegisterUnit | None:
    """The organisation's top unit in any of the three registers, or None.

    A top unit has the business id and no parent, or a parent that belongs to another business id (or is
    not in the mirror). A currently valid one is preferred (SOTE register first, then the earliest begun);
    if none is valid, the one whose validity ended last. The caller checks validity with ``is_valid_today``.
    """
    parent = aliased(RegisterUnit)
    candidates = db.session.scalars(
        sa.select(RegisterUnit)
        .outerjoin(parent, parent.oid == RegisterUnit.parent_oid)
        .where(
            RegisterUnit.business_id == business_id,
            sa.or_(
                RegisterUnit.parent_oid.is_(None),
                parent.oid.is_(None),
                parent.business_id.is_distinct_from(business_id),
            ),
        )
    ).all()
    if not candidates:
        return None
    day = finnish_today()
    valid = [u for u in candidates if is_valid_today(u, day)]
    if valid:
        return min(valid, key=lambda u: (REGISTERS.index(u.register), u.begin_date or date.min, u.oid))
    return max(candidates, key=lambda u: (u.expiration_date or date.min, u.modified_date or date.min, u.oid))


def municipality_name(code: str, lang: str) -> str | None:
    """A municipality's name in ``lang`` ("fi", "sv", "en"), falling back to Finnish."""
    entry = db.session.get(CodeEntry, (current_app.config["CODESERVER_MUNICIPALITIES_OID"], code))
    if entry is None:
        return None
    return _name(entry, lang)


def service_tasks(lang: str) -> list[tuple[str, str]]:
    """The social-welfare service tasks valid today as (code, name in ``lang``), in code order."""
    entries = db.session.scalars(
        sa.select(CodeEntry)
        .where(CodeEntry.classification_oid == current_app.config["CODESERVER_SERVICE_TASKS_OID"])
        .order_by(CodeEntry.code)
    ).all()
    day = finnish_today()
    return [
        (e.code, _name(e, lang))
        for e in entries
        if e.status == "ACTIVE"
        and (e.begin_date is None or e.begin_date <= day)
        and (e.expiration_date is None or day <= e.expiration_date)
    ]


def last_sync(*, successful_only: bool = True) -> SyncRun | None:
    """The latest sync run (of any classification); by default the latest that succeeded."""
    query = sa.select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc()).limit(1)
    if successful_only:
        query = query.where(SyncRun.succeeded.is_(True))
    return db.session.scalars(query).first()


def _name(entry: CodeEntry, lang: str) -> str:
    return {"sv": entry.name_sv, "en": entry.name_en}.get(lang) or entry.name_fi


__all__ = [
    "REGISTERS",
    "find_organisation",
    "is_valid_today",
    "last_sync",
    "municipality_name",
    "service_tasks",
]
