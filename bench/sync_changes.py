"""Daily changes-only sync: 1,000 changed SOTE units (changed, new, ended, deleted) from the stand-in with
120,000 units over HTTP into PostgreSQL.

    .venv/bin/python bench/sync_changes.py [--size 120000] [--count 1000] [--runs 5]

Each run simulates one day: the stand-in changes ``count`` units stamped with a new day, and the previous
syncs are dated to that day, so the sync's ``modifiedAfter`` asks for exactly that day's changes.
Target (quality.md): under 2 s.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta

import requests
import sqlalchemy as sa
from common import fresh_database, machine, median, migrated_app, standin_process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=120_000)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with standin_process(args.size) as url, fresh_database() as database_url:
        app = migrated_app(database_url, url)
        from portal.extensions import db
        from portal.registry.models import SyncRun
        from portal.registry.sync import sync_changes, sync_full

        with app.app_context():
            full = sync_full()
        print(f"full sync first: {full.seconds:.1f} s")
        first_day = date.today() + timedelta(days=1)
        times, databases = [], []
        for run in range(args.runs):
            day = first_day + timedelta(days=run)
            touched = requests.post(
                f"{url}/_standin/touch",
                params={"count": args.count, "on": day.isoformat(), "seed": run},
                timeout=60,
            ).json()
            with app.app_context():
                midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
                db.session.execute(sa.update(SyncRun).values(started_at=midnight))
                db.session.commit()
                start = time.perf_counter()
                result = sync_changes()
                elapsed = time.perf_counter() - start
            sote = next(p for p in result.parts if p.classification == "sote")
            kinds = ", ".join(f"{len(v)} {k}" for k, v in touched.items())
            print(
                f"day {day}: {sote.received} received ({kinds}), {sote.written} written, "
                f"{sote.removed} removed in {elapsed:.3f} s (database {result.db_seconds:.3f} s)"
            )
            times.append(elapsed)
            databases.append(result.db_seconds)
        print(f"median: {median(times):.3f} s (target < 2 s); database part {median(databases):.3f} s")


if __name__ == "__main__":
    main()
