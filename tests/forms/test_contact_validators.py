"""MobilePhone, Phone, Email, MaxLength."""

from __future__ import annotations

import phonenumbers
from hypothesis import given
from hypothesis import strategies as st

from portal.forms.validators import Email, MaxLength, MobilePhone, Phone
from tests.forms.probe import probe
from tests.forms.strategies import mobile_parts, mobiles

MOBILE_MESSAGE = (
    "Enter a mobile phone number that can receive text messages, like 040 123 4567 or +358 40 123 4567"
)


def test_the_examples_in_the_phone_messages_pass():
    for validator in (MobilePhone(), Phone()):
        message = str(validator.message)
        for example in message.split("like ", 1)[1].split(" or "):
            assert probe(validator, example).valid, example


@given(mobiles)
def test_finnish_mobile_numbers_are_stored_in_e164(typed_and_e164):
    typed, e164 = typed_and_e164
    for validator in (MobilePhone(), Phone()):
        outcome = probe(validator, typed)
        assert outcome.valid, typed
        assert outcome.data == e164


def test_international_mobile_numbers_are_stored_in_e164():
    for region in ("SE", "EE", "DE", "GB"):
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
        typed = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        outcome = probe(MobilePhone(), typed)
        assert outcome.valid, typed
        assert outcome.data == e164


def test_landline_is_refused_as_a_mobile_but_taken_as_a_phone():
    landline = phonenumbers.example_number_for_type("FI", phonenumbers.PhoneNumberType.FIXED_LINE)
    typed = phonenumbers.format_number(landline, phonenumbers.PhoneNumberFormat.NATIONAL)
    outcome = probe(MobilePhone(), typed)
    assert not outcome.valid
    assert outcome.errors == [MOBILE_MESSAGE]
    assert outcome.data == typed  # left as typed, so the page shows what was entered
    phone = probe(Phone(), typed)
    assert phone.valid
    assert phone.data == phonenumbers.format_number(landline, phonenumbers.PhoneNumberFormat.E164)


@given(mobile_parts)
def test_mobile_numbers_written_with_letters_links_or_extensions_are_refused(parts):
    prefix, subscriber = parts
    letters = subscriber[:3] + "ABCD"  # phonenumbers itself would read letters as keypad digits
    link = f"tel:+358{prefix[1:]}{subscriber}"
    for typed in (f"{prefix} {letters}", link, f"{prefix} {subscriber} ext. 12"):
        assert not probe(MobilePhone(), typed).valid, typed
        assert not probe(Phone(), typed).valid, typed


@given(mobile_parts)
def test_mobile_numbers_too_short_or_too_long_are_refused(parts):
    prefix, subscriber = parts
    for typed in (prefix + subscriber[:2], prefix + subscriber + subscriber):
        assert not probe(MobilePhone(), typed).valid, typed


def test_email_addresses_people_mistype_are_refused():
    for value in (
        "name",
        "name@",
        "@example.com",
        "name@example",
        "name@@example.com",
        "name@example..com",
        "name.@example.com",
        "na me@example.com",
        "name@example.com.",
        "name@-example.com",
        "name@example.c",
        "name@example.com\n",
        "name,other@example.com",
    ):
        outcome = probe(Email(), value)
        assert not outcome.valid, repr(value)
        assert outcome.errors == ["Enter an e-mail address in the correct format, like name@example.com"]


def test_email_domain_may_be_internationalised():
    assert probe(Email(), "kirjaamo@hyvinvointialue-pohjanmaa.fi").valid
    assert probe(Email(), "kirjaamo@päijät-häme.fi").valid


def test_email_address_may_have_254_characters_and_not_255():
    local, tld = "a" * 64, ".fi"
    labels = ["b" * 63, "c" * 63]
    labels.append("d" * (254 - len(local) - len("@") - sum(len(label) + 1 for label in labels) - len(tld)))
    address = f"{local}@{'.'.join(labels)}{tld}"
    assert len(address) == 254
    assert probe(Email(), address).valid
    assert not probe(Email(), "a" + address).valid


def test_email_local_part_and_domain_labels_have_their_own_caps():
    assert probe(Email(), f"{'a' * 64}@{'b' * 63}.fi").valid
    assert not probe(Email(), f"{'a' * 65}@example.fi").valid
    assert not probe(Email(), f"name@{'b' * 64}.fi").valid


@given(st.integers(0, 300), st.integers(1, 300))
def test_max_length_counts_characters(length, limit):
    outcome = probe(MaxLength(limit), "ä" * length)
    assert outcome.valid == (length <= limit)
    if length > limit:
        assert outcome.errors == [f"Enter {limit} characters or fewer"]


def test_max_length_message_may_name_the_field():
    outcome = probe(MaxLength(5, "The name can be at most %(max)d characters long"), "abcdef")
    assert outcome.errors == ["The name can be at most 5 characters long"]
