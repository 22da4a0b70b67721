"""The local mirror of the code server's registers and code lists, and the record of each sync."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime, utcnow
from portal.extensions import db

REGISTERS = ("sote", "practitioners", "pharmacies")
CODE_LISTS = ("municipalities", "service_tasks")
SYNC_MODES = ("full", "changes")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RegisterUnit(db.Model):
    """One organisation unit of the SOTE register, the practitioners register or the pharmacy register.

    Free-text columns have no length limit on purpose: the code server decides what it holds, and one long
    value must not make a whole sync fail. ``attributes`` keeps every attribute as received.
    """

    __tablename__ = "register_unit"
    __table_args__ = (
        CheckConstraint(_in("register", REGISTERS), name="register"),
        CheckConstraint("sector IN ('1', '2', '3')", name="sector"),
    )

    oid: Mapped[str] = mapped_column(String, primary_key=True)
    register: Mapped[str] = mapped_column(String(20))
    long_name: Mapped[str] = mapped_column(Text)
    abbreviation: Mapped[str | None] = mapped_column(Text)
    org_unit_abbreviation: Mapped[str | None] = mapped_column(Text)
    parent_oid: Mapped[str | None] = mapped_column(String, index=True)
    business_id: Mapped[str | None] = mapped_column(String, index=True)
    street_address: Mapped[str | None] = mapped_column(Text)
    post_address: Mapped[str | None] = mapped_column(Text)
    post_number: Mapped[str | None] = mapped_column(String)
    post_office: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String)
    municipality_code: Mapped[str | None] = mapped_column(String)
    municipality_name: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(
        String(1)
    )  # "1" public, "2" private, "3" self-notified private
    health_unit: Mapped[bool] = mapped_column(server_default=false())
    social_unit: Mapped[bool] = mapped_column(server_default=false())
    health_service_unit: Mapped[bool] = mapped_column(server_default=false())
    social_service_unit: Mapped[bool] = mapped_column(server_default=false())
    renewal_requests: Mapped[bool] = mapped_column(server_default=false())
    topi_code: Mapped[str | None] = mapped_column(String)
    replacing_codes: Mapped[str | None] = mapped_column(Text)  # comma-separated OIDs, as received
    status: Mapped[str] = mapped_column(String(20))
    begin_date: Mapped[date | None]
    expiration_date: Mapped[date | None]
    modified_date: Mapped[date | None]
    attributes: Mapped[dict] = mapped_column(JSON)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def is_valid_on(self, day: date) -> bool:
        return (
            self.status == "ACTIVE"
            and (self.begin_date is None or self.begin_date <= day)
            and (self.expiration_date is None or day <= self.expiration_date)
        )

    def __repr__(self) -> str:
        return f"<RegisterUnit {self.oid} {self.long_name!r}>"


class CodeEntry(db.Model):
    """One entry of a code list: a municipality, a social-welfare service task."""

    __tablename__ = "code_entry"

    classification_oid: Mapped[str] = mapped_column(String, primary_key=True)
    code: Mapped[str] = mapped_column(String, primary_key=True)
    name_fi: Mapped[str] = mapped_column(Text)
    name_sv: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    begin_date: Mapped[date | None]
    expiration_date: Mapped[date | None]
    modified_date: Mapped[date | None]
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SyncRun(db.Model):
    """One classification's part of a sync: when, how (full or changes), what came, what failed."""

    __tablename__ = "sync_run"
    __table_args__ = (
        CheckConstraint(_in("mode", SYNC_MODES), name="mode"),
        CheckConstraint(_in("classification", REGISTERS + CODE_LISTS), name="classification"),
        CheckConstraint("received >= 0 AND written >= 0 AND removed >= 0", name="counts"),
        Index("ix_sync_run_classification_succeeded_started", "classification", "succeeded", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classification: Mapped[str] = mapped_column(String(20))  # "sote", "municipalities", …
    classification_oid: Mapped[str] = mapped_column(String)
    mode: Mapped[str] = mapped_column(String(10))
    modified_after: Mapped[date | None]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(server_default=false())
    received: Mapped[int] = mapped_column(default=0)
    written: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
