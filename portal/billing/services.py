"""Billing details of an application."""

from __future__ import annotations

from sqlalchemy import select

from portal.applications.models import Application
from portal.billing.models import BillingDetails
from portal.extensions import db

FIELDS = (
    "business_id",
    "method",
    "street_address",
    "postal_code",
    "post_office",
    "einvoice_address",
    "operator_code",
    "reference",
)


def billing_for(application: Application) -> BillingDetails | None:
    return db.session.scalar(select(BillingDetails).where(BillingDetails.application_id == application.id))


def save_billing(application: Application, data: dict) -> dict:
    """Store the billing details (not committed); the fields of the method not chosen are cleared."""
    billing = billing_for(application) or BillingDetails(application_id=application.id)
    db.session.add(billing)
    einvoice = data["method"] == "einvoice"
    values = {name: (data.get(name) or None) for name in FIELDS}
    for name in ("einvoice_address", "operator_code"):
        values[name] = values[name] if einvoice else None
    for name in ("street_address", "postal_code", "post_office"):
        values[name] = None if einvoice else values[name]
    for name, value in values.items():
        setattr(billing, name, value)
    return values
