"""Base forms: every text a user types is taken without the whitespace around it.

``PortalForm`` is the form a page posts (CSRF from Flask-WTF). ``PortalSubform`` is for the rows of a
``FieldList``/``FormField``: WTForms binds a nested form's fields with the nested form's own Meta, so a plain
``wtforms.Form`` row would keep the spaces that its parent strips.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, PasswordField, StringField


def strip_whitespace(value: Any) -> Any:
    """Without the whitespace around it, and without NUL characters: PostgreSQL cannot store them in
    text, nobody types them, and a post carrying one would otherwise end in a 500."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class StripWhitespaceMeta:
    """Adds ``strip_whitespace`` before any filters of its own to every text field (StringField and its
    subclasses: TextAreaField, EmailField, TelField, SearchField, URLField, HiddenField), not to passwords."""

    def bind_field(self, form, unbound_field, options):
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            if len(unbound_field.args) > 2:
                raise TypeError(f"{field_class.__name__}: pass filters= by keyword in a PortalForm")
            # A new tuple: appending to the declared list would add one more filter on every instantiation.
            options = {**options, "filters": (strip_whitespace, *unbound_field.kwargs.get("filters", ()))}
        return super().bind_field(form, unbound_field, options)


class PortalForm(FlaskForm):
    class Meta(StripWhitespaceMeta):
        pass


class PortalSubform(Form):
    class Meta(StripWhitespaceMeta):
        pass
