"""scoring transitions

Revision ID: 0012
Revises: 0011
Owner while issue #12 is built: C (scoring and protocols). Leave the chain (revision/down_revision) as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
