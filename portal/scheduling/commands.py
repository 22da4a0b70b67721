"""``flask schedule …``: the daily jobs, for operators (the worker runs them by itself)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from portal.outbox.worker import default_name
from portal.scheduling.jobs import JOBS, Scheduler, latest_runs, next_run

schedule_cli = AppGroup("schedule", help="The daily jobs the worker runs.")


@schedule_cli.command("run-due")
def run_due_command() -> None:
    """Run the daily jobs that are due and not yet done today (as the worker would), then stop."""
    runs = Scheduler(current_app._get_current_object(), default_name()).run_due()
    for run in runs:
        click.echo(f"{run.job}: {run.state}: {run.detail}")
    if not runs:
        click.echo("Nothing due.")
    if any(run.state == "failed" for run in runs):
        raise SystemExit(1)


@schedule_cli.command("status")
def status_command() -> None:
    """When each job runs next, and the latest runs."""
    app = current_app._get_current_object()
    zone = ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])
    for job in JOBS:
        at = app.config["SCHEDULE"].get(job)
        when = next_run(app, job)
        schedule = f"daily at {at}" if at else "off"
        upcoming = f"{when.astimezone(zone):%Y-%m-%d %H:%M %Z}" if when else "-"
        click.echo(f"{job:<16} {schedule:<15} next: {upcoming}")
    for run in latest_runs():
        click.echo(f"{run.day} {run.job:<16} {run.state:<9} attempt {run.attempts}: {run.detail or ''}")
