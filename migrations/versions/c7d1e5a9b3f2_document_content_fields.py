"""What the documents need to say the right thing: the conclusion's causes (nguyên nhân) and
deadlines written as "trong thời hạn N ngày kể từ ngày ký" (a date only at issue); per unit the
short code of its filing line ("Lưu: VT, SNV.") and the signature authorities it signs with
(TM., KT., TL., TUQ., Q.)

Revision ID: c7d1e5a9b3f2
Revises: 113d3b9a4255
Create Date: 2026-12-07 02:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "c7d1e5a9b3f2"
down_revision = "113d3b9a4255"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conclusion") as batch_op:
        batch_op.add_column(sa.Column("causes", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("conclusion_item") as batch_op:
        batch_op.add_column(sa.Column("deadline_days", sa.Integer(), nullable=True))
        batch_op.alter_column("deadline", existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table("org_unit") as batch_op:
        batch_op.add_column(sa.Column("doc_code", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("signing_authorities", sa.String(length=40), nullable=False,
                                      server_default=""))


def downgrade():
    with op.batch_alter_table("org_unit") as batch_op:
        batch_op.drop_column("signing_authorities")
        batch_op.drop_column("doc_code")
    op.execute("UPDATE conclusion_item SET deadline = CURRENT_DATE + deadline_days WHERE deadline IS NULL")
    with op.batch_alter_table("conclusion_item") as batch_op:
        batch_op.alter_column("deadline", existing_type=sa.Date(), nullable=False)
        batch_op.drop_column("deadline_days")
    with op.batch_alter_table("conclusion") as batch_op:
        batch_op.drop_column("causes")
