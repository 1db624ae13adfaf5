"""security_event: the append-only log of refused access

Revision ID: b7d4e2c9a613
Revises: 5045b9eca783
Create Date: 2026-12-06 23:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d4e2c9a613"
down_revision = "5045b9eca783"
branch_labels = None
depends_on = None

_PG_APPEND_ONLY = ["""
CREATE FUNCTION security_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'security_event is append-only';
END $$""", """
CREATE TRIGGER security_event_append_only BEFORE UPDATE OR DELETE ON security_event
    FOR EACH ROW EXECUTE FUNCTION security_event_append_only()"""]


def upgrade():
    op.create_table(
        "security_event",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("endpoint", sa.String(length=100), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_security_event_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_event")),
    )
    op.create_index(op.f("ix_security_event_at"), "security_event", ["at"], unique=False)
    op.create_index("ix_security_event_user_id_at", "security_event", ["user_id", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_APPEND_ONLY:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER security_event_append_only ON security_event")
        op.execute("DROP FUNCTION security_event_append_only()")
    op.drop_index("ix_security_event_user_id_at", table_name="security_event")
    op.drop_index(op.f("ix_security_event_at"), table_name="security_event")
    op.drop_table("security_event")
