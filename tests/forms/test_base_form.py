"""PortalForm and PortalSubform, posted inside a request of the portal app."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)

from portal.forms.base import PortalForm, PortalSubform
from portal.forms.validators import MobilePhone, PostalCode, Required


class PointForm(PortalSubform):
    oid = StringField()


class ContactForm(PortalForm):
    name = StringField(validators=[Required("Enter the name")])
    email = EmailField()
    notes = TextAreaField()
    code = StringField(filters=[lambda value: value.upper() if value else value])
    password = PasswordField()
    units = IntegerField()
    phone = StringField(validators=[MobilePhone()])
    postal_code = StringField(validators=[PostalCode()])
    points = FieldList(FormField(PointForm), min_entries=1)


POSTED = {
    "name": "  Maija Meikäläinen \t",
    "email": " maija@example.fi\n",
    "notes": "\n  first line\n  second line  \n",
    "code": "  abc ",
    "password": "  secret  ",
    "units": " 3 ",
    "phone": " 040 123 4567 ",
    "postal_code": " 00100 ",
    "points-0-oid": " 1.2.246.10.29584230.10.1 ",
}


def post(app, data):
    with app.test_request_context(method="POST", data=data):
        form = ContactForm()
        valid = form.validate()
        return form, valid


def test_text_fields_are_stripped_before_validation(app):
    form, valid = post(app, POSTED)
    assert valid, form.errors
    assert form.name.data == "Maija Meikäläinen"
    assert form.email.data == "maija@example.fi"
    assert form.notes.data == "first line\n  second line"
    assert form.postal_code.data == "00100"
    assert form.points[0].oid.data == "1.2.246.10.29584230.10.1"


def test_passwords_keep_their_spaces(app):
    form, _ = post(app, POSTED)
    assert form.password.data == "  secret  "


def test_a_fields_own_filters_run_on_the_stripped_text_and_are_not_added_again(app):
    for _ in range(3):
        form, _ = post(app, POSTED)
    assert form.code.data == "ABC"
    assert len(form.code.filters) == 2
    assert len(ContactForm.code.kwargs["filters"]) == 1


def test_whitespace_only_is_empty_for_required(app):
    form, valid = post(app, {**POSTED, "name": " \u00a0 "})
    assert not valid
    assert [str(error) for error in form.name.errors] == ["Enter the name"]


def test_mobile_phone_is_saved_in_e164(app):
    form, valid = post(app, POSTED)
    assert valid
    assert form.data["phone"] == "+358401234567"


def test_filters_given_by_position_are_refused_rather_than_left_unstripped(app):
    class Positional(PortalForm):
        name = StringField("Name", [], [str.upper])

    with app.test_request_context(method="POST", data={}), pytest.raises(TypeError):
        Positional()


def test_portal_form_checks_the_csrf_token_when_csrf_is_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with app.test_request_context(method="POST", data=POSTED):
        form = ContactForm()
        assert "csrf_token" in form
        assert not form.validate()
        assert form.csrf_token.errors


def test_portal_form_reads_explicit_formdata(app):
    with app.test_request_context():
        form = ContactForm(formdata=MultiDict(POSTED))
        assert form.validate(), form.errors
        assert form.phone.data == "+358401234567"
