"""chữ ký số per issuing unit: unit_signing_key (each unit's key in the token or its PKCS#12
file), personal_certificate (an administrator's mapping of a certificate to a user), and
document.sign_note (why a document carries no agency signature)

Revision ID: c7e2a9d4f1b3
Revises: f2a6c9d4e1b7
Create Date: 2026-12-07 02:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c7e2a9d4f1b3"
down_revision = "f2a6c9d4e1b7"
branch_labels = None
depends_on = None


def _stamps() -> list:
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    op.create_table(
        "unit_signing_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("token_label", sa.String(length=100), nullable=False),
        sa.Column("key_label", sa.String(length=100), nullable=False),
        sa.Column("pkcs12_path", sa.String(length=500), nullable=False),
        sa.Column("certificate_subject", sa.Text(), nullable=False),
        sa.Column("certificate_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("cert_not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["unit_id"], ["org_unit.id"], name=op.f("fk_unit_signing_key_unit_id_org_unit")),
        sa.ForeignKeyConstraint(["set_by_id"], ["user_account.id"],
                                name=op.f("fk_unit_signing_key_set_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_signing_key")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_unit_signing_key_unit_id")),
    )
    op.create_table(
        "personal_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("issuer", sa.Text(), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_personal_certificate_user_id_user_account")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["user_account.id"],
                                name=op.f("fk_personal_certificate_approved_by_id_user_account")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["user_account.id"],
                                name=op.f("fk_personal_certificate_revoked_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_certificate")),
    )
    op.create_index(op.f("ix_personal_certificate_user_id"), "personal_certificate", ["user_id"])
    op.create_index(op.f("ix_personal_certificate_fingerprint"), "personal_certificate", ["fingerprint"])
    with op.batch_alter_table("document") as batch_op:
        batch_op.add_column(sa.Column("sign_note", sa.String(length=300), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("document") as batch_op:
        batch_op.drop_column("sign_note")
    op.drop_index(op.f("ix_personal_certificate_fingerprint"), table_name="personal_certificate")
    op.drop_index(op.f("ix_personal_certificate_user_id"), table_name="personal_certificate")
    op.drop_table("personal_certificate")
    op.drop_table("unit_signing_key")
