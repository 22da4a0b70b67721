"""Writing synced rows into the mirror, inside the sync's one transaction.

PostgreSQL gets the rows through ``COPY``: straight into ``register_unit`` for a full sync (after deleting
that register's rows, so readers keep seeing the old mirror until the commit), and through a temporary
staging table and ``INSERT … ON CONFLICT`` for a changes sync. Other databases (SQLite) get executemany.
Code lists are a few hundred rows and go through SQLAlchemy Core everywhere.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from portal.registry.models import CodeEntry, RegisterUnit
from portal.registry.rows import UNIT_COLUMNS, Row

ACTIVE = "ACTIVE"
_UNITS = RegisterUnit.__table__
_CODES = CodeEntry.__table__


@dataclass
class Counts:
    written: int = 0
    removed: int = 0


@dataclass
class Clock:
    """Seconds spent in the database, kept apart from fetching and converting."""

    seconds: float = 0.0

    def __enter__(self) -> Clock:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._start


class CoreWriter:
    """Any database SQLAlchemy supports with ``INSERT … ON CONFLICT`` (SQLite, PostgreSQL)."""

    def __init__(self, conn: sa.Connection, clock: Clock) -> None:
        self.conn = conn
        self.clock = clock
        self._insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert

    # -- units --------------------------------------------------------------------------------------------
    def replace_units(self, register: str, batches: Iterable[list[Row]]) -> Counts:
        counts = Counts(removed=self._delete_replaced(register))
        for batch in batches:
            active = [row for row in batch if row["status"] == ACTIVE]
            if active:
                with self.clock:
                    self.conn.execute(_UNITS.insert(), active)
                counts.written += len(active)
        return counts

    def _delete_replaced(self, register: str) -> int:
        """Delete the units of ``register`` that a full sync replaces: all but the locally changed ones
        (``locally_changed``); how many went."""
        with self.clock:
            where = sa.and_(_UNITS.c.register == register, _UNITS.c.oid.not_in(_locally_changed()))
            return self.conn.execute(_UNITS.delete().where(where)).rowcount

    def merge_units(self, batches: Iterable[list[Row]]) -> Counts:
        return self._merge(_UNITS, (_UNITS.c.oid,), _latest(batches, itemgetter("oid")))

    # -- code lists ---------------------------------------------------------------------------------------
    def replace_codes(self, classification_oid: str, batches: Iterable[list[Row]]) -> Counts:
        rows = [row for batch in batches for row in batch if row["status"] == ACTIVE]
        with self.clock:
            where = _CODES.c.classification_oid == classification_oid
            removed = self.conn.execute(_CODES.delete().where(where)).rowcount
            if rows:
                self.conn.execute(_CODES.insert(), rows)
        return Counts(written=len(rows), removed=removed)

    def merge_codes(self, batches: Iterable[list[Row]]) -> Counts:
        key = itemgetter("classification_oid", "code")
        return self._merge(_CODES, (_CODES.c.classification_oid, _CODES.c.code), _latest(batches, key))

    def _merge(self, table: sa.Table, key: tuple[sa.Column, ...], rows: list[Row]) -> Counts:
        """Upsert the active rows, delete the others (deleted or proposed codes are not in the mirror)."""
        active = [row for row in rows if row["status"] == ACTIVE]
        gone = [tuple(row[c.name] for c in key) for row in rows if row["status"] != ACTIVE]
        counts = Counts(written=len(active))
        with self.clock:
            if active:
                stmt = self._insert(table)
                updates = {c.name: stmt.excluded[c.name] for c in table.columns if c not in key}
                self.conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=updates), active)
            for start in range(0, len(gone), 500):
                chunk = gone[start : start + 500]
                counts.removed += self.conn.execute(table.delete().where(sa.tuple_(*key).in_(chunk))).rowcount
        return counts


class PostgresWriter(CoreWriter):
    """Units through ``COPY`` on the connection's own psycopg cursor, in the same transaction."""

    def __init__(self, conn: sa.Connection, clock: Clock) -> None:
        super().__init__(conn, clock)
        self.cursor = conn.connection.driver_connection.cursor()
        self._staging = False

    def replace_units(self, register: str, batches: Iterable[list[Row]]) -> Counts:
        counts = Counts(removed=self._delete_replaced(register))
        counts.written = self._copy("register_unit", batches)
        return counts

    def merge_units(self, batches: Iterable[list[Row]]) -> Counts:
        rows = _latest(batches, itemgetter("oid"))
        cur = self.cursor
        with self.clock:
            if not self._staging:
                cur.execute(
                    "CREATE TEMPORARY TABLE register_unit_incoming "
                    "(LIKE register_unit INCLUDING DEFAULTS) ON COMMIT DROP"
                )
                self._staging = True
            cur.execute("TRUNCATE register_unit_incoming")
        self._copy("register_unit_incoming", [rows], only_active=False)
        columns = ", ".join(UNIT_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in UNIT_COLUMNS if c != "oid")
        with self.clock:
            cur.execute(
                "DELETE FROM register_unit u USING register_unit_incoming s "
                "WHERE u.oid = s.oid AND s.status <> 'ACTIVE'"
            )
            removed = cur.rowcount
            # The column names are the model's own, never input.
            upsert = (
                f"INSERT INTO register_unit ({columns}) SELECT {columns} FROM register_unit_incoming "  # noqa: S608
                f"WHERE status = 'ACTIVE' ON CONFLICT (oid) DO UPDATE SET {updates}"
            )
            cur.execute(upsert)
            return Counts(written=cur.rowcount, removed=removed)

    def _copy(self, table: str, batches: Iterable[list[Row]], only_active: bool = True) -> int:
        values = itemgetter(*UNIT_COLUMNS)
        attributes = UNIT_COLUMNS.index("attributes")
        dumps = json.dumps
        written = 0
        with self.clock, self.cursor.copy(f"COPY {table} ({', '.join(UNIT_COLUMNS)}) FROM STDIN") as copy:
            for batch in _paused(self.clock, batches):
                for row in batch:
                    if only_active and row["status"] != ACTIVE:
                        continue
                    record = list(values(row))
                    record[attributes] = dumps(record[attributes], ensure_ascii=False)
                    copy.write_row(record)
                    written += 1
        return written


def _paused(clock: Clock, batches: Iterable[list[Row]]) -> Iterable[list[Row]]:
    """Stop the database clock while the next batch is fetched from the code server."""
    iterator = iter(batches)
    while True:
        clock.__exit__()
        batch = next(iterator, None)
        clock.__enter__()
        if batch is None:
            return
        yield batch


def _latest(batches: Iterable[list[Row]], key) -> list[Row]:
    """One row per key, the last one received (a code may change while it is being paged through)."""
    rows: dict = {}
    for batch in batches:
        for row in batch:
            rows[key(row)] = row
    return list(rows.values())


def _locally_changed() -> sa.Select:
    """Units changed in the portal and not yet exported to the code server (``portal.orgunits``' markers):
    a sync leaves them as they are, and the export sends them. The table is named here rather than
    imported, so that the mirror does not depend on the maintenance pages."""
    change = sa.table("orgunit_change", sa.column("unit_oid"), sa.column("exported_at"))
    return sa.select(change.c.unit_oid).where(change.c.exported_at.is_(None))


def locally_changed(conn: sa.Connection) -> frozenset[str]:
    return frozenset(conn.scalars(_locally_changed()))


def writer_for(conn: sa.Connection, clock: Clock) -> CoreWriter:
    return PostgresWriter(conn, clock) if conn.dialect.name == "postgresql" else CoreWriter(conn, clock)
