"""appeal transitions

Revision ID: 0013
Revises: 0012
Owner while issue #12 is built: D1 (appeals). Leave the chain (revision/down_revision) as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
