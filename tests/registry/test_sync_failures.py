"""A code server that is down, failing midway, slow or answering nonsense leaves the mirror unchanged."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.db import utcnow
from portal.extensions import db
from portal.integrations.codeserver.client import CodeServerClient
from portal.registry.models import SyncRun
from portal.registry.services import last_sync
from portal.registry.sync import SyncFailed, mirror_is_empty, sync_changes, sync_full

from .conftest import mirror_snapshot, set_fault

# (fault, pages served before it, the message)
FAULTS = [
    ("down", 0, "HTTP 503"),
    ("down", 1, "HTTP 503"),  # after the SOTE register: fails on the second classification
    ("down", 3, "HTTP 503"),  # inside the SOTE register, paged 20 at a time
    ("malformed", 2, "not the expected JSON"),
    ("slow", 1, "did not answer within"),
]


def client(standin, page_size=20):
    return CodeServerClient(standin.url, timeout=0.5, page_size=page_size)


@pytest.mark.parametrize("sync", [sync_full, sync_changes], ids=["full", "changes"])
@pytest.mark.parametrize(("kind", "after", "message"), FAULTS, ids=lambda v: str(v))
def test_a_failing_sync_leaves_the_mirror_unchanged(app, standin, catalogue, sync, kind, after, message):
    sync_full()
    catalogue.touch(120, utcnow().date())
    before = mirror_snapshot()
    set_fault(standin, kind, after)
    with pytest.raises(SyncFailed, match=message):
        sync(client(standin, page_size=20))
    assert mirror_snapshot() == before


def test_a_failing_first_sync_leaves_the_mirror_empty(app, standin):
    set_fault(standin, "down", 2)
    with pytest.raises(SyncFailed):
        sync_full(client(standin))
    assert mirror_is_empty()


def test_a_stopped_code_server_fails_the_sync_with_a_clear_message(app, standin):
    sync_full()
    before = mirror_snapshot()
    standin.stop()
    with pytest.raises(SyncFailed, match="cannot be reached"):
        sync_changes()
    assert mirror_snapshot() == before


def test_a_failed_sync_is_recorded_and_does_not_move_the_changes_day(app, standin):
    first = sync_full()
    set_fault(standin, "down")
    with pytest.raises(SyncFailed) as caught:
        sync_changes()
    failed = db.session.scalars(sa.select(SyncRun).where(SyncRun.succeeded.is_(False))).all()
    assert failed and all("HTTP 503" in run.error for run in failed)
    assert {run.written for run in failed} == {0}
    assert caught.value.result.error == failed[0].error
    assert last_sync().started_at == first.started_at
    assert last_sync(successful_only=False).succeeded is False


def test_the_mirror_keeps_answering_while_the_code_server_is_down(app, standin, register):
    from portal.integrations.demo_data import CLINIC
    from portal.registry.services import find_organisation

    sync_full()
    standin.stop()
    with pytest.raises(SyncFailed):
        sync_full()
    assert find_organisation(CLINIC.business_id).long_name == CLINIC.name
