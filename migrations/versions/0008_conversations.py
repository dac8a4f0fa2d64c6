"""conversations: FSM state and drafts in the database (issue #12, guarantee 2)

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import models.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_states",
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("business_connection_id", sa.String(length=128), nullable=False),
        sa.Column("destiny", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", models.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "bot_id",
            "chat_id",
            "user_id",
            "thread_id",
            "business_connection_id",
            "destiny",
            name=op.f("pk_conversation_states"),
        ),
    )


def downgrade() -> None:
    op.drop_table("conversation_states")
