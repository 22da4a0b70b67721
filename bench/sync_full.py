"""Full code-server sync of 120,000 SOTE units from the stand-in over HTTP into a fresh PostgreSQL database,
side by side with a plain ``COPY`` of the same rows into an equivalent table.

    .venv/bin/python bench/sync_full.py [--size 120000] [--runs 3]

Targets (quality.md): total under 60 s; the database part within 3 x the plain COPY.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from operator import itemgetter

from common import fresh_database, machine, median, migrated_app, standin_process


def plain_copy_seconds(app, rows: list[dict]) -> float:
    """COPY the rows, already converted to column tuples, into a fresh table like ``register_unit``."""
    from portal.extensions import db
    from portal.registry.rows import UNIT_COLUMNS

    values = itemgetter(*UNIT_COLUMNS)
    attributes = UNIT_COLUMNS.index("attributes")
    records = []
    for row in rows:
        record = list(values(row))
        record[attributes] = json.dumps(record[attributes], ensure_ascii=False)
        records.append(record)
    with app.app_context(), db.engine.begin() as conn:
        cur = conn.connection.driver_connection.cursor()
        cur.execute("DROP TABLE IF EXISTS bench_copy")
        cur.execute("CREATE TABLE bench_copy (LIKE register_unit INCLUDING ALL)")
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.driver_connection.cursor()
            start = time.perf_counter()
            with cur.copy(f"COPY bench_copy ({', '.join(UNIT_COLUMNS)}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
            raw.commit()
            return time.perf_counter() - start
        finally:
            raw.close()


def downloaded_rows(app) -> list[dict]:
    """Every unit row of the three registers, fetched and converted once, outside any timing."""
    from portal.db import utcnow
    from portal.integrations.codeserver import classification_oids
    from portal.integrations.codeserver.client import CodeServerClient
    from portal.registry.models import REGISTERS
    from portal.registry.rows import unit_row

    now = utcnow()
    rows = []
    with CodeServerClient.from_config(app.config) as client:
        for key, oid in classification_oids(app.config).items():
            if key in REGISTERS:
                rows += [unit_row(c, key, now) for c in client.iter_concepts(oid)]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=120_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    started = time.perf_counter()
    with standin_process(args.size) as url, fresh_database() as database_url:
        print(f"stand-in with {args.size} SOTE units ready in {time.perf_counter() - started:.1f} s at {url}")
        app = migrated_app(database_url, url)
        from portal.registry.sync import sync_full

        rows = downloaded_rows(app)
        gc.freeze()  # the baseline's rows stay in memory: keep them out of the collector's way
        totals, fetches, converts, dbs, copies = [], [], [], [], []
        for run in range(1, args.runs + 1):
            with app.app_context():
                result = sync_full()
            copy = plain_copy_seconds(app, rows)
            totals.append(result.seconds)
            fetches.append(result.fetch_seconds)
            converts.append(result.convert_seconds)
            dbs.append(result.db_seconds)
            copies.append(copy)
            received = sum(p.received for p in result.parts)
            print(
                f"run {run}: {received} codes in {result.seconds:.2f} s "
                f"(HTTP+JSON {result.fetch_seconds:.2f} s, converting {result.convert_seconds:.2f} s, "
                f"database {result.db_seconds:.2f} s); plain COPY of the {len(rows)} unit rows {copy:.2f} s"
            )
        print(
            f"median: total {median(totals):.2f} s (target < 60 s); HTTP+JSON {median(fetches):.2f} s; "
            f"converting {median(converts):.2f} s; database {median(dbs):.2f} s; "
            f"plain COPY {median(copies):.2f} s; "
            f"database / COPY = {median(dbs) / median(copies):.2f} (target <= 3)"
        )


if __name__ == "__main__":
    main()
