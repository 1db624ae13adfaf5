"""the caches' triggers from their declarations (inspection/data/caches.py): the catalog version's and,
in place of the dashboard's ORM session hooks (which missed bulk statements), dashboard_change,
where statement triggers note the units each write touched

Revision ID: f3c8a1d5e7b9
Revises: e5b8c2d4f6a1
Create Date: 2026-12-07 08:40:00

"""
import sqlalchemy as sa
from alembic import op

from inspection.data import caches

revision = "f3c8a1d5e7b9"
down_revision = "e5b8c2d4f6a1"
branch_labels = None
depends_on = None

# what caches.catalog_watch() and unit_watch() derived from the declarations when this was written:
# a later change of a declaration fails tests/test_caches.py until a migration installs its lists
CATALOG = {"org_unit": None, "par_area": None, "plan": None, "task": ("id", "plan_id", "unit_id"),
           "task_support_unit": ("task_id", "unit_id")}
UNITS = {"checklist_item": None, "finding": "unit_id", "inspection": "unit_id", "org_unit": None,
         "remediation_action": "unit_id", "task": "unit_id"}

# one row per statement and unit (a bulk load of 100,000 tasks notes each of its units once); no
# unique key, so two writers never wait on each other here
_NOTE = f"""
CREATE FUNCTION note_changed_units() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO dashboard_change (unit_id) VALUES ({caches.ALL_UNITS});
    ELSIF TG_ARGV[0] = '' THEN
        EXECUTE format('INSERT INTO dashboard_change (unit_id) SELECT {caches.ALL_UNITS} '
                       'WHERE EXISTS (SELECT FROM %I)', changed);
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format('INSERT INTO dashboard_change (unit_id) SELECT %1$I FROM old_rows WHERE %1$I IS NOT NULL '
                       'UNION SELECT %1$I FROM new_rows WHERE %1$I IS NOT NULL', TG_ARGV[0]);
    ELSE
        EXECUTE format('INSERT INTO dashboard_change (unit_id) SELECT DISTINCT %1$I FROM %2$I '
                       'WHERE %1$I IS NOT NULL', TG_ARGV[0], changed);
    END IF;
    RETURN NULL;
END $$"""


def upgrade():
    op.create_table("dashboard_change",
                    sa.Column("id", sa.BigInteger(), nullable=False),
                    sa.Column("unit_id", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_change")))
    op.execute(_NOTE)
    caches.install_triggers(op.get_bind(), CATALOG, UNITS)


def downgrade():
    # the catalog's triggers stay as derived (a superset of c4a7e2b19d30's); the units' go
    op.execute("DROP FUNCTION note_changed_units() CASCADE")
    op.drop_table("dashboard_change")
