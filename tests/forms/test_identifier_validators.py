"""Oid, BusinessId, CertificateNumber, PostalCode: boundaries, then generated valid values."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from portal.forms.validators import BusinessId, CertificateNumber, Oid, PostalCode
from tests.forms.probe import probe
from tests.forms.strategies import (
    business_id_check_digit,
    business_id_digits,
    business_ids,
    certificate_numbers,
    postal_codes,
    remainder_one_digits,
)

CONNECTION_POINT = "Enter the connection point OID in the form 1.2.246.10.12345678.10.1"


def test_oid_with_the_example_of_its_own_message_passes():
    example = str(Oid.default_message).rsplit(" ", 1)[-1]
    assert probe(Oid(), example).valid


def test_oid_refuses_leading_zero_arcs_single_arcs_and_stray_dots():
    for value in ("1.2.246.010", "01.2", "1", "1.2.246.", ".1.2", "1..2", "1.2 .3", "1,2,246"):
        outcome = probe(Oid(CONNECTION_POINT), value)
        assert not outcome.valid, value
        assert outcome.errors == [CONNECTION_POINT]


def test_oid_refuses_what_only_looks_like_digits_and_line_ends():
    # "\d" in a pattern also matches other scripts' digits, and "$" matches before a final newline.
    for value in ("1.1\u0662", "1.2\n", "1.2\x00", "１.２"):
        assert not probe(Oid(), value).valid, repr(value)


@given(business_id_digits, st.integers(1, 9))
def test_business_id_with_any_other_check_digit_fails(digits, offset):
    wrong = (business_id_check_digit(digits) + offset) % 10
    outcome = probe(BusinessId(), f"{digits}-{wrong}")
    assert not outcome.valid
    assert outcome.errors == ["Enter a business ID in the form 1234567-1"]


@given(remainder_one_digits, st.integers(0, 9))
def test_business_id_whose_remainder_is_one_never_passes(digits, check):
    assert not probe(BusinessId(), f"{digits}-{check}").valid


@given(business_ids)
def test_business_id_only_in_its_written_form(business_id):
    digits, check = business_id.split("-")
    for value in (
        digits + check,
        f"{digits} {check}",
        f"FI{digits}{check}",
        f"{business_id}\n",
        f"{digits}--{check}",
    ):
        assert not probe(BusinessId(), value).valid, repr(value)


@given(certificate_numbers, st.integers(1, 10))
def test_certificate_number_is_stored_upper_case_without_spaces(number, at):
    typed = f" {number[:at].lower()} {number[at:]} "
    outcome = probe(CertificateNumber(), typed)
    assert outcome.valid
    assert outcome.data == number


@given(certificate_numbers)
def test_certificate_number_of_ten_or_twelve_characters_fails(number):
    message = "Enter the 11-character certificate number from the front of the certificate card"
    for value in (number[:10], number + number[0]):
        outcome = probe(CertificateNumber(), value)
        assert not outcome.valid
        assert outcome.errors == [message]


@given(certificate_numbers, st.integers(0, 10), st.sampled_from(["Ä", "-", "_", "ß", "\u0663", "."]))
def test_certificate_number_takes_only_digits_and_letters_a_to_z(number, at, other):
    assert not probe(CertificateNumber(), number[:at] + other + number[at + 1 :]).valid


def test_certificate_number_is_not_made_up_by_case_folding():
    # "ﬀ".upper() == "FF": nine digits and a ligature must not become eleven characters.
    assert not probe(CertificateNumber(), "123456789ﬀ").valid


@given(postal_codes, st.sampled_from(string.ascii_letters + "\u0661 -"), st.integers(0, 4))
def test_postal_code_of_four_or_six_digits_or_with_letters_fails(code, other, at):
    for value in (code[:4], code + code[0], code[:at] + other + code[at + 1 :]):
        outcome = probe(PostalCode(), value)
        assert not outcome.valid, repr(value)
        assert outcome.errors == ["Enter a postcode of five digits, like 00100"]
