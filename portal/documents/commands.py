"""``flask documents …``: load the service descriptions and the commitment from their text files."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.documents.loading import DocumentTextError, load_documents

documents_cli = AppGroup("documents", help="Service descriptions and the commitment (versioned texts).")


@documents_cli.command("load")
def load_command() -> None:
    """Store every text file's version that is not in the database yet. Safe to run again."""
    try:
        added = load_documents()
    except DocumentTextError as exc:
        raise click.ClickException(f"Nothing was loaded. {exc}") from None
    for version in added:
        click.echo(f"added {version.service or version.kind} version {version.version} ({version.language})")
    click.echo(f"{len(added)} new document version(s).")
