"""The PDF of a sent application, made from its frozen snapshot in the reader's language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.applications.models import Application
from portal.applications.summary import sections, service_name
from portal.auth.models import Person
from portal.documents.pdf import render_application_pdf
from portal.documents.services import render_body, version_by_id
from portal.extensions import db


def pdf_context(application: Application, lang: str) -> dict:
    snapshot = application.snapshot
    submitter = (
        db.session.get(Person, application.submitted_by_person_id)
        if application.submitted_by_person_id
        else None
    )
    with force_locale(lang):
        documents = []
        for document in snapshot["documents"]:
            version = version_by_id(document["id"])
            documents.append(
                {
                    "title": document["title"],
                    "version": document["version"],
                    "sha256": document["sha256"],
                    "body": render_body(version),
                    "accepted_by": document["by"],
                    "accepted_at": datetime.fromisoformat(document["at"]),
                    "kind": document["kind"],
                    "signer_hetu_masked": document.get("signer_hetu_masked"),
                }
            )
        return {
            "title": _("Application: %(service)s", service=service_name(snapshot)),
            "organisation": {
                "name": snapshot["organisation"]["name"],
                "business_id": snapshot["organisation"]["business_id"],
                "oid": snapshot["organisation"]["oid"],
            },
            "service_name": service_name(snapshot),
            "submitted_at": application.submitted_at,
            "submitted_by": submitter.display_name if submitter else None,
            "reference": str(application.id),
            "sections": [{"title": s["title"], "rows": s["rows"]} for s in sections(snapshot, lang)],
            "documents": documents,
        }


def application_pdf(application: Application, lang: str) -> bytes:
    return render_application_pdf(pdf_context(application, lang), lang)
