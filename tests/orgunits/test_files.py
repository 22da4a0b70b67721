"""Reading uploads: every format gives the same rows and the same problems; the type is known by content;
the limits hold (size, zip entries and unzipped size, no DTD or external entity)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from portal.orgunits.checks import check_bytes
from portal.orgunits.files import Limits, UnreadableFile, read_upload
from tests.orgunits.factories import HEADER, csv_bytes, excel_like_xlsx, formats, oid, record, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")


def outcome(data: bytes, **kwargs) -> list[tuple]:
    return [(p.row, p.column, p.rule) for p in check_bytes(data, **kwargs).errors]


def test_every_format_reads_the_same_rows():
    records = [record(1), record(2, ParentId=oid(1), LongName='Terveysasema; Kallio, "vanha"')]
    parsed = {name: read_upload(data) for name, data in formats(records).items()}
    first = parsed["csv-comma"]
    for name, p in parsed.items():
        assert (p.header, p.rows, p.row_numbers) == (first.header, first.rows, first.row_numbers), name
    assert {p.kind for p in parsed.values()} == {"csv", "xlsx", "tsv"}
    assert first.rows[1][1] == 'Terveysasema; Kallio, "vanha"'


def test_every_format_gives_the_same_problems():
    records = [
        record(1, PostNumber="0010", LongName=" Terveysasema 1"),
        record(2, ParentId=oid(3), **{"A:Y-Tunnus": "1234567-2", "A:Reseptin uusiminen": "t"}),
        record(3, BeginningDate="31.2.2024"),
    ]
    results = {name: outcome(data) for name, data in formats(records).items()}
    expected = [
        (2, "LongName", "G1"),
        (2, "PostNumber", "PN2"),
        (3, "ParentId", "PA1"),
        (3, "A:Y-Tunnus", "YT3"),
        (3, "A:Reseptin uusiminen", "BOOL"),
        (4, "BeginningDate", "DT1"),
    ]
    assert all(r == expected for r in results.values()), results


def test_the_type_is_decided_by_content_not_by_name():
    # read_upload never sees a name: a workbook is a workbook and text is text whatever they are called
    assert read_upload(xlsx_bytes([record(1)])).kind == "xlsx"
    assert read_upload(csv_bytes([record(1)], separator="\t")).kind == "tsv"
    for data in (b"%PDF-1.7 ...", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", b"\x89PNG\r\n\x1a\n...."):
        assert outcome(data) == [(None, "-", "F1")]
    assert outcome(b"PK\x03\x04 not really a zip") == [(None, "-", "F1")]
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("units.csv", csv_bytes([record(1)]))
    assert outcome(zipped.getvalue()) == [(None, "-", "F1")]  # a zip, but not a workbook


def test_text_that_is_not_utf8_or_is_empty_is_refused():
    latin1 = csv_bytes([record(1, PostOffice="Mänttä")]).decode().encode("latin-1")
    assert outcome(latin1) == [(None, "-", "F1")]
    assert outcome(b"") == [(None, "-", "F1")]
    assert outcome(b"OrganizationId;LongName\x00") == [(None, "-", "F1")]
    assert outcome(b'"OrganizationId,"LongName\n"1.2.3,"x') == [(None, "-", "F1")]


def test_the_header_alone_has_no_unit_rows():
    for data in formats([]).values():
        assert outcome(data) == [(None, "-", "F3")]


def test_blank_rows_are_skipped_but_keep_the_numbering_and_short_rows_are_padded():
    text = csv_bytes([record(1), record(2, PostNumber="123")]).decode()
    lines = text.split("\r\n")
    lines.insert(2, ";" * 0)  # an empty line between the units
    lines[-2] = lines[-2].rsplit(",", 1)[0]  # the last unit without its last (optional) cell
    parsed = read_upload("\r\n".join(lines).encode())
    assert parsed.row_numbers == [2, 4]
    assert len(parsed.rows[1]) == len(HEADER)
    assert outcome("\r\n".join(lines).encode()) == [(4, "PostNumber", "PN2")]


def test_a_value_with_a_line_break_is_one_cell():
    data = csv_bytes([record(1, PostAddress="PL 12\nKauppakatu 1")])
    assert read_upload(data).rows[0][HEADER.index("PostAddress")] == "PL 12\nKauppakatu 1"
    assert outcome(data) == []


def test_excel_cells_of_other_types():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    row = [record(1)[name] for name in HEADER]
    row[HEADER.index("BeginningDate")] = datetime(2024, 1, 31)
    row[HEADER.index("ExpiringDate")] = date(2030, 12, 31)
    row[HEADER.index("A:SektorI")] = 1
    row[HEADER.index("PostNumber")] = 100  # a postal code typed as a number loses its leading zeros
    row[HEADER.index("A:Reseptin uusiminen")] = True
    sheet.append(row)
    sheet.append([])
    sheet.append([record(2)[name] for name in HEADER])
    out = io.BytesIO()
    workbook.save(out)
    parsed = read_upload(out.getvalue())
    assert parsed.row_numbers == [2, 4]
    cells = dict(zip(HEADER, parsed.rows[0], strict=True))
    assert cells["BeginningDate"] == "2024-01-31" and cells["ExpiringDate"] == "2030-12-31"
    assert cells["A:SektorI"] == "1" and cells["PostNumber"] == "100"
    assert cells["A:Reseptin uusiminen"] == "TRUE"
    assert outcome(out.getvalue()) == [(2, "PostNumber", "PN2"), (2, "A:Reseptin uusiminen", "BOOL")]


def test_the_size_cap():
    data = csv_bytes([record(n) for n in range(1, 30)])
    assert read_upload(data, Limits(max_bytes=len(data)))
    with pytest.raises(UnreadableFile) as refused:
        read_upload(data, Limits(max_bytes=len(data) - 1))
    assert refused.value.problem.rule == "F1" and "too big" in str(refused.value.problem.message)


def test_too_many_rows_or_columns():
    data = csv_bytes([record(n) for n in range(1, 12)])
    with pytest.raises(UnreadableFile):
        read_upload(data, Limits(max_rows=10))
    with pytest.raises(UnreadableFile):
        read_upload(xlsx_bytes([record(n) for n in range(1, 12)]), Limits(max_rows=10))
    with pytest.raises(UnreadableFile):
        read_upload(data, Limits(max_columns=len(HEADER) - 1))


def _workbook_with(extra: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(excel_like_xlsx([record(1)])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


def test_an_excel_file_too_big_when_unzipped_is_refused_before_it_is_read():
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_workbook_with())) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        with archive.open("xl/media/zeros.bin", "w") as big:
            chunk = bytes(1 << 20)
            for _ in range(101):  # 101 MB of zeros: a few hundred kB zipped
                big.write(chunk)
    data = bomb.getvalue()
    assert len(data) < 1_000_000
    with pytest.raises(UnreadableFile) as refused:
        read_upload(data)
    assert "too big when unpacked" in str(refused.value.problem.message)


def test_an_excel_file_with_too_many_zip_entries_is_refused():
    data = _workbook_with({f"xl/custom/{n}.xml": b"<a/>" for n in range(200)})
    with pytest.raises(UnreadableFile) as refused:
        read_upload(data)
    assert "too big when unpacked" in str(refused.value.problem.message)
    assert read_upload(_workbook_with({f"xl/custom/{n}.xml": b"<a/>" for n in range(150)})).rows


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">',
    ],
)
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_no_dtd_or_external_entity_is_read(doctype, part):
    source = zipfile.ZipFile(io.BytesIO(excel_like_xlsx([record(1)])))
    original = source.read(part)
    declaration, rest = original.split(b"?>", 1) if original.startswith(b"<?xml") else (b"", original)
    poisoned = (declaration + b"?>" if declaration else b"") + doctype + rest
    poisoned = poisoned.replace(b"Terveysasema 1", b"&secret;" if b"secret" in doctype else b"&b;")
    with pytest.raises(UnreadableFile) as refused:
        read_upload(_workbook_with(replace={part: poisoned}))
    assert refused.value.problem.rule == "F1"
