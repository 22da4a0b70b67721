"""The deployment-test report template: after approval the customer runs the deployment test
("käyttöönottokoe", "ibruktagningsprov") with its system vendor and reports it to Kanta services on
this form (seed 001, 3.2).

The form's texts are files, one per language, under ``portal/documents/report_templates/``
(``deployment_test.<lang>.toml``); each says its version and the date it applies from, printed on the
form so that Kela can tell which one a report used. Unlike the service descriptions and the commitment
nothing is accepted or signed in the portal against these texts, so they are not stored as document
versions: the file in the repository is the version. To change the form, edit all three files and
raise ``version``.

The PDF is made for one approved application: what the portal knows (the organisation, the service,
the connection points and systems that were sent) is printed in, and the rest are form fields that
can be filled in on screen (or on paper: the fields print as boxes).
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale

from portal.applications.catalogue import SERVICES_BY_KEY
from portal.applications.models import Application
from portal.documents.models import LANGUAGES
from portal.documents.pdf import FINLAND, page_css, render_pdf

TEXTS_DIR = Path(__file__).resolve().parent / "report_templates"
LABELS = (
    "basic",
    "organisation",
    "business_id",
    "oid",
    "service",
    "application",
    "approved",
    "connection_points",
    "point_oid",
    "point_name",
    "systems",
    "product",
    "version",
    "vendor",
    "systems_note",
    "test",
    "test_date",
    "customer_participants",
    "vendor_participants",
    "cases",
    "number",
    "case",
    "expected",
    "ok",
    "not_ok",
    "not_applicable",
    "notes",
    "observations",
    "outcome",
    "passed",
    "failed",
    "signatures",
    "customer_signature",
    "vendor_signature",
    "name_title",
    "place_date",
    "signature",
    "template_version",
)
# The groups of test cases; which apply depends on the application (``case_groups``).
CASE_GROUPS = (
    "common",
    "patient_archive",
    "social_archive",
    "eprescription",
    "eprescription_renewal",
    "eprescription_pharmacy",
    "image_archive",
)


@cache
def report_text(lang: str) -> dict[str, Any]:
    """The form's texts in ``lang``, checked: every label and group of cases is there. The files are
    part of the code (read once per process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    path = TEXTS_DIR / f"deployment_test.{lang}.toml"
    with path.open("rb") as file:
        text = tomllib.load(file)
    missing = [
        key
        for key in ("title", "version", "valid_from", "demo_label", "demo", "intro", "sending")
        if key not in text
    ]
    missing += [f"labels.{key}" for key in LABELS if key not in text.get("labels", {})]
    missing += [f"cases.{group}" for group in CASE_GROUPS if not text.get("cases", {}).get(group)]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    if not isinstance(text["valid_from"], date):
        raise ValueError(f"{path.name}: valid_from must be a date (YYYY-MM-DD)")
    return text


def case_groups(snapshot: dict[str, Any]) -> list[str]:
    """The groups of test cases for what was applied for: a pharmacy dispenses prescriptions rather
    than writing them; the renewal-request case only if the service was chosen."""
    service = snapshot["service"]
    if service == "eprescription" and (snapshot.get("organisation") or {}).get("register") == "pharmacies":
        return ["common", "eprescription_pharmacy"]
    groups = ["common", service]
    if service == "eprescription" and (snapshot.get("renewal") or {}).get("requested"):
        groups.append("eprescription_renewal")
    return groups


def report_context(application: Application, approved_at: datetime | None, lang: str) -> dict[str, Any]:
    """What the form shows for the application, every text in ``lang``."""
    text = report_text(lang)
    snapshot = application.snapshot or {}
    organisation = snapshot.get("organisation") or {}
    with force_locale(lang):
        service_name = str(SERVICES_BY_KEY[application.service].name)
    cases = [case for group in case_groups(snapshot) for case in text["cases"][group]]
    labels = text["labels"]
    return {
        "text": text,
        "labels": labels,
        "title": text["title"],
        "organisation": organisation,
        "service_name": service_name,
        "application_id": application.id,
        "approved_on": format_date(approved_at.astimezone(FINLAND), "medium", locale=lang)
        if approved_at
        else "",
        "connection_points": snapshot.get("connection_points") or [],
        "systems": snapshot.get("systems") or [],
        "cases": cases,
        "service_note": (text.get("service_notes") or {}).get(application.service, ""),
        "reference": f"{labels['application']} {application.id}",
        "template_version": labels["template_version"].format(
            version=text["version"], date=format_date(text["valid_from"], "medium", locale=lang)
        ),
    }


def deployment_test_report_pdf(application: Application, approved_at: datetime | None, lang: str) -> bytes:
    """The report form for an approved application as a tagged PDF (PDF/UA-1) with form fields."""
    context = report_context(application, approved_at, lang)
    with force_locale(lang):
        template = current_app.jinja_env.get_template("organisations/deployment_test_report.html")
        html = template.render(**context, lang=lang, page_css=page_css(context))
    return render_pdf(html, forms=True)
