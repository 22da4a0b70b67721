"""Choosing the contact for a role: one of the organisation's contacts, or a new one."""

from __future__ import annotations

from collections.abc import Collection

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField
from wtforms.validators import Length

from portal.contacts.models import Contact
from portal.forms.base import PortalForm
from portal.forms.validators import CertificateNumber, Email, MobilePhone, Phone
from portal.texts import lazy_gettext as _l

NEW = "new"


def contact_label(contact: Contact) -> str:
    return ", ".join(part for part in (contact.name, contact.email, contact.phone) if part)


class ContactFields(PortalForm):
    """A contact's own details; the same fields serve a new contact here and its editing later."""

    kind = RadioField(
        _l("Is the contact a person or an organisation point?"),
        widget=GovRadioInput(),
        choices=[("person", _l("A person")), ("point", _l("An organisation point, such as a helpdesk"))],
        validate_choice=False,  # checked in the form, where it is required
    )
    name = StringField(
        _l("Name"),
        widget=GovTextInput(),
        validators=[Length(max=200, message=_l("The name can be at most 200 characters"))],
    )
    email = StringField(_l("E-mail address"), widget=GovTextInput(), validators=[Email()])
    phone = StringField(_l("Phone number"), widget=GovTextInput())
    certificate_number = StringField(
        _l("Certificate number"), widget=GovTextInput(), validators=[CertificateNumber()]
    )


class RoleContactForm(ContactFields):
    contact = RadioField(_l("Contact"), widget=GovRadioInput(), choices=[], validate_choice=False)

    def __init__(
        self, *args, role: str, contacts: list[Contact], merging: dict[str, str] | None = None, **kwargs
    ):
        """``merging``: the organisations (business id → name) whose contacts are offered too (those
        that merge into a welfare area); their contacts are labelled with the organisation's name."""
        super().__init__(*args, **kwargs)
        self.role = role
        self.contacts = {str(c.id): c for c in contacts}
        merging = merging or {}

        def label(c: Contact) -> str:
            source = merging.get(c.organisation_business_id)
            return f"{contact_label(c)} ({source})" if source else contact_label(c)

        self.contact.choices = [(str(c.id), label(c)) for c in contacts] + [(NEW, _l("A new contact"))]
        if role != "archivist":
            del self.certificate_number
        # A mobile number for text messages, or any phone number.
        self.phone.validators = [MobilePhone()] if role == "disruption" else [Phone()]

    def validate(self, extra_validators=None) -> bool:
        chosen = self.contact.data
        if chosen != NEW:
            # Only the choice counts; what may have been typed in the hidden new-contact fields does not.
            for field in self.detail_fields():
                field.data, field.raw_data = None, []
        valid = super().validate(extra_validators)
        if chosen == NEW:
            return self._validate_new() and valid
        contact = self.contacts.get(chosen or "")
        if contact is None:
            self.contact.errors = [_l("Choose a contact, or add a new one")]
            return False
        missing = None
        if self.role == "disruption" and not contact.can_hold("disruption"):
            # A contact given for another role may have a landline, which takes no text messages.
            missing = _l(
                "%(name)s has no e-mail address or mobile phone number: "
                "choose another contact or add a new one",
                name=contact.name,
            )
        elif self.role == "archivist" and not contact.can_hold("archivist"):
            missing = _l(
                "%(name)s has no certificate number: choose another contact or add a new one",
                name=contact.name,
            )
        if missing:
            self.contact.errors = [missing]
            return False
        return valid

    def detail_fields(self):
        return [f for f in self if f.name not in ("contact", "csrf_token")]

    def _validate_new(self) -> bool:
        return require_details(self, {self.role})


def require_details(form: ContactFields, roles: Collection[str]) -> bool:
    """What a contact needs, on top of the format checks, to hold ``roles``: a kind, a name and an
    e-mail address always; a mobile phone for disruption notices; for an archivist, a person with a
    certificate number. Marks the fields that lack it; True when nothing does."""
    valid = True
    requirements = [
        (form.name, _l("Enter the name")),
        (form.email, _l("Enter the e-mail address")),
    ]
    if "disruption" in roles:
        requirements.append((form.phone, _l("Enter a mobile phone number that can receive text messages")))
    if "archivist" in roles:
        requirements.append((form.certificate_number, _l("Enter the certificate number")))
    if form.kind.data not in ("person", "point"):
        form.kind.errors = [_l("Choose whether the contact is a person or an organisation point")]
        valid = False
    elif "archivist" in roles and form.kind.data == "point":
        form.kind.errors = [_l("The archivist must be a person")]
        valid = False
    for field, message in requirements:
        if not field.data and not field.errors:
            field.errors = [message]
            valid = False
    return valid


class ContactForm(ContactFields):
    """A contact's details on their own (adding one, or editing one later), checked against the roles
    the contact holds or is to hold (``roles_to_hold``): the same rules as a new contact in the wizard."""

    def __init__(self, *args, roles: Collection[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.held_roles = frozenset(roles)

    def roles_to_hold(self) -> frozenset[str]:
        return self.held_roles

    def validate(self, extra_validators=None) -> bool:
        roles = self.roles_to_hold()
        self.phone.validators = [MobilePhone()] if "disruption" in roles else [Phone()]
        valid = super().validate(extra_validators)
        return require_details(self, roles) and valid
