"""staff transitions

Revision ID: 0011
Revises: 0010
Owner while issue #12 is built: B (broadcasts, invitations, tasks, remote). Leave the chain (revision/down_revision) as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
