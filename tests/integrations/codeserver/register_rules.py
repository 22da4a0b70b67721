"""The upload rules of org-register-checks.md, applied to the concept codes the stand-in serves.

Small on purpose: the full upload checker is another piece of work. Each problem names the unit and
the rule id.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from portal.identifiers import is_valid_oid, is_valid_ytunnus, oid_root_for_business_id
from portal.integrations.codeserver import wire
from portal.integrations.codeserver.generator import REGISTER_VERSION_BEGIN

MUNICIPALITY = re.compile(r"^\d{3} [A-ZÅÄÖ][^\W\d_]*(?:[ -][^\W\d_]+)*$")
POST_OFFICE = re.compile(r"^[^\W\d_]+(?:[ -][^\W\d_]+)*$")
PHONE = re.compile(r"^[\d()+ -]+$")
SECTORS = set(wire.SECTOR_LABELS.values())


def attributes(concept: dict[str, Any]) -> dict[str, str]:
    return {a[wire.ATTRIBUTE_NAME]: a[wire.ATTRIBUTE_VALUE][0] for a in concept[wire.ATTRIBUTES]}


def problems(concepts: list[dict[str, Any]]) -> list[str]:
    """Every broken rule in one register's concept codes, as "<oid> <rule>: <detail>"."""
    found: list[str] = []
    rows = [(c, attributes(c)) for c in concepts]
    oids = Counter(c[wire.ID] for c, _ in rows)
    names = Counter(a.get(wire.LONG_NAME) for _, a in rows)
    abbreviations = Counter(a.get(wire.ABBREVIATION) for _, a in rows)
    for concept, attrs in rows:
        oid = concept[wire.ID]

        def fail(rule: str, detail: str = "", oid: str = oid) -> None:
            found.append(f"{oid} {rule}: {detail}")

        public = attrs.get(wire.SECTOR, "").startswith("1")
        for name, value in [(wire.ID, oid), *attrs.items()]:
            if isinstance(value, str) and value.startswith(" "):
                fail("G1", name)
        if oids[oid] > 1:
            fail("ID2", "OID used twice")
        if not is_valid_oid(oid):
            fail("ID3", oid)
        business_id = attrs.get(wire.BUSINESS_ID, "")
        if not is_valid_ytunnus(business_id):
            fail("YT2/YT3", business_id)
        elif not oid.startswith(oid_root_for_business_id(business_id) + "."):
            fail("OID root", f"not rooted in {business_id}")
        long_name = attrs.get(wire.LONG_NAME, "")
        if not long_name:
            fail("LN1")
        elif names[long_name] > 1:
            fail("LN2", long_name)
        elif public and not long_name[0].isupper():
            fail("LN3", long_name)
        parent = attrs.get(wire.PARENT_ID)
        if parent and parent not in oids:
            fail("PA1", parent)
        abbreviation = attrs.get(wire.ABBREVIATION, "")
        if not abbreviation:
            fail("AB1")
        elif abbreviations[abbreviation] > 1:
            fail("AB2", abbreviation)
        elif public and not abbreviation[0].isupper():
            fail("AB3", abbreviation)
        if len(abbreviation) > 60:
            fail("AB4", abbreviation)
        post_number = attrs.get(wire.POST_NUMBER)
        if post_number is not None and not (post_number.isdigit() and len(post_number) == 5):
            fail("PN1/PN2", post_number)
        post_office = attrs.get(wire.POST_OFFICE)
        if post_office is not None and not (post_office[:1].isupper() and POST_OFFICE.match(post_office)):
            fail("PO1/PO2", post_office)
        phone = attrs.get(wire.PHONE)
        if phone is not None and (not PHONE.match(phone) or (public and len(phone) < 5)):
            fail("PH1/PH2", phone)
        _dates(concept, fail)
        if not MUNICIPALITY.match(attrs.get(wire.MUNICIPALITY, "")):
            fail("MU1/MU2", attrs.get(wire.MUNICIPALITY, ""))
        for flag in (wire.HEALTH_UNIT, wire.SOCIAL_UNIT, wire.HEALTH_SERVICE_UNIT, wire.SOCIAL_SERVICE_UNIT):
            if attrs.get(flag) not in ("T", "F"):
                fail("HU1/BOOL", flag)
        if attrs.get(wire.RENEWAL_REQUESTS, "F") not in ("T", "F"):
            fail("BOOL", wire.RENEWAL_REQUESTS)
        replacing = attrs.get(wire.REPLACING_CODES)
        if replacing is not None and not all(is_valid_oid(o) for o in replacing.split(",")):
            fail("RC1", replacing)
        if not attrs.get(wire.ORG_UNIT_ABBREVIATION):
            fail("OA1")
        if attrs.get(wire.SECTOR) not in SECTORS:
            fail("SE1/SE2", attrs.get(wire.SECTOR, ""))
        topi = attrs.get(wire.TOPI_CODE)
        if topi is not None and not (topi.isdigit() and len(topi) == 5):
            fail("TO1/TO2", topi)
    return found


def _dates(concept: dict[str, Any], fail) -> None:
    days = {}
    for key in (wire.BEGIN_DATE, wire.EXPIRATION_DATE, wire.MODIFIED_DATE):
        value = concept.get(key)
        if value is None and key == wire.EXPIRATION_DATE:
            continue
        try:
            days[key] = date.fromisoformat(value)
        except (TypeError, ValueError):
            fail("DT1", f"{key}={value!r}")
    begin, end = days.get(wire.BEGIN_DATE), days.get(wire.EXPIRATION_DATE)
    if begin and begin < REGISTER_VERSION_BEGIN:
        fail("DT2", f"begins {begin} before the register version")
    if begin and end and not begin < end:
        fail("DT3", f"{begin} is not before {end}")
