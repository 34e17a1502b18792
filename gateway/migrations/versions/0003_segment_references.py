"""Assignments' segments checked once per statement on PostgreSQL, not once per row.

The foreign keys from item_assignment and customer_assignment to segment become statement
triggers that check and lock the same (see gateway.store.segment_references): PostgreSQL ran one
query and took one row lock per inserted row, 5 of the 14 s an import of 500,000 item
assignments spent in the database. SQLite keeps its foreign keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out rather than imported, so this revision keeps installing the same triggers
# whatever gateway.store.segment_references becomes (a test compares the two).
ASSIGNMENT_TABLES = ("item_assignment", "customer_assignment")
FUNCTIONS = (
    """
CREATE OR REPLACE FUNCTION gateway_assignment_segments_exist() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing record;
BEGIN
    PERFORM 1 FROM segment s
        JOIN (SELECT DISTINCT tenant, segment_id FROM added) k
            ON s.tenant = k.tenant AND s.id = k.segment_id
        ORDER BY s.tenant, s.id
        FOR KEY SHARE OF s;
    SELECT k.tenant, k.segment_id INTO missing
        FROM (SELECT DISTINCT tenant, segment_id FROM added) k
        WHERE NOT EXISTS (
            SELECT 1 FROM segment s WHERE s.tenant = k.tenant AND s.id = k.segment_id
        )
        LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint '
            '"%_tenant_segment_id_fkey"', TG_TABLE_NAME, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (tenant, segment_id)=(%s, %s) is not present in '
                                  'table "segment".', missing.tenant, missing.segment_id);
    END IF;
    RETURN NULL;
END $$
""",
    """
CREATE OR REPLACE FUNCTION gateway_segments_unassigned() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    still record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT r.tenant, r.id INTO still FROM removed r
            WHERE NOT EXISTS (SELECT 1 FROM kept k WHERE k.tenant = r.tenant AND k.id = r.id)
              AND (EXISTS (SELECT 1 FROM item_assignment a
                           WHERE a.tenant = r.tenant AND a.segment_id = r.id)
                   OR EXISTS (SELECT 1 FROM customer_assignment c
                              WHERE c.tenant = r.tenant AND c.segment_id = r.id))
            LIMIT 1;
    ELSE
        SELECT r.tenant, r.id INTO still FROM removed r
            WHERE EXISTS (SELECT 1 FROM item_assignment a
                          WHERE a.tenant = r.tenant AND a.segment_id = r.id)
               OR EXISTS (SELECT 1 FROM customer_assignment c
                          WHERE c.tenant = r.tenant AND c.segment_id = r.id)
            LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "segment" violates foreign key constraint '
            'of its assignments'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (tenant, id)=(%s, %s) is still referenced by an '
                                  'assignment.', still.tenant, still.id);
    END IF;
    RETURN NULL;
END $$
""",
)
TRIGGERS = (
    *(
        f"CREATE TRIGGER {table}_segment_{event.lower()} AFTER {event} ON {table} "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION gateway_assignment_segments_exist()"
        for table in ASSIGNMENT_TABLES
        for event in ("INSERT", "UPDATE")
    ),
    "CREATE TRIGGER segment_unassigned_delete AFTER DELETE ON segment "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION gateway_segments_unassigned()",
    "CREATE TRIGGER segment_unassigned_update AFTER UPDATE ON segment "
    "REFERENCING OLD TABLE AS removed NEW TABLE AS kept FOR EACH STATEMENT "
    "EXECUTE FUNCTION gateway_segments_unassigned()",
)


def _trigger_names() -> list[tuple[str, str]]:
    return [(trigger.split()[2], trigger.split()[6]) for trigger in TRIGGERS]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ASSIGNMENT_TABLES:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_tenant_segment_id_fkey")
    for statement in (*FUNCTIONS, *TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table in _trigger_names():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS gateway_assignment_segments_exist()")
    op.execute("DROP FUNCTION IF EXISTS gateway_segments_unassigned()")
    for table in ASSIGNMENT_TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {table}_tenant_segment_id_fkey "
            "FOREIGN KEY (tenant, segment_id) REFERENCES segment (tenant, id)"
        )
