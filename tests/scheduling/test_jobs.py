"""The daily jobs: due at their Finnish time, claimed once per day across workers, retried after a
failure, taken over from a worker that died; the register export run for real against the code-server
stand-in over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.integrations.serve import ThreadedServer, free_port
from portal.orgunits.export import pending_count
from portal.orgunits.models import ExportRun
from portal.outbox.worker import Worker
from portal.registry.sync import sync_full
from portal.scheduling import jobs
from portal.scheduling.jobs import Scheduler, latest_runs, next_run
from portal.scheduling.models import JobRun
from tests.integrations.codeserver.conftest import catalogue, register, standin  # noqa: F401
from tests.orgunits.test_export import a_change, load

# 2026-11-22 is in Finnish winter time (UTC+2): 02:00 in Helsinki is 00:00 UTC.
DAY = datetime(2026, 11, 22, tzinfo=UTC)


@pytest.fixture
def app_config(standin: ThreadedServer) -> dict:  # noqa: F811
    return {
        "CODESERVER_URL": standin.url,
        "CODESERVER_TIMEOUT": 2.0,
        "SCHEDULE": {"registry-export": "02:00", "registry-sync": "03:00", "sessions-purge": "04:00"},
        "SCHEDULE_RETRY_SECONDS": 600.0,
        "SCHEDULE_MAX_ATTEMPTS": 2,
    }


class Calls(list):
    """The jobs called, in order; a job named in ``failing`` raises."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: set[str] = set()


@pytest.fixture
def calls(monkeypatch) -> Calls:
    """Every job replaced by one that records its call: the scheduler's own rules, apart from the jobs."""
    made = Calls()

    def job(name: str):
        def run() -> str:
            made.append(name)
            if name in made.failing:
                raise RuntimeError(f"{name} broke for 010203-123N")
            return f"{name} done"

        return run

    monkeypatch.setattr(jobs, "JOBS", {name: job(name) for name in jobs.JOBS})
    return made


def test_jobs_are_due_from_their_finnish_time_on_the_finnish_day(app):
    scheduler = Scheduler(app, "w1")
    assert scheduler.due(DAY - timedelta(minutes=1)) == []  # 01:59 in Helsinki
    assert [d.job for d in scheduler.due(DAY + timedelta(minutes=30))] == ["registry-export"]
    assert [d.job for d in scheduler.due(DAY + timedelta(hours=1, minutes=1))] == [
        "registry-export",
        "registry-sync",
    ]
    assert {d.day for d in scheduler.due(DAY + timedelta(hours=20))} == {DAY.date()}
    # 22:30 UTC on the 21st is already the 22nd in Helsinki.
    app.config["SCHEDULE"] = {"sessions-purge": "00:00"}
    assert Scheduler(app, "w1").due(DAY - timedelta(hours=1, minutes=30)) == [
        jobs.Due("sessions-purge", DAY.date())
    ]


def test_each_job_runs_once_a_day_across_workers(app, calls):
    one, two = Scheduler(app, "w1"), Scheduler(app, "w2")
    at = DAY + timedelta(hours=3)
    assert [r.job for r in one.run_due(at)] == ["registry-export", "registry-sync", "sessions-purge"]
    assert two.run_due(at + timedelta(minutes=5)) == []
    assert one.run_due(at + timedelta(hours=5)) == []
    assert calls == ["registry-export", "registry-sync", "sessions-purge"]
    runs = db.session.scalars(sa.select(JobRun).order_by(JobRun.id)).all()
    assert [(r.state, r.claimed_by, r.attempts, r.detail) for r in runs] == [
        ("succeeded", "w1", 1, f"{job} done") for job in calls
    ]
    # The next day, they are due again.
    assert len(two.run_due(at + timedelta(days=1))) == 3
    assert len(calls) == 6


