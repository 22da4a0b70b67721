"""Loading the text files: every document in every language, idempotent, and a stored version's text
never changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.documents.loading import (
    TEXTS_DIR,
    DocumentTextError,
    load_documents,
    read_document_files,
    text_sha256,
)
from portal.documents.models import LANGUAGES, SERVICE_KEYS, DocumentVersion
from portal.extensions import db


def stored() -> list[tuple]:
    db.session.expire_all()
    return sorted(
        (v.kind, v.service or "", v.version, v.language, v.sha256, v.title)
        for v in db.session.scalars(sa.select(DocumentVersion))
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_there_is_a_text_of_every_document_in_every_language():
    files = {(f.kind, f.service, f.language) for f in read_document_files()}
    expected = {("commitment", None, lang) for lang in LANGUAGES} | {
        ("service_description", service, lang) for service in SERVICE_KEYS for lang in LANGUAGES
    }
    assert files == expected


def test_every_text_says_it_is_demo_text():
    for file in read_document_files():
        first_paragraph = file.body.split("\n\n", 1)[0]
        assert first_paragraph.startswith(("**Demo text.**", "**Esittelyteksti.**", "**Demotext.**")), (
            file.path
        )


def test_loading_stores_each_file_once_with_the_hash_of_its_text(app):
    files = read_document_files()

    added = load_documents()
    again = load_documents()

    assert len(added) == len(files)
    assert again == []
    rows = db.session.scalars(sa.select(DocumentVersion)).all()
    assert len(rows) == len(files)
    for row in rows:
        assert row.sha256 == text_sha256(row.body)


def test_load_command_is_idempotent(runner):
    first = runner.invoke(args=["documents", "load"])
    after_first = stored()
    second = runner.invoke(args=["documents", "load"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert len(after_first) == len(read_document_files())
    assert stored() == after_first
    assert "0 new document version(s)" in second.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("## 2 ", "## 2 Changed: "),  # the text
        ("title: Sitoumus", "title: Uusi sitoumus"),  # the title
    ],
)
def test_a_changed_text_with_an_unchanged_version_is_refused(app, texts, old, new):
    load_documents(texts)
    before = stored()
    edit(texts / "commitment.fi.md", old, new)
    # A new file in the same run is not loaded either: a refused run loads nothing.
    edit(texts / "commitment.sv.md", "version: 1", "version: 2")
    edit(texts / "commitment.sv.md", "## 2 ", "## 2 Ny: ")

    with pytest.raises(DocumentTextError, match=r"commitment\.fi\.md.*version 1.*Raise the version number"):
        load_documents(texts)
    assert stored() == before


def test_a_new_version_is_stored_beside_the_old(app, texts):
    load_documents(texts)
    path = texts / "service_description" / "eprescription.sv.md"
    edit(path, "version: 1", "version: 2")
    edit(path, "valid_from: 2026-01-01", "valid_from: 2026-12-01")
    edit(path, "## Fakturering", "## Fakturering och avgifter")

    added = load_documents(texts)

    assert [(v.service, v.version, v.language) for v in added] == [("eprescription", 2, "sv")]
    versions = db.session.scalars(
        sa.select(DocumentVersion.version).where(
            DocumentVersion.service == "eprescription", DocumentVersion.language == "sv"
        )
    ).all()
    assert sorted(versions) == [1, 2]


def test_a_version_older_than_the_stored_one_is_refused(app, texts):
    path = texts / "service_description" / "image_archive.en.md"
    edit(path, "version: 1", "version: 3")
    load_documents(texts)
    edit(path, "version: 3", "version: 2")

    with pytest.raises(DocumentTextError, match="older than the stored version 3"):
        load_documents(texts)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("commitment.de.md", "---\ntitle: T\nversion: 1\nvalid_from: 2026-01-01\n---\nText\n", "name it"),
        (
            "service_description/dental.fi.md",
            "---\ntitle: T\nversion: 1\nvalid_from: 2026-01-01\n---\n",
            "expected",
        ),
        ("commitment.fi.md", "title: T\nversion: 1\n\nText\n", "front matter block"),
        ("commitment.fi.md", "---\ntitle: T\nversion: 1\n---\nText\n", "lacks valid_from"),
        ("commitment.fi.md", "---\ntitle: T\nversion: one\nvalid_from: 2026-01-01\n---\n", "whole number"),
        (
            "commitment.fi.md",
            "---\ntitle: T\nversion: 1\nvalid_from: 2026-01-01\nauthor: x\n---\n",
            "allowed",
        ),
        ("commitment.fi.md", "---\ntitle: T\nversion: 1\nvalid_from: 2026-01-01\n---\n# Title\n", "headings"),
    ],
)
def test_a_malformed_file_is_refused_with_its_name(app, tmp_path, name, content, message):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")

    with pytest.raises(DocumentTextError, match=message):
        load_documents(tmp_path)
    assert stored() == []


def test_line_ends_and_trailing_spaces_do_not_change_the_hash(tmp_path):
    source = TEXTS_DIR / "commitment.en.md"
    (tmp_path / "commitment.en.md").write_bytes(source.read_bytes().replace(b"\n", b"  \r\n"))

    (original,) = [f for f in read_document_files() if f.path == source]
    (copied,) = read_document_files(tmp_path)

    assert copied.sha256 == original.sha256
