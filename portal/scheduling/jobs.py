"""The daily jobs and their runner.

    Scheduler(app, "worker-1").run_due()   # runs every job whose time of day has passed today and
                                           # that has not run yet (or failed and may try again)

A job is due once its time (``SCHEDULE``, e.g. ``{"registry-export": "02:00"}``, Finnish time) has passed
on the day, so a worker that was down at 02:00 catches up when it starts. Each run is claimed by
inserting its ``JobRun`` row (job, day): on every database only one worker succeeds. A job's function
returns a line for the record, or raises to fail the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from portal.db import utcnow
from portal.extensions import db
from portal.identifiers import scrub_hetu
from portal.scheduling.models import JobRun

log = logging.getLogger(__name__)

DETAIL_LIMIT = 2000


def _registry_export() -> str:
    from portal.orgunits.export import export_changes

    run = export_changes()
    if run.state != "succeeded":
        raise RuntimeError(run.detail or "the code server did not take the changes")
    return f"{run.units} changed units exported." + (f" {run.detail}" if run.detail else "")


def _registry_sync() -> str:
    from portal.registry.sync import sync_changes

    return sync_changes().summary().replace("\n", "; ")


def _sessions_purge() -> str:
    from flask import current_app

    from portal.auth.sessions import purge_expired_sessions
    from portal.ratelimits.limits import purge_expired_counts

    sessions = purge_expired_sessions(current_app)
    return f"{sessions} expired sessions and {purge_expired_counts()} ended rate-limit counts deleted."


# name: what it does. Exported first, so that the national register has the portal's changes before the
# mirror asks for the day's changes.
JOBS: dict[str, Callable[[], str]] = {
    "registry-export": _registry_export,
    "registry-sync": _registry_sync,
    "sessions-purge": _sessions_purge,
}


@dataclass(frozen=True)
class Due:
    job: str
    day: date  # the Finnish calendar day


def parse_time(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def today_at(now: datetime, at: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """``now`` in the portal's time zone, and ``at`` on that day there."""
    local = now.astimezone(zone)
    return local, datetime.combine(local.date(), at, zone)


class Scheduler:
    def __init__(self, app: Flask, name: str) -> None:
        self.app = app
        self.name = name
        config = app.config
        self.zone = ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"])
        self.times = {job: parse_time(at) for job, at in config["SCHEDULE"].items() if job in JOBS}
        self.max_attempts = config["SCHEDULE_MAX_ATTEMPTS"]
        self.retry = timedelta(seconds=config["SCHEDULE_RETRY_SECONDS"])
        self.lease = timedelta(seconds=config["SCHEDULE_LEASE_SECONDS"])

    def due(self, now: datetime) -> list[Due]:
        """The jobs whose time has passed today (Finnish time), in the order of ``JOBS``."""
        due = []
        for job, at in self.times.items():
            local, start = today_at(now, at, self.zone)
            if local >= start:
                due.append(Due(job, local.date()))
        return due

    def run_due(self, now: datetime | None = None) -> list[JobRun]:
        """Run every due job this worker can claim; the runs it made."""
        now = now or utcnow()
        runs = []
        for due in self.due(now):
            run_id = self.claim(due, now)
            if run_id is not None:
                runs.append(self.run(run_id, due.job, now))
        return runs

    def claim(self, due: Due, now: datetime) -> int | None:
        """The id of the (job, day) run this worker may run now, claimed; None when it is done, another
        worker has it, or it failed and its next try is not yet due."""
        run = JobRun(
            job=due.job,
            day=due.day,
            state="running",
            attempts=1,
            claimed_by=self.name,
            claimed_until=now + self.lease,
            started_at=now,
        )
        db.session.add(run)
        try:
            db.session.commit()
            return run.id
        except IntegrityError:
            db.session.rollback()
        # Someone ran it, or runs it: take it only if it failed and may try again, or its worker died.
        claimable = or_(
            (JobRun.state == "failed") & (JobRun.next_try_at <= now) & (JobRun.attempts < self.max_attempts),
            (JobRun.state == "running") & (JobRun.claimed_until < now),
        )
        run_id = db.session.scalar(select(JobRun.id).where(JobRun.job == due.job, JobRun.day == due.day))
        claimed = db.session.execute(
            update(JobRun)
            .where(JobRun.id == run_id, claimable)
            .values(
                state="running",
                attempts=JobRun.attempts + 1,
                claimed_by=self.name,
                claimed_until=now + self.lease,
                started_at=now,
                finished_at=None,
                next_try_at=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        return run_id if claimed else None

    def run(self, run_id: int, job: str, now: datetime) -> JobRun:
        log.info("daily job %s started by %s", job, self.name)
        try:
            detail, state = JOBS[job](), "succeeded"
        except Exception as exc:  # the run is recorded as failed and tried again later
            db.session.rollback()
            log.exception("daily job %s failed", job)
            detail, state = f"{type(exc).__name__}: {exc}", "failed"
        db.session.rollback()  # whatever the job left open
        run = db.session.get(JobRun, run_id)
        finished = utcnow()
        run.state, run.finished_at, run.claimed_until = state, finished, None
        run.detail = scrub_hetu(detail)[:DETAIL_LIMIT]
        if state == "failed" and run.attempts < self.max_attempts:
            run.next_try_at = now + self.retry  # from the claim
        db.session.commit()
        log.info("daily job %s %s: %s", job, state, run.detail)
        return run


def latest_runs(job: str | None = None, limit: int = 20) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.day.desc(), JobRun.job).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(db.session.scalars(query))


def next_run(app: Flask, job: str, now: datetime | None = None) -> datetime | None:
    """When ``job`` runs next (UTC): today at its time if that is still ahead and it has not run yet,
    otherwise tomorrow at its time. None when the job is not scheduled."""
    at = app.config["SCHEDULE"].get(job)
    if at is None:
        return None
    now = now or utcnow()
    local, today = today_at(now, parse_time(at), ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    if local < today:
        return today.astimezone(now.tzinfo)
    ran_today = db.session.scalar(
        select(JobRun.id).where(JobRun.job == job, JobRun.day == local.date(), JobRun.state == "succeeded")
    )
    if not ran_today:  # due: a worker picks it up within a poll
        return now
    return (today + timedelta(days=1)).astimezone(now.tzinfo)  # wall-clock time, across DST too
