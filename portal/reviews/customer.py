"""Kela's decisions as the customer sees them: each application's status in words with the latest
decision's message (the dashboard, the status page), the history of its rounds, and the notice at the
top of a returned application's wizard pages.

Nothing here is cached across requests: a decision made a moment ago shows on the next page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy import and_, or_, select

from portal.applications.models import Application
from portal.customers.models import ServiceInUse
from portal.extensions import db
from portal.reviews.models import Decision
from portal.reviews.services import current_decision, decisions_of
from portal.templating import format_date
from portal.texts import gettext as _

# Where the customer sends the deployment-test report (seed 001, 3.2).
REPORT_ADDRESS = "kanta@kanta.fi"

# GOV.UK tag colours by status.
TAG_CLASSES = {
    "not_applied": "govuk-tag--grey",
    "draft": "govuk-tag--yellow",
    "submitted": "govuk-tag--blue",
    "returned": "govuk-tag--orange",
    "approved": "govuk-tag--green",
    "in_use": "govuk-tag--green",
    "rejected": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}


@dataclass(frozen=True)
class ReturnNotice:
    """What the wizard shows at the top of a returned application's pages."""

    decided_at: datetime
    message: str

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.message)


@dataclass(frozen=True)
class Status:
    """An application's status in words, with what Kela said last."""

    key: str  # "not_applied", "draft", "submitted", "returned", "approved", "in_use", "rejected", "withdrawn"
    text: str
    application: Application | None = None
    decision: Decision | None = None  # the decision of the application's latest round, if any
    in_use: ServiceInUse | None = None

    @property
    def tag_class(self) -> str:
        return TAG_CLASSES[self.key]

    @property
    def message(self) -> list[str]:
        """The latest decision's message as paragraphs; empty when there is none."""
        return paragraphs(self.decision.message) if self.decision else []

    @property
    def message_intro(self) -> str:
        """The sentence that introduces Kela's message."""
        if self.decision is None:
            return ""
        day = format_date(self.decision.decided_at)
        if self.decision.kind == "return":
            return _("Kela returned your application for completion on %(date)s:", date=day)
        if self.decision.kind == "reject":
            return _("Kela rejected your application on %(date)s. The reason:", date=day)
        return _("Kela approved your application on %(date)s with this message:", date=day)

    @property
    def approved(self) -> bool:
        return self.key in ("approved", "in_use")


@dataclass(frozen=True)
class Round:
    """One sending of an application and Kela's decision on it (None while it waits)."""

    number: int
    sent_at: datetime | None
    decision: Decision | None

    @property
    def decision_text(self) -> str:
        if self.decision is None:
            return _("Waiting for a decision")
        return decision_text(self.decision.kind)

    @property
    def message(self) -> list[str]:
        return paragraphs(self.decision.message) if self.decision else []


def register(app: Flask) -> None:
    app.add_template_global(return_notice, "return_notice")
    app.add_template_global(application_status, "application_status")
    app.add_template_global(application_rounds, "application_rounds")
    app.add_template_global(REPORT_ADDRESS, "deployment_test_report_address")


def paragraphs(message: str) -> list[str]:
    """A message as its non-blank lines: shown as paragraphs, so that its line breaks stay."""
    return [line.strip() for line in (message or "").splitlines() if line.strip()]


def decision_text(kind: str) -> str:
    return {
        "approve": _("Approved"),
        "reject": _("Rejected"),
        "return": _("Returned for completion"),
    }[kind]


def return_notice(application: Application | None) -> ReturnNotice | None:
    """Kela's message to a returned application; None (and no query) for any other."""
    if application is None or application.status != "returned":
        return None
    decision = current_decision(application)
    if decision is None or decision.kind != "return":
        return None
    return ReturnNotice(decision.decided_at, decision.message)


def latest_decisions(applications: Iterable[Application]) -> dict[int, Decision]:
    """The decision of each application's latest round (application id → decision), in one query."""
    rounds = [(a.id, a.round) for a in applications if a.round]
    if not rounds:
        return {}
    decisions = db.session.scalars(
        select(Decision).where(
            or_(*(and_(Decision.application_id == id, Decision.round == round) for id, round in rounds))
        )
    )
    return {decision.application_id: decision for decision in decisions}


def services_in_use(business_id: str) -> dict[str, ServiceInUse]:
    """The organisation's services in use now, by service key."""
    return {
        in_use.service: in_use
        for in_use in db.session.scalars(
            select(ServiceInUse).where(
                ServiceInUse.organisation_business_id == business_id, ServiceInUse.ended_at.is_(None)
            )
        )
    }


def describe(
    application: Application | None, decision: Decision | None = None, in_use: ServiceInUse | None = None
) -> Status:
    """The status of an organisation's application for a service (``application`` its latest, or None),
    in words. ``decision`` is the decision of the application's latest round; ``in_use`` the service
    in use, which wins (it may have come from a welfare-area re-join, with no application of its own)."""
    if in_use is not None:
        if application is not None and application.id != in_use.application_id:
            application, decision = None, None
        text = _("In use since %(date)s", date=format_date(in_use.started_at))
        return Status("in_use", text, application, decision, in_use)
    if application is None:
        return Status("not_applied", _("Not applied for"))
    status = application.status
    if status == "draft":
        text = _("Draft, not sent")
    elif status == "submitted":
        text = _("Submitted %(date)s", date=format_date(application.submitted_at))
    elif status == "returned":
        text = _("Returned for completion")
    elif status == "approved":
        text = _("Approved on %(date)s", date=format_date(decision.decided_at if decision else None))
    elif status == "rejected":
        text = _("Rejected on %(date)s", date=format_date(decision.decided_at if decision else None))
    else:
        text = _("Withdrawn")
    return Status(status, text, application, decision if status != "draft" else None)


def application_status(application: Application) -> Status:
    """The status page's status: the application's own, with the service in use if it made it."""
    decided = application.status in ("returned", "approved", "rejected")
    decision = current_decision(application) if decided else None
    in_use = None
    if application.status == "approved":
        in_use = db.session.scalar(
            select(ServiceInUse).where(
                ServiceInUse.application_id == application.id, ServiceInUse.ended_at.is_(None)
            )
        )
    return describe(application, decision, in_use)


def application_rounds(application: Application) -> list[Round]:
    """Every sending of the application, the first first, with its decision. A round's sending time
    is kept with its decision (a resend replaces the application's own)."""
    decisions = {decision.round: decision for decision in decisions_of(application.id)}
    rounds = []
    for number in range(1, application.round + 1):
        decision = decisions.get(number)
        if decision is not None:
            sent_at = decision.submitted_at
        else:
            sent_at = application.submitted_at if number == application.round else None
        rounds.append(Round(number, sent_at, decision))
    return rounds
