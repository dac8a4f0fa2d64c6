"""appeal transitions

Revision ID: 0010
Revises: 0009

Issue #12, guarantee 1: a chat draft (dispute, appeal form) opens one vote and files one
appeal however often «Вынести» / «Подать» is pressed (``draft_key``, unique per author), and
a closed pre-appeal vote says who closed it (``closed_by``; empty when everyone voted).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pre_appeals", sa.Column("closed_by", sa.BigInteger(), nullable=True))
    op.add_column("pre_appeals", sa.Column("draft_key", sa.String(length=64), nullable=True))
    op.create_index("uq_pre_appeals_draft", "pre_appeals", ["opened_by", "draft_key"], unique=True)
    op.add_column("appeals", sa.Column("draft_key", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_appeals_draft", "appeals", ["applicant_telegram_id", "draft_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_appeals_draft", table_name="appeals")
    op.drop_column("appeals", "draft_key")
    op.drop_index("uq_pre_appeals_draft", table_name="pre_appeals")
    op.drop_column("pre_appeals", "draft_key")
    op.drop_column("pre_appeals", "closed_by")
