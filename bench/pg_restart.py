"""PostgreSQL restarted under load (quality.md, "Reliability"): errors only while it is down; the portal
recovers without a restart, and nothing it confirmed is lost.

    .venv/bin/python bench/pg_restart.py [--users 10] [--before 6] [--down 4] [--after 10]
                                         [--think 0.05] [--workers 2] [--threads 2]

A PostgreSQL cluster of its own (``initdb`` in a temporary directory, on a free port, run as the
``postgres`` user when this runs as root) holds the portal's database, so that stopping it touches no
other database on the machine. gunicorn serves the portal on it, as deployed, and ``--users`` browsers
save the customer-details step of their own applications again and again (GET the page, POST it with a
new street address), pausing ``--think`` seconds between requests. After ``--before`` seconds the
cluster is stopped (``pg_ctl stop -m fast``: the server ends every connection, as a restart does); it
stays down ``--down`` seconds and is started again; the browsers go on for ``--after`` seconds more.

Checked:
- before the stop, every request succeeds;
- while PostgreSQL is down, a failing request gets the generic error page with a 5xx status (never a
  traceback, never a hang: each request must answer within 10 s);
- from ``RECOVERY`` seconds after PostgreSQL accepts connections again, every request succeeds, served by
  the same gunicorn workers (no worker was restarted);
- every save answered with 303 is in the database (the application's street address is the last
  confirmed one, or one sent later whose answer was lost).
The exit status is 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from common import machine
from wizard_step import CSRF, CUSTOMER, Client, User, _children, gunicorn, make_users, prepared_portal

RECOVERY = 3.0  # seconds after PostgreSQL is back by which every request must succeed again
ANSWER_WITHIN = 10.0  # seconds: no request may hang longer, down or not
ERROR_PAGE = b"Sorry, there is a problem with the service"


# --- a PostgreSQL cluster of its own ------------------------------------------------------------------


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise SystemExit("no pg_ctl: install PostgreSQL (scripts/system-deps)")
    return Path(pg_ctl).parent


class Cluster:
    """``initdb`` in a temporary directory; trust authentication for ``postgres`` on 127.0.0.1:port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="pg-restart-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        # initdb and postgres refuse to run as root.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    from portal.integrations.serve import free_port

    own = Cluster(free_port())
    try:
        own.init()
        own.start()
        yield own
    finally:
        own.remove()


# --- the load -----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    start: float
    end: float
    what: str  # "GET" or "POST"
    status: int  # 0: no answer (connection error, timeout)
    error_page: bool = False
    body: bytes = b""  # the start of a failing answer without the error page


@dataclass
class Browser:
    client: Client
    outcomes: list[Outcome] = field(default_factory=list)
    confirmed: str | None = None  # the street address of the last save answered with 303
    later: list[str] = field(default_factory=list)  # sent after it without a 303

    def run(self, until: dict[str, float], think: float) -> None:
        """Save again and again until ``until["t"]`` (monotonic; it may move while this runs)."""
        path = f"/applications/{self.client.user.application_id}/customer"
        n = 0
        while time.monotonic() < until["t"]:
            n += 1
            status, page = self.call("GET", path)
            token = CSRF.search(page) if status == 200 else None
            if token is not None:
                street = f"Restartinkatu {self.client.user.person_id}-{n}"
                self.later.append(street)
                form = {**CUSTOMER, "street_address": street, "csrf_token": token[1].decode()}
                if self.call("POST", path, form)[0] == 303:
                    self.confirmed, self.later = street, []
            time.sleep(think)

    def call(self, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
        start = time.monotonic()
        try:
            status, _, page = self.client.request(method, path, form)
        except OSError:  # includes timeouts
            status, page = 0, b""
            self.client.close()
        error_page = ERROR_PAGE in page
        body = b"" if error_page else page[:300]
        self.outcomes.append(Outcome(start, time.monotonic(), method, status, error_page, body))
        return status, page


def stored_streets(database_url: str, users: list[User]) -> dict[int, str | None]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT id, street_address FROM application WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"ids": [u.application_id for u in users]},
            )
            return {row.id: row.street_address for row in rows}
    finally:
        engine.dispose()


