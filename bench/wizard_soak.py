"""50 simulated applicants completing the whole wizard for 2 minutes against gunicorn on PostgreSQL, then a
check that nothing they saved was lost and that no request failed (quality.md, "Reliability").

    .venv/bin/python bench/wizard_soak.py [--applicants 50] [--duration 120] [--think 0.5]
                                          [--workers 4] [--threads 2] [--size 6000]

Each applicant is a browser of its own: it takes an organisation from a shared pool (a person acting for
it, with a session), and for every service the organisation may apply for walks the wizard as a browser
does: GET each page (its CSRF token), POST the step with valid data, follow the redirect; contacts for
every role the contacts page asks for; billing and the commitment where the wizard has them; the summary;
"Send". The typed values are the application's own (its street address, decision e-mail, connection
point OID and contact names carry its number), so finding them proves they came from its own saves.
When the organisation has no service left, the applicant takes the next organisation. At the end of the
time every applicant stops where it is: an application cut off in the middle is checked too.

Checked in the database afterwards, for every application a POST created:
- every step the portal answered with "303 See Other" is stored with what was typed (the customer details,
  the connection point, the contacts of the roles, the billing details, the acceptance, the signature);
- every "Send" answered with 303 left the application submitted, with its snapshot;
and over the run: no response 5xx, no other status than the one the step expects.
The exit status is 1 when anything was lost or failed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from common import machine
from wizard_step import CSRF, Client, User, gunicorn, prepared_portal, register_organisations, sessions_for

APPLICATION = re.compile(r"/applications/(\d+)/")
ROLE = re.compile(r'id="role-([a-z_]+)"')


@dataclass
class Expected:
    """What one application's saves put in, step by step, as the portal confirmed them (303)."""

    application_id: int
    service: str
    business_id: str
    saved: dict[str, dict] = field(default_factory=dict)
    sent: bool = False


class Run:
    def __init__(self, organisations: list[User], service_task: str, deadline: float) -> None:
        self.pool = list(organisations)
        self.lock = threading.Lock()
        self.service_task = service_task
        self.deadline = deadline
        self.applications: list[Expected] = []
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.requests = 0

    def next_organisation(self) -> User | None:
        with self.lock:
            return self.pool.pop(0) if self.pool else None

    def note(self, status: int, expected: int, what: str, page: bytes = b"") -> bool:
        with self.lock:
            self.requests += 1
            self.statuses[status] += 1
            if status != expected:
                self.failures.append(f"{what}: {status} (expected {expected}) {page[:200]!r}")
        return status == expected


