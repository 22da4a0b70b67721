"""Kela staff's forms: the filters of the queue, the audit log and the outbox (GET forms, so that a
filtered list has a URL to share), and the decisions on an application."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSelect, GovTextInput
from wtforms import Field, Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from portal.applications.catalogue import SERVICES
from portal.forms.base import PortalForm
from portal.forms.validators import BusinessId, Required, is_blank
from portal.outbox.models import STATES
from portal.reviews.queries import SENT_STATUSES, AuditFilters, QueueFilters
from portal.texts import lazy_gettext as _l

MAX_MESSAGE = 4000
MAX_SEARCH = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PAGE = 1_000_000

STATUS_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for a decision"),
    "returned": _l("Returned for completion"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
DECISION_LABELS = {
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "return": _l("Returned for completion"),
}
STATE_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "retrying": _l("Retrying"),
    "failed": _l("Failed"),
}
SORT_LABELS = {
    "submitted": _l("Date sent"),
    "organisation": _l("Organisation"),
    "service": _l("Service"),
}
# The kinds of audit events, as staff read them. A kind missing here shows as it is stored.
EVENT_LABELS = {
    "sign_in": _l("Signed in"),
    "sign_in_refused": _l("Sign-in refused"),
    "sign_out": _l("Signed out"),
    "access_refused": _l("Access refused"),
    "organisation_chosen": _l("Organisation chosen"),
    "organisation_switched": _l("Organisation switched"),
    "application_started": _l("Application started"),
    "application_step_saved": _l("Application step saved"),
    "application_contact_set": _l("Contact of an application set"),
    "application_submitted": _l("Application sent"),
    "application_approved": _l("Application approved"),
    "application_rejected": _l("Application rejected"),
    "application_returned": _l("Application returned for completion"),
    "customership_created": _l("Kanta customership created"),
    "service_activated": _l("Service activated"),
    "outbox_retried": _l("E-mail sent again"),
    "rejoin_prepared": _l("Welfare-area re-join prepared"),
    "rejoin_technical_replaced": _l("Technical joining data of a re-join replaced"),
    "rejoin_sent": _l("Welfare-area re-join sent to the area"),
    "rejoin_old_archiving_accepted": _l("Service description of old patient data archiving accepted"),
    "rejoin_old_commitments_ended": _l("Old commitments of a re-join ended"),
    "customership_ended": _l("Kanta customership ended"),
}

DATE_FORMAT = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})|(\d{4})-(\d{2})-(\d{2})")


# --- fields and validators ----------------------------------------------------------------------------


class OneOf:
    """The value is one of ``values`` (the empty value included, when it is one of them)."""

    def __init__(self, values: list[str], message: Any) -> None:
        self.values = frozenset(values)
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data not in self.values:
            raise ValidationError(self.message)


def choice_field(label: Any, choices: list[tuple[str, Any]], message: Any, default: str = "") -> SelectField:
    """A select whose value must be one of ``choices``, with our message when it is not (a posted value
    that is not on the list, by a crafted URL or an old bookmark)."""
    return SelectField(
        label,
        widget=GovSelect(),
        choices=[SelectChoice(value, label) for value, label in choices],
        default=default,
        validate_choice=False,
        validators=[OneOf([value for value, _label in choices], message)],
    )


class DayField(StringField):
    """A day typed as in Finland ("1.3.2026") or in ISO form ("2026-03-01"); ``day`` holds the date once
    the form has validated."""

    widget = GovTextInput()
    day: date | None = None

    def pre_validate(self, form: Form) -> None:
        self.day = None
        if is_blank(self.data):
            return
        match = DATE_FORMAT.fullmatch(self.data) if self.data.isascii() else None
        if match is None:
            raise ValidationError(_l("Enter the date in the form 1.3.2026"))
        day, month, year = (match[1], match[2], match[3]) if match[1] else (match[6], match[5], match[4])
        try:
            parsed = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(_l("Enter a real date, like 1.3.2026")) from None
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
            raise ValidationError(
                _l("Enter a year from %(first)d to %(last)d", first=FIRST_YEAR, last=LAST_YEAR)
            )
        self.day = parsed


class PageField(HiddenField):
    """The page of a list, from the pagination links: anything that is not a page number is page 1 (the
    field is never shown, so it never has an error to show)."""

    number: int = 1

    def post_validate(self, form: Form, validation_stopped: bool) -> None:
        value = self.data if isinstance(self.data, str) else ""
        self.number = int(value) if value.isascii() and value.isdigit() and len(value) < 8 else 1
        self.number = min(max(1, self.number), MAX_PAGE)


def later_than(form: Form, first: DayField, last: DayField) -> bool:
    if first.day and last.day and last.day < first.day:
        last.errors.append(_l("The end date must be the same as or after the start date"))
        return False
    return True


class FilterForm(PortalForm):
    """A GET form: read from the query string, no CSRF token (it changes nothing)."""

    class Meta(PortalForm.Meta):
        csrf = False

    page = PageField()

    def __init__(self, args, **kwargs) -> None:
        super().__init__(formdata=args, **kwargs)


# --- the queue ----------------------------------------------------------------------------------------


class QueueFilterForm(FilterForm):
    service = choice_field(
        _l("Service"),
        [("", _l("All services")), *((s.key, s.name) for s in SERVICES)],
        _l("Choose a service from the list"),
    )
    status = choice_field(
        _l("Status"),
        [*((status, STATUS_LABELS[status]) for status in SENT_STATUSES), ("all", _l("All statuses"))],
        _l("Choose a status from the list"),
        default="submitted",
    )
    organisation = StringField(
        _l("Organisation"),
        description=_l("Name or part of it, business ID or OID"),
        widget=GovTextInput(),
        validators=[Length(max=MAX_SEARCH, message=_l("Enter at most 200 characters"))],
    )
    submitted_from = DayField(_l("Sent on or after"), description=_l("For example 1.3.2026"))
    submitted_to = DayField(_l("Sent on or before"), description=_l("For example 31.3.2026"))
    sort = choice_field(
        _l("Sort by"), list(SORT_LABELS.items()), _l("Choose how to sort from the list"), default="submitted"
    )
    order = choice_field(
        _l("Order"),
        [("asc", _l("Oldest or A first")), ("desc", _l("Newest or Z first"))],
        _l("Choose the order from the list"),
        default="asc",
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return later_than(self, self.submitted_from, self.submitted_to) and valid

    def filters(self) -> QueueFilters:
        return QueueFilters(
            service=self.service.data or None,
            status=None if self.status.data == "all" else self.status.data,
            organisation=self.organisation.data or None,
            submitted_from=self.submitted_from.day,
            submitted_to=self.submitted_to.day,
            sort=self.sort.data,
            descending=self.order.data == "desc",
        )


# --- the audit log and the outbox -----------------------------------------------------------------------


class AuditFilterForm(FilterForm):
    business_id = StringField(
        _l("Organisation's business ID"),
        description=_l("For example 1234567-1"),
        widget=GovTextInput(),
        validators=[BusinessId()],
    )
    person = StringField(
        _l("Person"),
        description=_l("Name or part of it"),
        widget=GovTextInput(),
        validators=[Length(max=MAX_SEARCH, message=_l("Enter at most 200 characters"))],
    )
    kind = choice_field(
        _l("Event"),
        [("", _l("All events")), *EVENT_LABELS.items()],
        _l("Choose an event from the list"),
    )
    date_from = DayField(_l("On or after"), description=_l("For example 1.3.2026"))
    date_to = DayField(_l("On or before"), description=_l("For example 31.3.2026"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return later_than(self, self.date_from, self.date_to) and valid

    def filters(self) -> AuditFilters:
        return AuditFilters(
            business_id=self.business_id.data or None,
            person=self.person.data or None,
            kind=self.kind.data or None,
            date_from=self.date_from.day,
            date_to=self.date_to.day,
        )


class OutboxFilterForm(FilterForm):
    state = choice_field(
        _l("State"),
        [("", _l("All states")), *((state, STATE_LABELS[state]) for state in STATES)],
        _l("Choose a state from the list"),
    )


class RetryForm(PortalForm):
    """The "Retry" button of a failed e-mail: only the CSRF token."""


# --- decisions ----------------------------------------------------------------------------------------


class DecisionForm(PortalForm):
    """A decision on the round of the application that the reviewer saw (``round``, hidden): if the
    application has been decided, or sent again, since the page was loaded, the decision is refused."""

    round = HiddenField()
    round_number: int | None = None

    def validate_round(self, field: Field) -> None:
        value = field.data if isinstance(field.data, str) else ""
        if not (value.isascii() and value.isdigit() and len(value) < 8):
            raise ValidationError(_l("The page was out of date. Check the application and decide again."))
        self.round_number = int(value)

    def message_text(self) -> str:
        return ""


class ApproveForm(DecisionForm):
    pass


class RejectForm(DecisionForm):
    message = TextAreaField(
        _l("Reason for the rejection"),
        description=_l("The customer reads this in the decision e-mail."),
        widget=GovCharacterCount(),
        validators=[
            Required(_l("Enter the reason for the rejection")),
            Length(max=MAX_MESSAGE, message=_l("The reason can be at most 4000 characters")),
        ],
    )

    def message_text(self) -> str:
        return self.message.data


class ReturnForm(DecisionForm):
    message = TextAreaField(
        _l("What the customer must complete"),
        description=_l("The customer reads this in the e-mail and at the top of the application."),
        widget=GovCharacterCount(),
        validators=[
            Required(_l("Enter a message saying what the customer must complete")),
            Length(max=MAX_MESSAGE, message=_l("The message can be at most 4000 characters")),
        ],
    )

    def message_text(self) -> str:
        return self.message.data


DECISION_FORMS: dict[str, type[DecisionForm]] = {
    "approve": ApproveForm,
    "reject": RejectForm,
    "return": ReturnForm,
}


def decision_forms(round: int, posted: tuple[str, DecisionForm] | None = None) -> dict[str, DecisionForm]:
    """The three decision forms of the application page, each with its own prefix (so that their fields'
    ids differ); ``posted`` is the form that was posted, with its errors, in place of a blank one."""
    forms = {}
    for kind, form_class in DECISION_FORMS.items():
        if posted is not None and posted[0] == kind:
            forms[kind] = posted[1]
        else:
            forms[kind] = form_class(formdata=None, prefix=kind, data={"round": str(round)})
    return forms