def judge(browsers: list[Browser], stopped: float, back: float, stored: dict[int, str | None]) -> list[str]:
    problems = []
    outcomes = [o for b in browsers for o in b.outcomes]
    expected = {"GET": 200, "POST": 303}
    for o in outcomes:
        ok = o.status == expected[o.what]
        if o.end - o.start > ANSWER_WITHIN:
            problems.append(f"a {o.what} took {o.end - o.start:.1f} s")
        if ok:
            continue
        if o.end < stopped:
            problems.append(f"a {o.what} failed before PostgreSQL stopped: {o.status}")
        elif o.start > back + RECOVERY:
            problems.append(f"a {o.what} failed {o.start - back:.1f} s after PostgreSQL was back: {o.status}")
        elif o.status and not (o.status >= 500 and o.error_page):
            problems.append(
                f"a {o.what} at {o.start - stopped:+.2f} s from the stop ({o.start - back:+.2f} s from the"
                f" start) got {o.status} without the error page: {o.body!r}"
            )
    for b in browsers:
        value = stored.get(b.client.user.application_id)
        if b.confirmed is not None and value != b.confirmed and value not in b.later:
            number = b.client.user.application_id
            problems.append(f"application {number}: stored {value!r}, last confirmed {b.confirmed!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--before", type=float, default=6.0, help="seconds of load before the stop")
    parser.add_argument("--down", type=float, default=4.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after the start")
    parser.add_argument("--think", type=float, default=0.05, help="seconds each browser pauses between pairs")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with cluster() as own, prepared_portal(300, own.admin_url) as (app, database_url, codeserver_url):
        from portal.extensions import db

        users = make_users(app, args.users)
        with app.app_context():
            db.engine.dispose()
        with gunicorn(database_url, codeserver_url, args.workers, args.threads) as (port, master):
            clients = [Client(port, user) for user in users]
            for client in clients:
                client.start_application()
            workers = sorted(_children(master))
            browsers = [Browser(client) for client in clients]
            until = {"t": time.monotonic() + 3600}  # set once PostgreSQL is back
            threads = [
                threading.Thread(target=b.run, args=(until, args.think), daemon=True) for b in browsers
            ]
            for thread in threads:
                thread.start()
            time.sleep(args.before)
            stopped = time.monotonic()
            own.stop()
            print(f"PostgreSQL stopped after {args.before:g} s of load")
            time.sleep(args.down)
            own.start()
            back = time.monotonic()
            print(f"PostgreSQL accepting connections again after {back - stopped:.1f} s")
            until["t"] = back + args.after
            for thread in threads:
                thread.join(timeout=args.after + 60)
            workers_after = sorted(_children(master))
        stored = stored_streets(database_url, users)
    problems = judge(browsers, stopped, back, stored)
    if workers_after != workers:
        problems.append(f"gunicorn's workers changed: {workers} -> {workers_after}")
    sys.exit(report(browsers, stopped, back, problems))


def report(browsers: list[Browser], stopped: float, back: float, problems: list[str]) -> int:
    """Print what happened around the restart; the exit status."""
    outcomes = [o for b in browsers for o in b.outcomes]
    recovered = back + RECOVERY
    phases = {
        "before the stop": [o for o in outcomes if o.end < stopped],
        "while down (until recovered)": [o for o in outcomes if o.end >= stopped and o.start <= recovered],
        "after recovery": [o for o in outcomes if o.start > recovered],
    }
    for name, group in phases.items():
        failed = sum(1 for o in group if o.status not in (200, 303))
        print(f"{name}: {len(group)} requests, {failed} failed")
    since_back = [o for o in outcomes if o.start >= back]
    failed = [o.start - back for o in since_back if o.status not in (200, 303)]
    succeeded = [o.start - back for o in since_back if o.status in (200, 303)]
    if succeeded:
        last = f"the last failure began at +{max(failed):.2f} s" if failed else "no failure"
        print(f"after PostgreSQL was back: the first success began at +{min(succeeded):.2f} s; {last}")
    confirmed = sum(1 for o in outcomes if o.what == "POST" and o.status == 303)
    print(f"confirmed saves: {confirmed}")
    if not phases["before the stop"] or not phases["after recovery"]:
        problems.append("no load before the stop or after recovery: the run proves nothing")
    print(f"problems: {len(problems)}")
    for problem in problems[:20]:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    main()
