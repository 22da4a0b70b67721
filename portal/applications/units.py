"""Finding a register unit for the ePrescription renewal-request service (from the local mirror)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.registry.models import RegisterUnit

LIMIT = 20


def search_units(query: str, chosen: str | None = None) -> list[RegisterUnit]:
    """Units whose name contains ``query`` or whose OID starts with it (case-insensitive), units that
    receive renewal requests first; the chosen unit is always included."""
    units: list[RegisterUnit] = []
    query = query.strip()[:200]
    if len(query) >= 2:
        units = list(
            db.session.scalars(
                select(RegisterUnit)
                .where(
                    RegisterUnit.status == "ACTIVE",
                    or_(
                        func.lower(RegisterUnit.long_name).contains(query.lower(), autoescape=True),
                        RegisterUnit.oid.startswith(query, autoescape=True),
                    ),
                )
                .order_by(RegisterUnit.renewal_requests.desc(), RegisterUnit.long_name)
                .limit(LIMIT)
            )
        )
    if chosen and all(u.oid != chosen for u in units):
        unit = db.session.get(RegisterUnit, chosen)
        if unit is not None:
            units.insert(0, unit)
    return units
