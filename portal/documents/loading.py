"""The document texts are data: files under ``portal/documents/texts/``, loaded into DocumentVersion rows.

Layout: ``commitment.<lang>.md`` and ``service_description/<service>.<lang>.md``. Each file starts with
a front matter block::

    ---
    title: Potilastiedon arkisto – palvelukuvaus
    version: 1
    valid_from: 2026-01-01
    ---

and the body follows in the markup of ``portal.documents.markup``. A file holds the newest version of
its text; older versions live on in the database. To publish a new text, edit the file, raise
``version`` and set ``valid_from``; ``load_documents()`` then adds the new version beside the old.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.documents.markup import MarkupError, parse
from portal.documents.models import LANGUAGES, SERVICE_KEYS, DocumentVersion
from portal.extensions import db

TEXTS_DIR = Path(__file__).resolve().parent / "texts"
FRONT_MATTER_KEYS = ("title", "version", "valid_from")


class DocumentTextError(ValueError):
    """A text file cannot be loaded; the message names the file and says what to do."""


@dataclass(frozen=True)
class DocumentFile:
    path: Path
    kind: str
    service: str | None
    language: str
    title: str
    version: int
    valid_from: date
    body: str

    @property
    def sha256(self) -> str:
        return text_sha256(self.body)

    @property
    def key(self) -> tuple[str, str | None, int, str]:
        return (self.kind, self.service, self.version, self.language)


def text_sha256(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def normalise(text: str) -> str:
    """The text as stored: NFC, ``\\n`` line ends, no trailing spaces, one final newline. A checkout
    that changes line ends, or an editor that strips spaces, then does not change the hash."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")) + "\n"


def read_document_file(path: Path, root: Path = TEXTS_DIR) -> DocumentFile:
    relative = path.relative_to(root)
    kind, service, language = _identify(relative)
    text = normalise(path.read_text(encoding="utf-8"))
    lines = text.split("\n")
    if lines[0] != "---" or "---" not in lines[1:]:
        raise DocumentTextError(
            f"{relative}: the file must start with a front matter block between '---' lines"
        )
    end = lines.index("---", 1)
    meta: dict[str, str] = {}
    for line in lines[1:end]:
        name, sep, value = line.partition(":")
        if not sep or name.strip() not in FRONT_MATTER_KEYS:
            raise DocumentTextError(
                f"{relative}: front matter line {line!r}; allowed: {', '.join(FRONT_MATTER_KEYS)}"
            )
        meta[name.strip()] = value.strip()
    missing = [name for name in FRONT_MATTER_KEYS if not meta.get(name)]
    if missing:
        raise DocumentTextError(f"{relative}: front matter lacks {', '.join(missing)}")
    try:
        version = int(meta["version"])
        valid_from = date.fromisoformat(meta["valid_from"])
    except ValueError:
        raise DocumentTextError(
            f"{relative}: version must be a whole number and valid_from a date (YYYY-MM-DD)"
        ) from None
    if version < 1:
        raise DocumentTextError(f"{relative}: version must be 1 or more")
    body = "\n".join(lines[end + 1 :]).strip("\n") + "\n"
    try:
        parse(body)
    except MarkupError as exc:
        raise DocumentTextError(f"{relative}: body {exc}") from None
    return DocumentFile(path, kind, service, language, meta["title"], version, valid_from, body)


def _identify(relative: Path) -> tuple[str, str | None, str]:
    """(kind, service, language) from a path such as ``service_description/eprescription.sv.md``."""
    parts = relative.name.split(".")
    if len(parts) != 3 or parts[2] != "md" or parts[1] not in LANGUAGES:
        raise DocumentTextError(f"{relative}: name it <document>.<{'|'.join(LANGUAGES)}>.md")
    name, language = parts[0], parts[1]
    if relative.parent == Path(".") and name == "commitment":
        return "commitment", None, language
    if relative.parent == Path("service_description") and name in SERVICE_KEYS:
        return "service_description", name, language
    raise DocumentTextError(
        f"{relative}: expected commitment.<lang>.md or service_description/<service>.<lang>.md "
        f"with a service of {', '.join(SERVICE_KEYS)}"
    )


def read_document_files(root: Path = TEXTS_DIR) -> list[DocumentFile]:
    return [read_document_file(path, root) for path in sorted(root.rglob("*.md"))]


def load_documents(root: Path = TEXTS_DIR) -> list[DocumentVersion]:
    """Add a DocumentVersion for each text file whose (kind, service, version, language) is not stored
    yet, and commit. Idempotent. Returns the versions added.

    Raises DocumentTextError, adding nothing, when a file cannot be read, when a stored version's text,
    title or date differs from its file (a version, once stored, may have been signed: its text must
    never change, so a changed text needs a new version number), or when a file's version is older
    than one already stored.
    """
    files = read_document_files(root)
    try:
        return _insert_new(files)
    except IntegrityError:
        # Another process (a second app instance starting) loaded the same files meanwhile: check
        # again against what it stored.
        db.session.rollback()
        return _insert_new(files)


def _insert_new(files: list[DocumentFile]) -> list[DocumentVersion]:
    stored = {
        (v.kind, v.service, v.version, v.language): v for v in db.session.scalars(sa.select(DocumentVersion))
    }
    newest: dict[tuple[str, str | None, str], int] = {}
    for kind, service, version, language in stored:
        newest[(kind, service, language)] = max(version, newest.get((kind, service, language), 0))

    added = []
    for file in files:
        existing = stored.get(file.key)
        if existing is not None:
            _check_unchanged(file, existing)
            continue
        latest = newest.get((file.kind, file.service, file.language), 0)
        if file.version < latest:
            raise DocumentTextError(
                f"{file.path.name}: version {file.version} is older than the stored version {latest}; "
                f"a file holds the newest version of its text"
            )
        added.append(
            DocumentVersion(
                kind=file.kind,
                service=file.service,
                version=file.version,
                language=file.language,
                title=file.title,
                body=file.body,
                sha256=file.sha256,
                valid_from=file.valid_from,
            )
        )
    db.session.add_all(added)
    db.session.commit()
    return added


def _check_unchanged(file: DocumentFile, stored: DocumentVersion) -> None:
    changed = [
        what
        for what, differs in (
            ("text", file.sha256 != stored.sha256),
            ("title", file.title != stored.title),
            ("valid_from", file.valid_from != stored.valid_from),
        )
        if differs
    ]
    if changed:
        raise DocumentTextError(
            f"{file.path.name}: the {' and '.join(changed)} of version {file.version} differ from the stored "
            f"version {file.version}, which may have been accepted or signed and must never change. "
            f"Raise the version number (and set valid_from) to publish the new text, or restore the file."
        )
