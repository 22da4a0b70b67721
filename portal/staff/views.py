"""Kela staff pages. Staff sign in through the same e-identification with a staff role claim."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from portal.access import Access, access
from portal.extensions import db
from portal.registry.models import RegisterUnit
from portal.registry.services import last_sync
from portal.reviews.queries import waiting_counts

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@access(Access.STAFF)
def home():
    counts = dict(
        db.session.execute(select(RegisterUnit.register, func.count()).group_by(RegisterUnit.register)).all()
    )
    return render_template("staff/home.html", counts=counts, last_sync=last_sync(), waiting=waiting_counts())
