"""A wizard step (GET the customer-details page, then POST it: CSRF, validation, save) under 20 concurrent
users against gunicorn on PostgreSQL, side by side with a bare Flask route doing one database read that the
same gunicorn server serves in the same run.

    .venv/bin/python bench/wizard_step.py [--users 20] [--duration 30] [--warmup 5] [--rounds 1]
                                          [--workers 4] [--threads 2] [--size 2000]
                                          [--think 0] [--keepalive] [--breakdown 300]

Targets (quality.md): the wizard step's p95 under 100 ms; the wizard's requests per second at least half the
bare route's.

The gunicorn server is started from this file too (``wizard_step:served_app()``): the portal, with the bare
app mounted at ``/bare`` by a WSGI dispatcher, configured from the environment (``DATABASE_URL``, ...).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import re
import resource
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
from common import ADMIN_URL, ROOT, fresh_database, machine, median, migrated_app, standin_process

BENCH = Path(__file__).resolve().parent
SERVICE = "image_archive"  # a health-care service without a billing step: connection, then customer
CUSTOMER = {
    "street_address": "Mannerheimintie 1",
    "postal_code": "00100",
    "post_office": "Helsinki",
    "phone": "09 123 4567",
    "decision_email": "paatokset@example.fi",
}
CONNECTION = {
    "action": "save",
    "points-0-oid": "1.2.246.10.29584230.10.1",
    "points-0-name": "Päivystyksen liityntäpiste",
    "systems-0-product": "Terveyskirjo",
    "systems-0-vendor": "Ohjelmisto Oy",
    "systems-0-version": "5.2",
}
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
TICKS = os.sysconf("SC_CLK_TCK")


# --- served by gunicorn -------------------------------------------------------------------------------


def bare_app():
    """One route, one primary-key read through SQLAlchemy, on the portal's database and engine options."""
    from flask import Flask, request
    from flask_sqlalchemy import SQLAlchemy

    app = Flask("bare")
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}  # as the portal's
    db = SQLAlchemy(app)
    query = sa.text("SELECT given_name FROM person WHERE id = :id")

    @app.get("/")
    def read():
        name = db.session.execute(query, {"id": request.args.get("id", 1, type=int)}).scalar()
        return {"given_name": name}

    return app


