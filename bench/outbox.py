"""The outbox worker: approval e-mails with their two PDF attachments (the application as it was sent
and the signed commitment) delivered per second by one worker to the local SMTP stand-in, on
PostgreSQL.

    .venv/bin/python bench/outbox.py      # --messages 30 --runs 3 --lang fi

Set-up (not timed): a fresh PostgreSQL database migrated by Alembic, the documents loaded, one sent
application of the demo clinic (patient data archive, six contacts, e-invoicing: a 4-page application
PDF), and the SMTP stand-in (aiosmtpd, writing each message to a temporary maildir) in a process of its
own. Each run approves the application ``--messages`` times (later rounds, inserted directly, each
queueing its e-mail through ``enqueue`` as ``decide`` does) and then times ``Worker.run_once`` in this
process, twice:

- **first delivery**: the worker claims each message, renders both PDFs from the decision's snapshot,
  stores them with the decision, builds the e-mail and sends it, then marks it sent;
- **resend**: the same messages queued again (as after staff's retry): the stored PDFs are attached.

Reported: e-mails per second (wall), the time per e-mail split into PDF rendering and the rest (claim,
storing, building and sending the e-mail, marking it sent), and this process's CPU per e-mail.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, fresh_database, machine, median, migrated_app
from flask_babel import force_locale
from sqlalchemy import update

import portal.outbox.worker as worker_module
from portal.applications.models import Application
from portal.applications.summary import _document
from portal.db import utcnow
from portal.documents.loading import load_documents
from portal.documents.services import current_version
from portal.extensions import db
from portal.integrations.serve import free_port
from portal.outbox.models import OutboxMessage
from portal.outbox.services import enqueue
from portal.outbox.worker import Worker
from portal.reviews.models import Decision
from portal.reviews.services import decision_email_text, decision_recipients

CONTACTS = (  # role, name, e-mail, phone
    ("technical", "Kuusi IT helpdesk", "helpdesk@kuusi.example", "+358945678910"),
    ("disruption", "Pekka Virtanen", "pekka.virtanen@kuusi.example", "+358401234567"),
    ("data_protection", "Liisa Korhonen", "tietosuoja@kuusi.example", "+358407654321"),
    ("administrative", "Maija Meikäläinen", "maija.meikalainen@kuusi.example", "+358501112222"),
    ("billing", "Jari Nieminen", "laskutus@kuusi.example", "+358503334444"),
    ("archivist", "Anna Laine", "anna.laine@kuusi.example", "+358505556666"),
)


@contextlib.contextmanager
def smtp_process(maildir: Path) -> Iterator[int]:
    """The SMTP stand-in in a process of its own (it does not share this interpreter); its port."""
    port = free_port()
    command = [sys.executable, "-m", "portal.integrations.smtp.standin", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--maildir", str(maildir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("SMTP stand-in on"):
            raise RuntimeError(f"the SMTP stand-in did not start: {line!r}")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def sent_application(lang: str) -> Application:
    """The demo clinic's patient data archive application, sent in ``lang``, as the wizard leaves it."""
    signed = utcnow()
    description = current_version("service_description", "patient_archive", lang)
    commitment = current_version("commitment", None, lang)
    snapshot = {
        "version": 1,
        "service": "patient_archive",
        "organisation": {
            "name": "Lääkärikeskus Kuusi Oy",
            "business_id": "2958423-0",
            "oid": "1.2.246.10.29584230.10.1",
            "register": "sote",
            "municipality": "Helsinki",
        },
        "customer": {
            "street_address": "Kuusitie 12 A",
            "postal_code": "00270",
            "post_office": "Helsinki",
            "phone": "+35894567890",
            "decision_email": "kanta@kuusi.example",
        },
        "connection_points": [
            {"oid": "1.2.246.10.29584230.10.1", "name": "Kuusi production"},
            {"oid": "1.2.246.10.29584230.10.2", "name": "Kuusi dental"},
        ],
        "systems": [
            {"product": "Mediatri", "vendor": "Mediatri Oy", "version": "9.4.2", "service_tasks": []},
            {"product": "Hammas Pro", "vendor": "Dentalsoft Oy", "version": "2026.2", "service_tasks": []},
        ],
        "renewal": None,
        "contacts": [
            {"role": r, "kind": "person", "name": n, "email": e, "phone": p, "certificate_number": None}
            for r, n, e, p in CONTACTS
        ],
        "billing": {
            "business_id": "2958423-0",
            "method": "einvoice",
            "street_address": None,
            "postal_code": None,
            "post_office": None,
            "einvoice_address": "003729584230",
            "operator_code": "003721291126",
            "reference": "Kanta / Kuusi",
        },
        "documents": [
            _document(description, "Maija Meikäläinen", signed, None),
            _document(commitment, "Maija Meikäläinen", signed, "010180-****"),
        ],
    }
    application = Application(
        organisation_business_id="2958423-0",
        organisation_oid="1.2.246.10.29584230.10.1",
        organisation_name="Lääkärikeskus Kuusi Oy",
        organisation_register="sote",
        service="patient_archive",
        status="approved",
        submitted_at=signed,
        submitted_language=lang,
        round=1,
        snapshot=snapshot,
    )
    db.session.add(application)
    db.session.commit()
    snapshot["application_id"] = application.id
    return application


