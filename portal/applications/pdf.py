"""The PDFs of a sent application, made from its frozen snapshot: the application as it was sent (with
the texts the customer accepted and signed), and the signed commitment alone (attached to an approval).
Both go through the one template of ``portal.documents.pdf.render_application_pdf``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import force_locale

from portal.applications.models import Application
from portal.applications.summary import _document, sections, service_name
from portal.auth.models import Person
from portal.documents.models import CommitmentSignature
from portal.documents.pdf import render_application_pdf
from portal.documents.services import render_body, version_by_id
from portal.extensions import db
from portal.texts import gettext as _


def pdf_context(application: Application, lang: str) -> dict:
    return sent_context(application.snapshot, lang, **sent_facts(application))


def sent_facts(application: Application) -> dict[str, Any]:
    """Who sent the application, when, and its reference: the PDFs' header facts."""
    return {
        "submitted_at": application.submitted_at,
        "submitted_by_person_id": application.submitted_by_person_id,
        "reference": str(application.id),
    }


def sent_context(
    snapshot: dict,
    lang: str,
    *,
    submitted_at: datetime | None,
    submitted_by_person_id: int | None,
    reference: str,
    documents: list[dict] | None = None,
) -> dict:
    """The template's context for ``snapshot`` in ``lang``; ``documents`` (snapshot entries) default to
    the snapshot's own."""
    submitter = db.session.get(Person, submitted_by_person_id) if submitted_by_person_id else None
    with force_locale(lang):
        return {
            "title": _("Application: %(service)s", service=service_name(snapshot)),
            "organisation": {
                "name": snapshot["organisation"]["name"],
                "business_id": snapshot["organisation"]["business_id"],
                "oid": snapshot["organisation"]["oid"],
            },
            "service_name": service_name(snapshot),
            "submitted_at": submitted_at,
            "submitted_by": submitter.display_name if submitter else None,
            "reference": reference,
            "sections": [{"title": s["title"], "rows": s["rows"]} for s in sections(snapshot, lang)],
            "documents": [
                _pdf_document(d) for d in (snapshot["documents"] if documents is None else documents)
            ],
        }


def _pdf_document(document: dict) -> dict:
    """A snapshot's document entry as the template shows it, with the text that was accepted."""
    return {
        "title": document["title"],
        "version": document["version"],
        "sha256": document["sha256"],
        "body": render_body(version_by_id(document["id"])),
        "accepted_by": document["by"],
        "accepted_at": datetime.fromisoformat(document["at"]),
        "kind": document["kind"],
        "signer_hetu_masked": document.get("signer_hetu_masked"),
    }


def application_pdf(application: Application, lang: str) -> bytes:
    return render_application_pdf(pdf_context(application, lang), lang)


def sent_application_pdf(snapshot: dict, lang: str, **facts: Any) -> bytes:
    """The application as it was sent (``snapshot``), as ``application_pdf`` gives it; ``facts`` as
    ``sent_facts`` gives them."""
    return render_application_pdf(sent_context(snapshot, lang, **facts), lang)


def commitment_pdf(
    snapshot: dict, lang: str, *, signature: CommitmentSignature | None = None, **facts: Any
) -> bytes:
    """The signed commitment alone, with the header facts of the application it came with: the one in
    the snapshot, or (an organisation signs once: its later applications have none) ``signature``."""
    commitment = next((d for d in snapshot["documents"] if d["kind"] == "commitment"), None)
    if commitment is None:
        if signature is None:
            raise ValueError("the application has no signed commitment, and no signature was given")
        commitment = _document(
            signature.document_version,
            signature.signer_name,
            signature.signed_at,
            signature.signer_hetu_masked,
        )
    context = sent_context(snapshot, lang, documents=[commitment], **facts)
    with force_locale(lang):
        context.update(title=_("Commitment"), sections=[])
    return render_application_pdf(context, lang)