def served_app():
    """gunicorn's application: the portal, and the bare app at /bare (same workers, same server)."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from portal import create_app

    return DispatcherMiddleware(create_app(), {"/bare": bare_app()})


# --- the database: people acting for organisations, with their sessions --------------------------------


@dataclass
class User:
    person_id: int
    business_id: str
    token: str
    services: list[str] = field(default_factory=list)  # the keys of those its organisation may apply for
    application_id: int | None = None
    saves: int = 0
    gets: list[float] = field(default_factory=list)
    posts: list[float] = field(default_factory=list)
    pairs: list[float] = field(default_factory=list)
    reads: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def cookie(self) -> str:
        return f"portal_session={self.token}; portal_lang=en"


def register_organisations(app) -> list[tuple]:
    """The register's organisations valid today, by business id: (top unit, keys of the services it may
    apply for)."""
    from portal.applications.services import services_available
    from portal.extensions import db
    from portal.registry.models import RegisterUnit
    from portal.registry.services import find_organisation, is_valid_today

    found = []
    with app.app_context():
        business_ids = db.session.scalars(
            sa.select(RegisterUnit.business_id)
            .where(RegisterUnit.business_id.is_not(None))
            .distinct()
            .order_by(RegisterUnit.business_id)
        ).all()
        for business_id in business_ids:
            unit = find_organisation(business_id)
            if unit is not None and is_valid_today(unit):
                found.append((unit, [s.key for s in services_available(unit)]))
    return found


def make_users(app, count: int) -> list[User]:
    """A person per organisation, signed in and acting for it, for ``count`` SOTE organisations of the
    register that may apply for SERVICE."""
    found = [
        (unit, services)
        for unit, services in register_organisations(app)
        if unit.register == "sote" and SERVICE in services
    ][:count]
    if len(found) < count:
        raise SystemExit(f"only {len(found)} organisations in the register may apply for {SERVICE}")
    return sessions_for(app, found)


def sessions_for(app, organisations) -> list[User]:
    """A person acting for each organisation ((top unit, service keys) in ``organisations``): Person rows
    and server-side sessions (``web_session``: sha256 of the cookie token → the session data, as the
    sign-in and mandates flow leave them)."""
    from portal.auth.models import Person, WebSession
    from portal.auth.sessions import _hash
    from portal.db import utcnow
    from portal.extensions import db

    users = []
    with app.app_context():
        for n, (unit, services) in enumerate(organisations):
            person = Person(
                issuer="http://eid.bench", subject=f"bench-{n}", given_name="Anna", family_name=f"Bench {n}"
            )
            db.session.add(person)
            db.session.flush()
            token = secrets.token_urlsafe(32)
            now = utcnow()
            data = {
                "person_id": person.id,
                "person_name": person.display_name,
                "staff": False,
                "hetu": "150378-934B",  # a test identity (individual number 900-999)
                "hetu_masked": "150378-****",
                "acting": {
                    "business_id": unit.business_id,
                    "name": unit.long_name,
                    "oid": unit.oid,
                    "register": unit.register,
                    "roles": ["TJ"],
                },
            }
            db.session.add(
                WebSession(id=_hash(token), data=data, person_id=person.id, created_at=now, last_seen_at=now)
            )
            users.append(User(person.id, unit.business_id, token, services))
        db.session.commit()
    return users


@contextlib.contextmanager
def prepared_portal(size: int, admin_url: str = ADMIN_URL) -> Iterator[tuple]:
    """The code-server stand-in with ``size`` SOTE units in a process of its own, a fresh PostgreSQL
    database (on the server of ``admin_url``) migrated by Alembic, the register synced and the documents
    loaded; yields (app, database URL, code-server URL). Everything stops, and the database is dropped,
    on the way out."""
    with standin_process(size) as codeserver_url, fresh_database(admin_url) as database_url:
        app = migrated_app(database_url, codeserver_url)
        from portal.documents.loading import load_documents
        from portal.extensions import db
        from portal.registry.sync import sync_full

        with app.app_context():
            sync_full()
            load_documents()
            db.session.commit()
        yield app, database_url, codeserver_url


# --- the server ---------------------------------------------------------------------------------------


def server_environment(database_url: str, codeserver_url: str) -> dict[str, str]:
    """The portal's configuration, as a deployment gives it: production, with secrets of its own."""
    return {
        "PORTAL_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "OIDC_CLIENT_SECRET": secrets.token_urlsafe(16),
        "MANDATES_CLIENT_SECRET": secrets.token_urlsafe(16),
        "MANDATES_API_KEY": secrets.token_urlsafe(16),
        "CODESERVER_URL": codeserver_url,
    }


@contextlib.contextmanager
def gunicorn(database_url: str, codeserver_url: str, workers: int, threads: int) -> Iterator[tuple[int, int]]:
    """gunicorn serving ``served_app()`` on a free port of 127.0.0.1; yields (port, master pid)."""
    from portal.integrations.serve import free_port

    port = free_port()
    env = {**os.environ, **server_environment(database_url, codeserver_url)}
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers", str(workers),
            "--threads", str(threads),
            "--bind", f"127.0.0.1:{port}",
            "--chdir", str(ROOT),
            "--pythonpath", str(BENCH),
            "--log-level", "warning",
            "wizard_step:served_app()",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"gunicorn did not start:\n{log.read()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/bare/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    break
            except OSError:
                pass  # not listening yet
            time.sleep(0.2)
        # Every worker up and importing done (the first request above reached only one of them).
        while len(_children(proc.pid)) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Traceback" in line or "[ERROR]" in line]
        if errors:
            print(f"gunicorn logged {len(errors)} error line(s), the first: {errors[0]}")
        log.close()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def _machine_busy_seconds() -> float:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICKS  # all but idle and iowait


# --- the clients --------------------------------------------------------------------------------------


