"""From the code server's concept codes to rows of the mirror's tables.

Lenient on purpose: a value the mirror cannot interpret (a sector ``9``, a date ``31.12.``) is stored as
nothing in its column, and ``attributes`` keeps every attribute as received, so one odd unit
never stops a sync.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from portal.integrations.codeserver import wire
from portal.registry.models import CodeEntry, RegisterUnit

UNIT_COLUMNS = tuple(c.name for c in RegisterUnit.__table__.columns)
CODE_COLUMNS = tuple(c.name for c in CodeEntry.__table__.columns)

Row = dict[str, Any]


def attribute_map(concept: dict[str, Any]) -> dict[str, list[Any]]:
    attrs: dict[str, list[Any]] = {}
    for attribute in concept.get(wire.ATTRIBUTES) or ():
        if isinstance(attribute, dict) and isinstance(name := attribute.get(wire.ATTRIBUTE_NAME), str):
            value = attribute.get(wire.ATTRIBUTE_VALUE)
            attrs[name] = value if isinstance(value, list) else [] if value is None else [value]
    return attrs


def _first(attrs: dict[str, list[Any]], name: str) -> str | None:
    values = attrs.get(name)
    if not values or values[0] is None:
        return None
    return str(values[0]).strip() or None


def _flag(attrs: dict[str, list[Any]], name: str) -> bool:
    return _first(attrs, name) == "T"


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _municipality(value: str | None) -> tuple[str | None, str | None]:
    """``"297 Kuopio"`` → ``("297", "Kuopio")``."""
    if value and len(value) >= 3 and value[:3].isdigit() and (len(value) == 3 or value[3] == " "):
        return value[:3], value[4:].strip() or None
    return None, value


def status_of(concept: dict[str, Any]) -> str:
    return str(concept.get(wire.STATUS) or wire.ACTIVE)


def unit_row(concept: dict[str, Any], register: str, synced_at: datetime) -> Row:
    attrs = attribute_map(concept)
    first = _first
    sector = (first(attrs, wire.SECTOR) or "")[:1]
    municipality_code, municipality_name = _municipality(first(attrs, wire.MUNICIPALITY))
    replacing = attrs.get(wire.REPLACING_CODES)
    return {
        "oid": concept[wire.ID],
        "register": register,
        "long_name": first(attrs, wire.LONG_NAME) or concept[wire.ID],
        "abbreviation": first(attrs, wire.ABBREVIATION),
        "org_unit_abbreviation": first(attrs, wire.ORG_UNIT_ABBREVIATION),
        "parent_oid": first(attrs, wire.PARENT_ID),
        "business_id": first(attrs, wire.BUSINESS_ID),
        "street_address": first(attrs, wire.STREET_ADDRESS),
        "post_address": first(attrs, wire.POST_ADDRESS),
        "post_number": first(attrs, wire.POST_NUMBER),
        "post_office": first(attrs, wire.POST_OFFICE),
        "phone": first(attrs, wire.PHONE),
        "municipality_code": municipality_code,
        "municipality_name": municipality_name,
        "sector": sector if sector in ("1", "2", "3") else None,
        "health_unit": _flag(attrs, wire.HEALTH_UNIT),
        "social_unit": _flag(attrs, wire.SOCIAL_UNIT),
        "health_service_unit": _flag(attrs, wire.HEALTH_SERVICE_UNIT),
        "social_service_unit": _flag(attrs, wire.SOCIAL_SERVICE_UNIT),
        "renewal_requests": _flag(attrs, wire.RENEWAL_REQUESTS),
        "topi_code": first(attrs, wire.TOPI_CODE),
        "replacing_codes": ",".join(str(v).strip() for v in replacing or () if v) or None,
        "status": status_of(concept),
        "begin_date": _day(concept.get(wire.BEGIN_DATE)),
        "expiration_date": _day(concept.get(wire.EXPIRATION_DATE)),
        "modified_date": _day(concept.get(wire.MODIFIED_DATE)),
        "attributes": attrs,
        "synced_at": synced_at,
    }


def code_row(concept: dict[str, Any], classification_oid: str, synced_at: datetime) -> Row:
    attrs = attribute_map(concept)
    return {
        "classification_oid": classification_oid,
        "code": concept[wire.ID],
        "name_fi": _first(attrs, wire.LONG_NAME) or concept[wire.ID],
        "name_sv": _first(attrs, wire.LONG_NAME_SV),
        "name_en": _first(attrs, wire.LONG_NAME_EN),
        "status": status_of(concept),
        "begin_date": _day(concept.get(wire.BEGIN_DATE)),
        "expiration_date": _day(concept.get(wire.EXPIRATION_DATE)),
        "modified_date": _day(concept.get(wire.MODIFIED_DATE)),
        "synced_at": synced_at,
    }
