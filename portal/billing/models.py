"""Billing details given in an application (patient data archive and ePrescription)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class BillingDetails(db.Model):
    __tablename__ = "billing_details"
    __table_args__ = (CheckConstraint("method IN ('address', 'einvoice')", name="method"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), unique=True)
    business_id: Mapped[str] = mapped_column(String(9))
    method: Mapped[str] = mapped_column(String(10))
    street_address: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    post_office: Mapped[str | None] = mapped_column(String(100))
    einvoice_address: Mapped[str | None] = mapped_column(String(40), index=True)
    operator_code: Mapped[str | None] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(70))
