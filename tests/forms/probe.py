"""Run one validator the way a posted form runs it: a plain WTForms form (no stripping, no CSRF)."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField


@dataclass
class Outcome:
    valid: bool
    data: object
    errors: list[str]


def probe(validator, value: str, business_id: str = "") -> Outcome:
    class ProbeForm(Form):
        value = StringField(validators=[validator])
        business_id = StringField()

    form = ProbeForm(MultiDict({"value": value, "business_id": business_id}))
    valid = form.validate()
    return Outcome(valid, form.value.data, [str(error) for error in form.value.errors])
