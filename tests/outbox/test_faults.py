"""Faults: SMTP down while 100 applications are approved, the worker killed mid-delivery and
restarted, two workers at once. Every e-mail arrives; none twice, except the one message a killed
worker had in flight, which arrives again with its Message-ID."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from portal.db import utcnow
from portal.devstack import start_worker, stop_worker
from portal.extensions import db
from portal.integrations.smtp.standin import SmtpStandin
from portal.outbox.models import OutboxMessage
from portal.outbox.worker import Worker, run_once, stored_document
from tests.conftest import BACKEND, POSTGRES_ADMIN_URL
from tests.outbox.conftest import (
    approval_copies,
    approve,
    log_text,
    message_of,
    queue_messages,
    received_ids,
    states,
    wait_until,
    worker_config,
)


def test_smtp_down_while_100_applications_are_approved_every_email_arrives_once(app, client, world, smtp):
    smtp.down()
    first = approve(client)
    message = message_of(first)
    for attachment in message.attachments:  # made once here; the other 99 approvals share the bytes
        stored_document(message, attachment["kind"])
    expected = [message.message_id, *approval_copies(first, 99)]

    app.config.update(OUTBOX_RETRY_BASE_SECONDS=0.5, OUTBOX_RETRY_MAX_SECONDS=2.0)
    before = utcnow()
    assert run_once(app, name="test") == 100
    assert states() == {"retrying": 100}
    errors = set(db.session.scalars(select(OutboxMessage.last_error)))
    assert len(errors) == 1 and "Connection refused" in errors.pop()
    earliest = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at)))
    assert (earliest - before).total_seconds() >= 0.5 * 0.9  # backing off

    worker = Worker(app, "background")
    worker.start(poll=0.05)
    try:

        def tried_again():
            db.session.expire_all()
            return db.session.scalar(select(func.max(OutboxMessage.attempts))) >= 2

        wait_until(tried_again, interval=0.2)
        assert set(states()) <= {"retrying", "sending"}  # the worker is at it
        smtp.up()
        smtp.wait_for(100, timeout=60)
        wait_until(lambda: states() == {"sent": 100}, interval=0.2)
    finally:
        worker.stop()

    assert received_ids(smtp) == dict.fromkeys(expected, 1)
    assert all(len(received.attachments()) == 2 for received in smtp.messages)


class HoldingSmtp(SmtpStandin):
    """Holds the ``hold``-th message: it has arrived and will be kept, but its sender waits for the
    server's "250" until ``release``."""

    def __init__(self, hold: int) -> None:
        super().__init__()
        self.hold, self.arrived = hold, 0
        self.holding, self.release = threading.Event(), threading.Event()

    def _store(self, envelope):
        self.arrived += 1
        if self.arrived == self.hold:
            self.holding.set()
            self.release.wait(60)
        return super()._store(envelope)


def test_a_worker_killed_mid_delivery_and_restarted_loses_nothing(app, tmp_path):
    expected = queue_messages(20)
    with HoldingSmtp(hold=5) as smtp:
        config = worker_config(app, smtp, OUTBOX_LEASE_SECONDS=1)
        with (tmp_path / "first.log").open("w") as log:
            first = start_worker(config, name="first", poll=0.05, log=log, schedule=False)
        try:
            assert smtp.holding.wait(60), log_text(tmp_path / "first.log")
            first.kill()  # SIGKILL, with the fifth message in flight
            first.wait()
        finally:
            smtp.release.set()
        in_flight = str(smtp.wait_for(5)[4].message["Message-ID"])
        db.session.expire_all()
        dead_claim = db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id == in_flight))
        assert (dead_claim.state, dead_claim.claimed_by) == ("sending", "first")
        assert states() == {"sent": 4, "sending": 1, "queued": 15}

        with (tmp_path / "second.log").open("w") as log:
            second = start_worker(config, name="second", poll=0.05, log=log, schedule=False)
        try:
            smtp.wait_for(21, timeout=60)
            wait_until(lambda: states() == {"sent": 20})
        finally:
            assert stop_worker(second) == 0, log_text(tmp_path / "second.log")  # SIGTERM: a clean stop

        received = received_ids(smtp)
    assert set(received) == set(expected)
    assert {message_id: n for message_id, n in received.items() if n > 1} == {in_flight: 2}
    db.session.expire_all()
    assert (dead_claim.claimed_by, dead_claim.attempts) == ("second", 2)
    assert "outbox worker second stopped" in log_text(tmp_path / "second.log")


@pytest.mark.skipif(BACKEND != "postgresql", reason="several workers at once: PostgreSQL (SKIP LOCKED)")
def test_two_workers_at_once_send_no_message_twice(app, smtp, tmp_path):
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    workers = []
    try:
        for name, path in zip("ab", logs, strict=True):
            with path.open("w") as log:
                workers.append(
                    start_worker(worker_config(app, smtp), name=name, poll=0.05, log=log, schedule=False)
                )
        wait_until(lambda: all("started" in log_text(path) for path in logs), timeout=60)
        expected = queue_messages(200)

        smtp.wait_for(200, timeout=60)
        wait_until(lambda: states() == {"sent": 200})
    finally:
        exits = [stop_worker(worker) for worker in workers]
    assert exits == [0, 0]
    assert received_ids(smtp) == dict.fromkeys(expected, 1)
    by_worker = Counter(db.session.scalars(select(OutboxMessage.claimed_by)))
    assert set(by_worker) == {"a", "b"}, by_worker  # both took part


@pytest.mark.skipif(BACKEND != "postgresql", reason="the server ends the connection (as a restart does)")
def test_the_worker_loop_survives_its_connection_ending_in_a_transaction(app, monkeypatch):
    """PostgreSQL restarting while the worker is inside a transaction: the round fails, ending the round's
    session cannot roll back on the dead connection, and the loop still goes on to the next round."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    rounds: list[int] = []
    next_round = threading.Event()

    def run_once(self) -> int:
        rounds.append(len(rounds) + 1)
        if len(rounds) == 1:  # in a transaction, the server ends the connection
            pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            return 0
        db.session.execute(sa.text("SELECT 1")).scalar_one()  # a new connection works
        next_round.set()
        return 0

    monkeypatch.setattr(Worker, "run_once", run_once)
    worker = Worker(app, "survivor")
    worker.start(poll=0.05)
    try:
        assert next_round.wait(10), f"the loop ended after rounds {rounds}"
        assert worker.thread.is_alive()
    finally:
        worker.stop()
        admin.dispose()
