"""One row per daily job per day: who runs it, how it went."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime
from portal.extensions import db

RUN_STATES = ("running", "succeeded", "failed")


class JobRun(db.Model):
    """A daily job's run on ``day`` (the Finnish calendar day). The unique key is the claim: of two
    workers, only the one whose INSERT goes in runs the job. A failed run is tried again later the same
    day (``next_try_at``), up to the configured number of attempts; a run whose worker died (its
    ``claimed_until`` passed while "running") is taken over."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job", "day"),
        CheckConstraint("state IN ('running', 'succeeded', 'failed')", name="state"),
        CheckConstraint("attempts >= 1", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=1)
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detail: Mapped[str | None] = mapped_column(Text)
