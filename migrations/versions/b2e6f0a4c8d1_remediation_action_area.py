"""remediation_action.area_id: the PAR area of its finding's checklist item, kept on the action;
ix_inspection_undisclosed: the inspections not yet disclosed to their target;
ix_remediation_action_escalation_level: the escalated actions

The live dashboard counted each action's area and ordering unit by joining every finding and every
inspection: on ten provinces' data a province leader's page read the whole finding table (1,000,000
rows) to count the province's 100,000 actions (bench/national.py). With the area on the action and
the undisclosed inspections in an index of their own, it reads the leader's actions alone. The
leader's count of escalated actions (the menu's badge) read every action of the ten provinces
(194 ms; 1 ms from the index).

Revision ID: b2e6f0a4c8d1
Revises: a8d2f6c4e913
Create Date: 2026-12-07 20:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b2e6f0a4c8d1"
down_revision = "a8d2f6c4e913"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("remediation_action", sa.Column("area_id", sa.Integer(), nullable=True))
    op.create_foreign_key(op.f("fk_remediation_action_area_id_par_area"), "remediation_action", "par_area",
                          ["area_id"], ["id"])
    op.execute("UPDATE remediation_action a SET area_id = ci.area_id FROM finding f "
               "JOIN checklist_item ci ON ci.id = f.item_id WHERE f.id = a.finding_id AND ci.area_id IS NOT NULL")
    op.create_index("ix_inspection_undisclosed", "inspection", ["id"], unique=False,
                    postgresql_include=["ordering_unit_id"],
                    postgresql_where=sa.text("announced_at IS NULL AND started_at IS NULL"))
    op.create_index(op.f("ix_remediation_action_escalation_level"), "remediation_action", ["escalation_level"],
                    unique=False)


def downgrade():
    op.drop_index(op.f("ix_remediation_action_escalation_level"), table_name="remediation_action")
    op.drop_index("ix_inspection_undisclosed", table_name="inspection",
                  postgresql_where=sa.text("announced_at IS NULL AND started_at IS NULL"))
    op.drop_constraint(op.f("fk_remediation_action_area_id_par_area"), "remediation_action", type_="foreignkey")
    op.drop_column("remediation_action", "area_id")
