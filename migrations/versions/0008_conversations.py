"""conversations

Revision ID: 0008
Revises: 0007
Owner while issue #12 is built: E (conversation state in the database). Leave the chain (revision/down_revision) as it is.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
