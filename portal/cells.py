"""Spreadsheet cells that a spreadsheet program would take for a formula (CSV injection): written with a
single quote in front, and read back without it. A text that itself begins with a quote gets one more,
so reading gives back exactly what was written."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = (*FORMULA_STARTS, "'")


def escape_formula(value: str) -> str:
    """A text a spreadsheet would take for a formula, made plain text by a single quote in front."""
    return "'" + value if value.startswith(_ESCAPED) else value


def unescape_formula(value: str) -> str:
    """What ``escape_formula`` was given."""
    return value[1:] if value[:1] == "'" and value[1:].startswith(_ESCAPED) else value
