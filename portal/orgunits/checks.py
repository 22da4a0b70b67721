"""Checking an upload against the rule book (org-register-checks.md) and the register mirror.

``check(parsed, branch_oid=None)`` runs every rule on every row and returns a ``CheckResult``: the problems
(row, column, rule id, message) and, when there are none, the units to load (``rows``). Nothing is written.

Fast on purpose (10,000 rows in well under a second): the rules run column by column; a column whose every
value fits a rule's pattern is recognised by one regular-expression pass over the joined column, and only a
column with a problem is looked at value by value; uniqueness is a set; the mirror is asked a handful of
set-based questions (``mirror.py``), never one per row.

Meaning of the file, beyond the rule book:
- An OID already in the SOTE register updates that unit; any other OID adds one.
- A column the file leaves out keeps the units' values as they are (new units get nothing, or the
  default of a flag). An empty cell empties the value, except that an empty ``BeginningDate`` means the
  register version's beginning for a new unit and keeps the date of an existing one.
- "Public sector" (LN3, AB3, PH2) is ``A:SektorI`` = ``1`` on the same row.
- With a branch (rule PA2), every row must end up in the branch: an existing unit must already be in it,
  and every unit but the branch's top unit needs a parent in it (in the mirror, or earlier in the file);
  the top unit keeps the parent it has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from portal.orgunits import messages as msg
from portal.orgunits import mirror, rules
from portal.orgunits.files import DEFAULT_LIMITS, Limits, ParsedFile, UnreadableFile, read_upload
from portal.orgunits.problems import Problem
from portal.orgunits.rules import (
    ABBREVIATION,
    BEGIN,
    BUSINESS_ID,
    COLUMN_BY_KEY,
    END,
    FLAGS,
    HEALTH_UNIT,
    LONG_NAME,
    MANDATORY,
    MUNICIPALITY,
    OID,
    ORG_ABBREVIATION,
    PARENT,
    PHONE,
    POST_NUMBER,
    POST_OFFICE,
    REPLACING,
    SECTOR,
    TOPI,
    Column,
    column_key,
)

FLAG_VALUES = frozenset(("", "T", "F"))
SECTOR_VALUES = frozenset(("", *rules.SECTORS))


@dataclass
class UnitRow:
    """One unit to load: ``record`` is the row in the upload format's canonical form (column name → text,
    flags with their defaults, dates ISO), ``values`` the same as RegisterUnit attributes."""

    row: int
    oid: str
    existing: bool
    record: dict[str, str]
    values: dict[str, Any]


@dataclass
class CheckResult:
    file: ParsedFile | None
    branch_oid: str | None
    errors: list[Problem]
    columns: tuple[Column, ...] = ()  # the known columns the file has, in the file's order
    positions: dict[Column, int] = field(default_factory=dict)
    existing: frozenset[str] = frozenset()  # OIDs of the file that are SOTE units in the mirror

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def to_update(self) -> int:
        return len(self.existing)

    @property
    def to_add(self) -> int:
        return len(self.file.rows) - len(self.existing) if self.file else 0

    def lines(self) -> list[str]:
        """One line per problem, ``row R, column, rule: message``, in the current language."""
        return [p.line() for p in self.errors]

    def log_text(self) -> str:
        return "".join(line + "\n" for line in self.lines())

    @cached_property
    def rows(self) -> list[UnitRow]:
        """The units to load, in file order (made when first asked for; empty when the file did not pass)."""
        if self.errors or self.file is None:
            return []
        return _unit_rows(self)


def check_bytes(
    data: bytes, *, branch_oid: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> CheckResult:
    """Read and check a file; an unreadable one gives a result with its F1 problem."""
    try:
        parsed = read_upload(data, limits)
    except UnreadableFile as exc:
        return CheckResult(None, branch_oid, [exc.problem])
    return check(parsed, branch_oid=branch_oid)


def check(parsed: ParsedFile, *, branch_oid: str | None = None) -> CheckResult:
    """Every rule on every row of ``parsed``, against the mirror; ``branch_oid`` turns on rule PA2."""
    return _Check(parsed, branch_oid).run()


class _Check:
    def __init__(self, parsed: ParsedFile, branch_oid: str | None) -> None:
        self.parsed = parsed
        self.branch_oid = branch_oid or None
        self.found: list[tuple[int, int, str, Any]] = []  # (row index, header position, rule, message)
        self.file_problems: list[Problem] = []
        self.positions: dict[Column, int] = {}
        self.values: dict[Column, Sequence[str]] = {}
        self.public: list[int] = []
        self.days: dict[Column, list[date | None]] = {}
        self.existing_oids: set[str] = set()
        self.existing: dict[str, mirror.Known] = {}
        self._joined: dict[Column, str] = {}

    # -- bookkeeping -----------------------------------------------------------------------------------------
    def add(self, column: Column, indexes: list[int], rule: str, message: Any = None) -> None:
        position = self.positions[column]
        message = msg.FIXED[rule] if message is None else message
        self.found.extend((i, position, rule, message) for i in indexes)

    def add_each(self, column: Column, items: list[tuple[int, Any]], rule: str) -> None:
        position = self.positions[column]
        self.found.extend((i, position, rule, message) for i, message in items)

    def get(self, column: Column) -> Sequence[str] | None:
        return self.values.get(column)

    def joined(self, column: Column) -> str:
        """The column's values joined by line breaks, for the one-pass pattern checks."""
        if (text := self._joined.get(column)) is None:
            text = self._joined[column] = "\n".join(self.values[column])
        return text

    def failing(self, column: Column, pattern: str) -> list[int]:
        return rules.failing(pattern, self.values[column], joined=self.joined(column))

    # -- the run -------------------------------------------------------------------------------------------
    def run(self) -> CheckResult:
        parsed = self.parsed
        self.read_header()
        if not parsed.rows:
            self.file_problems.append(Problem(None, "-", "F3", msg.FIXED["F3"]))
        if self.file_problems:
            return self.result()
        table = list(zip(*parsed.rows, strict=True))
        for column, position in self.positions.items():
            self.values[column] = table[position]
        self.leading_spaces()
        self.formats()
        self.against_mirror()
        return self.result()

    def read_header(self) -> None:
        for position, name in enumerate(self.parsed.header):
            column = COLUMN_BY_KEY.get(column_key(name))
            if column is None:
                continue
            if column in self.positions:
                self.file_problems.append(Problem(None, "-", "F4", msg.column_twice(name.strip())))
            else:
                self.positions[column] = position
        for column in MANDATORY:
            if column not in self.positions:
                self.file_problems.append(Problem(None, "-", "F2", msg.column_missing(column.name)))

    def result(self) -> CheckResult:
        header = self.parsed.header
        numbers = self.parsed.row_numbers
        self.found.sort(key=lambda f: (f[0], f[1]))
        errors = self.file_problems + [
            Problem(numbers[i], header[position].strip(), rule, message)
            for i, position, rule, message in self.found
        ]
        columns = tuple(sorted(self.positions, key=self.positions.get))
        return CheckResult(
            self.parsed, self.branch_oid, errors, columns, dict(self.positions), frozenset(self.existing_oids)
        )

    # -- G1 --------------------------------------------------------------------------------------------------
    def leading_spaces(self) -> None:
        """G1 on every column; the other rules then see the value without the spaces."""
        for column, values in self.values.items():
            if not rules.any_leading_space(self.joined(column)):
                continue
            bad = [i for i, v in enumerate(values) if v[:1].isspace() and v[0] not in "\r\n"]
            if bad:
                self.add(column, bad, "G1")
                stripped = list(values)
                for i in bad:
                    stripped[i] = stripped[i].lstrip()
                self.values[column] = stripped
                del self._joined[column]

    # -- rules that need nothing but the row -------------------------------------------------------------
    def formats(self) -> None:
        sectors = self.values[SECTOR]
        self.public = [i for i, s in enumerate(sectors) if s == rules.PUBLIC_SECTOR]
        for column, rule in (
            (OID, "ID1"),
            (LONG_NAME, "LN1"),
            (ABBREVIATION, "AB1"),
            (BUSINESS_ID, "YT1"),
            (MUNICIPALITY, "MU1"),
            (HEALTH_UNIT, "HU1"),
            (ORG_ABBREVIATION, "OA1"),
            (SECTOR, "SE1"),
        ):
            values = self.values[column]
            if "" in values:
                self.add(column, [i for i, v in enumerate(values) if not v], rule)
        self.add(OID, self.failing(OID, "oid"), "ID3")
        self.capitals(LONG_NAME, "LN3")
        self.capitals(ABBREVIATION, "AB3")
        abbreviations = self.values[ABBREVIATION]
        if max(map(len, abbreviations)) > rules.ABBREVIATION_MAX:
            self.add_each(
                ABBREVIATION,
                [
                    (i, msg.too_long(len(v), rules.ABBREVIATION_MAX))
                    for i, v in enumerate(abbreviations)
                    if len(v) > rules.ABBREVIATION_MAX
                ],
                "AB4",
            )
        for column, digits_rule, length_rule in ((POST_NUMBER, "PN1", "PN2"), (TOPI, "TO1", "TO2")):
            values = self.get(column)
            if values is not None and not rules.all_match("five_digits", joined=self.joined(column)):
                self.digits(column, values, digits_rule, length_rule)
        if (values := self.get(POST_OFFICE)) is not None:
            self.add(POST_OFFICE, [i for i, v in enumerate(values) if v and not v[0].isupper()], "PO1")
            self.add(POST_OFFICE, self.failing(POST_OFFICE, "place"), "PO2")
        if (values := self.get(PHONE)) is not None:
            self.add(PHONE, self.failing(PHONE, "phone"), "PH1")
            self.add(PHONE, [i for i in self.public if 0 < len(values[i]) < 5], "PH2")
        self.business_ids()
        self.municipalities()
        self.flags()
        if (values := self.get(REPLACING)) is not None:
            self.add(REPLACING, self.failing(REPLACING, "oids"), "RC1")
        if not SECTOR_VALUES.issuperset(sectors):
            self.add(SECTOR, [i for i, v in enumerate(sectors) if v and v not in SECTOR_VALUES], "SE2")
        self.dates()
        for column, rule in ((OID, "ID2"), (LONG_NAME, "LN2"), (ABBREVIATION, "AB2")):
            self.unique_in_file(column, rule)

    def capitals(self, column: Column, rule: str) -> None:
        values = self.values[column]
        self.add(column, [i for i in self.public if values[i] and not values[i][0].isupper()], rule)

    def digits(self, column: Column, values: Sequence[str], digits_rule: str, length_rule: str) -> None:
        match = rules.COMPILED["digits"].fullmatch
        self.add(column, [i for i, v in enumerate(values) if v and not match(v)], digits_rule)
        self.add(column, [i for i, v in enumerate(values) if v and len(v) != 5], length_rule)

    def by_distinct_value(self, values: Sequence[str], bad: Callable[[str], bool]) -> list[int]:
        """Indexes of the non-empty values for which ``bad`` holds, asking once per distinct value (business
        ids, municipalities and dates repeat across a file)."""
        wrong = {v for v in set(values) if v and bad(v)}
        return [i for i, v in enumerate(values) if v in wrong] if wrong else []

    def business_ids(self) -> None:
        values = self.values[BUSINESS_ID]
        shape = rules.COMPILED["business_id"].fullmatch
        self.add(BUSINESS_ID, self.by_distinct_value(values, lambda v: not shape(v)), "YT2")
        self.add(
            BUSINESS_ID,
            self.by_distinct_value(
                values, lambda v: bool(shape(v)) and not rules.business_id_check_digit_ok(v)
            ),
            "YT3",
        )

    def municipalities(self) -> None:
        shape = rules.COMPILED["municipality"].fullmatch
        bad = self.by_distinct_value(self.values[MUNICIPALITY], lambda v: not (shape(v) and v[4].isupper()))
        self.add(MUNICIPALITY, bad, "MU2")

    def flags(self) -> None:
        for column in FLAGS:
            values = self.get(column)
            if values is not None and not FLAG_VALUES.issuperset(values):
                self.add(column, [i for i, v in enumerate(values) if v not in FLAG_VALUES], "BOOL")

    def dates(self) -> None:
        """DT1 and DT2 here; DT3 needs the mirror's dates of the units the file updates."""
        version_begin, version_end = rules.VERSION_BEGIN, rules.VERSION_END
        for column in (BEGIN, END):
            values = self.get(column)
            if values is None:
                continue
            parsed = {v: rules.parse_date(v) for v in set(values) if v}
            self.add(column, [i for i, v in enumerate(values) if v and parsed[v] is None], "DT1")
            outside = {
                v
                for v, day in parsed.items()
                if day is not None
                and (day < version_begin or (version_end is not None and day > version_end))
            }
            if outside:
                self.add(
                    column,
                    [i for i, v in enumerate(values) if v in outside],
                    "DT2",
                    msg.outside_version(version_begin, version_end),
                )
            self.days[column] = [parsed.get(v) if v else None for v in values]

    def unique_in_file(self, column: Column, rule: str) -> None:
        values = self.values[column]
        if len(set(values)) == len(values):
            return
        first: dict[str, int] = {}
        numbers = self.parsed.row_numbers
        items = []
        for i, v in enumerate(values):
            if v and (j := first.setdefault(v, i)) != i:
                items.append((i, msg.duplicate_in_file(rule, v, numbers[j])))
        self.add_each(column, items, rule)

    # -- rules that need the mirror --------------------------------------------------------------------------
    def against_mirror(self) -> None:
        oids = self.values[OID]
        parents = self.get(PARENT)
        by_oid = mirror.units_by_oid([*oids, *(parents or ())])
        in_file = set(oids)
        sote = {oid for oid, k in by_oid.items() if k.register == mirror.SOTE}
        self.existing_oids = in_file & sote
        self.existing = {oid: by_oid[oid] for oid in self.existing_oids}
        self.add_each(
            OID,
            [(i, msg.oid_in_other_register(v)) for i, v in enumerate(oids) if v in by_oid and v not in sote],
            "ID2",
        )
        self.unique_in_register(oids, in_file)
        self.ordering()
        if parents is not None:
            self.parents(parents, sote)
        if self.branch_oid:
            self.branch(parents)

    def unique_in_register(self, oids: Sequence[str], in_file: set[str]) -> None:
        """LN2 and AB2 against the register's other units. A unit keeping the name or abbreviation it has
        in the register is not asked about again: the register gave it once, when it was unique."""
        existing = self.existing.values()
        names, abbreviations = self.values[LONG_NAME], self.values[ABBREVIATION]
        held_names = {k.oid: k.long_name for k in existing}
        held_abbreviations = {k.oid: k.abbreviation for k in existing}
        asked_name_set = {n for o, n in zip(oids, names, strict=True) if held_names.get(o) != n}
        asked_abbreviation_set = {
            a for o, a in zip(oids, abbreviations, strict=True) if held_abbreviations.get(o) != a
        }
        if not asked_name_set and not asked_abbreviation_set:
            return
        name_holders: dict[str, str] = {}
        abbreviation_holders: dict[str, str] = {}
        asked_names, asked_abbreviations = list(asked_name_set), list(asked_abbreviation_set)
        for oid, name, abbreviation in mirror.holders(asked_names, asked_abbreviations):
            if oid in in_file:  # its row in the file decides what it will hold
                continue
            if name in asked_name_set:
                name_holders.setdefault(name, oid)
            if abbreviation in asked_abbreviation_set:
                abbreviation_holders.setdefault(abbreviation, oid)
        for column, rule, values, holders in (
            (LONG_NAME, "LN2", names, name_holders),
            (ABBREVIATION, "AB2", abbreviations, abbreviation_holders),
        ):
            if holders:
                items = [
                    (i, msg.duplicate_in_register(rule, holders[v]))
                    for i, v in enumerate(values)
                    if v in holders
                ]
                self.add_each(column, items, rule)

    def ordering(self) -> None:
        """DT3, with the mirror's dates where the file has none for a unit it updates."""
        begins, ends = self.days.get(BEGIN), self.days.get(END)
        begin_values = self.get(BEGIN)
        if ends is None and not self.existing:
            return
        oids = self.values[OID]
        items = []
        for i, oid in enumerate(oids):
            known = self.existing.get(oid)
            begin = begins[i] if begins is not None else None
            if begin is None and not (begin_values is not None and begin_values[i]):
                begin = known.begin_date if known else rules.VERSION_BEGIN
            if ends is not None:
                end = ends[i]
                if end is None:
                    continue
            else:
                end = known.expiration_date if known else None
            if begin is not None and end is not None and not begin < end:
                items.append((i, msg.ends_before_begin(begin)))
        if items:
            column = END if END in self.positions else BEGIN
            if column in self.positions:
                self.add_each(column, items, "DT3")

    def parents(self, parents: Sequence[str], sote: set[str]) -> None:
        """PA1: the parent is in the register, or on an earlier row; and no unit ends up under itself."""
        oids = self.values[OID]
        first: dict[str, int] = {}
        for i, oid in enumerate(oids):
            first.setdefault(oid, i)
        items = []
        for i, parent in enumerate(parents):
            if not parent or (parent in sote and parent != oids[i]):
                continue
            if parent == oids[i]:
                items.append((i, msg.FIXED["PA1-self"]))
            elif (j := first.get(parent)) is None:
                items.append((i, msg.parent_missing(parent)))
            elif j > i:
                items.append((i, msg.parent_later(parent, self.parsed.row_numbers[j])))
        items += self.cycles(parents)
        self.add_each(PARENT, items, "PA1")

    def cycles(self, parents: Sequence[str]) -> list[tuple[int, Any]]:
        """Moving an existing unit under one of its own sub-units would make a circle."""
        oids = self.values[OID]
        existing = self.existing
        moved = [
            i
            for i, (oid, parent) in enumerate(zip(oids, parents, strict=True))
            if parent and oid in existing and parent != existing[oid].parent_oid
        ]
        if not moved:
            return []
        links: dict[str, str | None] = mirror.ancestors(parents[i] for i in moved)
        links.update((oid, parents[i] or None) for i, oid in enumerate(oids))
        items = []
        for i in moved:
            seen: set[str] = set()
            current = parents[i]
            while current and current not in seen:
                if current == oids[i]:
                    items.append((i, msg.parent_cycle(parents[i])))
                    break
                seen.add(current)
                current = links.get(current)
        return items

    def branch(self, parents: Sequence[str] | None) -> None:
        """PA2: everything the file changes is, and stays, inside the branch."""
        root = self.branch_oid
        inside = mirror.branch(root)
        if not inside:
            self.file_problems.append(Problem(None, "-", "PA2", msg.branch_missing(root)))
            return
        root_parent = mirror.parent_of(root)
        oids = self.values[OID]
        outside_units, parent_items = [], []
        accepted = set(inside)
        for i, oid in enumerate(oids):
            if oid in self.existing and oid not in inside:
                outside_units.append((i, msg.unit_outside_branch(oid)))
                continue
            parent = parents[i] if parents is not None else None
            if oid == root:
                if parents is not None and (parent or None) != root_parent:
                    parent_items.append((i, msg.top_unit_moved(root_parent)))
                continue
            if parent is None:  # no ParentId column: an existing unit stays where it is
                if oid not in self.existing:
                    outside_units.append((i, msg.FIXED["PA2-no-parent"]))
                    continue
            elif not parent:
                parent_items.append((i, msg.FIXED["PA2-no-parent"]))
                continue
            elif parent not in accepted:
                parent_items.append((i, msg.parent_outside_branch(parent)))
                continue
            accepted.add(oid)
        self.add_each(OID, outside_units, "PA2")
        if parent_items:
            self.add_each(PARENT, parent_items, "PA2")


