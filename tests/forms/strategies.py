"""Hypothesis strategies for the identifiers the forms take, built from their rules (not from the code
under test), and for text a user or an attacker might post."""

from __future__ import annotations

import string

from hypothesis import strategies as st
from stdnum import iban

BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
MOBILE_PREFIXES = ("040", "041", "044", "045", "046", "050")


def business_id_remainder(digits: str) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, BUSINESS_ID_WEIGHTS, strict=True)) % 11


def business_id_check_digit(digits: str) -> int | None:
    """integrations.md §5: remainder 0 → 0, remainder 1 → no valid check digit, else 11 − remainder."""
    remainder = business_id_remainder(digits)
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


seven_digits = st.integers(0, 9_999_999).map(lambda n: f"{n:07d}")
business_id_digits = seven_digits.filter(lambda digits: business_id_check_digit(digits) is not None)


def _with_remainder_one(six: str) -> str:
    """The seventh digit (weight 2) that makes the remainder 1; when none can, the first digit (weight 7)
    is stepped until one can. Built, not filtered: only 1 in 11 random numbers has remainder 1."""
    first = int(six[0])
    while True:
        candidate = f"{first}{six[1:]}"
        for last in range(10):
            if business_id_remainder(candidate + str(last)) == 1:
                return candidate + str(last)
        first = (first + 1) % 10


remainder_one_digits = st.integers(0, 999_999).map(lambda n: _with_remainder_one(f"{n:06d}"))
business_ids = business_id_digits.map(lambda digits: f"{digits}-{business_id_check_digit(digits)}")

oids = st.builds(
    lambda first, rest: ".".join(str(arc) for arc in (first, *rest)),
    st.integers(0, 2),
    st.lists(st.integers(0, 10**15), min_size=1, max_size=12),
)

ovt_suffixes = st.text(alphabet=string.ascii_letters + string.digits, max_size=5)
ovts = st.builds(
    lambda business_id, suffix: f"0037{business_id.replace('-', '')}{suffix}", business_ids, ovt_suffixes
)

# Countries whose BBAN is all digits and that python-stdnum checks with no national rule of its own.
IBAN_BBAN_LENGTHS = {"FI": 14, "DE": 18, "SE": 20}


def make_iban(country: str, bban: str) -> str:
    return f"{country}{iban.calc_check_digits(f'{country}00{bban}')}{bban}"


ibans = st.sampled_from(sorted(IBAN_BBAN_LENGTHS)).flatmap(
    lambda country: st.text(
        string.digits, min_size=IBAN_BBAN_LENGTHS[country], max_size=IBAN_BBAN_LENGTHS[country]
    ).map(lambda bban: make_iban(country, bban))
)


def spaced(value: str) -> str:
    """As printed on paper: groups of four."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


bics = st.builds(
    lambda bank, country, location, branch: f"{bank}{country}{location}{branch}",
    st.text(string.ascii_uppercase, min_size=4, max_size=4),
    st.sampled_from(["FI", "SE", "DE", "AX", "NO", "EE"]),
    st.text(string.ascii_uppercase + string.digits, min_size=2, max_size=2),
    st.sampled_from(["", "XXX"]) | st.text(string.ascii_uppercase + string.digits, min_size=3, max_size=3),
)

mobile_parts = st.tuples(
    st.sampled_from(MOBILE_PREFIXES), st.integers(0, 9_999_999).map(lambda n: f"{n:07d}")
)


def mobile_e164(prefix: str, subscriber: str) -> str:
    return f"+358{prefix[1:]}{subscriber}"


MOBILE_WRITINGS = (
    lambda prefix, sub: f"{prefix} {sub[:3]} {sub[3:]}",
    lambda prefix, sub: f"{prefix}{sub}",
    lambda prefix, sub: f"{prefix}-{sub}",
    lambda prefix, sub: f"+358 {prefix[1:]} {sub[:3]} {sub[3:]}",
    lambda prefix, sub: f"+358{prefix[1:]}{sub}",
    lambda prefix, sub: f"00358 {prefix[1:]} {sub}",
    lambda prefix, sub: f"({prefix}) {sub}",
)
mobiles = st.tuples(mobile_parts, st.sampled_from(MOBILE_WRITINGS)).map(
    lambda parts_writing: (parts_writing[1](*parts_writing[0]), mobile_e164(*parts_writing[0]))
)
"""(as typed, E.164)"""

certificate_numbers = st.text(string.digits + string.ascii_uppercase, min_size=11, max_size=11)
postal_codes = st.integers(0, 99_999).map(lambda n: f"{n:05d}")

email_local_parts = st.from_regex(r"[a-z0-9_+-]{1,20}(\.[a-z0-9_+-]{1,20}){0,2}", fullmatch=True)
email_domains = st.builds(
    lambda labels, tld: ".".join((*labels, tld)),
    st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True), min_size=1, max_size=3),
    st.sampled_from(["fi", "se", "com", "org", "ax"]),
)
emails = st.builds(lambda local, domain: f"{local}@{domain}", email_local_parts, email_domains)

# What anyone can post: any text (control characters, other scripts' digits, whitespace), and huge text.
huge_text = st.builds(
    lambda chunk, times: chunk * times, st.text(min_size=1, max_size=8), st.integers(500, 20_000)
)
any_text = st.one_of(
    st.text(),
    st.text(st.characters(categories=["Cc", "Zs", "Nd", "Po", "Pd", "Sm"])),
    st.text(string.printable),
    huge_text,
)


def near(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A valid value with a few characters inserted or cut: where format checks go wrong."""
    return st.builds(
        lambda value, at, cut, insert: value[:at] + insert + value[at + cut :],
        valid,
        st.integers(0, 40),
        st.integers(0, 2),
        st.text(max_size=2),
    )
