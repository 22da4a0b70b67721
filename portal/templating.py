"""Template helpers: what every page may read (language, who is signed in, which blueprints exist),
date filters, and the bridge that renders WTForms fields through govuk-frontend-wtf with our
translated texts in place of the components' built-in English."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask, current_app, g, get_flashed_messages, has_request_context, request
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_wtf.csrf import generate_csrf
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovTextInput,
)
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader, Template
from markupsafe import Markup, escape
from wtforms import Field, Form

from portal.components import button, step_list, summary_list
from portal.i18n import LANGUAGE_NAMES, current_language
from portal.texts import lazy_gettext as _l

FLASH_CATEGORIES = ("info", "success", "warning")

ERROR_PREFIX = _l("Error")
DATE_PART_LABELS = {"Day": _l("Day"), "Month": _l("Month"), "Year": _l("Year")}

# The JavaScript of these components counts and announces in the browser; it reads its texts from
# data-i18n attributes that the macros write from these parameters. "%{count}" is filled in there.
CHARACTER_COUNT_TEXTS = {
    "textareaDescriptionText": _l("You can enter up to %{count} characters"),
    "charactersUnderLimitText": {
        "one": _l("You have %{count} character remaining"),
        "other": _l("You have %{count} characters remaining"),
    },
    "charactersAtLimitText": _l("You have 0 characters remaining"),
    "charactersOverLimitText": {
        "one": _l("You have %{count} character too many"),
        "other": _l("You have %{count} characters too many"),
    },
    "wordsUnderLimitText": {
        "one": _l("You have %{count} word remaining"),
        "other": _l("You have %{count} words remaining"),
    },
    "wordsAtLimitText": _l("You have 0 words remaining"),
    "wordsOverLimitText": {
        "one": _l("You have %{count} word too many"),
        "other": _l("You have %{count} words too many"),
    },
}
FILE_UPLOAD_TEXTS = {
    "chooseFilesButtonText": _l("Choose file"),
    "dropInstructionText": _l("or drop file"),
    "noFileChosenText": _l("No file chosen"),
    "multipleFilesChosenText": {"one": _l("%{count} file chosen"), "other": _l("%{count} files chosen")},
    "enteredDropZoneText": _l("Entered drop zone"),
    "leftDropZoneText": _l("Left drop zone"),
}
PASSWORD_TEXTS = {
    "showPasswordText": _l("Show"),
    "hidePasswordText": _l("Hide"),
    "showPasswordAriaLabelText": _l("Show password"),
    "hidePasswordAriaLabelText": _l("Hide password"),
    "passwordShownAnnouncementText": _l("Your password is visible"),
    "passwordHiddenAnnouncementText": _l("Your password is hidden"),
}


def register(app: Flask) -> None:
    app.jinja_env.template_class = ImportingTemplate
    serve_govuk_templates(app)
    app.context_processor(template_context)
    app.add_template_filter(format_date, "format_date")
    app.add_template_filter(format_datetime, "format_datetime")
    app.add_template_global(render_field, "render_field")
    app.add_template_global(error_list, "error_list")
    app.add_template_global(safe_csrf_token, "safe_csrf_token")
    app.add_template_global(flashed_messages, "flashed_messages")
    for component in (button, summary_list, step_list, field, error_summary):
        app.add_template_global(component)


def serve_govuk_templates(app: Flask) -> None:
    """govuk-frontend-jinja's macros import one another, and govuk-frontend-wtf's widgets render, by
    names that start with the package ("govuk_frontend_jinja/macros/attributes.html"); a
    PackageLoader alone serves them without that prefix, so add a PrefixLoader that serves them with it."""
    app.jinja_loader = ChoiceLoader(  # type: ignore[method-assign]
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )


class ImportingTemplate(Template):
    """Jinja's template, with a cheaper ``{% from ... import %}``. Each import asks which of the
    importing context's globals the imported template lacks; Jinja works that out with
    ``set - ChainMap.keys()``, one ``ChainMap.__contains__`` in Python per global (thirty of them, and a
    page runs a dozen imports, the GOV.UK macros' imports on every call). ``set.difference`` gives the
    same keys in C."""

    def _get_default_module(self, ctx=None):
        if ctx is not None and not self.environment.is_async:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
            ctx = None
        return super()._get_default_module(ctx)


def template_context() -> dict[str, Any]:
    return {
        "current_language": current_language,
        "languages": languages(),
        "has_endpoint": has_endpoint,
        "current_person_name": g.get("person_name"),
        "current_person_hetu": g.get("person_hetu_masked"),
        "acting": g.get("acting"),
        "current_path": current_path(),
    }


def languages() -> dict[str, str]:
    """Code → the language's name in that language, in the configured order."""
    return {code: LANGUAGE_NAMES[code] for code in current_app.config["LANGUAGES"] if code in LANGUAGE_NAMES}


def has_endpoint(name: str) -> bool:
    """Whether a route exists, so that templates can link to blueprints that may not be registered yet."""
    return name in current_app.view_functions


def current_path() -> str:
    """This page's path and query string, for the language switch to come back to ("/" outside a
    request: e-mails and PDFs are rendered by the worker with an app context only)."""
    if not has_request_context():
        return "/"
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def safe_csrf_token() -> str | None:
    """The CSRF token, or None when the session cannot be used (an error page while the database is
    down): the page still renders, and a form posted from it is refused as expired."""
    try:
        return generate_csrf()
    except Exception:  # the error page must render whatever broke the session
        current_app.logger.warning("no CSRF token for this page: the session is unavailable")
        return None


def flashed_messages() -> list[tuple[str, str]]:
    """Flashed (category, message) pairs; categories other than ours show as "info"."""
    try:
        messages = get_flashed_messages(with_categories=True)
    except Exception:  # as above: an unusable session has no messages to show
        return []
    return [(category if category in FLASH_CATEGORIES else "info", message) for category, message in messages]


def format_date(value: date | datetime | None, format: str = "medium") -> str:
    """A date in the user's language (fi "22.11.2025", sv "22 nov. 2025"); empty for None."""
    if value is None:
        return ""
    return babel_format_date(value, format)


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    return babel_format_datetime(value, format)


# WTForms fields through govuk-frontend-wtf ------------------------------------------------------


def render_field(field: Field, params: Mapping[str, Any] | None = None) -> Markup:
    """Render a WTForms field with its govuk-frontend-wtf widget, passing ``params`` to the GOV.UK
    macro, and our translations for the texts the macro would otherwise give in English ("Error:",
    "Day", "Show", ...). Fields without a GOV.UK widget (hidden fields) render as WTForms would."""
    kwargs: dict[str, Any] = dict(getattr(field, "render_kw", None) or {})
    widget = field.widget
    if not isinstance(widget, GovFormBase):
        return field(**kwargs)
    if type(widget) is GovTextInput and not kwargs:
        fast = text_input(field, params or {})
        if fast is not None:
            return fast
    if params:
        kwargs["params"] = copy.deepcopy(dict(params))
    # The widget sets errorMessage after merging our params, so the translation goes in where it
    # renders: a copy of the widget whose render() adds it. The shared widget is left untouched.
    translating = copy.copy(widget)
    translating.render = _translating_render(widget, widget.render)  # type: ignore[method-assign]
    return translating(field, **kwargs)


def field(form_field: Field, **params: Any) -> Markup:
    """A WTForms field rendered by its govuk-frontend-wtf widget (``render_field``). Keyword arguments are
    the GOV.UK macro's parameters (merged into what the widget derives from the field), for example
      field(form.email, hint={"text": _("We send the approval here")}, classes="govuk-input--width-20")
      field(form.name, label={"isPageHeading": true, "classes": "govuk-label--l"})
    The "Error:" prefix read by screen readers, and the texts of date, character-count, file and
    password components, come in the page's language."""
    return render_field(form_field, params)


# The text input, the commonest field, written straight from the field: the same markup as the
# govukInput macro (tests/test_templating.py compares the two) at a tenth of the cost. Parameters
# beyond these go through the macro.
TEXT_INPUT_PARAMS = frozenset(
    {"label", "hint", "classes", "autocomplete", "spellcheck", "inputmode", "type", "formGroup"}
)
LABEL_PARAMS = frozenset({"text", "html", "classes", "isPageHeading"})
HINT_PARAMS = frozenset({"text", "html", "classes"})


def text_input(field: Field, params: Mapping[str, Any]) -> Markup | None:
    """A GovTextInput field's markup, or None when ``params`` asks for what only the macro does."""
    label = params.get("label") or {}
    hint = params.get("hint")
    form_group = params.get("formGroup") or {}
    if (
        not TEXT_INPUT_PARAMS.issuperset(params)
        or not LABEL_PARAMS.issuperset(label)
        or (hint and not HINT_PARAMS.issuperset(hint))
        or not {"classes"}.issuperset(form_group)
        or "required" in field.flags
    ):
        return None
    id_ = field.id
    error = field.errors[0] if field.errors else None
    described = []
    parts = ['<div class="govuk-form-group']
    if error:
        parts.append(" govuk-form-group--error")
    if form_group.get("classes"):
        parts.append(f" {escape(form_group['classes'])}")
    parts.append('">')
    label_text = label["html"] if label.get("html") else escape(label.get("text", field.label.text))
    if label_text:  # the macro leaves out a label without text
        label_classes = f" {escape(label['classes'])}" if label.get("classes") else ""
        label_html = f'<label class="govuk-label{label_classes}" for="{escape(id_)}">{label_text}</label>'
        if label.get("isPageHeading"):
            label_html = f'<h1 class="govuk-label-wrapper">{label_html}</h1>'
        parts.append(label_html)
    if hint is None and field.description:
        hint = {"text": field.description}
    if hint:
        described.append(f"{id_}-hint")
        hint_classes = f" {escape(hint['classes'])}" if hint.get("classes") else ""
        hint_text = hint["html"] if hint.get("html") else escape(hint.get("text") or "")
        parts.append(f'<div id="{escape(id_)}-hint" class="govuk-hint{hint_classes}">{hint_text}</div>')
    if error:
        described.append(f"{id_}-error")
        parts.append(
            f'<p id="{escape(id_)}-error" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">{escape(ERROR_PREFIX)}:</span> {escape(error)}</p>'
        )
    classes = "govuk-input"
    if params.get("classes"):
        classes += f" {params['classes']}"
    if error:
        classes += " govuk-input--error"
    attributes = [
        ("class", classes),
        ("id", id_),
        ("name", field.name),
        ("type", params.get("type") or "text"),
    ]
    spellcheck = params.get("spellcheck")
    if spellcheck in (True, False):
        attributes.append(("spellcheck", str(spellcheck).lower()))
    value = field._value()
    if value is not None:
        attributes.append(("value", value))
    if described:
        attributes.append(("aria-describedby", " ".join(described)))
    for name in ("autocomplete", "inputmode"):
        if params.get(name) is not None and params.get(name) is not False:
            attributes.append((name, params[name]))
    parts.append("<input" + "".join(f' {name}="{escape(v)}"' for name, v in attributes) + ">")
    parts.append("</div>")
    return Markup("".join(parts))  # noqa: S704 -- every value above went through escape()


def _translating_render(widget: GovFormBase, render: Callable[[dict], Markup]) -> Callable[[dict], Markup]:
    def render_translated(params: dict[str, Any]) -> Markup:
        return render(translate_params(widget, params))

    return render_translated


def translate_params(widget: GovFormBase, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("errorMessage"):
        params["errorMessage"].setdefault("visuallyHiddenText", ERROR_PREFIX)
    defaults: Mapping[str, Any] = {}
    if isinstance(widget, GovCharacterCount):
        defaults = CHARACTER_COUNT_TEXTS
    elif isinstance(widget, GovFileInput):
        defaults = FILE_UPLOAD_TEXTS
    elif isinstance(widget, GovPasswordInput):
        defaults = PASSWORD_TEXTS
    elif isinstance(widget, GovDateInput):
        for item in params.get("items") or ():
            label = item.get("label")
            if isinstance(label, str) and label in DATE_PART_LABELS:
                item["label"] = DATE_PART_LABELS[label]
    for key, value in defaults.items():
        params.setdefault(key, value)
    return params


def error_list(form: Form, extra: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The error summary's entries: one per field error, linked to the field's first input; then
    ``extra`` (errors that belong to no field, each ``{"text": ..., "href": ...}``)."""
    items = list(wtforms_errors(form)["errorList"]) if form is not None else []
    date_ids = {
        f"#{field.id}": f"#{field.name}-day"
        for field in (form or ())
        if isinstance(field.widget, GovDateInput)
    }
    for item in items:
        item["href"] = date_ids.get(item.get("href"), item.get("href"))
    return items + list(extra or ())


ERROR_SUMMARY = "govuk_frontend_jinja/components/error-summary/macro.html"


def error_summary(form: Form | None = None, extra: list[dict[str, Any]] | None = None) -> Markup:
    """The error summary at the top of a page with a form: one linked entry per field error (the link
    moves focus to the field), then any ``extra`` errors that belong to no field
    ([{"text": ..., "href": "#..."}]). Nothing when there are no errors; GOV.UK's macro otherwise."""
    items = error_list(form, extra)
    if not items:
        return Markup("")
    summary = current_app.jinja_env.get_template(ERROR_SUMMARY).module.govukErrorSummary  # type: ignore[attr-defined]
    return summary({"titleText": _l("There is a problem"), "errorList": items})
