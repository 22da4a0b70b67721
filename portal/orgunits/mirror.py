"""The register mirror as the checks see it: a few set-based queries, never one per row.

On PostgreSQL a list of values goes as one array parameter (``= ANY(:values)``); elsewhere (SQLite) as
``IN`` lists in chunks below the bound-parameter limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSON

from portal.extensions import db
from portal.registry.models import RegisterUnit

CHUNK = 5000
SOTE = "sote"
units = RegisterUnit.__table__


class Known(NamedTuple):
    """What the checks need to know of a unit in the mirror (a tuple: made and read in C)."""

    oid: str
    register: str
    long_name: str | None
    abbreviation: str | None
    parent_oid: str | None
    begin_date: date | None
    expiration_date: date | None


KNOWN_COLUMNS = (
    units.c.oid,
    units.c.register,
    units.c.long_name,
    units.c.abbreviation,
    units.c.parent_oid,
    units.c.begin_date,
    units.c.expiration_date,
)


def _postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _any(column: sa.ColumnElement, values: list[str]) -> sa.ColumnElement[bool]:
    """``column IN (…)`` with the values sent as one JSON text: psycopg escapes a text array's elements
    one by one in Python (a third of a second for 10,000 names), ``json.dumps`` does it in C."""
    elements = sa.func.json_array_elements_text(
        sa.cast(sa.bindparam(None, json.dumps(values, ensure_ascii=False), sa.Text), JSON)
    )
    return column.in_(sa.select(elements))


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _distinct(values: Iterable[str]) -> list[str]:
    return list({v for v in values if v})


def _select(
    columns: tuple, conditions: list[tuple[sa.ColumnElement, list[str]]], register: str | None
) -> list:
    """Rows whose column holds one of the values, for any of the (column, values) conditions: index lookups
    (the primary key, the hash indexes), one statement on PostgreSQL, chunked ``IN`` lists elsewhere."""
    postgresql = _postgresql()
    queries = []
    for column, values in conditions:
        for chunk in [values] if postgresql else _chunks(values):
            if chunk:
                query = sa.select(*columns).where(_any(column, chunk) if postgresql else column.in_(chunk))
                queries.append(query if register is None else query.where(units.c.register == register))
    if not queries:
        return []
    if len(queries) == 1 or postgresql:
        return db.session.execute(queries[0] if len(queries) == 1 else sa.union(*queries)).all()
    return [row for query in queries for row in db.session.execute(query)]


def units_by_oid(oids: Iterable[str]) -> dict[str, Known]:
    """The units (of any register) with these OIDs."""
    rows = _select(KNOWN_COLUMNS, [(units.c.oid, _distinct(oids))], None)
    return {known.oid: known for known in map(Known._make, rows)}


def holders(names: Iterable[str], abbreviations: Iterable[str]) -> list[tuple[str, str | None, str | None]]:
    """(OID, long name, abbreviation) of the SOTE units that have one of the long names or abbreviations."""
    columns = (units.c.oid, units.c.long_name, units.c.abbreviation)
    conditions = [(units.c.long_name, _distinct(names)), (units.c.abbreviation, _distinct(abbreviations))]
    return [tuple(row) for row in _select(columns, conditions, SOTE)]


def branch(root: str) -> set[str]:
    """The OIDs of ``root`` and every unit under it in the mirror (empty when ``root`` is not there)."""
    down = sa.select(units.c.oid).where(units.c.oid == root).cte("down", recursive=True)
    down = down.union(sa.select(units.c.oid).join(down, units.c.parent_oid == down.c.oid))
    return set(db.session.execute(sa.select(down.c.oid)).scalars().all())


def parent_of(oid: str) -> str | None:
    return db.session.scalar(sa.select(units.c.parent_oid).where(units.c.oid == oid))


def ancestors(oids: Iterable[str]) -> dict[str, str | None]:
    """Parent links from ``oids`` up to the top units: OID → parent OID, for the units on the way."""
    start = sorted(set(oids))
    if not start:
        return {}
    result: dict[str, str | None] = {}
    for chunk in [start] if _postgresql() else _chunks(start):
        condition = _any(units.c.oid, chunk) if _postgresql() else units.c.oid.in_(chunk)
        up = sa.select(units.c.oid, units.c.parent_oid).where(condition).cte("up", recursive=True)
        up = up.union(sa.select(units.c.oid, units.c.parent_oid).join(up, units.c.oid == up.c.parent_oid))
        result.update(
            (oid, parent) for oid, parent in db.session.execute(sa.select(up.c.oid, up.c.parent_oid))
        )
    return result


def existing_units(oids: Iterable[str]) -> dict[str, dict]:
    """Whole mirror rows of the SOTE units with these OIDs, as column → value."""
    wanted = sorted(set(oids))
    result: dict[str, dict] = {}
    if not wanted:
        return result
    for chunk in [wanted] if _postgresql() else _chunks(wanted):
        condition = _any(units.c.oid, chunk) if _postgresql() else units.c.oid.in_(chunk)
        for row in db.session.execute(sa.select(units).where(condition, units.c.register == SOTE)).mappings():
            result[row["oid"]] = dict(row)
    return result