# --- the units to load -----------------------------------------------------------------------------------


def _unit_rows(result: CheckResult) -> list[UnitRow]:
    parsed = result.file
    assert parsed is not None
    present = [(column, result.positions[column]) for column in result.columns]
    existing = result.existing
    version_begin = rules.VERSION_BEGIN.isoformat()
    units = []
    for number, row in zip(parsed.row_numbers, parsed.rows, strict=True):
        oid = row[result.positions[OID]]
        is_existing = oid in existing
        record: dict[str, str] = {}
        for column, position in present:
            value = row[position]
            if column.kind == "flag":
                value = value or (column.default or "")
            elif column.kind == "date" and value:
                value = rules.parse_date(value).isoformat()
            elif column is BEGIN and not value:
                if is_existing:
                    continue
                value = version_begin
            record[column.name] = value
        if not is_existing and BEGIN not in result.positions:
            record[BEGIN.name] = version_begin
        units.append(UnitRow(number, oid, is_existing, record, record_values(record)))
    return units


def record_values(record: dict[str, str]) -> dict[str, Any]:
    """A canonical upload record → RegisterUnit attribute values (only the attributes it sets)."""
    values: dict[str, Any] = {}
    for name, text in record.items():
        column = COLUMN_BY_KEY[name.casefold()]
        if column is MUNICIPALITY:
            values["municipality_code"], values["municipality_name"] = (
                (text[:3], text[4:]) if text else (None, None)
            )
        elif column.kind == "flag":
            values[column.field] = text == "T"
        elif column.kind == "date":
            values[column.field] = date.fromisoformat(text) if text else None
        else:
            values[column.field] = text or None
    return values
