"""The organisation-unit pages' forms: the search (simple and advanced, a GET form), the upload, adding
one unit and the quick edit of the flat list.

The rule book's rules are not repeated here: adding and quick edit turn what was typed into upload rows and
check them with ``portal.orgunits.checks`` (one set of rules); the problems come back to the fields by
column (``field_for_column``). These forms check only what the rows cannot say: that something was typed
where it must be, and that the choices are from their lists.
"""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovTextInput
from wtforms import FieldList, FormField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from portal.forms.base import PortalForm, PortalSubform
from portal.forms.validators import FileChosen, Required
from portal.orgunits import rules
from portal.orgunits.queries import OPERATORS, SEARCH_FIELDS, Criterion, Search
from portal.reviews.forms import FilterForm, choice_field
from portal.texts import lazy_gettext as _l

MAX_TEXT = 200
CRITERIA = 3

# The upload format's columns as people read them (the file's own names are shown beside them).
COLUMN_LABELS: dict[str, Any] = {
    rules.OID.name: _l("OID"),
    rules.LONG_NAME.name: _l("Long name"),
    rules.PARENT.name: _l("Parent unit (OID)"),
    rules.ABBREVIATION.name: _l("Abbreviation"),
    rules.STREET_ADDRESS.name: _l("Street address"),
    rules.POST_ADDRESS.name: _l("Postal address"),
    rules.POST_NUMBER.name: _l("Postal code"),
    rules.POST_OFFICE.name: _l("Post office"),
    rules.PHONE.name: _l("Phone number"),
    rules.BEGIN.name: _l("Valid from"),
    rules.END.name: _l("Valid until"),
    rules.BUSINESS_ID.name: _l("Business ID"),
    rules.MUNICIPALITY.name: _l("Municipality"),
    rules.HEALTH_UNIT.name: _l("Health care operating unit"),
    rules.RENEWAL.name: _l("Receives prescription renewal requests"),
    rules.REPLACING.name: _l("Replacing codes"),
    rules.ORG_ABBREVIATION.name: _l("Organisation unit abbreviation"),
    rules.SECTOR.name: _l("Sector"),
    rules.SOCIAL_UNIT.name: _l("Social care operating unit"),
    rules.HEALTH_SERVICE_UNIT.name: _l("Health care service unit"),
    rules.SOCIAL_SERVICE_UNIT.name: _l("Social care service unit"),
    rules.TOPI.name: _l("TOPI code"),
}
# Quick edit: every column but the OID (which says which unit a row is).
EDITABLE = tuple(c.name for c in rules.COLUMNS if c is not rules.OID)
DEFAULT_EDIT_COLUMNS = (rules.LONG_NAME.name, rules.ABBREVIATION.name)

SEARCH_FIELD_LABELS: dict[str, Any] = {
    "oid": _l("OID"),
    "abbreviation": _l("Abbreviation"),
    "long_name": _l("Long name"),
    "short_name": _l("Short name"),
    "description": _l("Description"),
    "org_unit_abbreviation": _l("Organisation unit abbreviation"),
    "parent_oid": _l("Parent unit (OID)"),
    "business_id": _l("Business ID"),
    "municipality": _l("Municipality"),
    "street_address": _l("Street address"),
    "post_number": _l("Postal code"),
    "post_office": _l("Post office"),
    "phone": _l("Phone number"),
    "topi_code": _l("TOPI code"),
    "sector": _l("Sector (1, 2 or 3)"),
    "health_unit": _l("Health care operating unit (T or F)"),
    "social_unit": _l("Social care operating unit (T or F)"),
    "health_service_unit": _l("Health care service unit (T or F)"),
    "social_service_unit": _l("Social care service unit (T or F)"),
    "renewal_requests": _l("Receives prescription renewal requests (T or F)"),
    "begin_date": _l("Valid from"),
    "expiration_date": _l("Valid until"),
    "modified_date": _l("Last changed"),
}
OPERATOR_LABELS: dict[str, Any] = {
    "contains": _l("contains"),
    "eq": _l("is (=)"),
    "ne": _l("is not (≠)"),
    "starts": _l("starts with"),
    "lt": _l("is before (<)"),
    "gt": _l("is after (>)"),
}
SEARCH_HINT = _l(
    "Searches OIDs, abbreviations and long names; capital and small letters are the same. "
    "? stands for any one character; to search for a question mark itself, type ^?."
)


