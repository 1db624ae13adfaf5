"""each save of a check result as its own record (check_result_write: version, author, client
UUID), which offline conflict detection reads instead of the audit log; filled from the audit
events of the saves made before (one per version, in order)

Revision ID: e5b8c2d4f6a1
Revises: d9e4a7b3c215
Create Date: 2026-12-07 06:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e5b8c2d4f6a1"
down_revision = "d9e4a7b3c215"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "check_result_write",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("client_uuid", sa.String(36), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["check_result.id"],
                                name=op.f("fk_check_result_write_result_id_check_result")),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"],
                                name=op.f("fk_check_result_write_author_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_result_write")),
        sa.UniqueConstraint("result_id", "version", name=op.f("uq_check_result_write_result_id")),
    )
    # the saves made before: their audit events, numbered per result in the order they were written
    op.execute("""
        INSERT INTO check_result_write (result_id, version, author_id, client_uuid, written_at)
        SELECT r.id, row_number() OVER (PARTITION BY r.id ORDER BY e.seq), e.actor_id,
               coalesce(e.after ->> 'client_uuid', ''), e.at
        FROM audit_event e JOIN check_result r ON e.target_id = r.id::text
        WHERE e.action = 'inspection.result' AND e.target_type = 'check_result' AND e.actor_id IS NOT NULL
    """)


def downgrade():
    op.drop_table("check_result_write")
