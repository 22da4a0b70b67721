"""``flask registry check`` and ``flask registry export-changes``: the upload checks and the daily export
for operators and automated jobs (registered in the ``registry`` command group)."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask_babel import force_locale

from portal.orgunits.checks import check_bytes
from portal.orgunits.export import export_changes, pending_count
from portal.orgunits.files import DEFAULT_LIMITS


@click.command("check")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--branch", "branch_oid", metavar="OID", help="Rule PA2: only units under this unit may change."
)
@click.option(
    "--lang",
    type=click.Choice(["fi", "sv", "en"]),
    help="The messages' language (default: the portal's default language).",
)
def check_command(file, branch_oid: str | None, lang: str | None) -> None:
    """Check FILE (CSV, Excel .xlsx or tab-separated text) against the upload rules and the mirror.

    Changes nothing. Prints one line per problem, ``row <R>, <column>, <rule id>: <message>`` or
    ``file, -, <rule id>: <message>``, and exits 0 when the file passes, 1 when it does not.
    """
    data = file.read(DEFAULT_LIMITS.max_bytes + 1)
    with force_locale(lang or current_app.config["BABEL_DEFAULT_LOCALE"]):
        result = check_bytes(data, branch_oid=branch_oid)
        for line in result.lines():
            click.echo(line)
    if result.passed:
        click.echo(f"Passed: {result.to_add} units to add, {result.to_update} to update.", err=True)
    else:
        click.echo(f"Failed: {len(result.errors)} problems.", err=True)
    sys.exit(0 if result.passed else 1)


@click.command("export-changes")
def export_changes_command() -> None:
    """Send the units changed in the portal since the last export to the code server (run once a day)."""
    waiting = pending_count()
    run = export_changes()
    if run.state != "succeeded":
        raise click.ClickException(
            f"The export failed; the {waiting} changed units wait for the next run. {run.detail}"
        )
    click.echo(f"Exported {run.units} changed units." + (f" {run.detail}" if run.detail else ""))
