"""task answers kept in the content-addressed store like application files (issue #15, R-COO-4)

Revision ID: 0015
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task_submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mime_type", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("storage_path", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task_submissions", schema=None) as batch_op:
        batch_op.drop_column("storage_path")
        batch_op.drop_column("sha256")
        batch_op.drop_column("mime_type")
