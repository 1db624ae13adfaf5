"""minutes signed on site: the structured căn cứ, the recorded times and parts of the minutes,
Ông/Bà on each user, the signatures drawn on the tablet

Revision ID: d9e4a7b3c215
Revises: c7d1e5a9b3f2
Create Date: 2026-12-07 02:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d9e4a7b3c215"
down_revision = "c7d1e5a9b3f2"
branch_labels = None
depends_on = None

TEXTS = [("decision_number", sa.String(60)), ("decision_issuer", sa.String(200)),
         ("decision_summary", sa.String(400)), ("other_representatives", sa.Text()), ("strengths", sa.Text()),
         ("team_recommendations", sa.Text()), ("unit_comments", sa.Text())]


def upgrade():
    with op.batch_alter_table("inspection") as batch:
        for name, kind in TEXTS:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=""))
        batch.add_column(sa.Column("decision_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("minutes_began_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("minutes_ended_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("honorific", sa.String(3), nullable=False, server_default=""))
    op.create_table(
        "minutes_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("signer_name", sa.String(120), nullable=False),
        sa.Column("signer_title", sa.String(120), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("image_sha256", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device", sa.String(200), nullable=False),
        sa.Column("client_uuid", sa.String(36), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspection.id"],
                                name=op.f("fk_minutes_signature_inspection_id_inspection")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user_account.id"],
                                name=op.f("fk_minutes_signature_recorded_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_minutes_signature")),
        sa.UniqueConstraint("client_uuid", name=op.f("uq_minutes_signature_client_uuid")),
        sa.UniqueConstraint("inspection_id", "role", name=op.f("uq_minutes_signature_inspection_id")),
    )
    op.create_index(op.f("ix_minutes_signature_inspection_id"), "minutes_signature", ["inspection_id"])


def downgrade():
    op.drop_index(op.f("ix_minutes_signature_inspection_id"), table_name="minutes_signature")
    op.drop_table("minutes_signature")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("honorific")
    with op.batch_alter_table("inspection") as batch:
        for name in ("minutes_ended_at", "minutes_began_at", "decision_date") + tuple(n for n, _ in reversed(TEXTS)):
            batch.drop_column(name)