class Applicant:
    def __init__(self, run: Run, port: int, think: float, seed: int) -> None:
        self.run = run
        self.port = port
        self.think = think
        self.random = random.Random(seed)

    def pause(self) -> None:
        if self.think:
            time.sleep(self.random.uniform(0.5, 1.5) * self.think)

    def live(self) -> None:
        try:
            self.walk()
        except Exception as error:  # a refused or timed-out connection is a failure too
            with self.run.lock:
                self.run.failures.append(f"applicant stopped: {error!r}")

    def walk(self) -> None:
        while time.monotonic() < self.run.deadline:
            organisation = self.run.next_organisation()
            if organisation is None:
                return
            client = Client(self.port, organisation)
            for service in organisation.services:
                if time.monotonic() >= self.run.deadline:
                    return
                self.apply(client, organisation, service)

    def get(self, client: Client, path: str, expected: int = 200) -> str | None:
        status, _, page = client.request("GET", path)
        if not self.run.note(status, expected, f"GET {path}", page):
            return None
        match = CSRF.search(page)
        return match.group(1).decode() if match else ""

    def post(self, client: Client, path: str, form: dict, token: str) -> tuple[bool, dict]:
        status, headers, page = client.request("POST", path, {**form, "csrf_token": token})
        return self.run.note(status, 303, f"POST {path}", page), headers

    def step(self, client: Client, expected: Expected, path: str, key: str, form: dict) -> bool:
        """GET the step, POST it; remember what a confirmed save stored."""
        self.pause()
        token = self.get(client, path)
        if token is None or time.monotonic() >= self.run.deadline:
            return False
        ok, _ = self.post(client, path, form, token)
        if ok:
            expected.saved[key] = form
        return ok

    def apply(self, client: Client, organisation: User, service: str) -> None:
        token = self.get(client, f"/applications/apply/{service}")
        if token is None:
            return
        ok, headers = self.post(client, f"/applications/apply/{service}", {}, token)
        found = APPLICATION.search(headers.get("Location", "")) if ok else None
        if not found:
            return
        number = int(found.group(1))
        expected = Expected(number, service, organisation.business_id)
        with self.run.lock:
            self.run.applications.append(expected)
        base = f"/applications/{number}"
        connection = {
            "action": "save",
            "points-0-oid": f"1.2.246.10.{number}.10.1",
            "points-0-name": f"Liityntäpiste {number}",
            "systems-0-product": "Terveyskirjo",
            "systems-0-vendor": "Ohjelmisto Oy",
            "systems-0-version": "5.2",
        }
        if service == "social_archive":
            connection.update(
                {
                    "systems-0-profile": "joining",
                    "systems-0-stores": "both",
                    "systems-0-service_tasks": self.run.service_task,
                }
            )
        if service == "eprescription":
            connection["renewal_requests"] = "no"
        customer = {
            "street_address": f"Soak-katu {number}",
            "postal_code": "00100",
            "post_office": "Helsinki",
            "phone": "09 123 4567",
            "decision_email": f"paatokset.{number}@example.fi",
        }
        if not (
            self.step(client, expected, f"{base}/connection", "connection", connection)
            and self.step(client, expected, f"{base}/customer", "customer", customer)
            and self.contacts(client, expected, base)
        ):
            return
        digits = organisation.business_id.replace("-", "")
        billing = {
            "business_id": organisation.business_id,
            "method": "einvoice",
            "einvoice_address": f"0037{digits}",
            "operator_code": "003721291126",
            "reference": f"Soak {number}",
        }
        for key, form in (
            ("billing", billing),
            ("description", {"accept": "y"}),
            ("commitment", {"sign": "y"}),
        ):
            status, _, page = client.request("GET", f"{base}/{key}")
            if status in (302, 303):  # a step this application does not have (billing; the commitment signed)
                self.run.note(status, status, f"GET {base}/{key}")
                continue
            self.run.note(status, 200, f"GET {base}/{key}", page)
            if not self.step(client, expected, f"{base}/{key}", key, form):
                return
        self.pause()
        token = self.get(client, f"{base}/summary")
        if token is None or time.monotonic() >= self.run.deadline:
            return
        expected.sent, _ = self.post(client, f"{base}/send", {}, token)

    def contacts(self, client: Client, expected: Expected, base: str) -> bool:
        status, _, page = client.request("GET", f"{base}/contacts")
        if not self.run.note(status, 200, f"GET {base}/contacts", page):
            return False
        roles = ROLE.findall(page.decode())
        names = {}
        for role in roles:
            form = {
                "contact": "new",
                "kind": "person",
                "name": f"Maija {role} {expected.application_id}",
                "email": f"{role}.{expected.application_id}@example.fi",
                "phone": "040 123 4567",
                "certificate_number": "12345678901",
            }
            if not self.step(client, expected, f"{base}/contacts/{role}", f"role-{role}", form):
                return False
            names[role] = form["name"]
        token = self.get(client, f"{base}/contacts")
        if token is None:
            return False
        ok, _ = self.post(client, f"{base}/contacts", {}, token)
        if ok:
            expected.saved["contacts"] = names
        return ok