class Client:
    """One browser: the session cookie and an HTTP connection, new for every request unless ``keepalive``
    (gunicorn is meant to run behind a proxy such as nginx, whose upstream requests are by default
    HTTP/1.0, one connection each). http.client rather than requests keeps the load generator's own CPU
    (it shares the 2 cores with the server) small."""

    def __init__(self, port: int, user: User, keepalive: bool = False, think: float = 0.0) -> None:
        self.port = port
        self.user = user
        self.keepalive = keepalive
        self.think = think
        self.random = random.Random(user.person_id)
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {"Cookie": self.user.cookie}
        if not self.keepalive:
            headers["Connection"] = "close"
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError):
                self.close()  # the server closed an idle keep-alive connection: open a new one, once
                if reused and attempt == 1:
                    continue
                raise
            if response.will_close or not self.keepalive:
                self.close()
            return response.status, dict(response.getheaders()), data
        raise AssertionError("unreachable")

    def csrf(self, path: str) -> tuple[int, str | None]:
        status, _, page = self.request("GET", path)
        match = CSRF.search(page)
        return status, match.group(1).decode() if match else None

    def start_application(self) -> None:
        """Apply for the service and save the connection step, through the portal, so that the customer
        step may be opened."""
        status, token = self.csrf(f"/applications/apply/{SERVICE}")
        if status != 200 or token is None:
            raise RuntimeError(f"GET apply: {status}")
        status, headers, _ = self.request("POST", f"/applications/apply/{SERVICE}", {"csrf_token": token})
        found = re.search(r"/applications/(\d+)/connection", headers.get("Location", ""))
        if status != 303 or not found:
            raise RuntimeError(f"POST apply: {status} {headers.get('Location')}")
        self.user.application_id = int(found.group(1))
        path = f"/applications/{self.user.application_id}/connection"
        status, token = self.csrf(path)
        status, headers, page = self.request("POST", path, {**CONNECTION, "csrf_token": token or ""})
        if status != 303 or not headers.get("Location", "").endswith("/customer"):
            raise RuntimeError(f"POST connection: {status} {page[:300]!r}")

    def wizard_step(self, window: tuple[float, float]) -> None:
        """GET the customer step, POST it; recorded if it started and ended within ``window``."""
        path = f"/applications/{self.user.application_id}/customer"
        start = time.perf_counter()
        status, token = self.csrf(path)
        got = time.perf_counter()
        if status != 200 or token is None:
            self.user.errors.append(f"GET customer {status}")
            return
        # A new street number each time, so that every save changes the row (an UPDATE and an audit row).
        self.user.saves += 1
        street = f"Mannerheimintie {self.user.saves % 100 + 1}"
        status, _, page = self.request(
            "POST", path, {**CUSTOMER, "street_address": street, "csrf_token": token}
        )
        end = time.perf_counter()
        if status != 303:
            self.user.errors.append(f"POST customer {status}: {page[:200]!r}")
            return
        if window[0] <= start and end <= window[1]:
            self.user.gets.append(got - start)
            self.user.posts.append(end - got)
            self.user.pairs.append(end - start)

    def bare_read(self, window: tuple[float, float]) -> None:
        start = time.perf_counter()
        status, _, _ = self.request("GET", f"/bare/?id={self.user.person_id}")
        end = time.perf_counter()
        if status != 200:
            self.user.errors.append(f"GET bare {status}")
        elif window[0] <= start and end <= window[1]:
            self.user.reads.append(end - start)


@dataclass
class Phase:
    name: str
    seconds: float  # the measured window
    count: int  # requests (wizard: GETs + POSTs) that started and ended in it
    latencies: list[float]  # per request
    pairs: list[float]  # wizard: GET+POST pairs
    errors: list[str]
    cpu: dict[str, float]  # CPU seconds in the window: client, gunicorn, postgres, machine

    @property
    def rps(self) -> float:
        return self.count / self.seconds


