"""device tokens and correction reasons

Revision ID: 29285d02f11a
Revises: 57bd01de9b9a
Create Date: 2026-11-23 16:03:41.264447

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '29285d02f11a'
down_revision = '57bd01de9b9a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_device_revoked_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_device_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_device_token_hash'))
    )
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=30), server_default='minutes_closed',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('correction', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_user_id'))
    op.drop_table('device')
