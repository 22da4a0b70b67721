"""Kela staff's review pages: the queue of sent applications, one application with the decisions on it,
the audit log and the outbox."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.access import Access, access
from portal.applications.catalogue import SERVICES_BY_KEY
from portal.applications.pdf import application_pdf
from portal.applications.summary import sections, service_name
from portal.audit.services import record
from portal.extensions import db
from portal.i18n import current_language
from portal.organisations.dashboard import organisation_rows
from portal.outbox.models import OutboxMessage
from portal.outbox.services import retry
from portal.ratelimits.limits import rate_limited
from portal.reviews import queries
from portal.reviews.forms import (
    DECISION_FORMS,
    DECISION_LABELS,
    EVENT_LABELS,
    SORT_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    AuditFilterForm,
    DecisionForm,
    OutboxFilterForm,
    QueueFilterForm,
    RetryForm,
    decision_forms,
)
from portal.reviews.services import AlreadyDecided, Reviewer, decide
from portal.templating import format_datetime
from portal.texts import gettext as _
from portal.texts import lazy_gettext as _l

bp = Blueprint("reviews", __name__, url_prefix="/staff")

DONE = {
    "approve": _l("The application was approved. The customer's e-mail with the PDF copies is on its way."),
    "reject": _l("The application was rejected. The customer is told the reason by e-mail."),
    "return": _l("The application was returned for completion. The customer is told by e-mail."),
}
DECIDED_BEFORE = {
    "approve": _l("%(reviewer)s approved this application on %(when)s."),
    "reject": _l("%(reviewer)s rejected this application on %(when)s."),
    "return": _l("%(reviewer)s returned this application for completion on %(when)s."),
}


STATUS_COLOURS = {
    "draft": "grey",
    "submitted": "blue",
    "returned": "yellow",
    "approved": "green",
    "rejected": "red",
    "withdrawn": "grey",
}
STATE_COLOURS = {
    "queued": "grey",
    "sending": "light-blue",
    "sent": "green",
    "retrying": "yellow",
    "failed": "red",
}


@bp.context_processor
def labels() -> dict[str, Any]:
    return {
        "status_labels": Texts(STATUS_LABELS),
        "status_colours": STATUS_COLOURS,
        "decision_labels": Texts(DECISION_LABELS),
        "state_labels": Texts(STATE_LABELS),
        "state_colours": STATE_COLOURS,
        "event_labels": Texts(EVENT_LABELS),
        "service_names": Texts({key: service.name for key, service in SERVICES_BY_KEY.items()}),
        "pagination": pagination,
        "url_with": url_with,
    }


class Texts(Mapping[str, str]):
    """Lazy labels read as plain strings, translated when a template reads one (a lazy string would
    read as a list of letters where a template tests for lists; translating all of them for every
    render, the widgets' included, would cost more than the page's own rows)."""

    def __init__(self, labels: Mapping[str, Any]) -> None:
        self.labels = labels

    def __getitem__(self, key: str) -> str:
        return str(self.labels[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)


def url_with(**changes: Any) -> str:
    """This list's URL with some of its query parameters changed (None removes one); empty ones are
    left out, so that shared URLs stay short."""
    args = {key: value for key, value in request.args.items() if value}
    args.update(changes)
    return url_for(request.endpoint, **(request.view_args or {}), **{k: v for k, v in args.items() if v})


def pagination(page: queries.Page) -> dict[str, Any] | None:
    """The parameters of GOV.UK's pagination for ``page``: the first, the last and the pages around
    the current one, with ellipses between."""
    if page.pages <= 1:
        return None
    shown = sorted({1, page.pages, *range(max(1, page.number - 2), min(page.pages, page.number + 2) + 1)})
    items: list[dict[str, Any]] = []
    for number in shown:
        if items and number - items[-1].get("number", 0) > 1:
            items.append({"ellipsis": True})
        items.append(
            {
                "number": number,
                "href": url_with(page=number if number > 1 else None),
                "current": number == page.number,
                "visuallyHiddenText": _("Page %(number)d", number=number),
            }
        )
    params: dict[str, Any] = {"items": items, "landmarkLabel": _("Pages")}
    if page.number > 1:
        params["previous"] = {
            "href": url_with(page=page.number - 1 if page.number > 2 else None),
            "text": _("Previous"),
        }
    if page.number < page.pages:
        params["next"] = {"href": url_with(page=page.number + 1), "text": _("Next")}
    return params


def list_page(template: str, form, **context: Any):
    """A filtered list: with bad filters, the page with its errors (and no list) and status 400."""
    status = 200 if not form.errors else 400
    return (
        render_template(template, form=form, **context),
        status,
    )


# --- the queue ----------------------------------------------------------------------------------------


@bp.get("/applications")
@access(Access.STAFF)
def queue():
    form = QueueFilterForm(request.args)
    if not form.validate():
        return list_page("staff/queue.html", form, page=None, counts=None, sort_labels=SORT_LABELS)
    filters = form.filters()
    return list_page(
        "staff/queue.html",
        form,
        page=queries.queue(filters, form.page.number),
        counts=queries.status_counts(filters),
        current_status=form.status.data,
        sort_labels=SORT_LABELS,
    )


# --- one application ----------------------------------------------------------------------------------


def _sent_or_404(application_id: int):
    application = queries.sent_application(application_id)
    if application is None:
        abort(404)
    return application


@bp.get("/applications/<int:application_id>")
@access(Access.STAFF)
def application(application_id: int):
    return _application_page(_sent_or_404(application_id))


def _application_page(application, posted: tuple[str, DecisionForm] | None = None):
    view = queries.application_view(application)
    forms = decision_forms(application.round, posted)
    problems = []
    if posted is not None and posted[1].round.errors:
        # The round is a hidden field: its error belongs to the page, linked to the decisions.
        problems = [{"text": str(error), "href": "#decision"} for error in posted[1].round.errors]
        posted[1].round.errors = []
        posted[1]._errors = None
    return render_template(
        "staff/application.html",
        application=application,
        view=view,
        service_name=service_name(application.snapshot),
        sections=sections(application.snapshot, current_language()),
        register_rows=organisation_rows(view.unit) if view.unit else None,
        forms=forms,
        form=posted[1] if posted else None,
        problems=problems,
    )


@bp.post("/applications/<int:application_id>/<any(approve, reject, return):kind>")
@access(Access.STAFF)
def decide_application(application_id: int, kind: str):
    form = DECISION_FORMS[kind](prefix=kind)
    if not form.validate_on_submit():
        return _application_page(_sent_or_404(application_id), posted=(kind, form)), 400
    try:
        # The application is not read first: the click is decide()'s conditional UPDATE and its writes.
        decide(application_id, kind, form.message_text(), Reviewer.current(), round=form.round_number)
    except AlreadyDecided as already:
        _sent_or_404(application_id)  # an id that was never sent (a draft, or none) is not found
        flash(already_decided(already, application_id), "warning")
    else:
        flash(str(DONE[kind]), "success")
    return redirect(url_for(".application", application_id=application_id), code=303)


def already_decided(already: AlreadyDecided, application_id: int) -> str:
    """What happened instead: who decided what and when; or why the application is not waiting for a
    decision."""
    application = queries.sent_application(application_id)
    not_saved = _("Your decision was not saved.")
    if already.decision is not None:
        decision = already.decision
        text = DECIDED_BEFORE[decision.kind] % {
            "reviewer": decision.reviewer_name or _("Another reviewer"),
            "when": format_datetime(decision.decided_at),
        }
        parts = [str(text), not_saved]
        sent_again = application is not None and application.round > decision.round
        if sent_again and application.status == "submitted":
            parts.append(_("The customer has since sent it again: check the application and decide again."))
        return " ".join(parts)
    if already.status == "submitted":
        return " ".join([_("The page was out of date. Check the application and decide again."), not_saved])
    status = STATUS_LABELS.get(already.status, already.status)
    return " ".join(
        [_("This application is not waiting for a decision: it is %(status)s.", status=status), not_saved]
    )


@bp.get("/applications/<int:application_id>/pdf")
@access(Access.STAFF)
@rate_limited("pdf")
def application_pdf_download(application_id: int):
    application = _sent_or_404(application_id)
    lang = current_language()
    return _pdf(application_pdf(application, lang), f"kanta-application-{application.id}-{lang}.pdf")


@bp.get("/applications/<int:application_id>/documents/<int:document_id>")
@access(Access.STAFF)
@rate_limited("pdf")
def decision_document(application_id: int, document_id: int):
    """A PDF the worker made for a decision, as it was attached to the e-mail."""
    document = queries.decision_document(application_id, document_id)
    if document is None:
        abort(404)
    return _pdf(document.content, document.filename)


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- the audit log and the outbox -----------------------------------------------------------------------


@bp.get("/audit")
@access(Access.STAFF)
def audit():
    form = AuditFilterForm(request.args)
    page = queries.audit_events(form.filters(), form.page.number) if form.validate() else None
    return list_page("staff/audit.html", form, page=page)


@bp.get("/outbox")
@access(Access.STAFF)
def outbox():
    form = OutboxFilterForm(request.args)
    page = queries.outbox_messages(form.state.data or None, form.page.number) if form.validate() else None
    return list_page(
        "staff/outbox.html",
        form,
        page=page,
        counts=queries.outbox_counts(),
        back_args=_outbox_args(),
    )


@bp.post("/outbox/<int:message_id>/retry")
@access(Access.STAFF)
def retry_message(message_id: int):
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update())
    if message is None:
        abort(404)
    if not RetryForm().validate_on_submit():
        abort(400)
    if retry(message):
        record(
            "outbox_retried",
            object_type="outbox_message",
            object_id=str(message.id),
            old={"state": "failed"},
            new={"state": "queued"},
            organisation={"business_id": message.organisation_business_id},
        )
        db.session.commit()
        flash(_("The e-mail is queued to be sent again."), "success")
    else:
        db.session.rollback()
        state = STATE_LABELS.get(message.state, message.state)
        flash(_("The e-mail had not failed (it is %(state)s): nothing was changed.", state=state), "info")
    # Back to the list as it was filtered (the form's action carries the list's query string).
    return redirect(url_for(".outbox", **_outbox_args()), code=303)


def _outbox_args() -> dict[str, str]:
    return {key: request.args[key] for key in ("state", "page") if request.args.get(key)}
