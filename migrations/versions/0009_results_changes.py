"""results changes

Revision ID: 0009
Revises: 0008
Owner while issue #12 is built: D2 (publication guards, results changed after publication). Leave the chain (revision/down_revision) as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
