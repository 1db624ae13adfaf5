"""task: the index on unit_id becomes (unit_id, deadline, id) including plan_id

A commune's task list takes its page of ids, and its plan filter the plans of its tasks, from
this index alone (inspection/plans/queries.py list_tasks, inspection/plans/choices.py).

Revision ID: 7c1d9e0a4b21
Revises: 5044ab11fe81
Create Date: 2026-11-23 19:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "7c1d9e0a4b21"
down_revision = "5044ab11fe81"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_task_unit_deadline", "task", ["unit_id", "deadline", "id"], unique=False,
                    postgresql_include=["plan_id"])
    op.drop_index("ix_task_unit_id", table_name="task")


def downgrade():
    op.create_index("ix_task_unit_id", "task", ["unit_id"], unique=False)
    op.drop_index("ix_task_unit_deadline", table_name="task")