def check(app, applications: list[Expected]) -> list[str]:
    """What the database lacks of what the portal confirmed."""
    from portal.applications.models import Application, ConnectionPoint, ServiceDescriptionAcceptance
    from portal.billing.models import BillingDetails
    from portal.contacts.models import ApplicationContact, Contact
    from portal.extensions import db

    lost = []
    with app.app_context():
        for expected in applications:
            number = expected.application_id
            application = db.session.get(Application, number)
            if application is None:
                lost.append(f"application {number}: missing")
                continue
            saved = expected.saved
            if "connection" in saved:
                oids = db.session.scalars(
                    sa.select(ConnectionPoint.oid).where(ConnectionPoint.application_id == number)
                ).all()
                if oids != [saved["connection"]["points-0-oid"]]:
                    lost.append(f"application {number}: connection points {oids}")
            if "customer" in saved:
                stored = (application.street_address, application.decision_email)
                typed = (saved["customer"]["street_address"], saved["customer"]["decision_email"])
                if stored != typed:
                    lost.append(f"application {number}: customer details {stored}, typed {typed}")
            roles = {key[5:]: form["name"] for key, form in saved.items() if key.startswith("role-")}
            if roles:
                held = dict(
                    db.session.execute(
                        sa.select(ApplicationContact.role, Contact.name)
                        .join(Contact, Contact.id == ApplicationContact.contact_id)
                        .where(ApplicationContact.application_id == number)
                    ).all()
                )
                missing = {role: name for role, name in roles.items() if held.get(role) != name}
                if missing:
                    lost.append(f"application {number}: contacts {missing} not held")
            if "billing" in saved:
                billing = db.session.scalar(
                    sa.select(BillingDetails).where(BillingDetails.application_id == number)
                )
                if billing is None or billing.reference != saved["billing"]["reference"]:
                    lost.append(f"application {number}: billing details")
            if "description" in saved and not db.session.scalar(
                sa.select(sa.exists().where(ServiceDescriptionAcceptance.application_id == number))
            ):
                lost.append(f"application {number}: the service description's acceptance")
            if "commitment" in saved and application.commitment_signature_id is None:
                lost.append(f"application {number}: the commitment's signature")
            if expected.sent and (application.status != "submitted" or application.snapshot is None):
                lost.append(f"application {number}: sent, but {application.status}")
            db.session.expunge_all()
    return lost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applicants", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause (s) before each step")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=6000, help="SOTE units in the stand-in register")
    args = parser.parse_args()
    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}")
    with prepared_portal(args.size) as (app, database_url, codeserver_url):
        from portal.extensions import db
        from portal.registry.services import service_tasks

        with app.test_request_context():
            service_task = service_tasks("en")[0][0]
        pool = sessions_for(app, register_organisations(app))
        with app.app_context():
            db.engine.dispose()
        with gunicorn(database_url, codeserver_url, args.workers, args.threads) as (port, _):
            print(
                f"gunicorn {args.workers} x {args.threads} on PostgreSQL; {args.applicants} applicants for "
                f"{args.duration:g} s, think time {args.think:g} s; {len(pool)} organisations in the pool"
            )
            run = Run(pool, service_task, time.monotonic() + args.duration)
            threads = [
                threading.Thread(target=Applicant(run, port, args.think, n).live)
                for n in range(args.applicants)
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        lost = check(app, run.applications)
    sent = sum(1 for a in run.applications if a.sent)
    saves = sum(len(a.saved) for a in run.applications)
    server_errors = sum(n for status, n in run.statuses.items() if status >= 500)
    print(
        f"{run.requests} requests in {elapsed:.0f} s ({run.requests / elapsed:.1f}/s); "
        f"{len(run.applications)} applications started, {sent} sent; {saves} confirmed saves; "
        f"statuses {dict(sorted(run.statuses.items()))}"
    )
    print(
        f"5xx responses: {server_errors}; unexpected statuses: {len(run.failures)}; lost saves: {len(lost)}"
    )
    for line in (run.failures + lost)[:20]:
        print(f"  {line}")
    if server_errors or run.failures or lost:
        sys.exit(1)


if __name__ == "__main__":
    main()
