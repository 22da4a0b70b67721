"""Every rule of the rule book (org-register-checks.md) with values that pass and values that fail."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.orgunits.checks import check
from portal.orgunits.files import ParsedFile
from tests.conftest import empty_all_tables, make_app
from tests.orgunits.factories import HEADER, record

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def app(migrated):
    """One app for the module: these checks only read the (empty) mirror."""
    app = make_app(migrated)
    empty_all_tables(app)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def found(records: list[dict[str, str]], header: list[str] | None = None, **kwargs) -> set[tuple]:
    result = check(ParsedFile.from_records(records, header or HEADER), **kwargs)
    return {(p.row, p.column, p.rule) for p in result.errors}


# (column, value, the rule or rules that fail, or None when the value passes); on a public-sector unit.
CASES = [
    # G1: no field may begin with a space
    ("LongName", " Terveysasema 2", "G1"),
    ("PostOffice", " Helsinki", "G1"),
    ("A:TOPI-koodi", "\t01234", "G1"),
    ("PostOffice", "Helsinki ", None),
    # ID1, ID3
    ("OrganizationId", "", "ID1"),
    ("OrganizationId", "1.2.246.010", "ID3"),
    ("OrganizationId", "1.2.246.10.01234567.10.1", "ID3"),
    ("OrganizationId", "1.2.246.10.", "ID3"),
    ("OrganizationId", "1", "ID3"),
    ("OrganizationId", "1.2.246.1O", "ID3"),
    ("OrganizationId", "1.2.246.10", None),
    ("OrganizationId", "1.2.246.0.10", None),
    # LN1, LN3
    ("LongName", "", "LN1"),
    ("LongName", "terveysasema 1", "LN3"),
    ("LongName", "Äänekosken terveysasema", None),
    # AB1, AB3, AB4
    ("Abbreviation", "", "AB1"),
    ("Abbreviation", "ta 1", "AB3"),
    ("Abbreviation", "A" * 60, None),
    ("Abbreviation", "A" * 61, "AB4"),
    # PN1, PN2
    ("PostNumber", "00100", None),
    ("PostNumber", "", None),
    ("PostNumber", "0010", "PN2"),
    ("PostNumber", "001000", "PN2"),
    ("PostNumber", "0010a", "PN1"),
    ("PostNumber", "OO100", "PN1"),  # letters O, not zeros
    # PO1, PO2
    ("PostOffice", "helsinki", "PO1"),
    ("PostOffice", "Mänttä-Vilppula", None),
    ("PostOffice", "Pedersören kunta", None),
    ("PostOffice", "Helsinki 10", "PO2"),
    ("PostOffice", "Helsinki_", "PO2"),
    # PH1, PH2
    ("PhoneNumber", "+358 (9) 123-4567", None),
    ("PhoneNumber", "09 123 4567 ext", "PH1"),
    ("PhoneNumber", "09/1234567", "PH1"),
    ("PhoneNumber", "1234", "PH2"),
    ("PhoneNumber", "12345", None),
    ("PhoneNumber", "", None),
    # DT1, DT2 (the register version is valid from 1.1.2008)
    ("BeginningDate", "2024-01-31", None),
    ("BeginningDate", "31.1.2024", None),
    ("BeginningDate", "01.01.2024", None),
    ("BeginningDate", "2024-13-01", "DT1"),
    ("BeginningDate", "31.2.2024", "DT1"),
    ("BeginningDate", "2024/01/31", "DT1"),
    ("BeginningDate", "31.1.24", "DT1"),
    ("BeginningDate", "1.1.2008", None),
    ("BeginningDate", "31.12.2007", "DT2"),
    ("ExpiringDate", "2007-12-31", ("DT2", "DT3")),  # and before the unit's beginning in 2023
    ("PostNumber", "FI-00100", ("PN1", "PN2")),
    ("ExpiringDate", "tomorrow", "DT1"),
    # YT1, YT2, YT3
    ("A:Y-Tunnus", "", "YT1"),
    ("A:Y-Tunnus", "1234567-1", None),
    ("A:Y-Tunnus", "0112038-9", None),
    ("A:Y-Tunnus", "123456-1", "YT2"),
    ("A:Y-Tunnus", "12345678-1", "YT2"),
    ("A:Y-Tunnus", "1234567 1", "YT2"),
    ("A:Y-Tunnus", "1234567-2", "YT3"),
    # MU1, MU2
    ("A:Sijainti kunta", "", "MU1"),
    ("A:Sijainti kunta", "091 Helsinki", None),
    ("A:Sijainti kunta", "198 Mänttä-Vilppula", None),
    ("A:Sijainti kunta", "599 Pedersören kunta", None),
    ("A:Sijainti kunta", "91 Helsinki", "MU2"),
    ("A:Sijainti kunta", "091 helsinki", "MU2"),
    ("A:Sijainti kunta", "091Helsinki", "MU2"),
    ("A:Sijainti kunta", "091 Helsinki 2", "MU2"),
    # HU1 and BOOL
    ("A:Terv.toimintayksikkö", "", "HU1"),
    ("A:Terv.toimintayksikkö", "F", None),
    ("A:Terv.toimintayksikkö", "t", "BOOL"),
    ("A:Reseptin uusiminen", "T", None),
    ("A:Reseptin uusiminen", "", None),
    ("A:Reseptin uusiminen", "t", "BOOL"),
    ("A:Reseptin uusiminen", "Kyllä", "BOOL"),
    ("A:Sos.toimintayksikkö", "", None),
    ("A:Sos.toimintayksikkö", "f", "BOOL"),
    ("A:Terv.palveluyksikkö", "", None),
    ("A:Terv.palveluyksikkö", "TRUE", "BOOL"),
    ("A:Sos.palveluyksikkö", "T", None),
    ("A:Sos.palveluyksikkö", "1", "BOOL"),
    # RC1
    ("A:Korvaava koodi", "", None),
    ("A:Korvaava koodi", "1.2.246.10.1234567.10.7", None),
    ("A:Korvaava koodi", "1.2.246.10.1234567.10.7,1.2.246.10.1234567.10.8", None),
    ("A:Korvaava koodi", "1.2.246.10.1234567.10.7, 1.2.246.10.1234567.10.8", "RC1"),
    ("A:Korvaava koodi", "1.2.246.010", "RC1"),
    ("A:Korvaava koodi", "1.2.246.10,", "RC1"),
    ("A:Korvaava koodi", "1.2.246.10;1.2.246.11", "RC1"),
    # OA1
    ("A:Org.Yks.lyhenne", "", "OA1"),
    # SE1, SE2
    ("A:SektorI", "", "SE1"),
    ("A:SektorI", "2", None),
    ("A:SektorI", "3", None),
    ("A:SektorI", "4", "SE2"),
    ("A:SektorI", "1 Julkinen", "SE2"),
    # TO1, TO2
    ("A:TOPI-koodi", "00001", None),
    ("A:TOPI-koodi", "", None),
    ("A:TOPI-koodi", "0123", "TO2"),
    ("A:TOPI-koodi", "012345", "TO2"),
    ("A:TOPI-koodi", "0123a", "TO1"),
]


@pytest.mark.parametrize(("column", "value", "rule"), CASES, ids=lambda v: repr(v))
def test_rule(column, value, rule):
    rules = (rule,) if isinstance(rule, str) else rule or ()
    problems = found([record(1), record(2, **{column: value})])
    assert {p for p in problems if p[2] in rules or not rules} == {(3, column, r) for r in rules}


def test_each_failing_value_breaks_only_its_own_rule():
    """The failing cases above report nothing else (no noise from one bad value)."""
    for column, value, rule in CASES:
        rules = (rule,) if isinstance(rule, str) else rule or ()
        problems = found([record(1), record(2, **{column: value})])
        assert problems == {(3, column, r) for r in rules}, (column, value, problems)


def test_a_valid_file_passes():
    result = check(ParsedFile.from_records([record(n) for n in range(1, 6)], HEADER))
    assert result.passed and result.errors == []
    assert result.to_add == 5 and result.to_update == 0


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"LongName": "terveysasema"}, "LN3"),
        ({"Abbreviation": "ta"}, "AB3"),
        ({"PhoneNumber": "1234"}, "PH2"),
    ],
)
def test_public_sector_rules_spare_private_units(changes, rule):
    assert (2, next(iter(changes)), rule) in found([record(1, **changes)])
    for sector in ("2", "3"):
        assert found([record(1, **changes, **{"A:SektorI": sector})]) == set()


def test_post_office_must_be_capitalised_in_every_sector():
    assert found([record(1, PostOffice="helsinki", **{"A:SektorI": "2"})]) == {(2, "PostOffice", "PO1")}


def test_duplicates_within_the_file_are_reported_on_the_later_rows():
    records = [record(1), record(2, OrganizationId=record(1)["OrganizationId"]), record(3)]
    records[2]["LongName"] = records[0]["LongName"]
    records[2]["Abbreviation"] = records[0]["Abbreviation"]
    result = check(ParsedFile.from_records(records, HEADER))
    assert [(p.row, p.column, p.rule) for p in result.errors] == [
        (3, "OrganizationId", "ID2"),
        (4, "LongName", "LN2"),
        (4, "Abbreviation", "AB2"),
    ]
    assert "row 2" in str(result.errors[0].message)


@pytest.mark.parametrize(
    ("begin", "end", "fails"),
    [
        ("2024-01-01", "2024-01-02", False),
        ("2024-01-01", "2024-01-01", True),
        ("2024-01-01", "31.12.2023", True),
        ("1.1.2024", "2.1.2024", False),
        ("", "2007-12-31", True),  # an empty beginning is the register version's: 1.1.2008
    ],
)
def test_a_unit_begins_before_it_expires(begin, end, fails):
    problems = found([record(1, BeginningDate=begin, ExpiringDate=end)])
    assert ((2, "ExpiringDate", "DT3") in problems) is fails


def test_parent_earlier_in_the_file_passes_and_later_fails():
    parent, child = record(1), record(2, ParentId=record(1)["OrganizationId"])
    assert found([parent, child]) == set()
    result = check(ParsedFile.from_records([child, parent], HEADER))
    assert [(p.row, p.column, p.rule) for p in result.errors] == [(2, "ParentId", "PA1")]
    assert "later row (3)" in str(result.errors[0].message)


def test_a_parent_nowhere_and_a_unit_its_own_parent_fail():
    assert found([record(1, ParentId="1.2.246.10.999")]) == {(2, "ParentId", "PA1")}
    assert found([record(1, ParentId=record(1)["OrganizationId"])]) == {(2, "ParentId", "PA1")}


@pytest.mark.parametrize(
    ("header_change", "rule"),
    [
        (lambda h: [c for c in h if c != "LongName"], "F2"),
        (lambda h: [c for c in h if c != "A:Sos.palveluyksikkö"], "F2"),
        (lambda h: [*h, "LongName"], "F4"),
    ],
)
def test_header_problems_are_the_files(header_change, rule):
    result = check(ParsedFile.from_records([record(1)], header_change(list(HEADER))))
    assert [(p.row, p.column, p.rule) for p in result.errors] == [(None, "-", rule)]
    assert result.lines()[0].startswith(f"file, -, {rule}: ")


def test_optional_columns_may_be_left_out():
    header = [
        "OrganizationId",
        "LongName",
        "Abbreviation",
        "A:Y-Tunnus",
        "A:Sijainti kunta",
        "A:Terv.toimintayksikkö",
        "A:Org.Yks.lyhenne",
        "A:SektorI",
        "A:Sos.toimintayksikkö",
        "A:Terv.palveluyksikkö",
        "A:Sos.palveluyksikkö",
    ]
    result = check(ParsedFile.from_records([record(1)], header))
    assert result.passed
    assert result.rows[0].values["begin_date"].isoformat() == "2008-01-01"


def test_column_names_match_without_regard_to_case_and_report_as_written():
    header = [c.upper() if c == "ParentId" else c for c in HEADER]
    header = ["Parentid" if c == "PARENTID" else c for c in header]
    records = [{("Parentid" if k == "ParentId" else k): v for k, v in record(1, ParentId="1.2.3").items()}]
    assert found(records, header) == {(2, "Parentid", "PA1")}


def test_no_unit_rows():
    result = check(ParsedFile.from_records([], HEADER))
    assert [(p.rule, p.row) for p in result.errors] == [("F3", None)]
