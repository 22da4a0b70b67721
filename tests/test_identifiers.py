from __future__ import annotations

import logging

from hypothesis import given
from hypothesis import strategies as st

from portal.identifiers import (
    compact_bic,
    compact_iban,
    compact_ovt,
    is_valid_bic,
    is_valid_business_id,
    is_valid_certificate_number,
    is_valid_email,
    is_valid_hetu,
    is_valid_iban,
    is_valid_oid,
    is_valid_ovt,
    is_valid_postal_code,
    is_valid_ytunnus,
    mask_hetu,
    normalise_certificate_number,
    normalise_mobile,
    normalise_phone,
    scrub_hetu,
)
from portal.security import install_log_scrubbing
from tests.forms.strategies import (
    any_text,
    bics,
    business_id_check_digit,
    business_id_digits,
    business_ids,
    certificate_numbers,
    emails,
    ibans,
    mobiles,
    near,
    ovt_suffixes,
    postal_codes,
    spaced,
)

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def make_hetu(day: int, month: int, year: int, individual: int) -> str:
    century = {18: "+", 19: "-", 20: "A"}[year // 100]
    birth = f"{day:02d}{month:02d}{year % 100:02d}"
    return f"{birth}{century}{individual:03d}{CHECK_CHARS[int(birth + f'{individual:03d}') % 31]}"


hetus = st.builds(
    make_hetu,
    st.integers(1, 28),
    st.integers(1, 12),
    st.integers(1900, 2025),
    st.integers(900, 999),
)


@given(hetus)
def test_test_identities_are_valid_and_masked_to_birth_date(hetu):
    assert is_valid_hetu(hetu)
    masked = mask_hetu(hetu)
    assert masked == hetu[:7] + "****"
    assert hetu[7:] not in masked


@given(hetus, st.text(max_size=30), st.text(max_size=30))
def test_scrub_removes_henkilotunnus_from_any_text(hetu, before, after):
    text = f"{before} {hetu} {after}"
    assert hetu not in scrub_hetu(text)


def test_wrong_check_character_is_invalid():
    assert is_valid_hetu("150378-934B")
    assert not is_valid_hetu("150378-934C")


def test_log_records_never_carry_henkilotunnus(caplog):
    install_log_scrubbing()
    logger = logging.getLogger("portal.test")
    with caplog.at_level(logging.INFO):
        logger.info("calling /register/kanta-portal/%s?requestId=1", "150378-934B")
    assert "150378-934B" not in caplog.text
    assert "150378-****" in caplog.text


def test_logged_tracebacks_never_carry_henkilotunnus(caplog):
    install_log_scrubbing()
    logger = logging.getLogger("portal.test")
    try:
        raise ValueError("no person 150378-934B")
    except ValueError:
        logger.exception("lookup failed")
    formatted = logging.Formatter().format(caplog.records[-1])
    assert "150378-934B" not in formatted
    assert "ValueError: no person 150378-****" in formatted
    assert "150378-934B" not in caplog.text


def test_business_id_check_digit():
    assert is_valid_ytunnus("2958423-0")
    assert not is_valid_ytunnus("2958423-1")
    assert not is_valid_ytunnus("2958423")


def test_oid_arcs_without_leading_zeros():
    assert is_valid_oid("1.2.246.10.2958423.10.1")
    assert not is_valid_oid("1.2.246.010")
    assert not is_valid_oid("1..2")
    assert not is_valid_oid("1")


# --- Identifiers typed into forms ---------------------------------------------------------------------


@given(mobiles)
def test_finnish_mobile_numbers_normalise_to_e164(typed_and_e164):
    typed, e164 = typed_and_e164
    assert normalise_mobile(typed) == e164
    assert normalise_phone(typed) == e164


@given(st.one_of(any_text, near(mobiles.map(lambda pair: pair[0]))))
def test_phone_normalising_is_total_and_idempotent(value):
    mobile, phone = normalise_mobile(value), normalise_phone(value)
    if mobile is not None:
        assert phone == mobile  # a mobile number is a phone number
    if phone is not None:
        assert phone.startswith("+") and phone[1:].isdigit()
        assert normalise_phone(phone) == phone
        assert normalise_mobile(phone) == mobile


@given(business_ids)
def test_business_ids_with_computed_check_digits_are_valid(business_id):
    assert is_valid_business_id(business_id)
    assert is_valid_ytunnus(business_id)


@given(business_id_digits, st.integers(1, 9))
def test_business_id_with_another_check_digit_is_invalid(digits, offset):
    assert not is_valid_business_id(f"{digits}-{(business_id_check_digit(digits) + offset) % 10}")


@given(any_text)
def test_business_id_is_never_valid_with_control_or_non_ascii_characters(value):
    if not (value.isascii() and value.isprintable()):
        assert not is_valid_business_id(value)


@given(ibans)
def test_ibans_are_valid_spaced_and_in_lower_case_and_compact_back(iban):
    for typed in (iban, spaced(iban), spaced(iban).lower()):
        assert is_valid_iban(typed)
        assert compact_iban(typed) == iban


@given(ibans, st.integers(1, 96))
def test_iban_with_other_check_digits_is_invalid(iban, offset):
    assert not is_valid_iban(f"{iban[:2]}{(int(iban[2:4]) - 2 + offset) % 97 + 2:02d}{iban[4:]}")


@given(business_ids, ovt_suffixes)
def test_ovt_is_0037_the_business_id_digits_and_a_short_suffix(business_id, suffix):
    ovt = f"0037{business_id.replace('-', '')}{suffix}"
    assert is_valid_ovt(ovt)
    assert is_valid_ovt(ovt, business_id)
    assert is_valid_ovt(compact_ovt(spaced(ovt)), business_id)
    assert not is_valid_ovt(ovt + "X" * (6 - len(suffix)))


@given(business_ids, business_ids)
def test_ovt_of_one_business_id_does_not_match_another(ours, theirs):
    assert is_valid_ovt(f"0037{theirs.replace('-', '')}", ours) == (ours == theirs)


@given(bics)
def test_bics_are_valid_in_any_case(bic):
    assert is_valid_bic(bic)
    assert is_valid_bic(bic.lower())
    assert compact_bic(f" {bic.lower()} ") == bic


@given(certificate_numbers, st.integers(0, 11))
def test_certificate_numbers_normalise_to_upper_case_without_spaces(number, at):
    typed = f"{number[:at].lower()} {number[at:]}"
    assert is_valid_certificate_number(typed)
    assert normalise_certificate_number(typed) == number
    assert not is_valid_certificate_number(number[:10])
    assert not is_valid_certificate_number(number + "0")


@given(postal_codes)
def test_postal_codes_are_five_digits(code):
    assert is_valid_postal_code(code)
    assert not is_valid_postal_code(code[:4])
    assert not is_valid_postal_code(code + "0")


@given(emails)
def test_generated_email_addresses_are_valid(email):
    assert is_valid_email(email)
    assert not is_valid_email(email.replace("@", "@@"))


@given(any_text)
def test_identifier_checks_answer_any_text(value):
    for check in (
        is_valid_business_id,
        is_valid_iban,
        is_valid_ovt,
        is_valid_bic,
        is_valid_certificate_number,
        is_valid_postal_code,
        is_valid_email,
    ):
        assert check(value) in (True, False)


def test_trailing_newline_and_other_scripts_digits_are_not_identifiers():
    assert not is_valid_ytunnus("2958423-0\n")
    assert not is_valid_oid("1.2\n")
    assert not is_valid_oid("1.1٢")
