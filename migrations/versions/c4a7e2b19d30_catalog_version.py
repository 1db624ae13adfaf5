"""catalog_version: one row counting changes to plans, units, PAR areas and who leads or supports
which task, bumped by triggers

The choices of the forms and list filters are remembered per version (inspection/data/catalog.py); the
triggers see every writer (services, bulk statements, the CLI, a psql session). They are deferred
constraint triggers: the row is locked at commit, the last lock a transaction takes,
so two transactions never wait on each other through it; a transaction bumps it once. Its value
comes from a sequence, which never gives a number twice, even to a transaction that rolled back.
TRUNCATE bumps it too.

Revision ID: c4a7e2b19d30
Revises: 7c1d9e0a4b21
Create Date: 2026-11-24 11:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4a7e2b19d30"
down_revision = "7c1d9e0a4b21"
branch_labels = None
depends_on = None

# table → the events that change what is offered (a task's progress does not)
WATCHED = {"plan": "INSERT OR UPDATE OR DELETE", "org_unit": "INSERT OR UPDATE OR DELETE",
           "par_area": "INSERT OR UPDATE OR DELETE", "task_support_unit": "INSERT OR DELETE OR UPDATE OF task_id, unit_id",
           "task": "INSERT OR DELETE OR UPDATE OF plan_id, unit_id"}

# once per transaction: a row it already bumped has its id as xmin (a bulk load of 100,000 tasks
# would otherwise update the one row 100,000 times); a savepoint's bump has the savepoint's id,
# so a later savepoint bumps again, which is harmless
_BUMP = """
CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_version SET version = nextval('catalog_version_seq')
     WHERE id = 1 AND xmin <> (txid_current() % 4294967296)::text::xid;
    RETURN NULL;
END $$"""


def upgrade():
    op.create_table("catalog_version",
                    sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column("version", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_version")))
    op.execute("INSERT INTO catalog_version (id, version) VALUES (1, 0)")
    op.execute("CREATE SEQUENCE catalog_version_seq")
    op.execute(_BUMP)
    for table, events in WATCHED.items():
        op.execute(f"CREATE CONSTRAINT TRIGGER catalog_{table} AFTER {events} ON {table} "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_catalog_version()")
        op.execute(f"CREATE TRIGGER catalog_{table}_truncate AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()")


def downgrade():
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS catalog_{table} ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS catalog_{table}_truncate ON {table}")
    op.execute("DROP FUNCTION bump_catalog_version()")
    op.execute("DROP SEQUENCE catalog_version_seq")
    op.drop_table("catalog_version")
