"""The welfare area's page of its re-join: what Kela prepared (the technical joining data per service, with
the area's application for each), the organisations that merge into it, and, where they used it, the
acceptance of the old patient data archiving's service description."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from portal.access import Access, access
from portal.applications.services import services_available
from portal.applications.views import continue_url, shown_version
from portal.documents.models import OLD_PATIENT_ARCHIVING
from portal.documents.services import current_version, render_body
from portal.i18n import current_language
from portal.organisations.dashboard import acting_unit
from portal.rejoins import services
from portal.rejoins.forms import OldArchivingForm
from portal.rejoins.models import RejoinCampaign
from portal.reviews.forms import STATUS_LABELS
from portal.texts import gettext as _

bp = Blueprint("rejoin_area", __name__, url_prefix="/rejoin")


def acting_campaign() -> RejoinCampaign:
    """The acting organisation's re-join, once Kela has sent it; otherwise 404."""
    campaign = services.sent_campaign_for(g.acting["business_id"])
    if campaign is None:
        abort(404)
    return campaign


def page(campaign: RejoinCampaign, form: OldArchivingForm, status: int = 200):
    unit = acting_unit()
    available = {s.key for s in services_available(unit)} if unit is not None else set()
    document = None
    if campaign.old_archiving and campaign.old_archiving_accepted_at is None:
        document = current_version("service_description", OLD_PATIENT_ARCHIVING, current_language())
    return (
        render_template(
            "rejoins/area.html",
            campaign=campaign,
            progress=[row for row in services.progress(campaign) if row["service"].key in available],
            status_labels=STATUS_LABELS,
            continue_url=continue_url,
            document=document,
            body=render_body(document, heading_level=4) if document is not None else None,
            form=form,
        ),
        status,
    )


@bp.get("/")
@access(Access.ACTING)
def rejoin():
    return page(acting_campaign(), OldArchivingForm(formdata=None))


@bp.post("/old-archiving")
@access(Access.ACTING)
def old_archiving():
    campaign = acting_campaign()
    if not campaign.old_archiving:
        abort(404)
    form = OldArchivingForm()
    if campaign.old_archiving_accepted_at is None:
        if not form.validate_on_submit():
            return page(campaign, form, 400)
        current = current_version("service_description", OLD_PATIENT_ARCHIVING, current_language())
        if services.accept_old_archiving(campaign, shown_version(current)):
            flash(_("You have accepted the service description of old patient data archiving."), "success")
    return redirect(url_for("rejoin_area.rejoin"), code=303)
