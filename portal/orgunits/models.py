"""Organisation-register maintenance: uploads, the units' event log, and what awaits the daily export.

The mirror (``register_unit``) is edited in place; what changed locally is marked in ``unit_change`` until
the daily export has sent it to the code server, and every changed field leaves a ``unit_event``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db
from portal.registry.models import RegisterUnit

SOURCES = ("upload", "form", "quick_edit")
UPLOAD_RESULTS = ("pending", "passed", "failed")
EXPORT_STATES = ("succeeded", "failed")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Upload(db.Model):
    """One file uploaded for loading into the register.

    ``pending`` while the user looks at the preview (``content`` holds the file until it is loaded or
    refused), then ``passed`` (loaded: the counts say what changed) or ``failed`` (nothing loaded:
    ``error_log`` holds the error list as the downloadable log, in the language of the user who loaded it).
    """

    __tablename__ = "orgunit_upload"
    __table_args__ = (
        CheckConstraint(_in("result", UPLOAD_RESULTS), name="result"),
        CheckConstraint("size >= 0 AND added >= 0 AND updated >= 0 AND error_count >= 0", name="counts"),
        Index("ix_orgunit_upload_org_at", "organisation_business_id", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    person_name: Mapped[str] = mapped_column(String(400), default="")
    organisation_business_id: Mapped[str] = mapped_column(String(9))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result: Mapped[str] = mapped_column(String(10), default="pending")
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    error_log: Mapped[str | None] = mapped_column(Text, deferred=True)


class UnitEvent(db.Model):
    """One changed field of one unit: who, when, acting for which organisation, how, old and new value.

    ``field`` is the column name of the upload format ("LongName", "A:Y-Tunnus"); values are as that format
    writes them (dates ISO, flags ``T``/``F``). A new unit leaves one event per field it was given, with no
    old value. No foreign key to the unit: a full sync replaces the mirror's rows, the log stays.
    """

    __tablename__ = "orgunit_event"
    __table_args__ = (
        CheckConstraint(_in("source", SOURCES), name="source"),
        Index("ix_orgunit_event_unit_at", "unit_oid", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_oid: Mapped[str] = mapped_column(String)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    person_name: Mapped[str] = mapped_column(String(400), default="")
    organisation_business_id: Mapped[str | None] = mapped_column(String(9))
    source: Mapped[str] = mapped_column(String(12))
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("orgunit_upload.id", ondelete="SET NULL"), index=True
    )
    field: Mapped[str] = mapped_column(String(60))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class UnitChange(db.Model):
    """A unit changed locally and not yet sent to the code server (``exported_at`` is null), or when it
    last was. A unit changed again after an export is pending again: ``changed_at`` moves on and
    ``exported_at`` goes back to null."""

    __tablename__ = "orgunit_change"
    __table_args__ = (Index("ix_orgunit_change_pending", "exported_at", "changed_at"),)

    unit_oid: Mapped[str] = mapped_column(String, primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    export_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("orgunit_export_run.id", ondelete="SET NULL")
    )


class ExportRun(db.Model):
    """One run of the daily export: when, how many units went, whether the code server took them."""

    __tablename__ = "orgunit_export_run"
    __table_args__ = (
        CheckConstraint(_in("state", EXPORT_STATES), name="state"),
        CheckConstraint("units >= 0", name="units"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    units: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(Text)


# The upload's uniqueness rules (LN2, AB2) look the mirror's units up by long name and by abbreviation.
# Hash indexes: equality is all the rules need, and unlike a btree they take a value of any length (the
# mirror keeps the code server's free text as it comes, and one long name must not fail a sync).
Index("ix_register_unit_long_name_hash", RegisterUnit.long_name, postgresql_using="hash")
Index("ix_register_unit_abbreviation_hash", RegisterUnit.abbreviation, postgresql_using="hash")
