"""Two-factor sign-in required per role (two_factor_role) and per user
(user_account.two_factor_required_since), each from a moment the grace period counts from

Revision ID: f2a6c9d4e1b7
Revises: a3c5e7f9b1d2
Create Date: 2026-12-06 23:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "f2a6c9d4e1b7"
down_revision = "a3c5e7f9b1d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "two_factor_role",
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("required_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"], name=op.f("fk_two_factor_role_set_by_id_user_account")),
        sa.PrimaryKeyConstraint("role", name=op.f("pk_two_factor_role")),
    )
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("two_factor_required_since", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("two_factor_required_since")
    op.drop_table("two_factor_role")
