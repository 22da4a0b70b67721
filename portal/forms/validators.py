"""WTForms validators for the identifiers and contact details the portal's forms take.

Every message says what to do and can be replaced per field, where the noun differs::

    oid = StringField(_l("Connection point OID"), validators=[
        Required(_l("Enter the connection point OID")),
        Oid(_l("Enter the connection point OID in the form 1.2.246.10.12345678.10.1")),
    ])

``Required`` is the only one that fails on empty input; the format validators pass on it, so an optional
field takes them alone. The normalising ones (phone numbers, certificate number, e-invoice address,
operator code) replace ``field.data`` with the form to store, so a view saves ``form.data`` as it is.
They check the data as it is, so use them on a ``PortalForm`` (which strips the whitespace around text).
"""

from __future__ import annotations

from typing import Any

from wtforms import Field, Form
from wtforms.validators import StopValidation, ValidationError

from portal.billing.operators import is_known_operator
from portal.identifiers import (
    compact_iban,
    compact_ovt,
    is_valid_bic,
    is_valid_business_id,
    is_valid_certificate_number,
    is_valid_email,
    is_valid_iban,
    is_valid_oid,
    is_valid_ovt,
    is_valid_postal_code,
    normalise_certificate_number,
    normalise_mobile,
    normalise_phone,
)
from portal.texts import lazy_gettext as _l


def is_blank(value: Any) -> bool:
    """Nothing entered: None, whitespace only, an unticked box, an empty list or upload. 0 is an answer."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return False
    return not value


class Required:
    """Fails, and stops the field's other validators, when nothing was entered (whitespace counts as
    nothing). Like ``InputRequired``, but a field that could not read what was typed ("12x" in an
    IntegerField) keeps its own error rather than being told to enter something."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if not is_blank(field.data):
            return
        raw = getattr(field, "raw_data", None) or []
        if field.process_errors and any(not is_blank(value) for value in raw):
            return
        field.errors[:] = []
        raise StopValidation(self.message)


class FormatValidator:
    """Passes on empty data; otherwise ``clean`` returns the value to keep, or None when it is not valid."""

    default_message: Any = None

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data
        if is_blank(value):
            return
        cleaned = self.clean(value, form) if isinstance(value, str) else None
        if cleaned is None:
            raise ValidationError(self.message)
        field.data = cleaned

    def clean(self, value: str, form: Form) -> str | None:
        raise NotImplementedError


def _plain(value: str) -> bool:
    """ASCII without control characters: what an identifier typed on a keyboard looks like."""
    return value.isascii() and value.isprintable()


class Oid(FormatValidator):
    default_message = _l("Enter the OID in the form 1.2.246.10.12345678.10.1")

    def clean(self, value: str, form: Form) -> str | None:
        return value if _plain(value) and is_valid_oid(value) else None


class BusinessId(FormatValidator):
    default_message = _l("Enter a business ID in the form 1234567-1")

    def clean(self, value: str, form: Form) -> str | None:
        return value if is_valid_business_id(value) else None


class EInvoiceAddress(FormatValidator):
    """An OVT address (stored without spaces) or an IBAN (stored compact, upper-case). With
    ``business_id_field``, an OVT address must carry that field's business id, once that is valid."""

    default_message = _l(
        "Enter the e-invoice address in the correct format, like 003712345671, "
        "or an IBAN, like FI21 1234 5600 0007 85"
    )
    default_mismatch_message = _l(
        "Enter an e-invoice address made of 0037 and the organisation's business ID without the hyphen, "
        "or an IBAN"
    )

    def __init__(
        self,
        business_id_field: str | None = None,
        message: str | None = None,
        mismatch_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.business_id_field = business_id_field
        self.mismatch_message = (
            mismatch_message if mismatch_message is not None else self.default_mismatch_message
        )

    def clean(self, value: str, form: Form) -> str | None:
        if is_valid_iban(value):
            return compact_iban(value)
        ovt = compact_ovt(value)
        if not is_valid_ovt(ovt):
            return None
        business_id = self._business_id(form)
        if business_id is not None and not is_valid_ovt(ovt, business_id):
            raise ValidationError(self.mismatch_message)
        return ovt

    def _business_id(self, form: Form) -> str | None:
        """The other field's business id; None when it has none or an invalid one (that field says so)."""
        if self.business_id_field is None:
            return None
        value = form[self.business_id_field].data
        if isinstance(value, str) and is_valid_business_id(value.strip()):
            return value.strip()
        return None


class OperatorCode(FormatValidator):
    """A known operator's code, a bank's BIC, or an OVT-style code (``0037`` + a valid business id), as
    integrations.md allows; stored without spaces, upper-case."""

    default_message = _l(
        "Enter the e-invoice operator code, like 003721291126, or the bank's BIC, like NDEAFIHH"
    )

    def clean(self, value: str, form: Form) -> str | None:
        code = "".join(value.split()).upper()
        if not _plain(code):
            return None
        if is_known_operator(code) or is_valid_bic(code) or (len(code) == 12 and is_valid_ovt(code)):
            return code
        return None


class MobilePhone(FormatValidator):
    """A number that can receive text messages; stored in E.164 (``+358401234567``)."""

    default_message = _l(
        "Enter a mobile phone number that can receive text messages, like 040 123 4567 or +358 40 123 4567"
    )

    def clean(self, value: str, form: Form) -> str | None:
        return normalise_mobile(value)


class Phone(FormatValidator):
    """Any valid phone number, Finnish unless it starts with + or 00; stored in E.164."""

    default_message = _l("Enter a phone number, like 09 123 4567 or +358 40 123 4567")

    def clean(self, value: str, form: Form) -> str | None:
        return normalise_phone(value)


class CertificateNumber(FormatValidator):
    """The archivist's 11-character certificate number; stored without spaces, upper-case."""

    default_message = _l("Enter the 11-character certificate number from the front of the certificate card")

    def clean(self, value: str, form: Form) -> str | None:
        return normalise_certificate_number(value) if is_valid_certificate_number(value) else None


class PostalCode(FormatValidator):
    default_message = _l("Enter a postcode of five digits, like 00100")

    def clean(self, value: str, form: Form) -> str | None:
        return value if is_valid_postal_code(value) else None


class Email(FormatValidator):
    default_message = _l("Enter an e-mail address in the correct format, like name@example.com")

    def clean(self, value: str, form: Form) -> str | None:
        return value if is_valid_email(value) else None


class FileChosen:
    """A file field to which a file was given (a browser posts an empty part when none was chosen)."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None or not getattr(field.data, "filename", None):
            raise ValidationError(self.message)


class MaxLength:
    """At most ``max`` characters. The message may use ``%(max)d``."""

    def __init__(self, max: int, message: str | None = None) -> None:
        self.max = max
        self.message = message if message is not None else _l("Enter %(max)d characters or fewer")

    def __call__(self, form: Form, field: Field) -> None:
        value = field.data
        if isinstance(value, str) and len(value) > self.max:
            raise ValidationError(self.message % {"max": self.max})
