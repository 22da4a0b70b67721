"""Finnish identifiers used across the portal: henkilötunnus, business id (Y-tunnus), OID."""

from __future__ import annotations

import re

from stdnum.fi import hetu as _hetu
from stdnum.fi import ytunnus as _ytunnus

HETU_PATTERN = re.compile(r"\b(\d{6})[-+ABCDEFYXWVU](\d{3})[0-9A-Y]\b", re.IGNORECASE)
OID_PATTERN = re.compile(r"^(0|[1-9]\d*)(\.(0|[1-9]\d*))+$")
YTUNNUS_PATTERN = re.compile(r"^\d{7}-\d$")


def is_valid_hetu(value: str) -> bool:
    try:
        _hetu.validate(value, allow_temporary=True)  # 900–999: test identities, used by every demo person
    except Exception:
        return False
    return True


def mask_hetu(value: str | None) -> str:
    """Show the date of birth and hide the individual number and check character: ``010190-****``."""
    if not value:
        return ""
    value = value.strip().upper()
    if len(value) != 11:
        return "*" * len(value)
    return value[:7] + "****"


def scrub_hetu(text: str) -> str:
    """Replace anything shaped like a henkilötunnus with its masked form (for logs and audit text)."""
    return HETU_PATTERN.sub(lambda m: mask_hetu(m.group(0)), text)


def is_valid_ytunnus(value: str) -> bool:
    return bool(YTUNNUS_PATTERN.match(value or "")) and _ytunnus.is_valid(value)


def is_valid_oid(value: str) -> bool:
    """Dotted non-negative integers, at least two arcs, no arc with a leading zero."""
    return bool(OID_PATTERN.match(value or ""))


def oid_root_for_business_id(business_id: str) -> str:
    """Unit OIDs are rooted in the business id: digits without the hyphen or a leading zero."""
    digits = business_id.replace("-", "").lstrip("0")
    return f"1.2.246.10.{digits}"
