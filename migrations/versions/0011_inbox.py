"""inbox: every incoming update recorded before it is acknowledged (issue #13)

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import models.tables

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_updates",
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", models.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("handled_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failed_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_inbox_updates")),
    )
    op.create_index(
        op.f("ix_inbox_updates_handled_at"), "inbox_updates", ["handled_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inbox_updates_handled_at"), table_name="inbox_updates")
    op.drop_table("inbox_updates")
