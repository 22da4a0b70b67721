"""Reading an upload file into rows of strings: CSV, Excel .xlsx or tab-separated text.

The type is decided by the content, never by the file's name: a zip archive is read as an Excel workbook,
anything else as UTF-8 text (with or without a BOM), whose separator (tab, semicolon or comma) is the one
that splits the header row into the most known column names. Everything that makes a file unreadable
raises ``UnreadableFile`` carrying a file-level problem with rule id ``F1``.

Excel files are opened only after ``zipfile`` has shown that they stay within the limits (entry count,
unzipped size), and are read by ``xlsx.py``, which refuses any document type declaration (so no external
entities and no entity expansion bombs).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from portal.cells import unescape_formula
from portal.orgunits import xlsx
from portal.orgunits.problems import Problem
from portal.orgunits.rules import COLUMN_BY_KEY
from portal.texts import lazy_gettext as _l

ZIP_MAGIC = b"PK\x03\x04"
# Other binary formats people pick by mistake: old Excel (OLE2), PDF, gzip, images.
BINARY_MAGICS = (b"\xd0\xcf\x11\xe0", b"%PDF", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
SEPARATORS = ("\t", ";", ",")
KINDS = ("csv", "xlsx", "tsv")


@dataclass(frozen=True)
class Limits:
    """What an upload may be: bytes as sent, and for Excel the zip's entries and their unzipped bytes."""

    max_bytes: int = 10 * 1024 * 1024
    max_unzipped_bytes: int = 100 * 1024 * 1024
    max_zip_entries: int = 200
    max_rows: int = 50_000
    max_columns: int = 200


DEFAULT_LIMITS = Limits()


class UnreadableFile(Exception):
    """The file cannot be read as an upload; ``problem`` is the F1 problem to show."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.problem = Problem(None, "-", "F1", message)


@dataclass
class ParsedFile:
    """The file as read: the header row and the unit rows as lists of strings (padded to the header's
    width), with the row number a spreadsheet shows for each (the header is row 1 when it is the file's
    first row). Rows with nothing in them are left out but keep their place in the numbering."""

    kind: str  # "csv", "xlsx" or "tsv"
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    header_row: int = 1
    separator: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def from_records(cls, records: list[dict[str, str]], header: list[str] | None = None) -> ParsedFile:
        """Rows given as column name → value (a form, the quick edit), numbered as if in a file."""
        header = header or list(dict.fromkeys(name for record in records for name in record))
        rows = [[record.get(name) or "" for name in header] for record in records]
        return cls("form", header, rows, list(range(2, len(rows) + 2)))

    def preview(self, count: int = 15) -> list[list[str]]:
        return self.rows[:count]


def read_upload(data: bytes, limits: Limits = DEFAULT_LIMITS, columns=COLUMN_BY_KEY) -> ParsedFile:
    """Read an uploaded file's bytes; a text file's separator is the one that finds the most of
    ``columns`` (casefolded column names) in its header. Raises ``UnreadableFile`` (rule F1)."""
    if len(data) > limits.max_bytes:
        raise UnreadableFile(
            _l(
                "The file is too big: it can be at most %(limit)s MB. Split it into smaller files.",
                limit=f"{limits.max_bytes / 1024 / 1024:g}",
            )
        )
    if not data.strip():
        raise UnreadableFile(_l("The file is empty."))
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data, limits)
    if data.startswith(BINARY_MAGICS):
        raise UnreadableFile(_wrong_format())
    return read_text(data, limits, columns)


def _wrong_format():
    return _l(
        "The file is not in a format that can be loaded. Save it as CSV (UTF-8), "
        "Excel workbook (.xlsx) or tab-separated text (.txt)."
    )


# --- text -------------------------------------------------------------------------------------------------


def read_text(data: bytes, limits: Limits = DEFAULT_LIMITS, columns=COLUMN_BY_KEY) -> ParsedFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(
            _l(
                "The file is not UTF-8 text. Save it as CSV UTF-8 (comma or semicolon separated), "
                "Excel workbook (.xlsx) or tab-separated text (.txt) in UTF-8."
            )
        ) from None
    if "\x00" in text:
        raise UnreadableFile(_wrong_format())
    separator = _separator(text, columns)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True))
    except csv.Error:
        raise UnreadableFile(
            _l("The file cannot be read: a quoted value is not closed. Check the quotation marks.")
        ) from None
    if "'" in text:  # a file downloaded from the portal: its formula-like cells have a quote in front
        records = [[unescape_formula(cell) if cell[:1] == "'" else cell for cell in row] for row in records]
    return _rows_to_file("tsv" if separator == "\t" else "csv", records, limits, separator=separator)


def _separator(text: str, columns=COLUMN_BY_KEY) -> str:
    """The separator that splits the first non-blank line into the most known column names; on a tie,
    into the most fields."""
    lines = io.StringIO(text)
    first = next((line for line in iter(lines.readline, "") if line.strip()), "").rstrip("\r\n")

    def score(separator: str) -> tuple[int, int]:
        cells = [c.strip().strip('"').strip().casefold() for c in first.split(separator)]
        return sum(c in columns for c in cells), len(cells)

    return max(SEPARATORS, key=score)


# --- Excel ------------------------------------------------------------------------------------------------


def read_xlsx(data: bytes, limits: Limits = DEFAULT_LIMITS) -> ParsedFile:
    not_excel = _l(
        "The file is not an Excel workbook (.xlsx) that can be read. Save it again as .xlsx or CSV."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(not_excel) from None
    with archive:
        infos = archive.infolist()
        # zipfile never unzips more than an entry declares (it stops there and fails the CRC), so the
        # declared sizes bound what the reader can be made to unzip.
        if len(infos) > limits.max_zip_entries or sum(i.file_size for i in infos) > limits.max_unzipped_bytes:
            raise UnreadableFile(
                _l(
                    "The Excel file is too big when unpacked. "
                    "Save the units alone in a new workbook or as CSV."
                )
            )
        try:
            records = xlsx.read_rows(archive, limits.max_rows, limits.max_columns)
        except xlsx.TooWide:
            raise UnreadableFile(_too_many_columns()) from None
        except (xlsx.NotAWorkbook, zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
            # a broken or encrypted archive, a compression zipfile cannot undo, a DTD in a part
            raise UnreadableFile(not_excel) from None
    return _rows_to_file("xlsx", records, limits)


def _too_many_columns():
    return _l("The file has too many columns.")


# --- both -------------------------------------------------------------------------------------------------


def _rows_to_file(
    kind: str, records: list[list[str]], limits: Limits, *, separator: str | None = None
) -> ParsedFile:
    """Header = the first row with anything in it; unit rows = the non-blank rows after it."""
    start = next((i for i, r in enumerate(records) if any(r)), None)
    if start is None:
        raise UnreadableFile(_l("The file is empty."))
    header = records[start]
    while header and not header[-1]:
        header.pop()
    if len(header) > limits.max_columns:
        raise UnreadableFile(_too_many_columns())
    width = len(header)
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, row in enumerate(records[start + 1 :], start + 2):
        if not any(row):
            continue
        if len(row) != width:
            row = row[:width] if len(row) > width else row + [""] * (width - len(row))
        rows.append(row)
        numbers.append(number)
    if len(rows) > limits.max_rows:
        raise UnreadableFile(
            _l(
                "The file has too many rows: at most %(limit)s units can be loaded at once. "
                "Split it into smaller files.",
                limit=limits.max_rows,
            )
        )
    return ParsedFile(kind, header, rows, numbers, header_row=start + 1, separator=separator)