def run_phase(name: str, clients: list[Client], warmup: float, duration: float, pids) -> Phase:
    """Every client loops for warmup + duration seconds; only what starts after the warm-up and ends
    before the deadline is counted."""
    for client in clients:
        client.close()
        for values in (client.user.gets, client.user.posts, client.user.pairs, client.user.reads):
            values.clear()
        client.user.errors.clear()
    barrier = threading.Barrier(len(clients) + 1)
    begin = {}

    def loop(client: Client) -> None:
        barrier.wait()
        window = (begin["t"] + warmup, begin["t"] + warmup + duration)
        step = client.wizard_step if name == "wizard" else client.bare_read
        while time.perf_counter() < window[1]:
            try:
                step(window)
            except (OSError, http.client.HTTPException) as exc:
                client.user.errors.append(f"{type(exc).__name__}: {exc}")
                client.close()
            if client.think:
                time.sleep(client.random.uniform(0.5, 1.5) * client.think)

    threads = [threading.Thread(target=loop, args=(c,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    begin["t"] = time.perf_counter()
    barrier.wait()
    time.sleep(warmup)
    pids = pids()  # after the warm-up: the pools have opened their connections
    cpu_before = _cpu_snapshot(pids)
    time.sleep(duration)
    cpu_after = _cpu_snapshot(pids)
    for thread in threads:
        thread.join(timeout=60)
    users = [c.user for c in clients]
    errors = [e for u in users for e in u.errors]
    if name == "wizard":
        latencies = [v for u in users for v in (*u.gets, *u.posts)]
        pairs = [v for u in users for v in u.pairs]
        count = 2 * len(pairs)
    else:
        latencies = [v for u in users for v in u.reads]
        pairs = []
        count = len(latencies)
    cpu = {key: cpu_after[key] - cpu_before[key] for key in cpu_before}
    return Phase(name, duration, count, latencies, pairs, errors, cpu)


def _cpu_snapshot(pids: dict[str, list[int]]) -> dict[str, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "client": usage.ru_utime + usage.ru_stime,
        "gunicorn": _cpu_seconds(pids["gunicorn"]),
        "postgres": _cpu_seconds(pids["postgres"]),
        "machine": _machine_busy_seconds(),
    }


def postgres_backends(database_url: str) -> list[int]:
    """The server processes of our database's connections (the portal's pools), for their CPU time."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.scalars(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()"
                    )
                )
            )
    finally:
        engine.dispose()


# --- reporting ----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(rounds: list[tuple[Phase, Phase]], think: float) -> None:
    print()
    print("| round | what | requests/s | pairs/s | p50 ms | p95 ms | p99 ms | errors "
          "| CPU ms per request: gunicorn / postgres / client | machine busy |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, (wizard, bare) in enumerate(rounds, 1):
        for phase in (wizard, bare):
            per = {k: 1000 * v / max(phase.count, 1) for k, v in phase.cpu.items()}
            busy = phase.cpu["machine"] / phase.seconds
            cells = [
                f"{phase.rps:.1f}",
                f"{len(phase.pairs) / phase.seconds:.1f}" if phase.pairs else "",
                "{}",
                str(len(phase.errors)),
                f"{per['gunicorn']:.2f} / {per['postgres']:.2f} / {per['client']:.2f}",
                f"{busy:.2f} cores",
            ]
            rows = [("bare read", phase.latencies)]
            if phase.name == "wizard":
                rows = [("wizard GET+POST", phase.pairs), ("wizard request", phase.latencies)]
            for i, (label, values) in enumerate(rows):
                spread = " | ".join(ms(percentile(values, p)) for p in (50, 95, 99))
                row = [c if i == 0 or c == "{}" else "" for c in cells]
                print(f"| {n} | {label} | " + " | ".join(row).replace("{}", spread) + " |")
    wizard_rps = median([w.rps for w, _ in rounds])
    bare_rps = median([b.rps for _, b in rounds])
    p95 = median([percentile(w.pairs, 95) for w, _ in rounds])
    p95_request = median([percentile(w.latencies, 95) for w, _ in rounds])
    ratios = [w.rps / b.rps for w, b in rounds]
    ratio = median(ratios)
    print()
    print("wizard / bare requests per second, per round: " + ", ".join(f"{r:.3f}" for r in ratios))
    if think:
        print("(with think time the users' pace sets the throughput: the ratio says nothing of capacity)")
    print(
        f"wizard step (GET+POST) p95 {ms(p95)} ms (target < 100 ms; per request p95 {ms(p95_request)} ms); "
        f"wizard {wizard_rps:.1f} requests/s, bare route {bare_rps:.1f} requests/s, "
        f"ratio {ratio:.2f} (target >= 0.5)"
    )
    for wizard, bare in rounds:
        for phase in (wizard, bare):
            if phase.errors:
                print(f"{phase.name}: {len(phase.errors)} errors, the first: {phase.errors[0]}")


class Sections:
    """Exclusive wall time per named function: time spent in a nested section counts only there."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.stack: list[float] = []
        self.patched: list[tuple[object, str, object]] = []

    def wrap(self, owner: object, attr: str, name: str) -> None:
        original = getattr(owner, attr)
        sections = self

        def timed(*args, **kwargs):
            start = time.perf_counter()
            sections.stack.append(0.0)
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                nested = sections.stack.pop()
                sections.seconds[name] = sections.seconds.get(name, 0.0) + elapsed - nested
                sections.calls[name] = sections.calls.get(name, 0) + 1
                if sections.stack:
                    sections.stack[-1] += elapsed

        self.patched.append((owner, attr, original))
        setattr(owner, attr, timed)

    def clear(self) -> None:
        self.seconds.clear()
        self.calls.clear()

    def restore(self) -> None:
        for owner, attr, original in reversed(self.patched):
            setattr(owner, attr, original)


def breakdown(user: User, pairs: int) -> None:
    """Where a wizard step's time goes: ``pairs`` GET+POST pairs through the served app in this process
    (Werkzeug's test client, one at a time, no concurrency), timed section by section, with the SQL
    statements and connection-pool checkouts (each one a ``pool_pre_ping`` round trip) counted."""
    import flask_wtf.csrf
    from sqlalchemy import event
    from sqlalchemy.pool import Pool
    from werkzeug.test import Client as TestClient

    import portal.applications.services as application_services
    import portal.applications.steps as steps
    import portal.applications.views as views
    import portal.applications.wizard as wizard
    import portal.templating as templating
    from portal.auth.sessions import DatabaseSessionInterface

    served = served_app()
    client = TestClient(served)
    client.set_cookie("portal_session", user.token)
    client.set_cookie("portal_lang", "en")
    path = f"/applications/{user.application_id}/customer"

    def pair(n: int) -> tuple[float, float]:
        start = time.perf_counter()
        page = client.get(path)
        got = time.perf_counter()
        token = CSRF.search(page.data)
        form = {**CUSTOMER, "street_address": f"Mannerheimintie {n % 100 + 1}", "csrf_token": token[1]}
        response = client.post(path, data=form)
        if page.status_code != 200 or response.status_code != 303:
            raise RuntimeError(f"breakdown: GET {page.status_code}, POST {response.status_code}")
        return got - start, time.perf_counter() - got

    sections = Sections()
    wrapped = [
        (DatabaseSessionInterface, "open_session", "session: load (web_session row)"),
        (DatabaseSessionInterface, "save_session", "session: save"),
        (flask_wtf.csrf.CSRFProtect, "protect", "CSRF: check the posted token"),
        (flask_wtf.csrf, "generate_csrf", "CSRF: token for the form"),
        (templating, "generate_csrf", "CSRF: token for the form"),
        (steps, "open_application", "application and its facts: one query (the POST locks the row)"),
        (wizard, "step_problems", "wizard: step_problems (the contacts step's query)"),
        (application_services, "save_step", "save: audit row, commit (UPDATE)"),
        (views, "after_save", "after_save: the redirect to the next step"),
        (views, "render_template", "render_template (Jinja2, GOV.UK macros)"),
    ]
    for owner, attr, name in wrapped:
        sections.wrap(owner, attr, name)
    counts = {"statements": 0, "checkouts": 0}

    def count(key: str):
        def listener(*args) -> None:
            counts[key] += 1

        return listener

    statement, checkout = count("statements"), count("checkouts")
    event.listen(sa.engine.Engine, "before_cursor_execute", statement)
    event.listen(Pool, "checkout", checkout)
    try:
        for n in range(30):  # warm the caches (templates, compiled SQL, the pools)
            pair(n)
        sections.clear()
        counts.update(statements=0, checkouts=0)
        gets, posts = [], []
        for n in range(pairs):
            got, posted = pair(n)
            gets.append(got)
            posts.append(posted)
        wizard_counts = dict(counts)  # the bare reads below are not the wizard's
        reads = []
        for _ in range(pairs):
            start = time.perf_counter()
            client.get(f"/bare/?id={user.person_id}")
            reads.append(time.perf_counter() - start)
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", statement)
        event.remove(Pool, "checkout", checkout)
        sections.restore()
    total = sum(gets) + sum(posts)
    print()
    print(
        f"In-process breakdown, {pairs} pairs one at a time: GET median {ms(median(gets))} ms, POST median "
        f"{ms(median(posts))} ms; bare read median {ms(median(reads))} ms; per pair "
        f"{wizard_counts['statements'] / pairs:.1f} SQL statements and "
        f"{wizard_counts['checkouts'] / pairs:.1f} pool checkouts (each a pre-ping round trip); "
        "the bare read 1 and 1"
    )
    print()
    print("| section (exclusive time) | ms per pair | calls per pair | share |")
    print("|---|---|---|---|")
    rows = sorted(sections.seconds.items(), key=lambda item: -item[1])
    rows.append(
        (
            "rest: Flask, Werkzeug + test client, WTForms, Babel, before_request",
            total - sum(sections.seconds.values()),
        )
    )
    for name, seconds in rows:
        calls = f"{sections.calls[name] / pairs:.0f}" if name in sections.calls else ""
        print(f"| {name} | {ms(seconds / pairs)} | {calls} | {100 * seconds / total:.0f} % |")
    print(f"| **GET+POST pair** | **{ms(total / pairs)}** | | 100 % |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before each measured phase")
    parser.add_argument("--rounds", type=int, default=1, help="wizard then bare, this many times")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=2000, help="SOTE units in the stand-in register")
    parser.add_argument(
        "--breakdown",
        type=int,
        default=300,
        help="GET+POST pairs timed section by section in-process; 0: none",
    )
    parser.add_argument("--keepalive", action="store_true", help="one keep-alive connection per user")
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean pause (s) between a user's steps; 0: a closed loop"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    with prepared_portal(args.size) as (app, database_url, codeserver_url):
        from portal.extensions import db

        users = make_users(app, args.users)
        with app.app_context():
            db.engine.dispose()  # only the server talks to the database from here on
        with gunicorn(database_url, codeserver_url, args.workers, args.threads) as (port, master):
            print(
                f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}; "
                f"{args.users} users, each acting for its own organisation with its own draft application; "
                + ("keep-alive connections" if args.keepalive else "a new connection per request")
                + (f"; think time {args.think:g} s" if args.think else "; no think time (a closed loop)")
            )
            clients = [Client(port, user, args.keepalive, args.think) for user in users]
            for client in clients:
                client.start_application()

            def pids() -> dict[str, list[int]]:
                return {"gunicorn": _children(master), "postgres": postgres_backends(database_url)}

            rounds = []
            for n in range(1, args.rounds + 1):
                phases = []
                for name in ("wizard", "bare"):
                    phase = run_phase(name, clients, args.warmup, args.duration, pids)
                    print(
                        f"round {n} {name}: {phase.count} requests in {phase.seconds:.0f} s "
                        f"({phase.rps:.1f}/s), p95 {ms(percentile(phase.pairs or phase.latencies, 95))} ms"
                    )
                    phases.append(phase)
                rounds.append((phases[0], phases[1]))
            for client in clients:
                client.close()
        report(rounds, args.think)
        if args.breakdown:
            os.environ.update(server_environment(database_url, codeserver_url))
            breakdown(users[0], args.breakdown)


if __name__ == "__main__":
    main()
