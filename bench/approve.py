"""The approve click: reviewers approving submitted applications (a POST with CSRF, ``decide()`` in one
transaction, a 303) against gunicorn on PostgreSQL, first with no outbox worker running, then with
``flask outbox work`` processes busy making the PDFs and sending the e-mails of the approvals before them.

    .venv/bin/python bench/approve.py [--applications 3000] [--reviewers 4] [--think 0.5]
                                      [--duration 20] [--warmup 3] [--workers 4] [--threads 2]
                                      [--outbox-workers 1] [--rounds 1]

Target (quality.md): the click returns in under 100 ms (p95) with the worker busy; the PDFs and the
e-mails are made by the worker, not in the reviewer's request.

Set-up (not timed): a fresh PostgreSQL database migrated by Alembic, the documents loaded, and
``--applications`` submitted applications of as many organisations, each as the wizard leaves it (the
snapshot of the outbox benchmark's clinic: six contacts, e-invoicing, the service description and the
signed commitment; the contacts as rows, the commitment signature as a row), so that each approval writes
what a real one does: the decision, the customership, the service in use with its six roles, three audit
rows and the outgoing e-mail. Reviewers are Kela staff with server-side sessions as the staff sign-in leaves
them; each takes the next waiting application, as from the queue, and approves it with the round it saw.
The SMTP stand-in runs in a process of its own. The idle phase's approvals are left queued, so that the
busy phase starts with a backlog that the worker cannot clear while the reviewers keep adding to it.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from common import ROOT, fresh_database, machine, median, migrated_app
from outbox import CONTACTS, sent_application, smtp_process
from wizard_step import _children, _cpu_seconds, gunicorn, percentile, postgres_backends, server_environment

CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')
NO_CODESERVER = "http://127.0.0.1:9"  # the approve click never reads the register


# --- the database -------------------------------------------------------------------------------------


def business_id(n: int) -> str:
    """A business id with a valid check digit for the ``n``-th organisation."""
    weights = (7, 9, 10, 5, 8, 4, 2)
    number = 3_000_000 + n
    while True:
        digits = f"{number:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        number += 1_000_000  # a number whose check digit cannot exist: another one, still unique


def make_applications(app, count: int, lang: str) -> list[int]:
    """``count`` submitted applications, one per organisation, with their contacts and commitment
    signatures as rows; their ids, in the order they were sent."""
    from portal.applications.models import Application
    from portal.auth.models import Person
    from portal.contacts.models import ApplicationContact
    from portal.db import utcnow
    from portal.documents.services import current_version
    from portal.extensions import db

    with app.app_context():
        template = sent_application(lang)  # the outbox benchmark's clinic: its snapshot
        snapshot = copy.deepcopy(template.snapshot)
        db.session.delete(template)
        signer = Person(
            issuer="http://eid.bench", subject="bench-signer", given_name="Maija", family_name="M"
        )
        db.session.add(signer)
        db.session.flush()
        commitment = current_version("commitment", None, lang)
        now = utcnow()
        organisations = [
            (business_id(n), f"1.2.246.10.{3_000_000 + n}.10.1", f"Bench Oy {n:05d}") for n in range(count)
        ]
        tables = {name: db.metadata.tables[name] for name in ("commitment_signature", "contact")}
        conn = db.session.connection()
        signature_ids = (
            conn.execute(
                sa.insert(tables["commitment_signature"]).returning(
                    tables["commitment_signature"].c.id, sort_by_parameter_order=True
                ),
                [
                    {
                        "organisation_business_id": bid,
                        "document_version_id": commitment.id,
                        "text_sha256": commitment.sha256,
                        "person_id": signer.id,
                        "signer_name": "Maija Meikäläinen",
                        "signer_hetu_masked": "010180-****",
                        "signed_at": now,
                    }
                    for bid, _oid, _name in organisations
                ],
            )
            .scalars()
            .all()
        )
        rows = []
        for (bid, oid, name), signature_id in zip(organisations, signature_ids, strict=True):
            organisation_snapshot = copy.deepcopy(snapshot)
            organisation_snapshot["organisation"].update(name=name, business_id=bid, oid=oid)
            organisation_snapshot["billing"]["business_id"] = bid
            rows.append(
                {
                    "organisation_business_id": bid,
                    "organisation_oid": oid,
                    "organisation_name": name,
                    "organisation_register": "sote",
                    "service": "patient_archive",
                    "status": "submitted",
                    "completed_steps": [],
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                    "submitted_by_person_id": signer.id,
                    "submitted_language": lang,
                    "round": 1,
                    "commitment_signature_id": signature_id,
                    "snapshot": organisation_snapshot,
                }
            )
        application_ids = (
            conn.execute(
                sa.insert(Application.__table__).returning(
                    Application.__table__.c.id, sort_by_parameter_order=True
                ),
                rows,
            )
            .scalars()
            .all()
        )
        contact_rows = [
            {
                "organisation_business_id": bid,
                "kind": "person",
                "name": contact_name,
                "email": email,
                "phone": phone,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for bid, _oid, _name in organisations
            for _role, contact_name, email, phone in CONTACTS
        ]
        contact_ids = (
            conn.execute(
                sa.insert(tables["contact"]).returning(tables["contact"].c.id, sort_by_parameter_order=True),
                contact_rows,
            )
            .scalars()
            .all()
        )
        roles = [role for role, *_ in CONTACTS]
        conn.execute(
            sa.insert(ApplicationContact.__table__),
            [
                {
                    "application_id": application_id,
                    "role": roles[i],
                    "contact_id": contact_ids[n * len(roles) + i],
                }
                for n, application_id in enumerate(application_ids)
                for i in range(len(roles))
            ],
        )
        # The snapshot names its own application.
        for application_id, row in zip(application_ids, rows, strict=True):
            row["snapshot"]["application_id"] = application_id
        conn.execute(
            sa.update(Application.__table__)
            .where(Application.__table__.c.id == sa.bindparam("row_id"))
            .values(snapshot=sa.bindparam("row_snapshot")),
            [
                {"row_id": i, "row_snapshot": r["snapshot"]}
                for i, r in zip(application_ids, rows, strict=True)
            ],
        )
        db.session.commit()
        db.engine.dispose()
        return list(application_ids)


@dataclass
class Reviewer:
    name: str
    token: str  # the session cookie
    csrf: str = ""
    clicks: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    answered: int = 0  # approvals answered within the window (some began before it)

    @property
    def cookie(self) -> str:
        return f"portal_session={self.token}; portal_lang=fi"


def make_reviewers(app, count: int) -> list[Reviewer]:
    """Kela staff, signed in: Person rows and server-side sessions (``web_session``: sha256 of the
    cookie token → the session data, as the staff sign-in leaves them)."""
    from portal.auth.models import Person, WebSession
    from portal.auth.sessions import _hash
    from portal.db import utcnow
    from portal.extensions import db

    reviewers = []
    with app.app_context():
        for n in range(count):
            person = Person(
                issuer="http://eid.bench",
                subject=f"reviewer-{n}",
                given_name="Kaisa",
                family_name=f"Kela {n}",
            )
            db.session.add(person)
            db.session.flush()
            token = secrets.token_urlsafe(32)
            now = utcnow()
            data = {"person_id": person.id, "person_name": person.display_name, "staff": True}
            db.session.add(
                WebSession(id=_hash(token), data=data, person_id=person.id, created_at=now, last_seen_at=now)
            )
            reviewers.append(Reviewer(person.display_name, token))
        db.session.commit()
        db.engine.dispose()
    return reviewers


# --- the clicks ---------------------------------------------------------------------------------------


def request(port: int, reviewer: Reviewer, method: str, path: str, form: dict | None = None):
    """One request on a connection of its own (as behind a proxy: HTTP/1.0 upstream); (status, body)."""
    headers = {"Cookie": reviewer.cookie, "Connection": "close"}
    body = None
    if form is not None:
        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def fetch_csrf(port: int, reviewer: Reviewer) -> None:
    """The session's CSRF token, from any staff page (the queue), as the reviewer's browser has it."""
    status, page = request(port, reviewer, "GET", "/staff/applications")
    match = CSRF.search(page)
    if status != 200 or match is None:
        raise RuntimeError(f"GET /staff/applications: {status} {page[:300]!r}")
    reviewer.csrf = match[1].decode()


@dataclass
class Phase:
    name: str
    seconds: float
    clicks: list[float]
    errors: list[str]
    started: int  # clicks answered within the window (the CPU figures cover exactly the window)
    delivered: int  # e-mails the outbox workers sent within the window
    backlog: tuple[int, int]  # messages waiting (queued or retrying) at the start and at the end
    cpu: dict[str, float]


def run_phase(
    name: str,
    port: int,
    reviewers: list[Reviewer],
    waiting: Iterator[int],
    lock: threading.Lock,
    warmup: float,
    duration: float,
    think: float,
    database_url: str,
    master: int,
    outbox_pids: list[int],
) -> Phase:
    for reviewer in reviewers:
        reviewer.clicks.clear()
        reviewer.errors.clear()
        reviewer.answered = 0
    barrier = threading.Barrier(len(reviewers) + 1)
    begin: dict[str, float] = {}

    def loop(reviewer: Reviewer) -> None:
        barrier.wait()
        window = (begin["t"] + warmup, begin["t"] + warmup + duration)
        while time.perf_counter() < window[1]:
            with lock:
                application_id = next(waiting, None)
            if application_id is None:
                reviewer.errors.append("no applications left: use more --applications")
                return
            form = {"approve-round": "1", "approve-csrf_token": reviewer.csrf}
            start = time.perf_counter()
            try:
                status, page = request(
                    port, reviewer, "POST", f"/staff/applications/{application_id}/approve", form
                )
            except (OSError, http.client.HTTPException) as exc:
                reviewer.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            end = time.perf_counter()
            if status != 303:
                reviewer.errors.append(f"POST approve {status}: {page[:200]!r}")
                continue
            if window[0] <= end <= window[1]:
                reviewer.answered += 1
                if window[0] <= start:
                    reviewer.clicks.append(end - start)
            if think:
                time.sleep(think * (0.5 + (application_id % 100) / 100))

    threads = [threading.Thread(target=loop, args=(r,), daemon=True) for r in reviewers]
    for thread in threads:
        thread.start()
    begin["t"] = time.perf_counter()
    barrier.wait()
    time.sleep(warmup)
    pids = {"gunicorn": _children(master), "postgres": postgres_backends(database_url), "outbox": outbox_pids}
    cpu_before = {key: _cpu_seconds(value) for key, value in pids.items()}
    sent_before, backlog_before = outbox_counts(database_url)
    time.sleep(duration)
    sent_after, backlog_after = outbox_counts(database_url)
    cpu = {key: _cpu_seconds(value) - cpu_before[key] for key, value in pids.items()}
    for thread in threads:
        thread.join(timeout=60)
    return Phase(
        name,
        duration,
        [c for r in reviewers for c in r.clicks],
        [e for r in reviewers for e in r.errors],
        sum(r.answered for r in reviewers),
        sent_after - sent_before,
        (backlog_before, backlog_after),
        cpu,
    )


def outbox_counts(database_url: str) -> tuple[int, int]:
    """(messages sent, messages waiting to be sent)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(sa.text("SELECT state, count(*) FROM outbox_message GROUP BY state")).all()
            )
    finally:
        engine.dispose()
    return counts.get("sent", 0), counts.get("queued", 0) + counts.get("retrying", 0) + counts.get(
        "sending", 0
    )


