"""The rules that look at the register mirror: uniqueness against its units, updates, parents, the branch."""

from __future__ import annotations

from datetime import date

import pytest

from portal.orgunits.checks import check
from portal.orgunits.files import ParsedFile
from tests.orgunits.factories import HEADER, add_to_mirror, mirror_unit, oid, record

pytestmark = pytest.mark.usefixtures("english")


def found(records, header=None, **kwargs) -> list[tuple]:
    result = check(ParsedFile.from_records(records, header or HEADER), **kwargs)
    return [(p.row, p.column, p.rule) for p in result.errors]


def test_an_existing_oid_updates_and_a_new_one_adds():
    add_to_mirror(mirror_unit(1))
    result = check(ParsedFile.from_records([record(1, PhoneNumber="09 765 4321"), record(2)], HEADER))
    assert result.passed
    assert (result.to_add, result.to_update) == (1, 1)
    assert [u.existing for u in result.rows] == [True, False]


def test_an_oid_of_another_register_is_taken():
    add_to_mirror(mirror_unit(1, register="pharmacies", long_name="Apteekki", abbreviation="AP"))
    assert found([record(1)]) == [(2, "OrganizationId", "ID2")]


def test_duplicate_oids_within_the_file_fail_with_an_empty_mirror_too():
    assert found([record(1), record(2, OrganizationId=oid(1))]) == [(3, "OrganizationId", "ID2")]


@pytest.mark.parametrize(
    ("column", "attribute"), [("LongName", "long_name"), ("Abbreviation", "abbreviation")]
)
def test_a_name_another_unit_holds_is_taken(column, attribute):
    add_to_mirror(mirror_unit(9, **{attribute: "Keskussairaala"}))
    rule = "LN2" if column == "LongName" else "AB2"
    assert found([record(1, **{column: "Keskussairaala"})]) == [(2, column, rule)]
    # ended units count too ("regardless of time")
    add_to_mirror(mirror_unit(8, expiration_date=date(2010, 1, 1), **{attribute: "Vanha sairaala"}))
    assert found([record(1, **{column: "Vanha sairaala"})]) == [(2, column, rule)]


def test_names_of_other_registers_do_not_count():
    add_to_mirror(mirror_unit(9, register="practitioners", long_name="Keskussairaala"))
    assert found([record(1, LongName="Keskussairaala")]) == []


def test_names_can_move_between_units_of_the_same_file():
    add_to_mirror(mirror_unit(1), mirror_unit(2))
    swapped = [
        record(1, LongName="Terveysasema 2", Abbreviation="TA 2"),
        record(2, LongName="Terveysasema 1", Abbreviation="TA 1"),
    ]
    assert found(swapped) == []
    # but a unit left out of the file keeps its name
    assert found([record(3, LongName="Terveysasema 2")]) == [(2, "LongName", "LN2")]


def test_a_parent_in_the_register_passes_and_one_in_no_register_fails():
    add_to_mirror(mirror_unit(1))
    assert found([record(2, ParentId=oid(1))]) == []
    assert found([record(2, ParentId=oid(5))]) == [(2, "ParentId", "PA1")]


def test_a_parent_later_in_the_file_fails_unless_it_is_in_the_register():
    assert found([record(2, ParentId=oid(1)), record(1)]) == [(2, "ParentId", "PA1")]
    add_to_mirror(mirror_unit(1))
    assert found([record(2, ParentId=oid(1)), record(1)]) == []


def test_moving_a_unit_under_its_own_sub_unit_fails():
    add_to_mirror(mirror_unit(1), mirror_unit(2, parent=1), mirror_unit(3, parent=2))
    assert found([record(1, ParentId=oid(3))]) == [(2, "ParentId", "PA1")]
    assert found([record(1, ParentId=oid(4)), record(4, ParentId=oid(3))]) == [(2, "ParentId", "PA1")]
    assert found([record(3, ParentId=oid(1))]) == []


def test_the_expiring_date_is_compared_with_the_beginning_the_unit_has():
    add_to_mirror(mirror_unit(1, begin_date=date(2024, 6, 1)))
    header = [h for h in HEADER if h != "BeginningDate"]
    assert found([record(1, ExpiringDate="2024-05-31")], header) == [(2, "ExpiringDate", "DT3")]
    assert found([record(1, ExpiringDate="2024-06-02")], header) == []


class TestBranch:
    """PA2 with the branch of the top unit 1: 1 → 2 → 3; unit 7 is another organisation's."""

    @pytest.fixture(autouse=True)
    def register(self, app):
        add_to_mirror(
            mirror_unit(1),
            mirror_unit(2, parent=1),
            mirror_unit(3, parent=2),
            mirror_unit(6),
            mirror_unit(7, parent=6),
        )

    def test_units_under_the_branch_pass(self):
        records = [record(2, ParentId=oid(1)), record(4, ParentId=oid(3)), record(5, ParentId=oid(4))]
        assert found(records, branch_oid=oid(1)) == []

    def test_a_unit_outside_the_branch_cannot_be_changed(self):
        assert found([record(7, ParentId=oid(6))], branch_oid=oid(1)) == [(2, "OrganizationId", "PA2")]

    def test_a_parent_outside_the_branch_is_refused(self):
        assert found([record(4, ParentId=oid(7))], branch_oid=oid(1)) == [(2, "ParentId", "PA2")]
        assert found([record(3, ParentId=oid(6))], branch_oid=oid(1)) == [(2, "ParentId", "PA2")]

    def test_a_parent_outside_the_branch_added_earlier_in_the_file_is_refused_too(self):
        records = [record(4, ParentId=oid(7)), record(5, ParentId=oid(4))]
        assert found(records, branch_oid=oid(1)) == [(2, "ParentId", "PA2"), (3, "ParentId", "PA2")]

    def test_a_new_unit_needs_a_parent(self):
        assert found([record(4)], branch_oid=oid(1)) == [(2, "ParentId", "PA2")]
        header = [h for h in HEADER if h != "ParentId"]
        assert found([record(4)], header, branch_oid=oid(1)) == [(2, "OrganizationId", "PA2")]
        assert found([record(3)], header, branch_oid=oid(1)) == []  # an existing unit stays where it is

    def test_the_top_unit_keeps_its_parent(self):
        assert found([record(1)], branch_oid=oid(1)) == []
        assert found([record(1, ParentId=oid(6))], branch_oid=oid(1)) == [(2, "ParentId", "PA2")]

    def test_without_a_branch_anything_may_change(self):
        assert found([record(7, ParentId=oid(3))]) == []

    def test_an_unknown_branch(self):
        result = check(ParsedFile.from_records([record(4, ParentId=oid(1))], HEADER), branch_oid="1.2.3")
        assert [(p.row, p.rule) for p in result.errors] == [(None, "PA2")]
        assert result.lines() == ["file, -, PA2: The branch 1.2.3 is not in the register."]
