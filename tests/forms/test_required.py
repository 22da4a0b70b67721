from __future__ import annotations

from hypothesis import given
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, IntegerField, StringField

from portal.forms.validators import Email, Required
from tests.forms.probe import probe
from tests.forms.strategies import any_text

MESSAGE = "Enter the post office"


def test_required_refuses_empty_and_whitespace_only_input():
    for value in ("", " ", "\t\n", "\u00a0\u2003"):
        outcome = probe(Required(MESSAGE), value)
        assert not outcome.valid
        assert outcome.errors == [MESSAGE]


def test_required_takes_any_visible_input():
    assert probe(Required(MESSAGE), " x ").valid


@given(any_text)
def test_required_fails_exactly_when_nothing_but_whitespace_was_entered(value):
    outcome = probe(Required(MESSAGE), value)
    assert outcome.valid == bool(value.strip())


def test_required_stops_the_format_validators_so_the_user_sees_one_message():
    class ContactForm(Form):
        email = StringField(validators=[Required("Enter the e-mail address"), Email()])

    form = ContactForm(MultiDict({"email": "  "}))
    assert not form.validate()
    assert [str(error) for error in form.email.errors] == ["Enter the e-mail address"]


def test_format_validators_alone_leave_an_optional_field_empty():
    class ContactForm(Form):
        email = StringField(validators=[Email()])

    assert ContactForm(MultiDict({"email": ""})).validate()
    assert ContactForm(MultiDict({})).validate()


class CountForm(Form):
    count = IntegerField(validators=[Required("Enter the number of units")])


def test_required_replaces_the_parse_error_of_an_empty_number_field():
    form = CountForm(MultiDict({"count": ""}))
    assert not form.validate()
    assert [str(error) for error in form.count.errors] == ["Enter the number of units"]


def test_required_leaves_the_parse_error_of_a_number_typed_wrong():
    form = CountForm(MultiDict({"count": "12x"}))
    assert not form.validate()
    assert "Enter the number of units" not in [str(error) for error in form.count.errors]
    assert form.count.errors


def test_required_counts_zero_as_an_answer():
    assert CountForm(MultiDict({"count": "0"})).validate()


def test_required_box_must_be_ticked():
    class AcceptForm(Form):
        accept = BooleanField(validators=[Required("Select the box to accept the service description")])

    assert not AcceptForm(MultiDict({})).validate()
    assert not AcceptForm(MultiDict({"accept": "false"})).validate()
    assert AcceptForm(MultiDict({"accept": "y"})).validate()
