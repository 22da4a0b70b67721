"""What each rule tells the user, in the user's language (lazy strings: rendered where they are shown)."""

from __future__ import annotations

from portal.texts import lazy_gettext as _l

# Fixed messages, by rule id (or rule id and a variant).
FIXED = {
    "G1": _l("Remove the space at the beginning of the value."),
    "ID1": _l("Enter the unit's OID."),
    "ID3": _l(
        "Enter the OID as numbers separated by dots, with no part beginning with a zero, "
        "like 1.2.246.10.12345678.10.1."
    ),
    "LN1": _l("Enter the unit's long name."),
    "LN3": _l("Begin the long name with a capital letter: the unit is in the public sector."),
    "PA1-self": _l("A unit cannot be its own parent. Enter the OID of the unit above it."),
    "PA2-no-parent": _l("Enter a parent unit from your organisation's branch of the register."),
    "AB1": _l("Enter the unit's abbreviation."),
    "AB3": _l("Begin the abbreviation with a capital letter: the unit is in the public sector."),
    "PN1": _l("Enter the postal code with digits only, like 00100."),
    "PN2": _l("Enter the postal code as five digits, like 00100."),
    "PO1": _l("Begin the post office with a capital letter."),
    "PO2": _l("Enter the post office with letters, spaces and hyphens only."),
    "PH1": _l("Enter the phone number with digits, parentheses, plus signs, spaces and hyphens only."),
    "PH2": _l("Enter a phone number of at least five characters: the unit is in the public sector."),
    "DT1": _l("Enter the date as YYYY-MM-DD or D.M.YYYY, like 2025-01-31 or 31.1.2025."),
    "YT1": _l("Enter the business ID."),
    "YT2": _l("Enter the business ID as seven digits, a hyphen and a check digit, like 1234567-8."),
    "YT3": _l("The business ID's check digit is wrong. Check the business ID."),
    "MU1": _l("Enter the municipality as its three-digit code and name, like 091 Helsinki."),
    "MU2": _l(
        "Enter the municipality as its three-digit code, a space and its name beginning with a capital "
        "letter, like 091 Helsinki."
    ),
    "HU1": _l("Enter T or F: whether the unit is a health care operating unit."),
    "BOOL": _l("Enter T or F (a capital letter)."),
    "RC1": _l(
        "Enter the replacing codes as OIDs separated by commas, with no part beginning with a zero, "
        "like 1.2.246.10.1234567.10.1,1.2.246.10.1234567.10.2."
    ),
    "OA1": _l("Enter the organisation unit abbreviation."),
    "SE1": _l("Enter the sector: 1 (public), 2 (private) or 3 (self-notified private)."),
    "SE2": _l("Enter the sector as 1 (public), 2 (private) or 3 (self-notified private)."),
    "TO1": _l("Enter the TOPI code with digits only, like 01234."),
    "TO2": _l("Enter the TOPI code as five digits, like 01234."),
    "F3": _l("The file has no unit rows. Put one unit on each row under the header row."),
}


def duplicate_in_file(rule: str, value: str, row: int):
    if rule == "ID2":
        return _l(
            "The OID %(oid)s is already on row %(row)s. Each unit can be on one row only.", oid=value, row=row
        )
    if rule == "LN2":
        return _l("The long name is already on row %(row)s. Give each unit a long name of its own.", row=row)
    return _l(
        "The abbreviation is already on row %(row)s. Give each unit an abbreviation of its own.", row=row
    )


def duplicate_in_register(rule: str, oid: str):
    if rule == "LN2":
        return _l(
            "The unit %(oid)s in the register already has this long name. "
            "Give each unit a long name of its own.",
            oid=oid,
        )
    return _l(
        "The unit %(oid)s in the register already has this abbreviation. "
        "Give each unit an abbreviation of its own.",
        oid=oid,
    )


def oid_in_other_register(oid: str):
    return _l(
        "The OID %(oid)s belongs to a unit of another register. Use an OID of your own unit.",
        oid=oid,
    )


def too_long(count: int, limit: int):
    return _l(
        "Shorten the abbreviation to %(limit)s characters or fewer (now %(count)s).", limit=limit, count=count
    )


def parent_missing(oid: str):
    return _l(
        "There is no unit %(oid)s in the register or on an earlier row. Check the parent's OID.", oid=oid
    )


def parent_later(oid: str, row: int):
    return _l(
        "The parent %(oid)s is on a later row (%(row)s). Put each parent before its sub-units.",
        oid=oid,
        row=row,
    )


def parent_cycle(oid: str):
    return _l(
        "The parent %(oid)s is under this unit in the hierarchy, which would go round in a circle.",
        oid=oid,
    )


def parent_outside_branch(oid: str):
    return _l(
        "The parent %(oid)s is outside your organisation's branch of the register. "
        "Choose a parent in your branch.",
        oid=oid,
    )


def unit_outside_branch(oid: str):
    return _l(
        "The unit %(oid)s is outside your organisation's branch of the register, so you cannot change it.",
        oid=oid,
    )


def top_unit_moved(parent: str | None):
    if parent:
        return _l("Your organisation's top unit cannot be moved: keep its parent as %(oid)s.", oid=parent)
    return _l("Your organisation's top unit cannot be moved: leave its parent empty.")


def branch_missing(oid: str):
    return _l("The branch %(oid)s is not in the register.", oid=oid)


def outside_version(begin, end):
    if end is None:
        return _l(
            "Enter a date on or after %(begin)s, when the register version begins.",
            begin=begin.isoformat(),
        )
    return _l(
        "Enter a date from %(begin)s to %(end)s, the register version's validity.",
        begin=begin.isoformat(),
        end=end.isoformat(),
    )


def ends_before_begin(begin):
    return _l("The expiring date must be after the beginning date (%(begin)s).", begin=begin.isoformat())


def column_missing(column: str):
    return _l("The column %(column)s is missing. Add it to the header row.", column=column)


def column_twice(column: str):
    return _l("The column %(column)s is in the header more than once. Keep one of them.", column=column)
