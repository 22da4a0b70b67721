"""``flask registry sync | sync-if-empty | status`` through the CLI runner."""

from __future__ import annotations

import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.registry.models import RegisterUnit
from portal.registry.sync import mirror_is_empty

from .conftest import SIZE, set_fault


def count_units() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(RegisterUnit))


def test_sync_fills_the_mirror_and_prints_a_summary(app, runner):
    result = runner.invoke(args=["registry", "sync"])
    assert result.exit_code == 0, result.output
    assert f"sote: full, {SIZE} received, {SIZE} written" in result.output
    assert count_units() > SIZE


def test_sync_changes_applies_the_touched_units(app, runner, catalogue):
    runner.invoke(args=["registry", "sync", "--quiet"])
    touched = catalogue.touch(60, utcnow().date())
    result = runner.invoke(args=["registry", "sync", "--changes"])
    assert result.exit_code == 0, result.output
    assert f"sote: changes since {utcnow().date().isoformat()}, 60 received" in result.output
    assert not db.session.get(RegisterUnit, touched["deleted"][0])
    assert db.session.get(RegisterUnit, touched["new"][0])


def test_quiet_sync_prints_nothing(app, runner):
    result = runner.invoke(args=["registry", "sync", "--quiet"])
    assert (result.exit_code, result.output) == (0, "")
    assert not mirror_is_empty()


def test_a_failed_sync_exits_non_zero_with_a_message_and_no_traceback(app, runner, standin):
    runner.invoke(args=["registry", "sync", "--quiet"])
    before = count_units()
    set_fault(standin, "down", after=1)
    result = runner.invoke(args=["registry", "sync", "--quiet"])
    assert result.exit_code == 1
    assert "The sync failed and the mirror was left as it was" in result.output
    assert "HTTP 503" in result.output
    assert "Traceback" not in result.output
    assert count_units() == before


def test_sync_if_empty_syncs_only_an_empty_mirror(app, runner):
    first = runner.invoke(args=["registry", "sync-if-empty"])
    assert first.exit_code == 0 and "sote: full" in first.output
    second = runner.invoke(args=["registry", "sync-if-empty"])
    assert second.exit_code == 0
    assert "nothing to do" in second.output


def test_sync_if_empty_fails_cleanly_when_the_code_server_is_down(app, runner, standin):
    standin.stop()
    result = runner.invoke(args=["registry", "sync-if-empty", "--quiet"])
    assert result.exit_code == 1
    assert "cannot be reached" in result.output and "Traceback" not in result.output


def test_status_tells_what_the_mirror_holds_and_when_it_was_synced(app, runner, standin):
    assert "Never synced." in runner.invoke(args=["registry", "status"]).output
    runner.invoke(args=["registry", "sync", "--quiet"])
    set_fault(standin, "down")
    runner.invoke(args=["registry", "sync", "--changes", "--quiet"])
    output = runner.invoke(args=["registry", "status"]).output
    assert f"Mirror: {SIZE} sote units" in output
    assert "municipalities: last sync" in output
    assert "FAILED: " in output and "HTTP 503" in output
