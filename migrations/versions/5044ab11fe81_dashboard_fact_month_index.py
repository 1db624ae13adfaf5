"""dashboard_fact: an index on (month, subject) covering the counted columns

The dashboard sums one period of the summary from it alone (inspection/dashboard/queries.py).

Revision ID: 5044ab11fe81
Revises: 29285d02f11a
Create Date: 2026-11-23 16:46:35

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "5044ab11fe81"
down_revision = "29285d02f11a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_dashboard_fact_month_subject", "dashboard_fact", ["month", "subject"], unique=False,
                    postgresql_include=["unit_id", "area_id", "state", "returned", "hidden_by", "n"])


def downgrade():
    op.drop_index("ix_dashboard_fact_month_subject", table_name="dashboard_fact")
