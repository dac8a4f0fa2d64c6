"""the group's marks of the last comparison that asked for a re-score (issue #16)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("aspect_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flagged_marks", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("aspect_results", schema=None) as batch_op:
        batch_op.drop_column("flagged_marks")