def approvals(application: Application, rounds: range) -> list[int]:
    """An approval for each round, with its e-mail queued (subject, body and recipients as ``decide``
    makes them); the messages' ids."""
    ids = []
    for round in rounds:
        decision = Decision(
            application_id=application.id,
            round=round,
            kind="approve",
            message="",
            reviewer_name="Kaisa Kelanen",
            snapshot=application.snapshot,
            submitted_at=application.submitted_at,
            language=application.submitted_language,
        )
        db.session.add(decision)
        db.session.flush()
        with force_locale(decision.language):
            subject, body = decision_email_text(application, decision, decision.snapshot)
        message = enqueue(
            kind="decision_approve",
            language=decision.language,
            recipients=decision_recipients(decision.snapshot, "approve"),
            subject=subject,
            body=body,
            attachments=[{"kind": "commitment"}, {"kind": "application"}],
            application_id=application.id,
            decision_id=decision.id,
            organisation_business_id=application.organisation_business_id,
        )
        db.session.flush()
        ids.append(message.id)
    db.session.commit()
    return ids


@dataclass
class Phase:
    wall: list[float] = field(default_factory=list)  # seconds per e-mail, one value per run
    cpu: list[float] = field(default_factory=list)
    pdf: list[float] = field(default_factory=list)
    pdf_cpu: list[float] = field(default_factory=list)


_rendering = [0.0, 0.0]  # wall and CPU seconds spent making PDFs since the last reset


def count_rendering() -> None:
    """Time the worker's PDF rendering (it looks ``make_document`` up when it needs a PDF)."""
    make_document = worker_module.make_document

    def timed(decision, kind):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return make_document(decision, kind)
        finally:
            _rendering[0] += time.perf_counter() - wall
            _rendering[1] += time.process_time() - cpu

    worker_module.make_document = timed


def deliver(worker: Worker, count: int, maildir: Path, phase: Phase) -> None:
    before = len(list(maildir.iterdir()))
    _rendering[:] = [0.0, 0.0]
    wall, cpu = time.perf_counter(), time.process_time()
    handled = worker.run_once()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    arrived = len(list(maildir.iterdir())) - before
    if handled != count or arrived != count:
        raise RuntimeError(f"{handled} handled and {arrived} arrived, expected {count}")
    phase.wall.append(wall / count)
    phase.cpu.append(cpu / count)
    phase.pdf.append(_rendering[0] / count)
    phase.pdf_cpu.append(_rendering[1] / count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=30, help="e-mails per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="fi", choices=["fi", "sv", "en"])
    args = parser.parse_args()
    print(f"machine: {machine()}")
    count_rendering()

    first, resend = Phase(), Phase()
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database() as database_url,
        smtp_process(Path(tmp)) as port,
    ):
        maildir = Path(tmp)
        app = migrated_app(database_url, "http://127.0.0.1:9")
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        with app.app_context():
            load_documents()
            application = sent_application(args.lang)
            worker = Worker(app, "bench")
            size = 0
            for run in range(args.runs):
                start = 2 + run * args.messages
                ids = approvals(application, range(start, start + args.messages))
                deliver(worker, args.messages, maildir, first)
                db.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(ids))
                    .values(state="queued", attempts=0, next_attempt_at=utcnow())
                )
                db.session.commit()
                deliver(worker, args.messages, maildir, resend)
                size = max(path.stat().st_size for path in maildir.iterdir())
            db.engine.dispose()

    print(
        f"{args.runs} runs of {args.messages} e-mails, language {args.lang}, "
        f"largest e-mail {size // 1024} KiB (two PDFs, base64)"
    )
    report("first delivery (renders and stores both PDFs)", first)
    report("resend (the stored PDFs)", resend)


def report(name: str, phase: Phase) -> None:
    wall, pdf, cpu, pdf_cpu = (median(v) for v in (phase.wall, phase.pdf, phase.cpu, phase.pdf_cpu))
    rates = ", ".join(f"{1 / w:.1f}" for w in phase.wall)
    print(
        f"{name}: {1 / wall:.1f} e-mails/s (runs: {rates}); per e-mail {wall * 1000:.0f} ms wall "
        f"(PDFs {pdf * 1000:.0f} ms, the rest {(wall - pdf) * 1000:.0f} ms), "
        f"{cpu * 1000:.0f} ms CPU of this process (PDFs {pdf_cpu * 1000:.0f} ms, "
        f"the rest {(cpu - pdf_cpu) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
