"""Reading the documents in force, signing the commitment, and showing a text as HTML."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from markupsafe import Markup

from portal.documents.loading import load_documents, text_sha256
from portal.documents.markup import to_html
from portal.documents.models import KINDS, LANGUAGES, SERVICE_KEYS, CommitmentSignature, DocumentVersion
from portal.extensions import db

__all__ = [
    "DocumentNotFound",
    "current_version",
    "latest_commitment_signature",
    "load_documents",
    "render_body",
    "sign_commitment",
    "version_by_id",
]

FINLAND = ZoneInfo("Europe/Helsinki")
MASKED_HETU = re.compile(r"^\d{6}[-+A-FU-Y]\*{4}$")


class DocumentNotFound(LookupError):
    """No version of the document is in force in that language."""


def today_in_finland() -> date:
    return datetime.now(FINLAND).date()


def current_version(
    kind: str, service: str | None, lang: str, *, today: date | None = None
) -> DocumentVersion:
    """The version in force: the latest ``valid_from`` on or before today (Finnish time), and of those
    the highest version number. Raises DocumentNotFound when none is (texts not loaded)."""
    if kind not in KINDS or lang not in LANGUAGES:
        raise ValueError(f"unknown document kind {kind!r} or language {lang!r}")
    if (kind == "commitment") != (service is None) or (service is not None and service not in SERVICE_KEYS):
        raise ValueError(
            f"a {kind} has {'no service' if kind == 'commitment' else 'one of ' + str(SERVICE_KEYS)}"
        )
    day = today or today_in_finland()
    version = db.session.scalars(
        sa.select(DocumentVersion)
        .where(
            DocumentVersion.kind == kind,
            DocumentVersion.service.is_(None) if service is None else DocumentVersion.service == service,
            DocumentVersion.language == lang,
            DocumentVersion.valid_from <= day,
        )
        .order_by(DocumentVersion.valid_from.desc(), DocumentVersion.version.desc())
        .limit(1)
    ).first()
    if version is None:
        raise DocumentNotFound(f"no {service or kind} in {lang} valid on {day}; run `flask documents load`")
    return version


def version_by_id(id: int) -> DocumentVersion | None:
    return db.session.get(DocumentVersion, id)


def latest_commitment_signature(business_id: str) -> CommitmentSignature | None:
    """The organisation's newest signature of the commitment, or None if it has never signed."""
    return db.session.scalars(
        sa.select(CommitmentSignature)
        .where(CommitmentSignature.organisation_business_id == business_id)
        .order_by(CommitmentSignature.signed_at.desc(), CommitmentSignature.id.desc())
        .limit(1)
    ).first()


def sign_commitment(
    *,
    business_id: str,
    version: DocumentVersion,
    person_id: int,
    signer_name: str,
    hetu_masked: str,
) -> CommitmentSignature:
    """Record that ``person_id`` signed ``version`` of the commitment for the organisation.

    Adds the row to the session and flushes it; the caller's transaction commits. ``hetu_masked``
    must already be masked (``010190-****``): a clear henkilötunnus is refused, never stored.
    """
    if version.kind != "commitment":
        raise ValueError(f"only the commitment is signed, not a {version.kind}")
    if not MASKED_HETU.match(hetu_masked or ""):
        raise ValueError("hetu_masked must be a masked henkilötunnus (ddmmyy-****)")
    if text_sha256(version.body) != version.sha256:
        # The stored text no longer matches its hash: someone edited the row. Sign nothing.
        raise ValueError(f"the text of {version!r} does not match its SHA-256")
    signature = CommitmentSignature(
        organisation_business_id=business_id,
        document_version_id=version.id,
        document_version=version,
        person_id=person_id,
        signer_name=signer_name,
        signer_hetu_masked=hetu_masked,
        text_sha256=version.sha256,
    )
    db.session.add(signature)
    db.session.flush()
    return signature


def render_body(version: DocumentVersion, *, heading_level: int = 3) -> Markup:
    """The version's text as safe HTML, for pages and PDFs. Its ``##`` headings become
    ``<h{heading_level}>``: under a page's h1 and the document title's h2 (the wizard step, the
    application PDF)."""
    return to_html(version.body, heading_level)
