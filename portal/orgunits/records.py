"""A mirror unit in the upload format (column name → text), as a downloaded branch and the log show it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.orgunits.rules import COLUMNS, MUNICIPALITY

_SIMPLE = tuple((c.name, c.field, c.kind) for c in COLUMNS if c is not MUNICIPALITY)


def unit_record(unit: Any) -> dict[str, str]:
    """Every column of the upload format for a unit (a RegisterUnit or a mapping of its columns)."""
    get = unit.get if isinstance(unit, Mapping) else lambda name: getattr(unit, name, None)
    record: dict[str, str] = {}
    for name, field, kind in _SIMPLE:
        value = get(field)
        if kind == "flag":
            record[name] = "T" if value else "F"
        elif kind == "date":
            record[name] = value.isoformat() if value else ""
        else:
            record[name] = value or ""
    code, name = get("municipality_code"), get("municipality_name")
    record[MUNICIPALITY.name] = f"{code} {name}" if code and name else (code or name or "")
    return record