# --- search -------------------------------------------------------------------------------------------


FIELD_CHOICES = [("", _l("Choose a field")), *SEARCH_FIELD_LABELS.items()]
OPERATOR_CHOICES = list(OPERATOR_LABELS.items())


class CriterionForm(PortalSubform):
    """One line of the advanced search. A line without a field is left out."""

    field = choice_field(_l("Field"), FIELD_CHOICES, _l("Choose a field from the list"))
    operator = choice_field(
        _l("Comparison"), OPERATOR_CHOICES, _l("Choose a comparison from the list"), "contains"
    )
    value = StringField(
        _l("Value"),
        widget=GovTextInput(),
        validators=[Length(max=MAX_TEXT, message=_l("Enter at most 200 characters"))],
    )

    criterion: Criterion | None = None

    def validate(self, extra_validators=None) -> bool:
        self.criterion = None
        if not super().validate(extra_validators):
            return False
        name = self.field.data
        if not name:
            return True
        kind = SEARCH_FIELDS[name]
        operator = self.operator.data
        if kind == "flag" and operator in ("eq", "contains"):
            operator = "eq"
        if operator not in OPERATORS[kind]:
            allowed = ", ".join(str(OPERATOR_LABELS[o]) for o in OPERATORS[kind])
            self.operator.errors.append(
                _l("Choose a comparison that fits the field: %(allowed)s", allowed=allowed)
            )
            return False
        value = (self.value.data or "").strip()
        if not value:
            self.value.errors.append(_l("Enter a value to compare with"))
            return False
        parsed: Any = value
        if kind == "date":
            parsed = rules.parse_date(value)
            if parsed is None:
                self.value.errors.append(_l("Enter the date as D.M.YYYY or YYYY-MM-DD, like 31.1.2025"))
                return False
        elif kind == "flag":
            if value.upper() not in ("T", "F"):
                self.value.errors.append(_l("Enter T (yes) or F (no)"))
                return False
            parsed = value.upper() == "T"
        elif kind == "sector" and value not in rules.SECTORS:
            self.value.errors.append(_l("Enter the sector as 1, 2 or 3"))
            return False
        self.criterion = Criterion(name, operator, parsed)
        return True


class SearchForm(FilterForm):
    """The list's search: words, the advanced lines, and the sub-hierarchy (an OID in the branch; the view
    checks that it is)."""

    q = StringField(
        _l("Search"),
        description=SEARCH_HINT,
        widget=GovTextInput(),
        validators=[Length(max=MAX_TEXT, message=_l("Enter at most 200 characters"))],
    )
    under = StringField(
        _l("Only under this unit (OID)"),
        description=_l("Leave empty to search all your organisation's units."),
        widget=GovTextInput(),
        validators=[Length(max=MAX_TEXT, message=_l("Enter at most 200 characters"))],
    )
    criteria = FieldList(FormField(CriterionForm), min_entries=CRITERIA, max_entries=CRITERIA)

    def __init__(self, args, **kwargs) -> None:
        super().__init__(args, **kwargs)
        # A crafted URL may carry more lines than the form has: keep the first ones only.
        del self.criteria.entries[CRITERIA:]

    def search(self) -> Search:
        criteria = tuple(entry.form.criterion for entry in self.criteria if entry.form.criterion is not None)
        return Search(text=self.q.data or "", criteria=criteria, under=self.under.data or None)

    @property
    def advanced(self) -> bool:
        return bool(self.under.data) or any(entry.form.field.data for entry in self.criteria)


# --- upload -------------------------------------------------------------------------------------------


class UploadForm(PortalForm):
    file = FileField(
        _l("File to load"),
        description=_l(
            "CSV (comma or semicolon separated, UTF-8), Excel workbook (.xlsx) or tab-separated text (.txt)"
        ),
        widget=GovFileInput(),
        validators=[FileChosen(_l("Choose the file to load"))],
    )


class LoadForm(PortalForm):
    """The "Start loading" button: only the CSRF token."""


# --- one unit -----------------------------------------------------------------------------------------


def _text(column: rules.Column, *, required: Any = None, description: Any = None) -> StringField:
    validators: list[Any] = [Required(required)] if required else []
    validators.append(Length(max=1000, message=_l("Enter at most 1000 characters")))
    return StringField(
        COLUMN_LABELS[column.name], description=description, widget=GovTextInput(), validators=validators
    )


