"""Billing details: a billing address, or an e-invoice address with its operator."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length

from portal.billing.operators import operator_choices
from portal.forms.base import PortalForm
from portal.forms.validators import (
    BusinessId,
    EInvoiceAddress,
    OperatorCode,
    PostalCode,
    Required,
    is_blank,
)
from portal.texts import lazy_gettext as _l


class BillingForm(PortalForm):
    business_id = StringField(
        _l("Business ID of the payer"),
        widget=GovTextInput(),
        validators=[Required(_l("Enter the business ID")), BusinessId()],
    )
    method = RadioField(
        _l("How do you want to receive invoices?"),
        widget=GovRadioInput(),
        choices=[("einvoice", _l("E-invoice")), ("address", _l("Paper invoice to a billing address"))],
        validators=[Required(_l("Choose how you want to receive invoices"))],
    )
    einvoice_address = StringField(
        _l("E-invoice address"),
        widget=GovTextInput(),
        validators=[EInvoiceAddress(business_id_field="business_id")],
    )
    operator_code = SelectField(
        _l("Operator"), widget=GovSelect(), choices=[], validate_choice=False, validators=[OperatorCode()]
    )
    street_address = StringField(
        _l("Street address"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("The address can be at most 200 characters"))],
    )
    postal_code = StringField(_l("Postcode"), widget=GovTextInput(), validators=[PostalCode()])
    post_office = StringField(
        _l("Post office"),
        widget=GovTextInput(),
        validators=[Length(max=100, message=_l("The post office can be at most 100 characters"))],
    )
    reference = StringField(
        _l("Reference (optional)"),
        widget=GovTextInput(),
        validators=[Length(max=70, message=_l("The reference can be at most 70 characters"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.operator_code.choices = [("", _l("Choose the operator")), *operator_choices()]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.method.data == "einvoice":
            required = [
                (self.einvoice_address, _l("Enter the e-invoice address")),
                (self.operator_code, _l("Choose the operator")),
            ]
        elif self.method.data == "address":
            required = [
                (self.street_address, _l("Enter the street address")),
                (self.postal_code, _l("Enter the postcode")),
                (self.post_office, _l("Enter the post office")),
            ]
        else:
            required = []
        for field, message in required:
            # is_blank: the operator (a select, whose answer is not stripped) may be posted as spaces.
            if is_blank(field.data) and not field.errors:
                field.errors = [message]
                valid = False
        return valid
