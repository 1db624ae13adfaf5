"""dashboard_fact: the (unit_id, month) index covers the counted columns

A province leader's dashboard sums its own units' rows of the summary. With ten provinces in the
table PostgreSQL read the whole year of every unit from the (month, subject) index to keep a
tenth of it (the leader's fresh page 117 ms on one province, 965 ms on ten; bench/national.py);
covered, it reads the leader's units' rows alone, from the index (~65 ms on ten).

Revision ID: a8d2f6c4e913
Revises: f3c8a1d5e7b9
Create Date: 2026-12-07 12:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "a8d2f6c4e913"
down_revision = "f3c8a1d5e7b9"
branch_labels = None
depends_on = None

COUNTED = ["subject", "area_id", "state", "returned", "hidden_by", "n"]


def upgrade():
    op.drop_index("ix_dashboard_fact_unit_month", table_name="dashboard_fact")
    op.create_index("ix_dashboard_fact_unit_month", "dashboard_fact", ["unit_id", "month"], unique=False,
                    postgresql_include=COUNTED)


def downgrade():
    op.drop_index("ix_dashboard_fact_unit_month", table_name="dashboard_fact")
    op.create_index("ix_dashboard_fact_unit_month", "dashboard_fact", ["unit_id", "month"], unique=False)
