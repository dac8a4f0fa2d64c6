"""participant transitions

Revision ID: 0010
Revises: 0009
Owner while issue #12 is built: A (participants and coordinators). Leave the chain (revision/down_revision) as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