def test_a_failed_run_is_tried_again_later_the_same_day_up_to_the_limit(app, calls):
    calls.failing.add("registry-sync")
    scheduler = Scheduler(app, "w1")
    at = DAY + timedelta(hours=1, minutes=30)
    (export, sync) = scheduler.run_due(at)
    assert (export.state, sync.state) == ("succeeded", "failed")
    assert sync.detail.startswith("RuntimeError: registry-sync broke for") and "123N" not in sync.detail
    assert sync.next_try_at is not None
    assert scheduler.run_due(at + timedelta(minutes=5)) == []  # the retry is not due yet
    (retry,) = Scheduler(app, "w2").run_due(sync.next_try_at + timedelta(seconds=1))
    assert (retry.job, retry.state, retry.attempts, retry.claimed_by) == ("registry-sync", "failed", 2, "w2")
    assert retry.next_try_at is None  # the limit (2) is reached: tomorrow's run is the next
    assert [r.job for r in scheduler.run_due(at + timedelta(hours=5))] == ["sessions-purge"]
    assert calls == ["registry-export", "registry-sync", "registry-sync", "sessions-purge"]


def test_a_run_whose_worker_died_is_taken_over_when_its_claim_runs_out(app, calls):
    at = DAY + timedelta(minutes=30)
    db.session.add(
        JobRun(
            job="registry-export",
            day=DAY.date(),
            state="running",
            claimed_by="dead",
            claimed_until=at + timedelta(minutes=10),
            started_at=at,
        )
    )
    db.session.commit()
    scheduler = Scheduler(app, "w1")
    assert scheduler.run_due(at + timedelta(minutes=5)) == []
    (run,) = scheduler.run_due(at + timedelta(minutes=11))
    assert (run.state, run.claimed_by, run.attempts) == ("succeeded", "w1", 2)


def test_next_run_is_today_until_done_then_tomorrow(app, calls):
    early = DAY - timedelta(hours=1)  # 01:00 in Helsinki
    assert next_run(app, "registry-export", early) == DAY
    late = DAY + timedelta(hours=5)
    assert next_run(app, "registry-export", late) == late  # due, not yet run
    Scheduler(app, "w1").run_due(late)
    assert next_run(app, "registry-export", late) == DAY + timedelta(days=1)
    app.config["SCHEDULE"].pop("sessions-purge")
    assert next_run(app, "sessions-purge", late) is None


def test_the_worker_runs_the_export_against_the_code_server(app, catalogue):  # noqa: F811
    sync_full()
    _, records = a_change()
    load(records)
    assert pending_count() == 2
    app.config["SCHEDULE"] = {"registry-export": "00:00"}  # due at any time of day
    worker = Worker(app, "worker-1", schedule=True)
    worker.run_scheduled()
    assert pending_count() == 0 and len(catalogue.received) == 2
    (run,) = latest_runs()
    assert (run.job, run.state, run.detail) == ("registry-export", "succeeded", "2 changed units exported.")
    assert db.session.scalar(sa.select(ExportRun.units)) == 2
    worker.run_scheduled()  # within the minute: no second look, and no second run
    assert len(latest_runs()) == 1


def test_a_failing_export_fails_the_run_and_keeps_the_changes(app, catalogue):  # noqa: F811
    sync_full()
    _, records = a_change()
    load(records)
    app.config["CODESERVER_URL"] = f"http://127.0.0.1:{free_port()}"
    (run,) = [r for r in Scheduler(app, "w1").run_due(DAY + timedelta(hours=1)) if r.job == "registry-export"]
    assert run.state == "failed" and "cannot be reached" in run.detail
    assert pending_count() == 2


def test_the_commands(app, runner, calls):
    app.config["SCHEDULE"] = {"registry-export": "00:00"}
    done = runner.invoke(args=["schedule", "run-due"])
    assert done.exit_code == 0 and done.output == "registry-export: succeeded: registry-export done\n"
    assert runner.invoke(args=["schedule", "run-due"]).output == "Nothing due.\n"
    result = runner.invoke(args=["schedule", "status"])
    assert result.exception is None, result.exception
    status = result.output
    assert "registry-export  daily at 00:00" in status and "registry-sync    off" in status
    assert "succeeded attempt 1: registry-export done" in status
