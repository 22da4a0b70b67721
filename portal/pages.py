"""Public pages: the front page, the accessibility statement and the privacy notice."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template

from portal.access import Access, access

bp = Blueprint("pages", __name__)

# When the accessibility statement was last reviewed: change it with the statement's content.
ACCESSIBILITY_STATEMENT_DATE = date(2026, 11, 22)
DEFAULT_FEEDBACK_EMAIL = "kanta@kanta.fi"


@bp.get("/")
@access(Access.PUBLIC)
def home():
    return render_template("pages/home.html")


@bp.get("/accessibility")
@access(Access.PUBLIC)
def accessibility():
    return render_template(
        "pages/accessibility.html",
        statement_date=ACCESSIBILITY_STATEMENT_DATE,
        feedback_email=current_app.config.get("FEEDBACK_EMAIL", DEFAULT_FEEDBACK_EMAIL),
    )


@bp.get("/privacy")
@access(Access.PUBLIC)
def privacy():
    return render_template(
        "pages/privacy.html", feedback_email=current_app.config.get("FEEDBACK_EMAIL", DEFAULT_FEEDBACK_EMAIL)
    )