def wait_for_delivery(database_url: str, timeout: float = 300.0) -> None:
    """Until the outbox workers have sent one more e-mail."""
    sent, _waiting = outbox_counts(database_url)
    deadline = time.monotonic() + timeout
    while outbox_counts(database_url)[0] == sent:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the outbox workers sent nothing in {timeout:g} s")
        time.sleep(0.5)


@contextlib.contextmanager
def outbox_workers(count: int, environment: dict[str, str], nice: int = 0) -> Iterator[list[int]]:
    """``flask outbox work`` processes (as deployed: each its own process, at ``nice``); their pids."""
    processes = []
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-outbox-", suffix=".log")  # noqa: SIM115
    try:
        for n in range(count):
            processes.append(
                subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("flask")),
                        "--app",
                        "portal",
                        "outbox",
                        "work",
                        "--poll",
                        "0.2",
                        "--name",
                        f"bench-{n}",
                        "--no-schedule",  # e-mail only: the daily jobs are not what is measured
                    ],
                    cwd=ROOT,
                    env={**os.environ, **environment},
                    preexec_fn=(lambda: os.nice(nice)) if nice else None,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        yield [p.pid for p in processes]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Traceback" in line or "ERROR" in line]
        if errors:
            print(f"the outbox workers logged {len(errors)} error line(s), the first: {errors[0]}")
        log.close()


