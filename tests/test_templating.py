"""The fast text input (``portal.templating.text_input``) gives the same markup as the govukInput macro
that it stands in for, whatever the field holds and whichever parameters a template passes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import StringField

from portal.forms.base import PortalForm
from portal.forms.validators import Required
from portal.templating import _translating_render, text_input, translate_params


class Form(PortalForm):
    name = StringField("Name <b>", widget=GovTextInput(), validators=[Required("Enter a <name>")])
    described = StringField("Described", widget=GovTextInput(), description="From the field & more")


class Tree(HTMLParser):
    """Elements, their attributes (class split into a set) and their text, whitespace aside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "class" in attrs:
            attrs["class"] = " ".join(sorted(attrs["class"].split()))
        self.events.append(("start", tag, tuple(sorted(attrs.items()))))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            if self.events and self.events[-1][0] == "text":
                self.events[-1] = ("text", f"{self.events[-1][1]} {text}")
            else:
                self.events.append(("text", text))


def tree(html: str) -> list[tuple]:
    parser = Tree()
    parser.feed(str(html))
    return parser.events


def by_macro(field, params: dict) -> str:
    widget = field.widget
    return _translating_render(widget, widget.render)(
        translate_params(widget, widget.map_gov_params(field, **_macro_kwargs(field, params)))
    )


def _macro_kwargs(field, params: dict) -> dict:
    kwargs = {"id": field.id, "type": "text", "value": field._value()}
    if params:
        kwargs["params"] = dict(params)
    return kwargs


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
PARAMS = st.fixed_dictionaries(
    {},
    optional={
        "classes": st.sampled_from(["govuk-input--width-5", "govuk-input--width-20 extra"]),
        "hint": st.fixed_dictionaries({"text": texts}, optional={"classes": st.just("govuk-hint--s")}),
        "label": st.fixed_dictionaries(
            {}, optional={"text": texts, "classes": st.just("govuk-label--l"), "isPageHeading": st.booleans()}
        ),
        "autocomplete": st.sampled_from(["tel", "email", "street-address"]),
        "spellcheck": st.booleans(),
        "inputmode": st.sampled_from(["numeric", "email"]),
        "type": st.sampled_from(["text", "email", "tel"]),
        "formGroup": st.fixed_dictionaries({"classes": st.just("app-group")}),
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(value=texts, params=PARAMS, validate=st.booleans(), which=st.sampled_from(["name", "described"]))
def test_text_input_is_the_macros_markup(app, value, params, validate, which):
    with app.test_request_context(method="POST", data={"name": value, "described": value}):
        form = Form()
        if validate:
            form.validate()
        field = form[which]
        fast = text_input(field, params)
        assert fast is not None
        assert tree(fast) == tree(by_macro(field, params))


@pytest.mark.parametrize(
    "params",
    [
        {"prefix": {"text": "€"}},
        {"label": {"text": "x", "attributes": {"data-x": "1"}}},
        {"hint": {"text": "x", "attributes": {"data-x": "1"}}},
        {"formGroup": {"beforeInput": {"text": "x"}}},
        {"describedBy": "other"},
    ],
)
def test_other_parameters_go_through_the_macro(app, params):
    with app.test_request_context():
        assert text_input(Form().name, params) is None
