from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from portal.access import Access, access
from portal.applications.services import applications_by_service, get_application, services_available
from portal.applications.views import continue_url
from portal.documents.deployment_test import deployment_test_report_pdf
from portal.i18n import current_language
from portal.organisations.dashboard import acting_unit, organisation_rows, service_statuses
from portal.organisations.services import ChoiceOutcome, MandatesUnavailable, begin_choice, complete_choice
from portal.ratelimits.limits import rate_limited
from portal.registry.services import is_valid_today
from portal.rejoins.services import sent_campaign_for
from portal.reviews.services import current_decision
from portal.texts import gettext as _

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
    services = services_available(unit)
    return render_template(
        "organisations/dashboard.html",
        unit=unit,
        rows=organisation_rows(unit),
        services=services,
        statuses=service_statuses([s.key for s in services], applications_by_service()),
        continue_url=continue_url,
        rejoin=rejoin_services(unit),
    )


def rejoin_services(unit) -> list:
    """The services whose technical joining data Kela prepared for the area's re-join, once sent."""
    campaign = sent_campaign_for(unit.business_id) if unit.business_id else None
    if campaign is None:
        return []
    return [s for s in services_available(unit) if (campaign.technical or {}).get(s.key)]


@bp.get("/dashboard/applications/<int:application_id>/deployment-test-report")
@access(Access.ACTING)
@rate_limited("pdf")
def deployment_test_report(application_id: int):
    """The deployment-test report form for an approved application, in the page's language or the
    one asked for (``?lang=sv``: the vendor may read another)."""
    application = get_application(application_id)
    decision = current_decision(application)
    if application.status != "approved" or decision is None:
        abort(404)
    lang = request.args.get("lang") or current_language()
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    filename = f"kanta-deployment-test-report-{application.id}-{lang}.pdf"
    return Response(
        deployment_test_report_pdf(application, decision.decided_at, lang),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
