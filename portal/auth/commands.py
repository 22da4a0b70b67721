"""Operator commands for sessions."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.auth.sessions import purge_expired_sessions
from portal.ratelimits.limits import purge_expired_counts

sessions_cli = AppGroup("sessions", help="Browser sessions.")


@sessions_cli.command("purge")
def purge_command() -> None:
    """Delete sessions idle past the limit, and the counts of rate-limit windows that have ended (run
    daily; an expired session is refused anyway)."""
    sessions = purge_expired_sessions(current_app)
    click.echo(f"Deleted {sessions} expired sessions and {purge_expired_counts()} ended rate-limit counts.")
