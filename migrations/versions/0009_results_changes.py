"""results changes: the published snapshot, changes after publication, pre-appeal penalties

Revision ID: 0009
Revises: 0008

- ``results_publications``: who published a scheme's results, when, with which version of
  the results protocol; ``changed_at`` when they changed afterwards (R-RES-2, R-APL-9).
- ``published_results``: per participant, the total, place and medal they were told — the
  exact base of the comparison when results change after publication.
- ``result_changes``: each such change, old → new, and its cause.
- ``result_adjustments``: may now come from an accepted pre-appeal (R-APL-1):
  ``appeal_id`` becomes optional and ``pre_appeal_id`` is added.
"""

import sqlalchemy as sa
from alembic import op

import models.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "results_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.BigInteger(), nullable=True),
        sa.Column("published_at", models.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("protocol_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", models.tables.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
            name=op.f("fk_results_publications_scheme_id_schemes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results_publications")),
        sa.UniqueConstraint("scheme_id", name="uq_results_publications_scheme"),
    )
    op.create_table(
        "published_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("place", sa.Integer(), nullable=False),
        sa.Column("medal", sa.String(length=8), nullable=True),
        sa.Column("disqualified", sa.Boolean(), nullable=False),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("told_at", models.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
            name=op.f("fk_published_results_scheme_id_schemes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["evaluation_targets.id"],
            name=op.f("fk_published_results_target_id_evaluation_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_results")),
        sa.UniqueConstraint("scheme_id", "target_id", name="uq_published_results_target"),
    )
    with op.batch_alter_table("published_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_published_results_scheme_id"), ["scheme_id"], unique=False
        )

    op.create_table(
        "result_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(length=64), nullable=False),
        sa.Column("old_total", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("new_total", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("old_place", sa.Integer(), nullable=False),
        sa.Column("new_place", sa.Integer(), nullable=False),
        sa.Column("old_medal", sa.String(length=8), nullable=True),
        sa.Column("new_medal", sa.String(length=8), nullable=True),
        sa.Column("disqualified", sa.Boolean(), nullable=False),
        sa.Column("reissued", sa.String(length=64), nullable=True),
        sa.Column("protocol_version", sa.Integer(), nullable=True),
        sa.Column("at", models.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["schemes.id"],
            name=op.f("fk_result_changes_scheme_id_schemes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["evaluation_targets.id"],
            name=op.f("fk_result_changes_target_id_evaluation_targets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_changes")),
        sa.UniqueConstraint("target_id", "cause", name="uq_result_changes_target_cause"),
    )
    with op.batch_alter_table("result_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_result_changes_scheme_id"), ["scheme_id"], unique=False
        )

    with op.batch_alter_table("result_adjustments", schema=None) as batch_op:
        batch_op.alter_column("appeal_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("pre_appeal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_result_adjustments_pre_appeal_id_pre_appeals"),
            "pre_appeals",
            ["pre_appeal_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_unique_constraint(
            "uq_result_adjustments_pre_appeal", ["pre_appeal_id", "target_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("result_adjustments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_result_adjustments_pre_appeal", type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_result_adjustments_pre_appeal_id_pre_appeals"), type_="foreignkey"
        )
        batch_op.drop_column("pre_appeal_id")
        batch_op.alter_column("appeal_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("result_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_changes_scheme_id"))
    op.drop_table("result_changes")
    with op.batch_alter_table("published_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_published_results_scheme_id"))
    op.drop_table("published_results")
    op.drop_table("results_publications")