def _flag(column: rules.Column) -> RadioField:
    return RadioField(
        COLUMN_LABELS[column.name],
        choices=[SelectChoice("T", _l("Yes")), SelectChoice("F", _l("No"))],
        default=column.default or "F",
        widget=GovRadioInput(),
        validators=[Required(_l("Choose yes or no"))],
    )


class UnitForm(PortalForm):
    """A new unit, field by field as in the upload format; ``record()`` is its upload row."""

    oid = _text(
        rules.OID,
        required=_l("Enter the unit's OID"),
        description=_l("For example 1.2.246.10.12345678.10.99"),
    )
    long_name = _text(rules.LONG_NAME, required=_l("Enter the unit's long name"))
    abbreviation = _text(
        rules.ABBREVIATION,
        required=_l("Enter the unit's abbreviation"),
        description=_l("At most 60 characters"),
    )
    parent_oid = _text(
        rules.PARENT,
        required=_l("Enter the OID of the unit above it"),
        description=_l("A unit of your organisation's branch"),
    )
    begin_date = _text(rules.BEGIN, description=_l("For example 1.1.2026"))
    expiration_date = _text(rules.END, description=_l("Leave empty when there is no end date"))
    business_id = _text(rules.BUSINESS_ID, required=_l("Enter the business ID"))
    municipality = _text(
        rules.MUNICIPALITY, required=_l("Enter the municipality"), description=_l("For example 297 Kuopio")
    )
    org_unit_abbreviation = _text(
        rules.ORG_ABBREVIATION, required=_l("Enter the organisation unit abbreviation")
    )
    sector = RadioField(
        COLUMN_LABELS[rules.SECTOR.name],
        choices=[
            SelectChoice("1", _l("1 Public")),
            SelectChoice("2", _l("2 Private")),
            SelectChoice("3", _l("3 Private, self-notified")),
        ],
        widget=GovRadioInput(),
        validators=[Required(_l("Choose the sector"))],
    )
    health_unit = _flag(rules.HEALTH_UNIT)
    social_unit = _flag(rules.SOCIAL_UNIT)
    health_service_unit = _flag(rules.HEALTH_SERVICE_UNIT)
    social_service_unit = _flag(rules.SOCIAL_SERVICE_UNIT)
    renewal_requests = _flag(rules.RENEWAL)
    street_address = _text(rules.STREET_ADDRESS)
    post_address = _text(rules.POST_ADDRESS)
    post_number = _text(rules.POST_NUMBER)
    post_office = _text(rules.POST_OFFICE)
    phone = _text(rules.PHONE)
    topi_code = _text(rules.TOPI)
    replacing_codes = _text(rules.REPLACING, description=_l("OIDs separated by commas"))

    def record(self) -> dict[str, str]:
        """The unit as an upload row: column name → text."""
        record = {}
        for column in rules.COLUMNS:
            name = "municipality" if column is rules.MUNICIPALITY else column.field
            value = self[name].data
            record[column.name] = value if isinstance(value, str) else ""
        return record

    def field_for_column(self, column_name: str):
        column = rules.COLUMN_BY_KEY.get(column_name.strip().casefold())
        if column is None:
            return None
        return self["municipality" if column is rules.MUNICIPALITY else column.field]


# --- quick edit ---------------------------------------------------------------------------------------


class QuickEditRow(PortalSubform):
    oid = HiddenField()


def quick_edit_form(columns: tuple[str, ...], formdata=None, data: dict | None = None) -> PortalForm:
    """The quick edit of the chosen columns, one row (``rows-N-…``) per unit of the page: a form class made
    for the columns, each a text field named by its position in EDITABLE (``c3``)."""
    row_fields = {
        f"c{EDITABLE.index(name)}": StringField(
            COLUMN_LABELS[name],
            widget=GovTextInput(),
            validators=[Length(max=1000, message=_l("Enter at most 1000 characters"))],
        )
        for name in columns
    }
    row_class = type("QuickEditColumns", (QuickEditRow,), row_fields)
    form_class = type(
        "QuickEditForm",
        (PortalForm,),
        {"rows": FieldList(FormField(row_class), min_entries=0, max_entries=500)},
    )
    return form_class(formdata=formdata, data=data)


def column_field_name(column_name: str) -> str:
    return f"c{EDITABLE.index(column_name)}"
