"""How many requests a client made under a rate limit in one window of time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import UTCDateTime
from portal.extensions import db


class RateLimitCount(db.Model):
    """Requests of one client (``client``: an HMAC of the person or the address, never the value itself)
    under the limit ``name`` in the window numbered ``window_number`` (seconds since the epoch divided by
    the window's length). A row is no longer needed once ``expires_at`` (the window's end) has passed."""

    __tablename__ = "rate_limit_count"
    __table_args__ = (Index("ix_rate_limit_count_expires_at", "expires_at"),)

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
