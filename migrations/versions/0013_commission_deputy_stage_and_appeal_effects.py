"""commission deputy and stage; an appeal's restoration and penalised participant

Revision ID: 0013
Revises: 0012

Issue #15, R-APL-6: the commission is formed against the stage it serves, chosen explicitly
(``commission_members.stage_id``); its deputy chair is a member whose ``role`` is «deputy»
(no column: the role string is wide enough). R-APL-9: an upheld appeal may restore points to
the appellant's participant (``appeals.restored``) and penalise another participant of the
same competence (``appeals.penalised_target_id``); an appeal then adjusts the results of up
to two participants, so its adjustment is unique per (appeal, participant).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commission_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_commission_members_stage_id_stages"),
            "stages",
            ["stage_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("restored", sa.Numeric(precision=6, scale=2), nullable=True))
        batch_op.add_column(sa.Column("penalised_target_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_appeals_penalised_target_id_evaluation_targets"),
            "evaluation_targets",
            ["penalised_target_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("result_adjustments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_result_adjustments_appeal", type_="unique")
        batch_op.create_unique_constraint(
            "uq_result_adjustments_appeal_target", ["appeal_id", "target_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("result_adjustments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_result_adjustments_appeal_target", type_="unique")
        batch_op.create_unique_constraint("uq_result_adjustments_appeal", ["appeal_id"])
    with op.batch_alter_table("appeals", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appeals_penalised_target_id_evaluation_targets"), type_="foreignkey"
        )
        batch_op.drop_column("penalised_target_id")
        batch_op.drop_column("restored")
    with op.batch_alter_table("commission_members", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_commission_members_stage_id_stages"), type_="foreignkey"
        )
        batch_op.drop_column("stage_id")
