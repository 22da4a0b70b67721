"""EInvoiceAddress and OperatorCode, and the list of known operators behind OperatorCode."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from portal.billing.operators import OPERATORS, is_known_operator, operator_choices
from portal.forms.validators import EInvoiceAddress, OperatorCode
from portal.identifiers import is_valid_bic, is_valid_ovt
from tests.forms.probe import probe
from tests.forms.strategies import (
    bics,
    business_id_check_digit,
    business_id_digits,
    business_ids,
    ibans,
    ovt_suffixes,
    ovts,
    spaced,
)

MISMATCH = EInvoiceAddress.default_mismatch_message


def ovt_for(business_id: str, suffix: str = "") -> str:
    return f"0037{business_id.replace('-', '')}{suffix}"


def test_the_examples_in_the_e_invoice_message_pass():
    message = str(EInvoiceAddress.default_message)
    ovt = re.search(r"0037\d{8}", message).group(0)
    iban = re.search(r"FI\d\d(?: \d{1,4})+", message).group(0)
    assert probe(EInvoiceAddress(), ovt).valid
    assert probe(EInvoiceAddress(), iban).valid


@given(ovts)
def test_ovt_address_is_stored_without_the_spaces_typed_into_it(ovt):
    outcome = probe(EInvoiceAddress(), spaced(ovt))
    assert outcome.valid
    assert outcome.data == ovt


@given(business_ids, st.text("ABCDEF0123456789", min_size=5, max_size=5))
def test_ovt_suffix_of_five_characters_passes_and_of_six_fails(business_id, suffix):
    assert probe(EInvoiceAddress(), ovt_for(business_id, suffix)).valid
    assert not probe(EInvoiceAddress(), ovt_for(business_id, suffix + "0")).valid


@given(business_ids, st.sampled_from(["-", "_", "Ä", ".", "/"]))
def test_ovt_suffix_takes_only_letters_and_digits(business_id, other):
    assert not probe(EInvoiceAddress(), ovt_for(business_id, "A" + other)).valid


@given(business_id_digits, st.integers(1, 9), ovt_suffixes)
def test_ovt_with_a_wrong_business_id_check_digit_fails(digits, offset, suffix):
    wrong = (business_id_check_digit(digits) + offset) % 10
    outcome = probe(EInvoiceAddress(), f"0037{digits}{wrong}{suffix}")
    assert not outcome.valid
    assert outcome.errors == [str(EInvoiceAddress.default_message)]


@given(business_ids, ovt_suffixes)
def test_ovt_must_carry_the_organisations_business_id(business_id, suffix):
    assert probe(EInvoiceAddress("business_id"), ovt_for(business_id, suffix), business_id=business_id).valid


@given(business_ids, business_ids)
def test_ovt_of_another_business_id_is_refused_with_its_own_message(ours, theirs):
    outcome = probe(EInvoiceAddress("business_id"), ovt_for(theirs), business_id=ours)
    assert outcome.valid == (ours == theirs)
    if ours != theirs:
        assert outcome.errors == [str(MISMATCH)]


@given(ovts, st.sampled_from(["", "   ", "not a business id", "2958423-1"]))
def test_ovt_is_checked_alone_while_the_business_id_field_is_empty_or_invalid(ovt, business_id):
    assert probe(EInvoiceAddress("business_id"), ovt, business_id=business_id).valid


@given(ibans)
def test_iban_is_an_e_invoice_address_whatever_the_business_id(iban):
    outcome = probe(EInvoiceAddress("business_id"), spaced(iban).lower(), business_id="2958423-0")
    assert outcome.valid
    assert outcome.data == iban


@given(ibans, st.integers(1, 96))
def test_iban_with_a_wrong_checksum_fails(iban, offset):
    wrong = f"{(int(iban[2:4]) - 2 + offset) % 97 + 2:02d}"  # check digits run from 02 to 98
    outcome = probe(EInvoiceAddress(), iban[:2] + wrong + iban[4:])
    assert not outcome.valid


def test_operators_list_the_usual_intermediators_and_banks():
    codes = [operator.code for operator in OPERATORS]
    assert len(codes) == len(set(codes))
    intermediators = [code for code in codes if not is_valid_bic(code)]
    assert len(intermediators) >= 10


def test_every_ovt_style_operator_code_carries_a_valid_business_id():
    for operator in OPERATORS:
        if operator.code.startswith("0037"):
            assert len(operator.code) == 12 and is_valid_ovt(operator.code), operator


def test_the_banks_that_take_e_invoices_are_known_operators():
    banks = ("NDEAFIHH", "OKOYFIHH", "DABAFIHH", "HANDFIHH", "AABAFI22", "SBANFIHH", "POPFFI22", "ITELFIHH")
    for bic in (*banks, "HELSFIHH"):
        assert is_known_operator(bic) and is_valid_bic(bic), bic


def test_operator_choices_name_each_operator_with_its_code():
    assert [code for code, _ in operator_choices()] == [operator.code for operator in OPERATORS]
    for (code, label), operator in zip(operator_choices(), OPERATORS, strict=True):
        assert operator.name in label and code in label


@given(st.sampled_from(OPERATORS))
def test_known_operator_codes_pass_as_typed_in_lower_case_or_spaced(operator):
    for typed in (operator.code, operator.code.lower(), spaced(operator.code)):
        assert is_known_operator(typed)
        outcome = probe(OperatorCode(), typed)
        assert outcome.valid
        assert outcome.data == operator.code


@given(bics)
def test_any_bic_is_an_operator_code(bic):
    outcome = probe(OperatorCode(), bic.lower())
    assert outcome.valid
    assert outcome.data == bic


@given(business_ids)
def test_an_ovt_style_code_of_an_operator_not_listed_passes(business_id):
    assert probe(OperatorCode(), ovt_for(business_id)).valid


@given(business_id_digits, st.integers(1, 9))
def test_an_ovt_style_operator_code_with_a_wrong_check_digit_fails(digits, offset):
    code = f"0037{digits}{(business_id_check_digit(digits) + offset) % 10}"
    if not is_known_operator(code):
        outcome = probe(OperatorCode(), code)
        assert not outcome.valid
        assert outcome.errors == [str(OperatorCode.default_message)]


def test_operator_code_refuses_codes_of_the_wrong_length():
    for value in ("NDEAFIH", "NDEAFIHHX", "0037212911", "00372129112600"):
        assert not probe(OperatorCode(), value).valid, value
