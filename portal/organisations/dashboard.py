"""What the dashboard shows of the acting organisation, read from the local register mirror."""

from __future__ import annotations

from flask import g

from portal.applications.models import Application
from portal.extensions import db
from portal.i18n import current_language
from portal.registry.models import RegisterUnit
from portal.registry.services import municipality_name
from portal.reviews.customer import Status, describe, latest_decisions, services_in_use
from portal.templating import format_date
from portal.texts import lazy_gettext as _l

SECTORS = {
    "1": _l("Public"),
    "2": _l("Private"),
    "3": _l("Private, self-notified unit"),
}
REGISTERS = {
    "sote": _l("Social and health care organisation register"),
    "practitioners": _l("Register of independent practitioners"),
    "pharmacies": _l("Pharmacy register"),
}


def acting_unit() -> RegisterUnit | None:
    """The acting organisation's top unit. Always reached through the session's acting context."""
    return db.session.get(RegisterUnit, g.acting["oid"])


def _yes_no(value: bool | None) -> str:
    return str(_l("Yes") if value else _l("No"))


def organisation_rows(unit: RegisterUnit) -> list[dict[str, str]]:
    address = ", ".join(
        part
        for part in (unit.street_address, " ".join(filter(None, (unit.post_number, unit.post_office))))
        if part
    )
    municipality = ""
    if unit.municipality_code:
        name = municipality_name(unit.municipality_code, current_language()) or unit.municipality_name or ""
        municipality = f"{name} ({unit.municipality_code})" if name else unit.municipality_code
    validity = ""
    if unit.begin_date:
        validity = format_date(unit.begin_date)
        validity += " – " + (format_date(unit.expiration_date) if unit.expiration_date else "")
    rows = [
        (_l("Name"), unit.long_name),
        (_l("Business ID"), unit.business_id or ""),
        (_l("Organisation identifier (OID)"), unit.oid),
        (_l("Address"), address),
        (_l("Municipality"), municipality),
        (_l("Sector"), str(SECTORS.get(unit.sector or "", unit.sector or ""))),
        (_l("Health care operating unit"), _yes_no(unit.health_unit)),
        (_l("Social care operating unit"), _yes_no(unit.social_unit)),
        (_l("Register"), str(REGISTERS.get(unit.register, unit.register))),
        (_l("Valid"), validity),
    ]
    return [{"label": str(label), "value": value} for label, value in rows]


def service_statuses(service_keys: list[str], applications: dict[str, Application]) -> dict[str, Status]:
    """Each service's status in words (service key → status), from the organisation's latest
    application per service, the decision of its latest round and the services in use: two queries."""
    decisions = latest_decisions(applications.values())
    in_use = services_in_use(g.acting["business_id"])
    statuses = {}
    for key in service_keys:
        application = applications.get(key)
        decision = decisions.get(application.id) if application else None
        statuses[key] = describe(application, decision, in_use.get(key))
    return statuses
