"""Kela's pages for welfare-area re-joins: the list with each area's progress, preparing one (the area,
the merging organisations, the technical joining data from a spreadsheet), sending it to the area, and
ending the old organisations' commitments after the transition period."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import RequestEntityTooLarge

from portal.access import Access, access
from portal.customers.models import Customership
from portal.extensions import db
from portal.ratelimits.limits import rate_limited
from portal.rejoins import services
from portal.rejoins.forms import EndForm, PrepareForm, SendForm, TechnicalForm
from portal.rejoins.models import RejoinCampaign
from portal.rejoins.technical import LIMITS, TEMPLATE_CSV, Technical, read_technical
from portal.reviews.forms import STATUS_LABELS
from portal.texts import gettext as _
from portal.texts import lazy_gettext as _l
from portal.texts import ngettext

bp = Blueprint("rejoins", __name__, url_prefix="/staff/rejoins")

STATE_LABELS = {
    "draft": _l("Being prepared"),
    "sent": _l("Sent to the welfare area"),
    "ended": _l("Old commitments ended"),
}
STATE_COLOURS = {"draft": "grey", "sent": "blue", "ended": "green"}
SHOWN_PROBLEMS = 20


@bp.get("/")
@access(Access.STAFF)
def campaigns():
    rows = [
        (campaign, services.progress(campaign))
        for campaign in db.session.scalars(
            select(RejoinCampaign)
            .options(selectinload(RejoinCampaign.old_units))
            .order_by(RejoinCampaign.area_name)
        )
    ]
    return render_template(
        "staff/rejoins/list.html",
        rows=rows,
        labels=STATE_LABELS,
        colours=STATE_COLOURS,
        status_labels=STATUS_LABELS,
    )


def _form(form_class):
    """The posted form; a body over the size cap is read as an empty form whose file says so."""
    request.max_content_length = LIMITS.max_bytes + 64 * 1024
    try:
        return form_class(), False
    except RequestEntityTooLarge:
        form = form_class(formdata=None)
        return form, True


def _too_big() -> str:
    return _(
        "The file is too big: it can be at most %(limit)s MB.", limit=f"{LIMITS.max_bytes / 1024 / 1024:g}"
    )


def _file_technical(form) -> Technical | None:
    """The technical data of the form's file; None when it cannot be used, with the reason at the field
    and the problems of its rows (``form.file_problems``) listed under it."""
    technical = read_technical(form.file.data.stream.read(LIMITS.max_bytes + 1))
    whole = [p for p in technical.problems if p.row is None]
    if whole:
        form.file.errors.append(str(whole[0].message))
        return None
    if technical.problems:
        form.file.errors.append(
            ngettext(
                "%(num)d row of the file has a problem. Correct it and choose the file again.",
                "%(num)d rows of the file have problems. Correct them and choose the file again.",
                len(technical.problems),
            )
        )
        form.file_problems = [
            _("Row %(row)d: %(problem)s", row=p.row, problem=str(p.message))
            for p in technical.problems[:SHOWN_PROBLEMS]
        ]
        return None
    if not technical.services:
        form.file.errors.append(_("The file has no rows of technical data."))
        return None
    return technical


@bp.get("/template.csv")
@access(Access.STAFF)
def template():
    """A file to fill in: the header row in Finnish and two example rows (UTF-8 with a BOM, so that Excel
    reads the letters right; semicolons, as Excel in Finland writes CSV)."""
    return Response(
        "\ufeff" + TEMPLATE_CSV,
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=liittymistiedot.csv"},
    )


@bp.route("/new", methods=["GET", "POST"])
@access(Access.STAFF)
@rate_limited("upload", methods=("POST",))
def prepare():
    form, too_big = _form(PrepareForm)
    if too_big:
        form.file.errors = [_too_big()]
        return render_template("staff/rejoins/new.html", form=form), 413
    if not form.is_submitted():
        return render_template("staff/rejoins/new.html", form=form)
    form.validate()
    # Every field is checked, so that all that is wrong is told at once.
    area, old_units, technical = None, [], None
    if not form.area.errors:
        area, problem = services.area_problem(form.area.data)
        if problem is not None:
            form.area.errors.append(str(problem))
    if not form.old_units.errors:
        old_units, problems = services.read_old_units(form.old_units.data, form.area.data or "")
        form.old_units.errors.extend(str(p) for p in problems)
    if not form.file.errors:
        technical = _file_technical(form)
    if form.errors or area is None or technical is None:
        return render_template("staff/rejoins/new.html", form=form), 400
    try:
        campaign = services.prepare(
            area, old_units, technical.services, old_archiving=form.old_archiving.data
        )
    except services.AlreadyPrepared:
        form.area.errors.append(str(services.ALREADY_PREPARED))
        return render_template("staff/rejoins/new.html", form=form), 400
    flash(_("The re-join of %(area)s is prepared. Check it, then send it to the welfare area.",
            area=campaign.area_name), "success")  # fmt: skip
    return redirect(url_for("rejoins.campaign", campaign_id=campaign.id), code=303)


def campaign_page(campaign: RejoinCampaign, status: int = 200, **forms: Any):
    ids = [u.business_id for u in campaign.old_units]
    customerships = {
        c.organisation_business_id: c
        for c in db.session.scalars(
            select(Customership).where(Customership.organisation_business_id.in_(ids))
        )
    }
    forms = {
        "technical_form": TechnicalForm(formdata=None),
        "send_form": SendForm(formdata=None),
        "end_form": EndForm(formdata=None),
        **forms,
    }
    return (
        render_template(
            "staff/rejoins/campaign.html",
            campaign=campaign,
            progress=services.progress(campaign),
            customerships=customerships,
            labels=STATE_LABELS,
            colours=STATE_COLOURS,
            status_labels=STATUS_LABELS,
            form=next((f for f in forms.values() if f.errors), None),
            **forms,
        ),
        status,
    )


@bp.get("/<int:campaign_id>")
@access(Access.STAFF)
def campaign(campaign_id: int):
    return campaign_page(services.campaign_or_404(campaign_id))


@bp.post("/<int:campaign_id>/technical")
@access(Access.STAFF)
@rate_limited("upload", methods=("POST",))
def technical(campaign_id: int):
    campaign = services.campaign_or_404(campaign_id)
    form, too_big = _form(TechnicalForm)
    if too_big:
        form.file.errors = [_too_big()]
        return campaign_page(campaign, 413, technical_form=form)
    if campaign.state != "draft":
        flash(_("The re-join has been sent: its technical data can no longer be replaced."), "info")
        return redirect(url_for("rejoins.campaign", campaign_id=campaign.id), code=303)
    if not form.validate_on_submit():
        return campaign_page(campaign, 400, technical_form=form)
    found = _file_technical(form)
    if found is None:
        return campaign_page(campaign, 400, technical_form=form)
    services.replace_technical(campaign, found.services)
    flash(_("The technical joining data was replaced."), "success")
    return redirect(url_for("rejoins.campaign", campaign_id=campaign.id), code=303)


@bp.post("/<int:campaign_id>/send")
@access(Access.STAFF)
def send(campaign_id: int):
    campaign = services.campaign_or_404(campaign_id)
    form = SendForm()
    if not form.validate_on_submit():
        return campaign_page(campaign, 400, send_form=form)
    if services.send(campaign):
        flash(_("The re-join was sent: %(area)s now sees it, and its applications are pre-filled with the "
                "technical joining data.", area=campaign.area_name), "success")  # fmt: skip
    return redirect(url_for("rejoins.campaign", campaign_id=campaign.id), code=303)


@bp.post("/<int:campaign_id>/end")
@access(Access.STAFF)
def end(campaign_id: int):
    campaign = services.campaign_or_404(campaign_id)
    form = EndForm()
    if not form.validate_on_submit():
        return campaign_page(campaign, 400, end_form=form)
    ended = services.end_old_commitments(campaign)
    if ended is not None:
        message = ngettext(
            "The old commitments were ended: %(num)d customership ended. No notice was sent.",
            "The old commitments were ended: %(num)d customerships ended. No notice was sent.",
            ended,
        )
        flash(message, "success")
    return redirect(url_for("rejoins.campaign", campaign_id=campaign.id), code=303)
