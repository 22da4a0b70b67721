"""daily job runs (the worker's schedule: register export and sync, session purge)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 16:10:00

"""

from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=False),
        sa.Column("claimed_until", portal.db.UTCDateTime(), nullable=True),
        sa.Column("started_at", portal.db.UTCDateTime(), nullable=False),
        sa.Column("finished_at", portal.db.UTCDateTime(), nullable=True),
        sa.Column("next_try_at", portal.db.UTCDateTime(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint("state IN ('running', 'succeeded', 'failed')", name=op.f("ck_job_run_state")),
        sa.CheckConstraint("attempts >= 1", name=op.f("ck_job_run_attempts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
        sa.UniqueConstraint("job", "day", name=op.f("uq_job_run_job_day")),
    )


def downgrade():
    op.drop_table("job_run")
