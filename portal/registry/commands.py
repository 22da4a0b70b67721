"""``flask registry …``: sync the register mirror from the code server and show its state."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from portal.extensions import db
from portal.orgunits.commands import check_command, export_changes_command
from portal.registry.models import CODE_LISTS, REGISTERS, CodeEntry, RegisterUnit, SyncRun
from portal.registry.progress import TqdmProgress
from portal.registry.sync import SyncFailed, SyncResult, sync_changes, sync_full, sync_if_empty

registry_cli = AppGroup("registry", help="The local mirror of the national code server's registers.")


def _run(sync, quiet: bool) -> SyncResult:
    progress = None if quiet else TqdmProgress()
    try:
        return sync(progress=progress)
    except SyncFailed as exc:
        raise click.ClickException(f"The sync failed and the mirror was left as it was. {exc}") from None


@registry_cli.command("sync")
@click.option("--changes", is_flag=True, help="Only what changed since the last successful sync.")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def sync_command(changes: bool, quiet: bool) -> None:
    """Download the registers and code lists from the code server into the mirror."""
    result = _run(sync_changes if changes else sync_full, quiet)
    if not quiet:
        click.echo(result.summary())


@registry_cli.command("sync-if-empty")
@click.option("--quiet", is_flag=True, help="No progress bar and no summary.")
def sync_if_empty_command(quiet: bool) -> None:
    """A full sync, but only when the mirror holds no unit yet."""
    try:
        result = sync_if_empty(progress=not quiet)
    except SyncFailed as exc:
        raise click.ClickException(f"The sync failed and the mirror was left as it was. {exc}") from None
    if not quiet:
        click.echo(result.summary() if result else "The mirror already holds units; nothing to do.")


@registry_cli.command("status")
def status_command() -> None:
    """What the mirror holds and when it was last synced."""
    units = dict(
        db.session.execute(sa.select(RegisterUnit.register, sa.func.count()).group_by("register")).all()
    )
    codes = db.session.execute(
        sa.select(CodeEntry.classification_oid, sa.func.count()).group_by(CodeEntry.classification_oid)
    ).all()
    click.echo(
        "Mirror: "
        + ", ".join(f"{units.get(r, 0)} {r} units" for r in REGISTERS)
        + "; "
        + (", ".join(f"{n} codes of {oid}" for oid, n in codes) or "no code lists")
        + "."
    )
    runs = db.session.scalars(sa.select(SyncRun).order_by(SyncRun.started_at.desc(), SyncRun.id.desc())).all()
    latest: dict[str, SyncRun] = {}
    for run in runs:
        latest.setdefault(run.classification, run)
    if not latest:
        click.echo("Never synced.")
    for name in (n for n in REGISTERS + CODE_LISTS if n in latest):
        run = latest[name]
        when = run.started_at.strftime("%Y-%m-%d %H:%M UTC")
        outcome = (
            f"{run.received} received, {run.written} written, {run.removed} removed"
            if run.succeeded
            else f"FAILED: {run.error}"
        )
        click.echo(f"{name}: last sync {when} ({run.mode}): {outcome}")


# The organisation-register maintenance's commands live with that domain and join this group.
registry_cli.add_command(check_command)
registry_cli.add_command(export_changes_command)
