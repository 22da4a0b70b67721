"""``flask outbox …``: run the worker that delivers the outgoing e-mail, and see the queue."""

from __future__ import annotations

import logging
import signal

import click
from flask import current_app
from flask.cli import AppGroup

from portal.outbox.worker import Worker, default_name, state_counts

outbox_cli = AppGroup("outbox", help="Outgoing e-mail (the outbox) and its worker.")


@outbox_cli.command("work")
@click.option("--once", is_flag=True, help="Deliver the messages due now, then stop.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between looks for new messages.")
@click.option("--name", default=None, help="This worker's name in the claims [default: host:pid].")
@click.option(
    "--schedule/--no-schedule",
    default=True,
    show_default=True,
    help="Also run the daily jobs (register export and sync, session purge) when they are due.",
)
def work_command(once: bool, poll: float, name: str | None, schedule: bool) -> None:
    """Deliver the outbox's messages until SIGTERM or SIGINT (the message in hand is finished first;
    a second Ctrl+C stops at once), and run the daily jobs when they are due."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()
    worker = Worker(app, name or default_name(), schedule=schedule)
    if once:
        click.echo(f"{worker.run_once()} message(s) handled.")
        return

    # The worker runs in a thread of its own; this (main) thread only waits and takes the signals, so
    # that a signal handler never runs in the middle of the worker's own wait on ``stopping``.
    received: set[int] = set()

    def stop(signum: int, frame: object) -> None:
        if signum == signal.SIGINT and signum in received:  # Ctrl+C twice
            raise KeyboardInterrupt
        received.add(signum)
        logging.getLogger(__name__).info("%s: finishing the message in hand", signal.Signals(signum).name)
        worker.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    thread = worker.start(poll)
    while thread.is_alive():
        thread.join(0.5)


@outbox_cli.command("status")
def status_command() -> None:
    """The number of messages in each state."""
    for state, count in state_counts().items():
        click.echo(f"{state:<9} {count}")
