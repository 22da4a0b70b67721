"""The schema is built by the Alembic migrations, and they agree with the models."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from the migrations: {differences}"


def test_migrations_form_one_line(app):
    config = app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    revisions = list(script.walk_revisions())
    # Sequentially numbered: 0001, 0002, ...
    assert sorted(r.revision for r in revisions) == [f"{n:04d}" for n in range(1, len(revisions) + 1)]


def test_database_is_at_the_head_revision(app):
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    config = app.extensions["migrate"].migrate.get_config(str(MIGRATIONS))
    assert current == ScriptDirectory.from_config(config).get_current_head()
