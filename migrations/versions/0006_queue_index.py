"""the review queue's index: sent applications by status in the order they were sent

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index('ix_application_status_submitted_at', ['status', 'submitted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index('ix_application_status_submitted_at')
