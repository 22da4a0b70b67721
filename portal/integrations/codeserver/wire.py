"""The code server's wire format: JSON key names, attribute names, and the records the stand-in serves.

Key names for dates are not confirmed by public documentation; these are ours (integrations.md §3):
``conceptCodeId``, ``status``, ``beginDate``, ``expirationDate`` (``null`` while open-ended), ``modifiedDate``
(the day of the last change, ISO ``YYYY-MM-DD``) and ``attributes``. Code lists (municipalities, service
tasks) carry their names in the attributes ``LongName`` (Finnish), ``LongName_sv`` and ``LongName_en``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

# JSON keys of a concept code and of a page.
ID = "conceptCodeId"
STATUS = "status"
BEGIN_DATE = "beginDate"
EXPIRATION_DATE = "expirationDate"
MODIFIED_DATE = "modifiedDate"
ATTRIBUTES = "attributes"
ATTRIBUTE_NAME = "attributeName"
ATTRIBUTE_VALUE = "attributeValue"
PAGE_ITEMS = "conceptCodes"
PAGE_NUMBER = "page"
TOTAL_ITEMS = "totalItems"
TOTAL_PAGES = "totalPages"

ACTIVE, PROPOSAL, DELETED = "ACTIVE", "PROPOSAL", "DELETED"
STATUSES = (ACTIVE, PROPOSAL, DELETED)
MAX_PAGE_SIZE = 500

# Attribute names of an organisation unit.
LONG_NAME = "LongName"
ABBREVIATION = "Abbreviation"
PARENT_ID = "ParentId"
POST_ADDRESS = "PostAddress"
STREET_ADDRESS = "StreetAddress"
POST_NUMBER = "PostNumber"
POST_OFFICE = "PostOffice"
PHONE = "PhoneNumber"
BUSINESS_ID = "Y-Tunnus"
SECTOR = "Sektori"
MUNICIPALITY = "Sijainti kunta"
HEALTH_UNIT = "Terv.toimintayksikkö"
SOCIAL_UNIT = "Sos.toimintayksikkö"
HEALTH_SERVICE_UNIT = "Terv.palveluyksikkö"
SOCIAL_SERVICE_UNIT = "Sos.palveluyksikkö"
RENEWAL_REQUESTS = "Reseptin uusiminen"
TOPI_CODE = "TOPI-koodi"
ORG_UNIT_ABBREVIATION = "Org.Yks.lyhenne"
REPLACING_CODES = "Korvaava koodi"
# Optional texts of a code (any classification): not in the upload format, searched in the portal.
SHORT_NAME = "ShortName"
DESCRIPTION = "Description"
# Names of a code-list entry in the other languages.
LONG_NAME_SV = "LongName_sv"
LONG_NAME_EN = "LongName_en"

SECTOR_LABELS = {1: "1 Julkinen", 2: "2 Yksityinen", 3: "3 Yksityinen itseilmoitettu yksikkö"}


def _flag(value: bool) -> str:
    return "T" if value else "F"


def _attribute(name: str, value: str) -> dict[str, Any]:
    return {ATTRIBUTE_NAME: name, ATTRIBUTE_VALUE: [value]}


@dataclass(slots=True)
class Unit:
    """One organisation unit as the code server holds it."""

    oid: str
    long_name: str
    abbreviation: str
    org_unit_abbreviation: str
    parent_oid: str | None
    business_id: str
    municipality: str  # "297 Kuopio"
    sector: int
    health_unit: bool
    social_unit: bool
    health_service_unit: bool
    social_service_unit: bool
    begin_date: date
    modified_date: date
    expiration_date: date | None = None
    status: str = ACTIVE
    street_address: str | None = None
    post_address: str | None = None
    post_number: str | None = None
    post_office: str | None = None
    phone: str | None = None
    renewal_requests: bool = False
    topi_code: str | None = None
    replacing_codes: tuple[str, ...] = field(default_factory=tuple)
    short_name: str | None = None
    description: str | None = None

    def to_wire(self) -> dict[str, Any]:
        attrs = [_attribute(LONG_NAME, self.long_name), _attribute(ABBREVIATION, self.abbreviation)]
        for name, value in ((SHORT_NAME, self.short_name), (DESCRIPTION, self.description)):
            if value:
                attrs.append(_attribute(name, value))
        if self.parent_oid:
            attrs.append(_attribute(PARENT_ID, self.parent_oid))
        for name, value in (
            (POST_ADDRESS, self.post_address),
            (STREET_ADDRESS, self.street_address),
            (POST_NUMBER, self.post_number),
            (POST_OFFICE, self.post_office),
            (PHONE, self.phone),
        ):
            if value:
                attrs.append(_attribute(name, value))
        attrs += [
            _attribute(BUSINESS_ID, self.business_id),
            _attribute(SECTOR, SECTOR_LABELS[self.sector]),
            _attribute(MUNICIPALITY, self.municipality),
            _attribute(HEALTH_UNIT, _flag(self.health_unit)),
            _attribute(SOCIAL_UNIT, _flag(self.social_unit)),
            _attribute(HEALTH_SERVICE_UNIT, _flag(self.health_service_unit)),
            _attribute(SOCIAL_SERVICE_UNIT, _flag(self.social_service_unit)),
            _attribute(RENEWAL_REQUESTS, _flag(self.renewal_requests)),
            _attribute(ORG_UNIT_ABBREVIATION, self.org_unit_abbreviation),
        ]
        if self.topi_code:
            attrs.append(_attribute(TOPI_CODE, self.topi_code))
        if self.replacing_codes:
            attrs.append(_attribute(REPLACING_CODES, ",".join(self.replacing_codes)))
        return _concept(
            self.oid, self.status, self.begin_date, self.expiration_date, self.modified_date, attrs
        )

    def is_valid_on(self, day: date) -> bool:
        return (
            self.status == ACTIVE
            and self.begin_date <= day
            and (self.expiration_date is None or day <= self.expiration_date)
        )


@dataclass(slots=True)
class Code:
    """One entry of a code list (a municipality, a service task)."""

    code: str
    name_fi: str
    name_sv: str
    name_en: str
    begin_date: date
    modified_date: date
    expiration_date: date | None = None
    status: str = ACTIVE

    @property
    def oid(self) -> str:  # the code list's sort key, like a unit's OID
        return self.code

    def to_wire(self) -> dict[str, Any]:
        attrs = [
            _attribute(LONG_NAME, self.name_fi),
            _attribute(LONG_NAME_SV, self.name_sv),
            _attribute(LONG_NAME_EN, self.name_en),
        ]
        return _concept(
            self.code, self.status, self.begin_date, self.expiration_date, self.modified_date, attrs
        )


def _concept(
    ident: str, status: str, begin: date, expiration: date | None, modified: date, attrs: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        ID: ident,
        STATUS: status,
        BEGIN_DATE: begin.isoformat(),
        EXPIRATION_DATE: expiration.isoformat() if expiration else None,
        MODIFIED_DATE: modified.isoformat(),
        ATTRIBUTES: attrs,
    }
