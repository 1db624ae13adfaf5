"""chữ ký số: trust anchors, the signatures of issued documents, and on each document its latest
signed file, where its signature block lies and its public verification code

Revision ID: f1a2b3c4d5e6
Revises: e8b3f5a1c7d2
Create Date: 2026-12-06 23:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "f1a2b3c4d5e6"
down_revision = "e8b3f5a1c7d2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "trust_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("der", sa.LargeBinary(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("installed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["installed_by_id"], ["user_account.id"],
                                name=op.f("fk_trust_anchor_installed_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trust_anchor")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_trust_anchor_fingerprint")),
    )
    op.create_table(
        "document_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("signer_name", sa.String(length=300), nullable=False),
        sa.Column("signer_user_id", sa.Integer(), nullable=True),
        sa.Column("certificate_subject", sa.Text(), nullable=False),
        sa.Column("certificate_issuer", sa.Text(), nullable=False),
        sa.Column("certificate_serial", sa.String(length=80), nullable=False),
        sa.Column("cert_not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cert_not_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("anchor_name", sa.String(length=300), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"],
                                name=op.f("fk_document_signature_document_id_document")),
        sa.ForeignKeyConstraint(["pdf_id"], ["attachment.id"], name=op.f("fk_document_signature_pdf_id_attachment")),
        sa.ForeignKeyConstraint(["signer_user_id"], ["user_account.id"],
                                name=op.f("fk_document_signature_signer_user_id_user_account")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user_account.id"],
                                name=op.f("fk_document_signature_uploaded_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_signature")),
    )
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_signature_document_id"), ["document_id"], unique=False)
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_pdf_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sign_box", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("verify_code", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_document_signed_pdf_id_attachment"), "attachment",
                                    ["signed_pdf_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_document_verify_code"), ["verify_code"])


def downgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_document_verify_code"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_document_signed_pdf_id_attachment"), type_="foreignkey")
        batch_op.drop_column("verify_code")
        batch_op.drop_column("sign_box")
        batch_op.drop_column("signed_pdf_id")
    with op.batch_alter_table("document_signature", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_signature_document_id"))
    op.drop_table("document_signature")
    op.drop_table("trust_anchor")