def page_times(port: int, reviewer: Reviewer, application_id: int, repeat: int) -> dict[str, float]:
    """Median seconds of the staff pages a reviewer reads around the click, one request at a time."""
    paths = {
        "queue (submitted, oldest first, counts)": "/staff/applications",
        "queue, all by organisation, page 3": "/staff/applications?status=all&sort=organisation&page=3",
        "queue, a name searched": "/staff/applications?status=all&organisation=oy+00123",
        "the application page": f"/staff/applications/{application_id}",
        "the audit log": "/staff/audit",
        "the outbox": "/staff/outbox",
    }
    result = {}
    for name, path in paths.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            status, page = request(port, reviewer, "GET", path)
            times.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"GET {path}: {status} {page[:300]!r}")
        result[name] = median(times)
    return result


# --- reporting ----------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(phases: list[Phase]) -> None:
    print()
    print(
        "| phase | clicks | clicks/s | p50 ms | p95 ms | p99 ms | max ms | e-mails sent in the window | "
        "waiting (start → end) | CPU s: gunicorn / postgres / outbox worker | CPU ms per click |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for phase in phases:
        clicks = phase.clicks
        print(
            f"| {phase.name} | {len(clicks)} | {len(clicks) / phase.seconds:.1f} | {ms(median(clicks))} | "
            f"{ms(percentile(clicks, 95))} | {ms(percentile(clicks, 99))} | {ms(max(clicks))} | "
            f"{phase.delivered} | {phase.backlog[0]} → {phase.backlog[1]} | "
            f"{phase.cpu['gunicorn']:.1f} / {phase.cpu['postgres']:.1f} / {phase.cpu['outbox']:.1f} | "
            f"{ms((phase.cpu['gunicorn'] + phase.cpu['postgres']) / max(1, phase.started))} |"
        )
        if phase.errors:
            print(f"{phase.name}: {len(phase.errors)} errors, the first: {phase.errors[0]}")


def check(database_url: str, approved: int) -> None:
    """Every 303 made one decision, one e-mail, one service in use; nothing twice."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = {
                table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
                for table in ("decision", "outbox_message", "service_in_use", "customership")
            }
            states = dict(
                conn.execute(sa.text("SELECT state, count(*) FROM outbox_message GROUP BY state")).all()
            )
            twice = conn.scalar(
                sa.text(
                    "SELECT count(*) FROM (SELECT application_id FROM decision GROUP BY application_id "
                    "HAVING count(*) > 1) AS t"
                )
            )
    finally:
        engine.dispose()
    print(
        f"after the run: {counts}; e-mails by state: {states}; applications decided twice: {twice}; "
        f"approvals measured: {approved}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=3000)
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause (s) between a reviewer's clicks")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--outbox-workers", type=int, default=1)
    parser.add_argument(
        "--worker-nice",
        type=int,
        nargs="+",
        default=[0, 10],
        help="the outbox workers' niceness: one busy phase for each value",
    )
    parser.add_argument("--rounds", type=int, default=1, help="idle then busy, this many times")
    parser.add_argument("--lang", default="fi", choices=["fi", "sv", "en"])
    parser.add_argument("--page-repeat", type=int, default=20, help="GETs of each staff page; 0: none")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    with (
        tempfile.TemporaryDirectory() as maildir,
        fresh_database() as database_url,
        smtp_process(Path(maildir)) as smtp,
    ):
        app = migrated_app(database_url, NO_CODESERVER)
        from portal.documents.loading import load_documents
        from portal.extensions import db

        with app.app_context():
            load_documents()
            db.session.commit()
            db.engine.dispose()
        started = time.perf_counter()
        application_ids = make_applications(app, args.applications, args.lang)
        reviewers = make_reviewers(app, args.reviewers)
        print(f"{len(application_ids)} submitted applications made in {time.perf_counter() - started:.1f} s")
        environment = {
            **server_environment(database_url, NO_CODESERVER),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp),
        }
        waiting = iter(application_ids)
        lock = threading.Lock()
        with gunicorn(database_url, NO_CODESERVER, args.workers, args.threads) as (port, master):
            for reviewer in reviewers:
                fetch_csrf(port, reviewer)
            print(
                f"gunicorn: {args.workers} workers x {args.threads} threads; {args.reviewers} reviewers, "
                + (f"think time {args.think:g} s (mean)" if args.think else "no think time (a closed loop)")
                + f"; {args.outbox_workers} outbox worker(s) in the busy phases; SMTP stand-in on port {smtp}"
            )
            phases = []

            def phase(name: str, outbox_pids: list[int]) -> None:
                timing = (args.warmup, args.duration, args.think)
                phases.append(
                    run_phase(
                        name, port, reviewers, waiting, lock, *timing, database_url, master, outbox_pids
                    )
                )

            for n in range(1, args.rounds + 1):
                phase(f"{n}: idle (no worker)", [])
                for nice in args.worker_nice:
                    with outbox_workers(args.outbox_workers, environment, nice) as pids:
                        wait_for_delivery(database_url)  # started, imported and at work on the backlog
                        phase(f"{n}: worker busy, nice {nice}", pids)
            pages = (
                page_times(port, reviewers[0], application_ids[0], args.page_repeat)
                if args.page_repeat
                else {}
            )
        report(phases)
        if pages:
            print()
            print(f"Staff pages, one request at a time, median of {args.page_repeat}:")
        for name, seconds in pages.items():
            print(f"- {name}: {ms(seconds)} ms")
        check(database_url, sum(len(p.clicks) for p in phases))


if __name__ == "__main__":
    main()
