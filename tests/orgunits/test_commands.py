"""``flask registry check``: the output format, the exit codes, the language; once as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.orgunits.factories import add_to_mirror, csv_bytes, mirror_unit, oid, record, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def write(tmp_path):
    def write(data: bytes, name: str = "units.csv") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return write


def test_a_passing_file_exits_0_and_prints_no_problem(runner, write):
    result = runner.invoke(args=["registry", "check", write(csv_bytes([record(1), record(2)]))])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "Passed: 2 units to add, 0 to update." in result.stderr


def test_each_problem_is_one_line_with_row_column_rule_and_message(runner, write):
    records = [record(1, PostNumber="0010"), record(2, ParentId=oid(3), LongName="terveysasema 2")]
    result = runner.invoke(
        args=["registry", "check", write(csv_bytes(records, separator=";")), "--lang", "en"]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "row 2, PostNumber, PN2: Enter the postal code as five digits, like 00100.",
        "row 3, LongName, LN3: Begin the long name with a capital letter: the unit is in the public sector.",
        "row 3, ParentId, PA1: There is no unit 1.2.246.10.1234567.10.3 in the register "
        "or on an earlier row. Check the parent's OID.",
    ]


def test_problems_with_the_file_as_a_whole(runner, write):
    result = runner.invoke(
        args=["registry", "check", write(b"%PDF-1.4 not a table", "units.xlsx"), "--lang", "en"]
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("file, -, F1: The file is not in a format that can be loaded.")
    header_only = csv_bytes([], header=["OrganizationId", "LongName"])
    result = runner.invoke(args=["registry", "check", write(header_only), "--lang", "en"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 1
    assert "file, -, F2: The column Abbreviation is missing. Add it to the header row." in lines
    assert lines[-1].startswith("file, -, F3: ")


def test_the_branch_option_turns_on_pa2(runner, write):
    add_to_mirror(mirror_unit(1), mirror_unit(6))
    path = write(xlsx_bytes([record(2, ParentId=oid(6))]), "units.bin")
    assert runner.invoke(args=["registry", "check", path]).exit_code == 0
    result = runner.invoke(args=["registry", "check", path, "--branch", oid(1), "--lang", "en"])
    assert result.exit_code == 1
    assert result.stdout.startswith("row 2, ParentId, PA2: The parent 1.2.246.10.1234567.10.6 is outside")


def test_the_language_option(runner, write):
    path = write(csv_bytes([record(1, PostNumber="0010")]))
    for lang in ("fi", "sv", "en"):
        result = runner.invoke(args=["registry", "check", path, "--lang", lang])
        assert result.exit_code == 1 and result.stdout.startswith("row 2, PostNumber, PN2: ")
    assert runner.invoke(args=["registry", "check", path, "--lang", "de"]).exit_code == 2


def test_as_a_process(app, write):
    """The command as an operator runs it, against the test database."""
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "PORTAL_ENV": "development"}
    flask = str(Path(sys.executable).with_name("flask"))
    path = write(csv_bytes([record(1), record(2, OrganizationId=oid(1))], bom=True))
    done = subprocess.run(
        [flask, "--app", "portal", "registry", "check", path, "--lang", "en"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        "row 3, OrganizationId, ID2: The OID 1.2.246.10.1234567.10.1 is already on row 2. "
        "Each unit can be on one row only.\n"
    )
    ok = write(csv_bytes([record(1)]), "ok.txt")
    done = subprocess.run(
        [flask, "--app", "portal", "registry", "check", ok],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout == b""
