from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.access import Access, access
from portal.applications.services import applications_by_service, services_available
from portal.applications.views import continue_url
from portal.organisations.dashboard import acting_unit, organisation_rows
from portal.organisations.services import ChoiceOutcome, MandatesUnavailable, begin_choice, complete_choice
from portal.registry.services import is_valid_today

bp = Blueprint("organisations", __name__)


@bp.get("/organisation")
@access(Access.SIGNED_IN)
def choose():
    if not session.get("hetu"):
        return redirect(url_for("auth.no_henkilotunnus"))
    return render_template("organisations/choose.html")


@bp.post("/organisation")
@access(Access.SIGNED_IN)
def switch():
    if not session.get("hetu"):
        return redirect(url_for("auth.no_henkilotunnus"), code=303)
    try:
        return redirect(begin_choice(), code=303)
    except MandatesUnavailable:
        return render_template("organisations/choose.html", mandates_down=True), 503


@bp.get("/organisation/callback")
@access(Access.SIGNED_IN)
def callback():
    outcome = complete_choice(request.args)
    if outcome.kind == "acting":
        flash(_("You are now acting for %(name)s.", name=outcome.name), "success")
        return redirect(url_for("organisations.dashboard"))
    return render_template("organisations/refused.html", outcome=outcome), 403 if outcome.kind in (
        "roles_refused",
        "not_in_register",
        "ended",
    ) else 200


@bp.get("/dashboard")
@access(Access.ACTING)
def dashboard():
    unit = acting_unit()
    if unit is None or not is_valid_today(unit):
        # The register changed since the organisation was chosen.
        session.pop("acting", None)
        kind = "not_in_register" if unit is None else "ended"
        outcome = ChoiceOutcome(
            kind, g.acting["name"], g.acting["business_id"], valid_until=unit and unit.expiration_date
        )
        return render_template("organisations/refused.html", outcome=outcome), 403
    return render_template(
        "organisations/dashboard.html",
        unit=unit,
        rows=organisation_rows(unit),
        services=services_available(unit),
        applications=applications_by_service(),
        continue_url=continue_url,
    )
