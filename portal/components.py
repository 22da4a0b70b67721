"""Page components written in Python: the button, the summary list and the wizard's step list.

A Jinja macro call costs a context, an import of the GOV.UK macro it wraps and that macro's own calls;
these functions give the same markup (``tests/test_components.py`` compares each with the GOV.UK macro
it stands for) at a fraction of the cost. Templates call them as globals: ``{{ button(_("Save")) }}``.
Every text and attribute value goes through ``escape()``; values that are ``Markup`` stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from portal.texts import gettext as _
from portal.texts import lazy_gettext as _l

START_ICON = (
    '<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19" '
    'viewBox="0 0 33 40" aria-hidden="true" focusable="false">'
    '<path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/></svg>'
)


def attributes_html(attributes: Mapping[str, Any] | None) -> str:
    """` name="value"` for each attribute, as GOV.UK's ``govukAttributes`` writes a mapping of plain
    values (booleans as "true"/"false")."""
    parts = []
    for name, value in (attributes or {}).items():
        if isinstance(value, bool):
            value = str(value).lower()
        parts.append(f' {escape(name)}="{escape(value)}"')
    return "".join(parts)


def button(
    text: Any,
    href: str | None = None,
    secondary: bool = False,
    warning: bool = False,
    start: bool = False,
    name: str | None = None,
    value: str | None = None,
    type: str = "submit",
    classes: str = "",
    prevent_double_click: bool = True,
    attributes: Mapping[str, Any] | None = None,
) -> Markup:
    """A GOV.UK button. ``href`` makes it a link styled as a button; ``secondary``/``warning`` choose the
    style; ``start`` adds the arrow of a start button; ``name``/``value`` name the submit button;
    ``prevent_double_click`` (on by default for buttons) ignores a second click within a second."""
    style = " govuk-button--secondary" if secondary else (" govuk-button--warning" if warning else "")
    class_names = "govuk-button"
    extra = f"{classes or ''}{style}".strip()
    if extra:
        class_names += f" {extra}"
    if start:
        class_names += " govuk-button--start"
    common = f' class="{escape(class_names)}" data-module="govuk-button"{attributes_html(attributes)}'
    icon = START_ICON if start else ""
    if href:
        return Markup(  # noqa: S704 -- every value above went through escape()
            f'<a href="{escape(href)}" role="button" draggable="false"{common}>{escape(text)}{icon}</a>'
        )
    opening = f'<button type="{escape(type or "submit")}"'
    if name:  # a value only with a name: it is the name's value
        if value:
            opening += f' value="{escape(value)}"'
        opening += f' name="{escape(name)}"'
    opening += f' data-prevent-double-click="{str(bool(prevent_double_click)).lower()}"'
    return Markup(f"{opening}{common}>{escape(text)}{icon}</button>")  # noqa: S704 -- escaped above


def _field(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def _is_empty(value: Any) -> bool:
    if value is None or value == "":
        return True
    return isinstance(value, Iterable) and not isinstance(value, str) and not value


def summary_list(
    rows: Iterable[Any],
    change_label: Any = None,
    title: Any = None,
    change_url: str | None = None,
    heading_level: int = 2,
    classes: str | None = None,
) -> Markup:
    """A summary list ("check your answers"): rows of ``label``, ``value`` and optional ``change_url``.
    Each "Change" link says in visually hidden text what it changes ("Change" + the row's label, or the
    row's ``change_hidden``). A value may be text, safe markup, or a list (one line each); an empty
    value reads "Not given".

    With ``title`` the list is a summary card with that heading; ``change_url`` then adds one "Change"
    link for the whole card (for example a wizard step)."""
    change_text = escape(change_label or _("Change"))
    card_title = f" ({escape(title)})" if title else ""
    rows = [row for row in rows if row]
    any_actions = any(_field(row, "change_url") for row in rows)
    parts = [f'<dl class="govuk-summary-list{f" {escape(classes)}" if classes else ""}">']
    for row in rows:
        value = _field(row, "value")
        row_change = _field(row, "change_url")
        label = escape(_field(row, "label"))
        row_classes = "govuk-summary-list__row"
        if any_actions and not row_change:
            row_classes += " govuk-summary-list__row--no-actions"
        if _is_empty(value):
            value_classes = " portal-summary-list__value--empty"
            value_html = str(escape(_("Not given")))
        elif isinstance(value, Iterable) and not isinstance(value, str | Mapping):
            value_classes = ""
            value_html = (
                '<ul class="govuk-list">' + "".join(f"<li>{escape(line)}</li>" for line in value) + "</ul>"
            )
        else:
            value_classes = ""
            value_html = str(escape(value)).strip()
        parts.append(
            f'<div class="{row_classes}"><dt class="govuk-summary-list__key">{str(label).strip()}</dt>'
            f'<dd class="govuk-summary-list__value{value_classes}">{value_html}</dd>'
        )
        if row_change:
            hidden = _field(row, "change_hidden") or _field(row, "label")
            hidden = f" {escape(hidden)}" if hidden else ""
            if hidden or card_title:
                hidden = f'<span class="govuk-visually-hidden">{hidden}{card_title}</span>'
            parts.append(
                f'<dd class="govuk-summary-list__actions"><a class="govuk-link" href="{escape(row_change)}">'
                f"{change_text}{hidden}</a></dd>"
            )
        parts.append("</div>")
    parts.append("</dl>")
    html = "".join(parts)
    if title:
        level = heading_level or 2
        actions = ""
        if change_url:
            actions = (
                f'<div class="govuk-summary-card__actions"><a class="govuk-link" href="{escape(change_url)}">'
                f'{change_text}<span class="govuk-visually-hidden">{card_title}</span></a></div>'
            )
        html = (
            '<div class="govuk-summary-card"><div class="govuk-summary-card__title-wrapper">'
            f'<h{level} class="govuk-summary-card__title">{str(escape(title)).strip()}</h{level}>{actions}'
            f'</div><div class="govuk-summary-card__content">{html}</div></div>'
        )
    return Markup(html)  # noqa: S704 -- every value above went through escape()


# A step's status: its words, its tag's colour (None: plain text), extra classes of the status cell.
STEP_STATUSES = {
    "done": (_l("Completed"), None, None),
    "current": (_l("Current step"), "govuk-tag--light-blue", None),
    "todo": (_l("Not started"), "govuk-tag--blue", None),
    "error": (_l("Incomplete"), "govuk-tag--red", None),
    "locked": (_l("Cannot start yet"), None, "govuk-task-list__status--cannot-start-yet"),
}


def step_list(
    steps: Iterable[Any], current: str | None = None, label: Any = None, id_prefix: str = "step"
) -> Markup:
    """The wizard's list of steps, for the layout's sidebar block.

    steps: a sequence of dicts or objects with ``title``, ``url``, ``status`` (one of "done", "current",
    "todo", "error", "locked") and optionally ``key`` and ``hint``.
    current: the ``key`` or ``url`` of the step being shown (a step whose status is "current" is current
    too). The current step carries aria-current="step"; every status is said in words, not only by
    colour; a locked step is not a link."""
    prefix = escape(id_prefix)
    heading = escape(label or _("Steps"))
    parts = [
        f'<nav class="portal-step-list" aria-labelledby="{prefix}-list-title">'
        f'<h2 class="portal-step-list__title" id="{prefix}-list-title">{heading}</h2>'
        '<ol class="govuk-task-list">'
    ]
    for number, step in enumerate(steps, start=1):
        status, url, title, hint = (_field(step, name) for name in ("status", "url", "title", "hint"))
        is_current = status == "current" or (
            current is not None and (_field(step, "key") == current or url == current)
        )
        shown = "current" if is_current and status == "todo" else status
        text, tag, status_classes = STEP_STATUSES.get(shown, STEP_STATUSES["todo"])
        linked = bool(url) and status != "locked"
        status_id = f"{prefix}-{number}-status"
        hint_id = f"{prefix}-{number}-hint"
        item_classes = "govuk-task-list__item"
        if linked:
            item_classes += " govuk-task-list__item--with-link"
        if is_current:
            item_classes += " govuk-task-list__item--current"
        aria_current = ' aria-current="step"' if is_current else ""
        parts.append(f'<li class="{item_classes}"><div class="govuk-task-list__name-and-hint">')
        if linked:
            described = f"{hint_id} {status_id}" if hint else status_id
            parts.append(
                f'<a class="govuk-link govuk-task-list__link" href="{escape(url)}" '
                f'aria-describedby="{described}"{aria_current}>{escape(title)}</a>'
            )
        else:
            parts.append(f'<div class="portal-step-list__name"{aria_current}>{escape(title)}</div>')
        if hint:
            parts.append(f'<div id="{hint_id}" class="govuk-task-list__hint">{escape(hint)}</div>')
        parts.append("</div>")
        status_class = (
            f"govuk-task-list__status {status_classes}" if status_classes else "govuk-task-list__status"
        )
        text = escape(text)
        if tag:
            text = f'<strong class="govuk-tag {tag}">{text}</strong>'
        parts.append(f'<div class="{status_class}" id="{status_id}">{text}</div></li>')
    parts.append("</ol></nav>")
    return Markup("".join(parts))  # noqa: S704 -- every value above went through escape()
