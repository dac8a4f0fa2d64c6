"""guardian_consents: a minor's parental consent and accompanying adult (R-ROLE-5, issue #15)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import models.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guardian_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("guardian_name", sa.Text(), nullable=True),
        sa.Column("guardian_relation", sa.String(length=16), nullable=True),
        sa.Column("companion_name", sa.Text(), nullable=True),
        sa.Column("companion_phone", sa.String(length=32), nullable=True),
        sa.Column("file_telegram_id", sa.Text(), nullable=True),
        sa.Column("file_unique_id", sa.String(length=128), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("mime_type", sa.String(length=128), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("storage_path", sa.Text(), nullable=True),
        sa.Column("uploaded_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("downloaded_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("download_error", sa.Text(), nullable=True),
        sa.Column("submitted_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("created_at", models.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_guardian_consents_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian_consents")),
        sa.UniqueConstraint("participant_id", name=op.f("uq_guardian_consents_participant_id")),
    )
    op.create_index(
        op.f("ix_guardian_consents_sha256"), "guardian_consents", ["sha256"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_guardian_consents_sha256"), table_name="guardian_consents")
    op.drop_table("guardian_consents")
