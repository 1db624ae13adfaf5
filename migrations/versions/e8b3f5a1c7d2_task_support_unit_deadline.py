"""task_support_unit.deadline: the supported task's deadline, kept by triggers, and the index
(unit_id, deadline, task_id)

A commune's task list cuts its page of supported tasks from this index alone, as it does its led
tasks from ix_task_unit_deadline, instead of reading every supported task's row for its deadline
(inspection/plans/queries.py _led_or_supported). The triggers copy the deadline when a unit is
added and when the task's deadline changes, whoever writes it.

Revision ID: e8b3f5a1c7d2
Revises: c4a7e2b19d30
Create Date: 2026-11-24 12:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8b3f5a1c7d2"
down_revision = "c4a7e2b19d30"
branch_labels = None
depends_on = None

_TRIGGERS = ["""
CREATE FUNCTION support_takes_deadline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.deadline := (SELECT deadline FROM task WHERE id = NEW.task_id);
    RETURN NEW;
END $$""", """
CREATE FUNCTION task_deadline_to_support() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE task_support_unit SET deadline = NEW.deadline WHERE task_id = NEW.id;
    RETURN NULL;
END $$""",
       "CREATE TRIGGER support_deadline BEFORE INSERT OR UPDATE OF task_id ON task_support_unit "
       "FOR EACH ROW EXECUTE FUNCTION support_takes_deadline()",
       "CREATE TRIGGER task_deadline_to_support AFTER UPDATE OF deadline ON task "
       "FOR EACH ROW WHEN (OLD.deadline IS DISTINCT FROM NEW.deadline) EXECUTE FUNCTION task_deadline_to_support()"]


def upgrade():
    op.add_column("task_support_unit", sa.Column("deadline", sa.Date(), nullable=True))
    op.drop_index("ix_task_support_unit_unit_id", table_name="task_support_unit")
    op.create_index("ix_task_support_unit_unit_deadline", "task_support_unit", ["unit_id", "deadline", "task_id"])
    op.execute("UPDATE task_support_unit SET deadline = "
               "(SELECT deadline FROM task WHERE task.id = task_support_unit.task_id)")
    for statement in _TRIGGERS:
        op.execute(statement)


def downgrade():
    op.execute("DROP TRIGGER task_deadline_to_support ON task")
    op.execute("DROP TRIGGER support_deadline ON task_support_unit")
    op.execute("DROP FUNCTION support_takes_deadline()")
    op.execute("DROP FUNCTION task_deadline_to_support()")
    op.drop_index("ix_task_support_unit_unit_deadline", table_name="task_support_unit")
    op.create_index("ix_task_support_unit_unit_id", "task_support_unit", ["unit_id"], unique=False)
    op.drop_column("task_support_unit", "deadline")
