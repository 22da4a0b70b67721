"""The wizard's billing step (patient data archive and ePrescription)."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import Access, access
from portal.applications import services as applications
from portal.applications.steps import after_save, open_step, step_context
from portal.billing.forms import BillingForm
from portal.billing.services import billing_for, save_billing

bp = Blueprint("billing", __name__, url_prefix="/applications")


@bp.route("/<int:application_id>/billing", methods=["GET", "POST"])
@access(Access.ACTING)
def step(application_id: int):
    application, wizard = open_step(application_id, "billing")
    existing = billing_for(application)
    form = BillingForm(obj=existing)
    if existing is None and not form.is_submitted():
        form.business_id.data = application.organisation_business_id
    if form.validate_on_submit():
        changes = save_billing(application, form.data)
        applications.save_step(application, "billing", changes)
        return after_save(application, wizard, "billing")
    return render_template("billing/step.html", form=form, **step_context(application, wizard, "billing"))
