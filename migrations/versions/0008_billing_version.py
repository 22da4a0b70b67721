"""a version for the billing details of a service in use (optimistic locking of their changes)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 13:10:59.452204

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_in_use', schema=None) as batch_op:
        batch_op.add_column(sa.Column('billing_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('service_in_use', schema=None) as batch_op:
        batch_op.drop_column('billing_version')
