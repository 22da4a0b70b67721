"""Shared by the sync benchmarks: the stand-in code server in a process of its own, a fresh migrated
PostgreSQL database, and medians. Also runnable: ``python bench/common.py serve --size N --port P``."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import statistics
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def standin_process(size: int, seed: int = 1) -> Iterator[str]:
    """The stand-in in a separate process (so it does not share the client's interpreter); yields its URL."""
    from portal.integrations.serve import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "serve", "--size", str(size), "--seed", str(seed), "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("READY"):
            raise RuntimeError(f"the stand-in did not start: {line!r}")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def fresh_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    """A new PostgreSQL database on the server of ``admin_url``, dropped afterwards; yields its URL."""
    name = f"bench_sync_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()  # the drop below connects afresh (the server may have restarted meanwhile)
    try:
        yield sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_app(database_url: str, codeserver_url: str):
    """The portal app on ``database_url``, migrated by Alembic to the head revision."""
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app(
        {
            "PORTAL_ENV": "test",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CODESERVER_URL": codeserver_url,
            "CODESERVER_TIMEOUT": 60.0,
        }
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def _serve(size: int, seed: int, port: int) -> None:
    from werkzeug.serving import make_server

    from portal.integrations.codeserver.standin import create_standin_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", port, create_standin_app(size=size, seed=seed), threaded=True)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _serve(args.size, args.seed, args.port)
