"""welfare-area re-joins: the area, merging units and technical data; the old patient data archiving's description

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 22:10:00

"""

from alembic import op
import sqlalchemy as sa

import portal.db


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


SERVICES = "'patient_archive', 'social_archive', 'eprescription', 'image_archive'"
MATCHES_KIND = (
    "(kind = 'commitment' AND service IS NULL) OR (kind = 'service_description' AND service IN ({}))"
)


def _service_check(services: str) -> None:
    """The services a service description may be of (the old patient data archiving's, for re-joins)."""
    with op.batch_alter_table("document_version") as batch_op:
        batch_op.drop_constraint(op.f("ck_document_version_service_matches_kind"), type_="check")
        batch_op.create_check_constraint("service_matches_kind", MATCHES_KIND.format(services))


def upgrade():
    _service_check(SERVICES + ", 'old_patient_archiving'")
    op.create_table(
        "rejoin_campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_business_id", sa.String(length=9), nullable=False),
        sa.Column("area_oid", sa.String(length=200), nullable=False),
        sa.Column("area_name", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("technical", sa.JSON(), nullable=False),
        sa.Column("created_by_name", sa.Text(), nullable=False),
        sa.Column("created_at", portal.db.UTCDateTime(), nullable=False),
        sa.Column("sent_at", portal.db.UTCDateTime(), nullable=True),
        sa.Column("ended_at", portal.db.UTCDateTime(), nullable=True),
        sa.Column("ended_by_name", sa.Text(), nullable=True),
        sa.Column("old_archiving", sa.Boolean(), nullable=False),
        sa.Column("old_archiving_version_id", sa.Integer(), nullable=True),
        sa.Column("old_archiving_accepted_by_person_id", sa.Integer(), nullable=True),
        sa.Column("old_archiving_accepted_by_name", sa.Text(), nullable=True),
        sa.Column("old_archiving_accepted_at", portal.db.UTCDateTime(), nullable=True),
        sa.Column("old_archiving_text_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["old_archiving_version_id"],
            ["document_version.id"],
            name=op.f("fk_rejoin_campaign_old_archiving_version_id_document_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["old_archiving_accepted_by_person_id"],
            ["person.id"],
            name=op.f("fk_rejoin_campaign_old_archiving_accepted_by_person_id_person"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejoin_campaign")),
        sa.UniqueConstraint("area_business_id", name=op.f("uq_rejoin_campaign_area_business_id")),
    )
    op.create_table(
        "rejoin_old_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.String(length=9), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("ended_at", portal.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["rejoin_campaign.id"],
            name=op.f("fk_rejoin_old_unit_campaign_id_rejoin_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejoin_old_unit")),
        sa.UniqueConstraint("campaign_id", "business_id", name=op.f("uq_rejoin_old_unit_campaign_id_business_id")),
    )
    op.create_index("ix_rejoin_old_unit_campaign_id", "rejoin_old_unit", ["campaign_id"], unique=False)
    op.create_index("ix_rejoin_old_unit_business_id", "rejoin_old_unit", ["business_id"], unique=False)


def downgrade():
    op.drop_index("ix_rejoin_old_unit_business_id", table_name="rejoin_old_unit")
    op.drop_index("ix_rejoin_old_unit_campaign_id", table_name="rejoin_old_unit")
    op.drop_table("rejoin_old_unit")
    op.drop_table("rejoin_campaign")
    op.execute("DELETE FROM document_version WHERE service = 'old_patient_archiving'")
    _service_check(SERVICES)
