"""Property-based: no file makes the checker crash, and a valid file always passes, in every format."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from portal.orgunits.checks import check, check_bytes
from portal.orgunits.files import Limits, ParsedFile
from portal.orgunits.rules import COLUMNS, business_id_check_digit_ok
from tests.orgunits.factories import csv_bytes, excel_like_xlsx, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NAMES = [c.name for c in COLUMNS]


def rendered(result) -> list[str]:
    """Every problem turned into its line: rendering the lazy messages must not fail either."""
    lines = result.lines()
    assert all(line.startswith(("row ", "file, -, ")) for line in lines)
    return lines


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_crash_the_checker(data):
    rendered(check_bytes(data, limits=Limits(max_bytes=2000)))


@FUZZ
@given(
    header=st.lists(st.sampled_from([*NAMES, "Parentid", " LongName ", "", "Other"]), max_size=25),
    rows=st.lists(st.lists(st.text(max_size=12), max_size=25), max_size=8),
    branch=st.none() | st.just("1.2.246.10.1234567.10.1"),
)
def test_random_tables_never_crash_the_checker(header, rows, branch):
    width = len(header)
    parsed = ParsedFile(
        "csv", header, [(r + [""] * width)[:width] for r in rows], list(range(2, len(rows) + 2))
    )
    result = check(parsed, branch_oid=branch)
    rendered(result)
    if result.passed:
        assert len(result.rows) == len(rows)


@FUZZ
@given(
    text=st.lists(st.sampled_from([*',;\t"\n\r x1.-T', "OrganizationId", "LongName", "Å"]), max_size=200).map(
        "".join
    )
)
def test_random_text_files_never_crash_the_checker(text):
    rendered(check_bytes(text.encode()))


# --- valid files --------------------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzåäö"
capitalised = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"),
    st.text(alphabet=LETTERS + " -", max_size=15),
)
digits7 = st.integers(0, 9_999_999).map(lambda n: f"{n:07d}")


@st.composite
def business_ids(draw) -> str:
    digits = draw(digits7)
    for check_digit in range(10):
        candidate = f"{digits}-{check_digit}"
        if business_id_check_digit_ok(candidate):
            return candidate
    assume(False)
    return ""


def day_text(day: date, finnish: bool) -> str:
    return f"{day.day}.{day.month}.{day.year}" if finnish else day.isoformat()


@st.composite
def units(draw, n: int, parents: list[str]) -> dict[str, str]:
    sector = draw(st.sampled_from("123"))
    begin = date(2008, 1, 1) + timedelta(days=draw(st.integers(0, 6000)))
    end = draw(st.none() | st.integers(1, 3000).map(lambda d: begin + timedelta(days=d)))
    phone_length = 5 if sector == "1" else 1
    return {
        "OrganizationId": f"1.2.246.10.{draw(st.integers(1, 99999999))}.10.{n}",
        "LongName": f"{draw(capitalised)} {n}",
        "ParentId": draw(st.sampled_from(["", *parents])),
        "Abbreviation": f"{draw(capitalised)[:40]} {n}",
        "PostNumber": draw(st.sampled_from(["", "00100", "99999", "01230"])),
        "PostOffice": draw(st.sampled_from(["", "Helsinki"]) | capitalised),
        "PhoneNumber": draw(
            st.sampled_from(["", "+358 (9) 123-45"])
            | st.from_regex(rf"[0-9]{{{phone_length},12}}", fullmatch=True)
        ),
        "BeginningDate": draw(st.sampled_from(["", day_text(begin, False), day_text(begin, True)])),
        "ExpiringDate": "" if end is None else day_text(end, draw(st.booleans())),
        "A:Y-Tunnus": draw(business_ids()),
        "A:Sijainti kunta": f"{draw(st.integers(0, 999)):03d} {draw(capitalised)}",
        "A:Terv.toimintayksikkö": draw(st.sampled_from("TF")),
        "A:Reseptin uusiminen": draw(st.sampled_from(["", "T", "F"])),
        "A:Korvaava koodi": draw(st.sampled_from(["", "1.2.246.10.1.10.9", "1.2.3,1.2.0.4"])),
        "A:Org.Yks.lyhenne": draw(capitalised),
        "A:SektorI": sector,
        "A:Sos.toimintayksikkö": draw(st.sampled_from(["", "T", "F"])),
        "A:Terv.palveluyksikkö": draw(st.sampled_from(["", "T", "F"])),
        "A:Sos.palveluyksikkö": draw(st.sampled_from(["", "T", "F"])),
        "A:TOPI-koodi": draw(st.sampled_from(["", "00000", "12345"])),
        # any text a spreadsheet can hold (no control characters), not beginning with a space
        "StreetAddress": draw(
            st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20).filter(
                lambda s: not s[:1].isspace()
            )
        ),
        "PostAddress": "",
    }


@st.composite
def valid_files(draw) -> list[dict[str, str]]:
    records: list[dict[str, str]] = []
    for n in range(1, draw(st.integers(1, 8)) + 1):
        record = draw(units(n, [r["OrganizationId"] for r in records]))
        assume(record["OrganizationId"] not in {r["OrganizationId"] for r in records})
        records.append(record)
    return records


@FUZZ
@given(records=valid_files(), form=st.sampled_from(["comma", "semicolon", "bom", "tab", "xlsx", "excel"]))
def test_a_valid_file_always_passes(records, form):
    data = {
        "comma": lambda: csv_bytes(records),
        "semicolon": lambda: csv_bytes(records, separator=";"),
        "bom": lambda: csv_bytes(records, bom=True),
        "tab": lambda: csv_bytes(records, separator="\t"),
        "xlsx": lambda: xlsx_bytes(records),
        "excel": lambda: excel_like_xlsx(records),
    }[form]()
    result = check_bytes(data)
    assert result.passed, rendered(result)
    assert [u.oid for u in result.rows] == [r["OrganizationId"] for r in records]
    assert result.to_add == len(records)
