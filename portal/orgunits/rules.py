"""The upload format: its columns, what each maps to in the register mirror, and the patterns of the rules.

The rule book is ``org-register-checks.md``; rule ids are its own. Two ids are ours: ``F4`` (a column
appears twice in the header) and ``BOOL`` is also applied to ``A:Terv.toimintayksikkö``, which the code
server holds as ``T``/``F`` like the other unit-kind flags.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

# The SOTE register's version 1.2.246.537.6.202.2008 is valid from 1.1.2008 with no end.
VERSION_BEGIN = date(2008, 1, 1)
VERSION_END: date | None = None
ABBREVIATION_MAX = 60
SECTORS = ("1", "2", "3")
PUBLIC_SECTOR = "1"
SECTOR_LABELS = {"1": "1 Julkinen", "2": "2 Yksityinen", "3": "3 Yksityinen itseilmoitettu yksikkö"}


@dataclass(frozen=True)
class Column:
    name: str  # as in the file's header
    field: str  # the RegisterUnit attribute it sets
    wire: str | None  # the code server's attribute name (None: not an attribute)
    mandatory: bool = False
    kind: str = "text"  # "text", "flag", "date"
    default: str | None = None  # a mandatory flag's value when its cell is empty


OID = Column("OrganizationId", "oid", None, mandatory=True)
LONG_NAME = Column("LongName", "long_name", "LongName", mandatory=True)
PARENT = Column("ParentId", "parent_oid", "ParentId")
ABBREVIATION = Column("Abbreviation", "abbreviation", "Abbreviation", mandatory=True)
STREET_ADDRESS = Column("StreetAddress", "street_address", "StreetAddress")
POST_ADDRESS = Column("PostAddress", "post_address", "PostAddress")
POST_NUMBER = Column("PostNumber", "post_number", "PostNumber")
POST_OFFICE = Column("PostOffice", "post_office", "PostOffice")
PHONE = Column("PhoneNumber", "phone", "PhoneNumber")
BEGIN = Column("BeginningDate", "begin_date", None, kind="date")
END = Column("ExpiringDate", "expiration_date", None, kind="date")
BUSINESS_ID = Column("A:Y-Tunnus", "business_id", "Y-Tunnus", mandatory=True)
MUNICIPALITY = Column("A:Sijainti kunta", "municipality", "Sijainti kunta", mandatory=True)
HEALTH_UNIT = Column(
    "A:Terv.toimintayksikkö", "health_unit", "Terv.toimintayksikkö", mandatory=True, kind="flag"
)
RENEWAL = Column("A:Reseptin uusiminen", "renewal_requests", "Reseptin uusiminen", kind="flag", default="F")
REPLACING = Column("A:Korvaava koodi", "replacing_codes", "Korvaava koodi")
ORG_ABBREVIATION = Column("A:Org.Yks.lyhenne", "org_unit_abbreviation", "Org.Yks.lyhenne", mandatory=True)
SECTOR = Column("A:SektorI", "sector", "Sektori", mandatory=True)
SOCIAL_UNIT = Column(
    "A:Sos.toimintayksikkö", "social_unit", "Sos.toimintayksikkö", mandatory=True, kind="flag", default="F"
)
HEALTH_SERVICE_UNIT = Column(
    "A:Terv.palveluyksikkö", "health_service_unit", "Terv.palveluyksikkö", True, "flag", default="T"
)
SOCIAL_SERVICE_UNIT = Column(
    "A:Sos.palveluyksikkö", "social_service_unit", "Sos.palveluyksikkö", True, "flag", default="F"
)
TOPI = Column("A:TOPI-koodi", "topi_code", "TOPI-koodi")

# In the order of the rule book (the order a downloaded branch is written in); the two address columns
# are not in the rule book but are part of a unit, so a downloaded file loads back unchanged.
COLUMNS = (
    OID,
    LONG_NAME,
    PARENT,
    ABBREVIATION,
    STREET_ADDRESS,
    POST_ADDRESS,
    POST_NUMBER,
    POST_OFFICE,
    PHONE,
    BEGIN,
    END,
    BUSINESS_ID,
    MUNICIPALITY,
    HEALTH_UNIT,
    RENEWAL,
    REPLACING,
    ORG_ABBREVIATION,
    SECTOR,
    SOCIAL_UNIT,
    HEALTH_SERVICE_UNIT,
    SOCIAL_SERVICE_UNIT,
    TOPI,
)
MANDATORY = tuple(c for c in COLUMNS if c.mandatory)
FLAGS = tuple(c for c in COLUMNS if c.kind == "flag")
# Header cells are matched without regard to case or surrounding spaces ("Parentid" in the instructions).
COLUMN_BY_KEY = {c.name.casefold(): c for c in COLUMNS}


def column_key(name: str) -> str:
    return name.strip().casefold()


# --- patterns: each matches one whole value and never a line break, so that ``all_match`` can test a
# whole column at once as the values joined by line breaks. Possessive quantifiers (``*+``, ``++``) spare the
# regular-expression engine its backtracking bookkeeping: the check of a 10,000-row column is a few ms.
_ARC = r"(?:0|[1-9][0-9]*+)"
OID_RE = rf"{_ARC}(?:\.{_ARC})++"
LETTER = r"[^\W\d_]"
PATTERNS = {
    "oid": OID_RE,
    "oids": rf"{OID_RE}(?:,{OID_RE})*+",
    "five_digits": r"[0-9]{5}",
    "digits": r"[0-9]++",
    "place": rf"(?=.){LETTER}*+(?:[ -]++{LETTER}*+)*+",  # letters, spaces and hyphens
    "phone": r"[0-9()+ \-]++",
    "business_id": r"[0-9]{7}-[0-9]",
    "municipality": rf"[0-9]{{3}} {LETTER}(?:{LETTER}++|[ -]++)*+",
    "iso_date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "finnish_date": r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}",
}
COMPILED = {name: re.compile(pattern) for name, pattern in PATTERNS.items()}
# Every value matches, empty values included.
_COLUMN_PATTERNS = {
    name: re.compile(rf"(?:{pattern})?(?:\n(?:{pattern})?)*+") for name, pattern in PATTERNS.items()
}
# A value that begins with a space (or a tab, a no-break space…), in a column joined by line breaks with
# one put in front: a literal first character lets the engine skip ahead instead of trying every position.
_LEADING_SPACE = re.compile(r"\n[^\S\n\r]")


def any_leading_space(joined: str) -> bool:
    return _LEADING_SPACE.search("\n" + joined) is not None


def all_match(name: str, values: Sequence[str] | None = None, *, joined: str | None = None) -> bool:
    """Whether every non-empty value fully matches the pattern ``name``: one regular-expression pass over the
    joined column instead of one call per value. A value holding a line break never passes (the pattern
    cannot match it), which only sends that column to the per-value check."""
    if joined is None:
        joined = "\n".join(values or ())
    return _COLUMN_PATTERNS[name].fullmatch(joined) is not None


def failing(name: str, values: Sequence[str], *, joined: str | None = None) -> list[int]:
    """Indexes of the non-empty values that do not fully match the pattern ``name``."""
    if all_match(name, values, joined=joined):
        return []
    match = COMPILED[name].fullmatch
    return [i for i, v in enumerate(values) if v and not match(v)]


def parse_date(value: str) -> date | None:
    """``YYYY-MM-DD`` or ``D.M.YYYY`` (leading zeros optional) → date; anything else None."""
    try:
        if COMPILED["iso_date"].fullmatch(value):
            return date.fromisoformat(value)
        if COMPILED["finnish_date"].fullmatch(value):
            day, month, year = value.split(".")
            return date(int(year), int(month), int(day))
    except ValueError:
        return None
    return None


def business_id_check_digit_ok(value: str) -> bool:
    """``NNNNNNN-C``: weights 7, 9, 10, 5, 8, 4, 2; remainder 0 → 0, 1 → never valid, else 11 − remainder."""
    remainder = sum(int(d) * w for d, w in zip(value[:7], (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if remainder == 1:
        return False
    return int(value[8]) == (0 if remainder == 0 else 11 - remainder)


def is_capitalised(value: str) -> bool:
    return value[:1].isupper()


def is_place_name(value: str) -> bool:
    return COMPILED["place"].fullmatch(value) is not None
