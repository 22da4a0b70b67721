"""Kela's forms for a welfare-area re-join."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length

from portal.forms.base import PortalForm
from portal.forms.validators import BusinessId, FileChosen, Required
from portal.texts import lazy_gettext as _l

FILE_DESCRIPTION = _l(
    "One row per connection point or system of a service, with the columns palvelu, liityntäpisteen oid, "
    "liityntäpisteen nimi, järjestelmä, toimittaja and versio (in English: service, connection point oid, "
    "connection point name, system, vendor, version). CSV (UTF-8) or Excel workbook (.xlsx)."
)


FILE_CHOSEN = FileChosen(_l("Choose the file of the technical joining data"))


class PrepareForm(PortalForm):
    area = StringField(
        _l("Business ID of the welfare area"),
        description=_l(
            "The business ID of the welfare area's new organisation in the register, for example 3221311-5"
        ),
        widget=GovTextInput(),
        validators=[Required(_l("Enter the business ID of the welfare area")), BusinessId()],
    )
    old_units = TextAreaField(
        _l("Business IDs of the organisations that merge into it"),
        description=_l("One per line. Their commitments are ended after the transition period."),
        widget=GovTextArea(),
        validators=[
            Required(_l("Enter the business IDs of the organisations that merge into the welfare area")),
            Length(max=40_000, message=_l("The list can be at most 40,000 characters")),
        ],
    )
    file = FileField(
        _l("Technical joining data"), description=FILE_DESCRIPTION, widget=GovFileInput(),
        validators=[FILE_CHOSEN],
    )  # fmt: skip
    old_archiving = BooleanField(
        _l("Some of these organisations use the old patient data archiving"),
        description=_l(
            "The welfare area then also accepts the service description of old patient data archiving."
        ),
        widget=GovCheckboxInput(),
    )


class TechnicalForm(PortalForm):
    file = FileField(
        _l("Technical joining data"), description=FILE_DESCRIPTION, widget=GovFileInput(),
        validators=[FILE_CHOSEN],
    )  # fmt: skip


class SendForm(PortalForm):
    """The "Send to the welfare area" button: only the CSRF token."""


class OldArchivingForm(PortalForm):
    accept = BooleanField(
        _l("I have read the service description of old patient data archiving and accept it"),
        widget=GovCheckboxInput(),
        validators=[Required(_l("Select the box to accept the service description"))],
    )


class EndForm(PortalForm):
    confirm = BooleanField(
        _l("The transition period is over: end the commitments of the old organisations"),
        widget=GovCheckboxInput(),
        validators=[Required(_l("Select the box to confirm that the transition period is over"))],
    )
