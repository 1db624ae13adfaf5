"""One extension flow for tasks and remediation actions: the coordinator's forward step
(forwarded_by_id, forwarded_at, forward_opinion, forward_note; status 'forwarded') and at most one
pending request (requested or forwarded) per subject, by two partial unique indexes.

Remediation used to accept a second pending request for the same action. Before the indexes are
made, the older of such duplicates are closed as refused, with a note saying why and no decider;
the newest stays pending and every row is kept.

Revision ID: b5d8e1f3a7c9
Revises: c7e2a9d4f1b3
Create Date: 2026-12-07 02:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d8e1f3a7c9"
down_revision = "c7e2a9d4f1b3"
branch_labels = None
depends_on = None

PENDING = "status IN ('requested', 'forwarded')"
SUPERSEDED = "Đóng tự động khi hợp nhất quy trình gia hạn: đơn vị đã gửi đề nghị mới hơn cho cùng nội dung."


def _close_duplicates(column: str) -> None:
    op.execute(sa.text(f"""
        UPDATE extension_request AS e SET status = 'refused', decided_at = now(), decision_note = :note
        WHERE e.{column} IS NOT NULL AND e.status IN ('requested', 'forwarded')
          AND EXISTS (SELECT 1 FROM extension_request AS n WHERE n.{column} = e.{column}
                      AND n.status IN ('requested', 'forwarded') AND n.id > e.id)
    """).bindparams(note=SUPERSEDED))


def upgrade():
    with op.batch_alter_table("extension_request") as batch_op:
        batch_op.add_column(sa.Column("forwarded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("forward_opinion", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("forward_note", sa.Text(), server_default="", nullable=False))
        batch_op.create_foreign_key(op.f("fk_extension_request_forwarded_by_id_user_account"), "user_account",
                                    ["forwarded_by_id"], ["id"])
    for column in ("task_id", "action_id"):
        _close_duplicates(column)
    op.create_index("uq_extension_request_pending_task", "extension_request", ["task_id"], unique=True,
                    postgresql_where=sa.text(PENDING))
    op.create_index("uq_extension_request_pending_action", "extension_request", ["action_id"], unique=True,
                    postgresql_where=sa.text(PENDING))


def downgrade():
    op.drop_index("uq_extension_request_pending_action", table_name="extension_request")
    op.drop_index("uq_extension_request_pending_task", table_name="extension_request")
    op.execute("UPDATE extension_request SET status = 'requested' WHERE status = 'forwarded'")
    with op.batch_alter_table("extension_request") as batch_op:
        batch_op.drop_constraint(op.f("fk_extension_request_forwarded_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("forward_note")
        batch_op.drop_column("forward_opinion")
        batch_op.drop_column("forwarded_at")
        batch_op.drop_column("forwarded_by_id")
