"""The wizard's forms. Validation lives here; the views only read ``form.data``."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovTextInput,
)
from wtforms import BooleanField, FieldList, FormField, RadioField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from portal.applications.models import PROFILES, STORES
from portal.applications.summary import PROFILE_LABELS, STORES_LABELS
from portal.forms.base import PortalForm, PortalSubform
from portal.forms.validators import Email, Oid, Phone, PostalCode, Required
from portal.texts import lazy_gettext as _l

MAX_ROWS = 20


def _require(fields) -> bool:
    """Mark each empty field with its message; True when none was empty."""
    complete = True
    for field, message in fields:
        if not field.data and not field.errors:
            field.errors = [*field.errors, message]
            complete = False
    return complete


def _add_error(field_list: FieldList, index: int, name: str, message) -> None:
    """An error on a field of a row after the list was validated (its cached errors are refreshed)."""
    subform = field_list.entries[index].form
    subform[name].errors = [*subform[name].errors, message]
    subform._errors = None
    field_list.errors = [entry.errors for entry in field_list.entries]


class PointForm(PortalSubform):
    oid = StringField(
        _l("Connection point OID"),
        widget=GovTextInput(),
        validators=[Oid(), Length(max=200, message=_l("The OID can be at most 200 characters long"))],
    )
    name = StringField(
        _l("Name of the connection point"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("The name can be at most 200 characters long"))],
    )

    def is_empty(self) -> bool:
        return not (self.oid.data or self.name.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_empty():
            return valid  # an empty row is dropped
        return (
            _require(
                [
                    (self.oid, _l("Enter the connection point OID")),
                    (self.name, _l("Enter the name of the connection point")),
                ]
            )
            and valid
        )


class SystemForm(PortalSubform):
    product = StringField(
        _l("Product name"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("The product name can be at most 200 characters"))],
    )
    vendor = StringField(
        _l("Vendor"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("The vendor can be at most 200 characters"))],
    )
    version = StringField(
        _l("Version"),
        widget=GovTextInput(),
        validators=[Length(max=50, message=_l("The version can be at most 50 characters"))],
    )
    profile = RadioField(
        _l("Information-system profile"),
        widget=GovRadioInput(),
        choices=[(p, PROFILE_LABELS[p]) for p in PROFILES],
        validators=[Optional()],
        validate_choice=True,
    )
    stores = RadioField(
        _l("What is stored in the archive"),
        widget=GovRadioInput(),
        choices=[(s, STORES_LABELS[s]) for s in STORES],
        validators=[Optional()],
    )
    service_tasks = SelectMultipleField(
        _l("Service tasks"), widget=GovCheckboxesInput(), choices=[], validators=[Optional()]
    )

    social = False  # set by ConnectionForm: the social welfare archive asks more of each system

    def is_empty(self) -> bool:
        return not (self.product.data or self.vendor.data or self.version.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.is_empty():
            return valid
        required = [
            (self.product, _l("Enter the product name")),
            (self.vendor, _l("Enter the vendor")),
            (self.version, _l("Enter the version")),
        ]
        if self.social:
            required += [
                (self.profile, _l("Choose the information-system profile")),
                (self.stores, _l("Choose what is stored in the archive")),
                (self.service_tasks, _l("Choose at least one service task")),
            ]
        valid = _require(required) and valid
        if self.social:
            # Optional() lets an answer of spaces through unchecked, and a list of tasks whose first
            # is empty: only the options listed may be stored (the database refuses another profile).
            for field, message in required[3:]:
                answers = field.data if isinstance(field.data, list) else [field.data]
                listed = {value for value, _ in field.choices}
                if field.data and not field.errors and not set(answers) <= listed:
                    field.errors = [*field.errors, message]
                    valid = False
        return valid


class ConnectionForm(PortalForm):
    points = FieldList(FormField(PointForm), min_entries=1, max_entries=MAX_ROWS)
    systems = FieldList(FormField(SystemForm), min_entries=1, max_entries=MAX_ROWS)
    renewal_requests = RadioField(
        _l("Do you also take the renewal-request service into use?"),
        widget=GovRadioInput(),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validators=[Optional()],
    )
    unit_query = StringField(
        _l("Search for the receiving unit by name or OID"),
        widget=GovTextInput(),
        validators=[Length(max=200)],
    )
    unit = RadioField(
        _l("Unit that receives the renewal requests"),
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional()],
        validate_choice=False,
    )

    def __init__(self, *args, social: bool, eprescription: bool, task_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.social = social
        self.eprescription = eprescription
        for entry in self.systems:
            entry.form.service_tasks.choices = list(task_choices)
        if not eprescription:
            del self.renewal_requests, self.unit_query, self.unit

    def validate(self, extra_validators=None) -> bool:
        for entry in self.systems:
            entry.form.social = self.social
        valid = super().validate(extra_validators)
        points = [e.form for e in self.points if not e.form.is_empty()]
        if not points:
            _add_error(self.points, 0, "oid", _l("Enter at least one connection point"))
            valid = False
        if not any(not e.form.is_empty() for e in self.systems):
            _add_error(self.systems, 0, "product", _l("Enter at least one information system"))
            valid = False
        oids = [p.oid.data for p in points if p.oid.data]
        for index, entry in enumerate(self.points):
            oid = entry.form.oid
            if oid.data and oids.count(oid.data) > 1 and not oid.errors:
                _add_error(self.points, index, "oid", _l("Each connection point OID can be given only once"))
                valid = False
        if self.eprescription and self.renewal_requests.data not in ("yes", "no"):
            self.renewal_requests.errors = [
                _l("Choose whether you take the renewal-request service into use")
            ]
            valid = False
        if (
            self.eprescription
            and self.unit.data
            and self.unit.data not in {value for value, _ in self.unit.choices}
        ):
            # Only units of the register can be chosen; the choices are the search results. With no
            # results shown, the message goes to the search box, where the user can act on it.
            target = self.unit if self.unit.choices else self.unit_query
            target.errors = [_l("Choose the receiving unit from the search results")]
            valid = False
        self._errors = None  # the errors added here count too
        return valid

    def filled_points(self) -> list[dict]:
        return [
            {"oid": e.form.oid.data, "name": e.form.name.data} for e in self.points if not e.form.is_empty()
        ]

    def filled_systems(self) -> list[dict]:
        return [
            {
                "product": e.form.product.data,
                "vendor": e.form.vendor.data,
                "version": e.form.version.data,
                "profile": e.form.profile.data if self.social else None,
                "stores": e.form.stores.data if self.social else None,
                "service_tasks": list(e.form.service_tasks.data or []) if self.social else [],
            }
            for e in self.systems
            if not e.form.is_empty()
        ]


class CustomerForm(PortalForm):
    street_address = StringField(
        _l("Street address"),
        widget=GovTextInput(),
        validators=[
            Required(_l("Enter the street address")),
            Length(max=200, message=_l("The address can be at most 200 characters")),
        ],
    )
    postal_code = StringField(
        _l("Postcode"), widget=GovTextInput(), validators=[Required(_l("Enter the postcode")), PostalCode()]
    )
    post_office = StringField(
        _l("Post office"),
        widget=GovTextInput(),
        validators=[
            Required(_l("Enter the post office")),
            Length(max=100, message=_l("The post office can be at most 100 characters")),
        ],
    )
    phone = StringField(
        _l("Phone number"),
        widget=GovTextInput(),
        validators=[Required(_l("Enter the phone number")), Phone()],
    )
    decision_email = StringField(
        _l("E-mail address for the decision"),
        widget=GovTextInput(),
        validators=[Required(_l("Enter the e-mail address for the decision")), Email()],
    )


class DescriptionForm(PortalForm):
    accept = BooleanField(
        _l("I have read the service description and accept it"),
        widget=GovCheckboxInput(),
        validators=[Required(_l("Select the box to accept the service description"))],
    )


class CommitmentForm(PortalForm):
    sign = BooleanField(
        _l("I have read the commitment form and sign it"),
        widget=GovCheckboxInput(),
        validators=[Required(_l("Select the box to sign the commitment"))],
    )


class StartForm(PortalForm):
    """The "Start" button: only the CSRF token."""


class SendForm(PortalForm):
    """The "Send" button: only the CSRF token."""
