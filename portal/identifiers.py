"""Identifiers used across the portal: henkilötunnus, business id (Y-tunnus), OID, and what forms take in
(phone numbers, e-invoice addresses, IBAN, BIC, certificate numbers, postal codes). Pure functions only."""

from __future__ import annotations

import re

import phonenumbers as _phonenumbers
from stdnum import bic as _bic
from stdnum import iban as _iban
from stdnum.fi import hetu as _hetu
from stdnum.fi import ytunnus as _ytunnus

HETU_PATTERN = re.compile(r"\b(\d{6})[-+ABCDEFYXWVU](\d{3})[0-9A-Y]\b", re.IGNORECASE)
OID_PATTERN = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+")
YTUNNUS_PATTERN = re.compile(r"[0-9]{7}-[0-9]")


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
    return bool(YTUNNUS_PATTERN.fullmatch(value or "")) and _ytunnus.is_valid(value)


def is_valid_oid(value: str) -> bool:
    """Dotted non-negative integers, at least two arcs, no arc with a leading zero."""
    return bool(OID_PATTERN.fullmatch(value or ""))


def oid_root_for_business_id(business_id: str) -> str:
    """Unit OIDs are rooted in the business id: digits without the hyphen or a leading zero."""
    digits = business_id.replace("-", "").lstrip("0")
    return f"1.2.246.10.{digits}"


# --- Identifiers typed into forms: contact details, billing, archivists ---------------------------------

PHONE_CHARACTERS = re.compile(r"\+?[0-9 \u00a0().\-/]+")
PHONE_MAX_LENGTH = 40
OVT_PATTERN = re.compile(r"0037([0-9]{8})([0-9A-Za-z]{0,5})")
CERTIFICATE_NUMBER_PATTERN = re.compile(r"[0-9A-Z]{11}")
POSTAL_CODE_PATTERN = re.compile(r"[0-9]{5}")
MOBILE_TYPES = frozenset(
    {_phonenumbers.PhoneNumberType.MOBILE, _phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def is_valid_business_id(value: str) -> bool:
    """A Y-tunnus exactly as written, ``NNNNNNN-C`` in ASCII digits, with a valid check digit."""
    return isinstance(value, str) and value.isascii() and value.isprintable() and is_valid_ytunnus(value)


def _parse_phone(value: str) -> _phonenumbers.PhoneNumber | None:
    """A valid phone number typed with digits, spaces and ``+ ( ) . - /`` only; None otherwise.

    phonenumbers itself also reads letters ("040 ABC DEFG"), ``tel:`` URIs and extensions, none of which
    belongs in a number we store in E.164 and text to.
    """
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > PHONE_MAX_LENGTH or not PHONE_CHARACTERS.fullmatch(value):
        return None
    try:
        number = _phonenumbers.parse(value, "FI")
    except _phonenumbers.NumberParseException:
        return None
    if number.extension or not _phonenumbers.is_valid_number(number):
        return None
    return number


def _e164(number: _phonenumbers.PhoneNumber) -> str:
    return _phonenumbers.format_number(number, _phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(value: str) -> str | None:
    """Any valid phone number (Finnish unless it starts with ``+`` or ``00``) in E.164, or None."""
    number = _parse_phone(value)
    return _e164(number) if number else None


def normalise_mobile(value: str) -> str | None:
    """A number that can receive text messages, in E.164: ``"040 123 4567"`` → ``"+358401234567"``.

    A mobile number as phonenumbers judges it; numbers of countries that do not tell mobile from fixed lines
    apart (FIXED_LINE_OR_MOBILE, e.g. the USA) pass. None for anything else, landlines included.
    """
    number = _parse_phone(value)
    if number is None or _phonenumbers.number_type(number) not in MOBILE_TYPES:
        return None
    return _e164(number)


def compact_iban(value: str) -> str:
    """Without spaces or hyphens, upper-case: ``"fi21 1234 5600 0007 85"`` → ``"FI2112345600000785"``."""
    return _iban.compact(value)


def is_valid_iban(value: str) -> bool:
    """An IBAN of any country with a valid checksum; spaces and lower case are accepted."""
    return isinstance(value, str) and value.isascii() and _iban.is_valid(value)


def compact_ovt(value: str) -> str:
    """Without the spaces people type into it: ``"0037 1234 5671"`` → ``"003712345671"``."""
    return "".join(value.split())


def is_valid_ovt(value: str, business_id: str | None = None) -> bool:
    """An OVT e-invoice address: ``0037``, the business id's eight digits, up to five letters or digits.

    The business id inside must have a valid check digit and, when ``business_id`` is given, be that one.
    Expects the compact form (see ``compact_ovt``).
    """
    match = OVT_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return False
    digits = match.group(1)
    if not is_valid_business_id(f"{digits[:7]}-{digits[7]}"):
        return False
    return business_id is None or business_id.replace("-", "") == digits


def is_valid_bic(value: str) -> bool:
    """A syntactically valid BIC (SWIFT code), 8 or 11 characters; lower case and spaces are accepted."""
    return isinstance(value, str) and value.isascii() and _bic.is_valid(value)


def compact_bic(value: str) -> str:
    return _bic.compact(value)


def normalise_certificate_number(value: str) -> str:
    """Without any whitespace, upper-case: ``"1234 567 890a"`` → ``"1234567890A"``."""
    return "".join(value.split()).upper()


def is_valid_certificate_number(value: str) -> bool:
    """An archivist's certificate number after normalising: exactly 11 digits and capital letters A–Z."""
    if not isinstance(value, str) or not value.isascii():
        return False  # upper() would turn some other letters into A–Z ("ﬀ" → "FF")
    return bool(CERTIFICATE_NUMBER_PATTERN.fullmatch(normalise_certificate_number(value)))


def is_valid_postal_code(value: str) -> bool:
    """A Finnish postal code: exactly five digits."""
    return isinstance(value, str) and bool(POSTAL_CODE_PATTERN.fullmatch(value))


EMAIL_MAX_LENGTH = 254
EMAIL_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
TOP_LEVEL_DOMAIN = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")


def is_valid_email(value: str) -> bool:
    """An address mail can be sent to: ``local@domain.tld``, at most 254 characters.

    The local part in ASCII (dot-atom: no leading, trailing or double dots); the domain at least two labels,
    which may be internationalised (``päivä.fi`` is checked as its IDNA form). No quoted local parts or IP
    literals: nobody types them into a contact form, and not every mail server takes them.
    """
    if not isinstance(value, str) or len(value) > EMAIL_MAX_LENGTH:
        return False
    local, at, domain = value.rpartition("@")
    if not at or len(local) > 64 or not EMAIL_LOCAL_PART.fullmatch(local):
        return False
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    labels = domain.split(".")
    return (
        len(labels) >= 2
        and len(domain) <= 253
        and all(DOMAIN_LABEL.fullmatch(label) for label in labels)
        and bool(TOP_LEVEL_DOMAIN.fullmatch(labels[-1]))
    )
