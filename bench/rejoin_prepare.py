"""Preparing a welfare-area re-join: 300 merging organisations (Kanta customers), the technical joining data
of the four services from a spreadsheet (a connection point and a system per organisation and service:
1,200 rows), posted by a Kela reviewer to the prepare page; and, of the same re-join once sent, ending the
300 old commitments in one action.

    .venv/bin/python bench/rejoin_prepare.py [--units 300] [--runs 5] [--size 3000]

Target (quality.md): preparing a re-join of 300 merging units and four services under 5 s.

Through the whole Flask app in this process (Werkzeug's test client: the form, the file's checks, the
register and customership look-ups, the inserts and the audit row, the redirect), on a fresh PostgreSQL
database migrated by Alembic and synced from the code-server stand-in over HTTP. Each run prepares the
re-join of another area.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import time
from dataclasses import dataclass

from common import machine, median
from wizard_step import prepared_portal, register_organisations

SERVICES = ("patient_archive", "social_archive", "eprescription", "image_archive")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class OldUnit:
    business_id: str
    oid: str
    long_name: str


def old_units(count: int) -> list[OldUnit]:
    """Made-up Kanta customers with valid business ids (integrations.md: the check digit's rule)."""
    found, n = [], 0
    while len(found) < count:
        digits = f"{7_000_000 + n:07d}"
        n += 1
        remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
        if remainder == 1:
            continue
        check = 0 if remainder == 0 else 11 - remainder
        found.append(OldUnit(f"{digits}-{check}", f"1.2.246.10.{digits}{check}.10", f"Vanha Terveys {n} Oy"))
    return found


def technical_csv(units: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["palvelu", "liityntäpisteen oid", "liityntäpisteen nimi", "järjestelmä", "toimittaja", "versio"]
    )
    for n, unit in enumerate(units):
        for service in SERVICES:
            writer.writerow(
                [
                    service,
                    f"{unit.oid}.10.{n % 7 + 1}",
                    f"{unit.long_name} – {service}",
                    f"Järjestelmä {n % 40}",
                    f"Toimittaja {n % 12} Oy",
                    f"{n % 5}.{n % 3}",
                ]
            )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=300, help="merging organisations per re-join")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--size", type=int, default=3000, help="SOTE units in the stand-in register")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with prepared_portal(args.size) as (app, _database_url, _codeserver_url):
        from sqlalchemy import insert

        from portal.customers.models import Customership
        from portal.extensions import db

        areas = [unit for unit, _services in register_organisations(app) if unit.register == "sote"]
        if len(areas) < args.runs:
            raise SystemExit(f"the register has {len(areas)} SOTE organisations; {args.runs} needed")
        customers = old_units(args.units * args.runs)
        with app.app_context():
            db.session.execute(
                insert(Customership),
                [
                    {
                        "organisation_business_id": u.business_id,
                        "organisation_oid": u.oid,
                        "organisation_name": u.long_name,
                    }
                    for u in customers
                ],
            )
            db.session.commit()
        app.config["WTF_CSRF_ENABLED"] = False  # the reviewer's form token is not what is measured
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(person_id=None, person_name="Kaisa Kelanen", staff=True)
        from portal.auth.models import Person

        with app.app_context():
            person = Person(
                issuer="http://eid.bench", subject="bench-staff", given_name="Kaisa", family_name="Kelanen"
            )
            db.session.add(person)
            db.session.commit()
            person_id = person.id
        with client.session_transaction() as session:
            session["person_id"] = person_id
        prepares, ends = [], []
        for run in range(args.runs):
            area = areas[run]
            old = customers[run * args.units : (run + 1) * args.units]
            data = technical_csv(old)
            start = time.perf_counter()
            response = client.post(
                "/staff/rejoins/new",
                data={
                    "area": area.business_id,
                    "old_units": "\n".join(u.business_id for u in old),
                    "file": (io.BytesIO(data), "tekniset.csv"),
                },
                content_type="multipart/form-data",
            )
            prepared = time.perf_counter() - start
            if response.status_code != 303:
                raise SystemExit(f"prepare: {response.status_code} {response.get_data(as_text=True)[:2000]}")
            campaign_id = int(re.search(r"/staff/rejoins/(\d+)", response.headers["Location"]).group(1))
            client.get(response.headers["Location"])  # the page, as the reviewer sees it next (not timed)
            client.post(f"/staff/rejoins/{campaign_id}/send")
            start = time.perf_counter()
            response = client.post(f"/staff/rejoins/{campaign_id}/end", data={"confirm": "y"})
            ended = time.perf_counter() - start
            if response.status_code != 303:
                raise SystemExit(f"end: {response.status_code}")
            prepares.append(prepared)
            ends.append(ended)
            print(
                f"run {run + 1}: prepare {prepared * 1000:.0f} ms ({len(data) / 1024:.0f} KB, "
                f"{len(old) * len(SERVICES)} rows), end {len(old)} commitments {ended * 1000:.0f} ms"
            )
        print()
        print(
            f"median of {args.runs}: preparing a re-join of {args.units} units and four services "
            f"{median(prepares) * 1000:.0f} ms (target < 5000 ms); ending its old commitments "
            f"{median(ends) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
