from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from portal.access import Access, access
from portal.audit.services import record
from portal.auth import oidc
from portal.auth.services import sign_in, sign_out
from portal.i18n import current_language
from portal.organisations.services import MandatesUnavailable, begin_choice
from portal.ratelimits.limits import rate_limited

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@access(Access.PUBLIC)
@rate_limited("sign_in", methods=("POST",))
def start():
    if g.person_id:
        return redirect(url_for("staff.home" if g.staff else "organisations.dashboard"))
    if request.method == "GET":
        return render_template("auth/sign_in.html")
    return oidc.authorize_redirect(url_for("auth.callback", _external=True), current_language())


@bp.get("/sign-in/callback")
@access(Access.PUBLIC)
def callback():
    try:
        identity = oidc.complete_sign_in()
    except oidc.SignInFailed as exc:
        current_app.logger.warning("sign-in refused: %s", exc.reason)
        record("sign_in_refused", detail={"reason": exc.reason}, commit=True)
        return render_template("auth/sign_in_failed.html"), 400
    sign_in(identity)
    if identity.staff:
        return redirect(url_for("staff.home"))
    if not identity.hetu:
        return redirect(url_for("auth.no_henkilotunnus"))
    try:
        return redirect(begin_choice())
    except MandatesUnavailable:
        return redirect(url_for("organisations.choose"))


@bp.get("/sign-in/no-henkilotunnus")
@access(Access.SIGNED_IN)
def no_henkilotunnus():
    return render_template("auth/no_henkilotunnus.html")


@bp.post("/sign-out", endpoint="sign_out")
@access(Access.PUBLIC)
def sign_out_view():
    sign_out()
    return redirect(url_for("auth.signed_out"), code=303)


@bp.get("/signed-out")
@access(Access.PUBLIC)
def signed_out():
    return render_template("auth/signed_out.html")
