"""Factories for document versions, people and application PDF contexts; helpers that read a PDF back."""

from __future__ import annotations

import re
import subprocess
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from portal.auth.models import Person
from portal.documents.loading import TEXTS_DIR, text_sha256
from portal.documents.models import DocumentVersion
from portal.documents.services import current_version, load_documents, render_body
from portal.extensions import db


@pytest.fixture
def texts(tmp_path: Path) -> Path:
    """A copy of the text files that a test may edit."""
    root = tmp_path / "texts"
    for source in TEXTS_DIR.rglob("*.md"):
        target = root / source.relative_to(TEXTS_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read_bytes())
    return root


def make_version(
    *,
    kind: str = "commitment",
    service: str | None = None,
    version: int = 1,
    language: str = "fi",
    valid_from: date = date(2026, 1, 1),
    body: str = "## Heading\n\nA paragraph.\n",
    title: str | None = None,
) -> DocumentVersion:
    row = DocumentVersion(
        kind=kind,
        service=service,
        version=version,
        language=language,
        title=title or f"{service or kind} {version} {language}",
        body=body,
        sha256=text_sha256(body),
        valid_from=valid_from,
    )
    db.session.add(row)
    db.session.flush()
    return row


def make_person(given_name: str = "Maija", family_name: str = "Meikäläinen") -> Person:
    person = Person(issuer="https://tunnistus.example", subject=f"{given_name}-{family_name}")
    person.given_name, person.family_name = given_name, family_name
    db.session.add(person)
    db.session.flush()
    return person


# What the applications code would give, with its labels already in the language.
ROWS = {
    "fi": [
        {
            "title": "Liityntäpisteet ja järjestelmät",
            "rows": [
                {"label": "Liityntäpiste", "value": ["1.2.246.10.2958423.10.1", "1.2.246.10.2958423.10.2"]},
                {"label": "Järjestelmä", "value": "Mediatri 9 (Mediatri Oy), versio 9.4.2"},
            ],
        },
        {
            "title": "Asiakkaan tiedot",
            "rows": [
                {"label": "Katuosoite", "value": "Kuusitie 12 A"},
                {"label": "Sähköposti", "value": "kanta@kuusi.example"},
                {"label": "Puhelin", "value": ""},
            ],
        },
    ],
    "sv": [
        {
            "title": "Anslutningspunkter och system",
            "rows": [
                {
                    "label": "Anslutningspunkt",
                    "value": ["1.2.246.10.2958423.10.1", "1.2.246.10.2958423.10.2"],
                },
                {"label": "System", "value": "Mediatri 9 (Mediatri Oy), version 9.4.2"},
            ],
        },
        {
            "title": "Kunduppgifter",
            "rows": [
                {"label": "Gatuadress", "value": "Granvägen 12 A"},
                {"label": "E-post", "value": "kanta@gran.example"},
                {"label": "Telefon", "value": ""},
            ],
        },
    ],
}
SERVICE_NAMES = {"fi": "Potilastiedon arkisto", "sv": "Patientdataarkivet", "en": "Patient data archive"}
ACCEPTED_AT = datetime(2026, 11, 20, 9, 41, tzinfo=UTC)


def accepted_documents(lang: str) -> list[dict]:
    """The patient archive description and the commitment in force, as accepted and signed."""
    documents = []
    for kind, service in (("service_description", "patient_archive"), ("commitment", None)):
        version = current_version(kind, service, lang)
        documents.append(
            {
                "title": version.title,
                "version": version.version,
                "sha256": version.sha256,
                "body": render_body(version),
                "accepted_by": "Maija Meikäläinen",
                "accepted_at": ACCEPTED_AT,
                "kind": kind,
                "signer_hetu_masked": "010180-****" if kind == "commitment" else None,
            }
        )
    return documents


def application_context(lang: str, **overrides) -> dict:
    """A patient data archive application in ``lang``; unless ``documents`` is given, with the loaded
    service description and commitment in force (use the ``loaded`` fixture)."""
    documents = overrides.pop("documents") if "documents" in overrides else accepted_documents(lang)
    context = {
        "title": f"{SERVICE_NAMES[lang]}: KANTA-2026-000417",
        "organisation": {
            "name": "Lääkärikeskus Kuusi Oy",
            "business_id": "2958423-0",
            "oid": "1.2.246.10.2958423",
        },
        "service_name": SERVICE_NAMES[lang],
        "submitted_at": ACCEPTED_AT,
        "submitted_by": "Maija Meikäläinen",
        "reference": "KANTA-2026-000417",
        "sections": ROWS.get(lang, ROWS["fi"]),
        "documents": documents,
    }
    context.update(overrides)
    return context


@pytest.fixture
def loaded(app) -> None:
    load_documents()


# Reading a PDF back -----------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text by poppler's pdftotext, whitespace collapsed to single spaces."""
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {
        key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())
    }


def pdf_catalog(pdf: bytes) -> bytes:
    """The document catalog's dictionary, from the file or from a compressed object stream."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"[^\n]*/Type\s*/Catalog[^\n]*", chunk)  # pydyf writes an object a line
        if found:
            return found.group(0)
    raise AssertionError("no document catalog in the PDF")
