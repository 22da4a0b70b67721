"""The forms of a service in use: the wizard's contact and billing forms, each with what the page saw
when it was opened (the role's holder, the contact's version, the billing details' version), so that a
save made on top of someone else's is refused rather than silently overwriting it."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from wtforms import HiddenField, RadioField, SelectMultipleField
from wtforms.validators import ValidationError

from portal.applications.catalogue import ROLE_TITLES, SERVICES_BY_KEY
from portal.billing.forms import BillingForm
from portal.contacts.forms import ContactForm, RoleContactForm, contact_label
from portal.contacts.models import Contact
from portal.forms.base import PortalForm
from portal.texts import lazy_gettext as _l


def seen_number(field: HiddenField) -> int | None:
    """The whole number a hidden field carried back, or None (missing or tampered with)."""
    value = field.data
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def show_number(field: HiddenField, value: int | str | None) -> None:
    """Put ``value`` in a hidden field, replacing what was posted (it renders from the posted value)."""
    field.data = "" if value is None else str(value)
    field.raw_data = [field.data]


class ServiceRoleForm(RoleContactForm):
    """The wizard's choice of a contact for a role, and the contact that held the role when the page
    was opened."""

    holder = HiddenField()

    def detail_fields(self):
        return [f for f in super().detail_fields() if f.name != "holder"]


class EditContactForm(ContactForm):
    version = HiddenField()


class NewContactForm(ContactForm):
    """A new contact of the organisation, optionally given roles in the service at once."""

    take_roles = SelectMultipleField(
        _l("Roles in this service (optional)"), widget=GovCheckboxesInput(), choices=[], validate_choice=False
    )

    def __init__(self, *args, service_roles: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.take_roles.choices = [(role, ROLE_TITLES[role]) for role in service_roles]

    def roles_to_hold(self) -> frozenset[str]:
        offered = {value for value, _label in self.take_roles.choices}
        return frozenset(role for role in self.take_roles.data or () if role in offered)

    def validate_take_roles(self, field) -> None:
        offered = {value for value, _label in field.choices}
        if any(role not in offered for role in field.data or ()):
            raise ValidationError(_l("Choose only roles from the list"))


class ServiceBillingForm(BillingForm):
    version = HiddenField()


class DeleteContactForm(PortalForm):
    """The confirmation of a deletion: the version of the contact that was shown, and who takes over
    each role that would otherwise be left empty (one radio field per role, added per request)."""

    version = HiddenField()

    @classmethod
    def for_slots(cls, slots, candidates: dict[str, list[Contact]]) -> DeleteContactForm:
        """The form with a replacement field per slot (named by ``slot.key``), offering the contacts
        that can hold the slot's role."""
        fields = {
            slot.key: RadioField(
                _l(
                    "Who takes over as %(role)s in %(service)s?",
                    role=str(ROLE_TITLES[slot.role]).lower(),
                    service=SERVICES_BY_KEY[slot.service].name,
                ),
                widget=GovRadioInput(),
                choices=[(str(c.id), contact_label(c)) for c in candidates[slot.role]],
                validate_choice=False,
            )
            for slot in slots
        }
        form_class = type("DeleteContactSlotsForm", (cls,), fields)
        form = form_class()
        form.slots = list(slots)
        form.candidates = {role: {str(c.id): c for c in contacts} for role, contacts in candidates.items()}
        return form

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for slot in self.slots:
            field = self[slot.key]
            if field.data not in self.candidates[slot.role]:
                field.errors = [
                    _l("Choose who takes over as %(role)s", role=str(ROLE_TITLES[slot.role]).lower())
                ]
                valid = False
        return valid

    def replacements(self) -> dict[str, Contact]:
        """Slot key → the contact chosen to take it over (after a successful validate)."""
        return {slot.key: self.candidates[slot.role][self[slot.key].data] for slot in self.slots}
