"""rate limit counts (sign-in start, uploads, PDF downloads), one row per limit, client and window

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 21:30:00

"""

from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rate_limit_count",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window_number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", portal.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "client", "window_number", name=op.f("pk_rate_limit_count")),
    )
    op.create_index("ix_rate_limit_count_expires_at", "rate_limit_count", ["expires_at"], unique=False)


def downgrade():
    op.drop_index("ix_rate_limit_count_expires_at", table_name="rate_limit_count")
    op.drop_table("rate_limit_count")
