"""Operator commands for sessions."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.auth.sessions import purge_expired_sessions

sessions_cli = AppGroup("sessions", help="Browser sessions.")


@sessions_cli.command("purge")
def purge_command() -> None:
    """Delete sessions idle past the limit (run daily; an expired session is refused anyway)."""
    click.echo(f"Deleted {purge_expired_sessions(current_app)} expired sessions.")
