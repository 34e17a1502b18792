"""An assignment's segment exists: a foreign key on SQLite, statement triggers on PostgreSQL.

PostgreSQL checks a foreign key row by row: a query and a row lock for each inserted row,
5 of the 14 s PostgreSQL spent importing 500,000 item assignments. These triggers check a
whole statement's rows at once, with the locks a foreign key takes:

- after rows of an assignment table are inserted or updated, their segments are locked
  FOR KEY SHARE until the transaction ends (a concurrent delete of one waits, and then
  sees the new rows), and a segment that does not exist fails the statement;
- after segments are deleted (or their keys changed), no assignment may still name one.

As with the foreign key under READ COMMITTED (every gateway transaction), each check sees
what was committed when it runs. SQLite keeps the foreign key: its checks cost little.
Revision 0003 installs the same SQL; a change to it needs a revision of its own.
"""

from __future__ import annotations

import sqlalchemy as sa

_SEGMENTS_EXIST = """
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
"""
_UNASSIGNED = """
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
"""
FUNCTIONS = (_SEGMENTS_EXIST, _UNASSIGNED)

ASSIGNMENT_TABLES = ("item_assignment", "customer_assignment")
_ASSIGNMENT_TRIGGERS = [
    f"CREATE TRIGGER {table}_segment_{event.lower()} AFTER {event} ON {table} "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION gateway_assignment_segments_exist()"
    for table in ASSIGNMENT_TABLES
    for event in ("INSERT", "UPDATE")
]
_SEGMENT_TRIGGERS = [
    "CREATE TRIGGER segment_unassigned_delete AFTER DELETE ON segment "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION gateway_segments_unassigned()",
    "CREATE TRIGGER segment_unassigned_update AFTER UPDATE ON segment "
    "REFERENCING OLD TABLE AS removed NEW TABLE AS kept FOR EACH STATEMENT "
    "EXECUTE FUNCTION gateway_segments_unassigned()",
]
TRIGGERS = (*_ASSIGNMENT_TRIGGERS, *_SEGMENT_TRIGGERS)


def segment_reference() -> sa.ForeignKeyConstraint:
    """An assignment table's reference to its segment: a foreign key on SQLite only."""
    key = sa.ForeignKeyConstraint(["tenant", "segment_id"], ["segment.tenant", "segment.id"])
    return key.ddl_if(dialect="sqlite")


def _names(trigger: str) -> tuple[str, str]:
    words = trigger.split()
    return words[2], words[6]  # CREATE TRIGGER <name> AFTER <event> ON <table>


def install(metadata: sa.MetaData) -> None:
    """metadata.create_all on PostgreSQL also creates the triggers, as revision 0003 does
    (anew: create_all runs again on a database that has its tables)."""
    drops = [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in map(_names, TRIGGERS)]
    for statement in (*FUNCTIONS, *drops, *TRIGGERS):
        ddl = sa.DDL(statement.replace("%", "%%"))  # type: ignore[no-untyped-call]
        sa.event.listen(metadata, "after_create", ddl.execute_if(dialect="postgresql"))


def is_compared(item: object, type_: str, dialect: str) -> bool:
    """Whether Alembic's comparison of the models with a database should look at `item`:
    not at a foreign key the models create only on another dialect."""
    if type_ != "foreign_key_constraint":
        return True
    condition = getattr(item, "_ddl_if", None)
    return condition is None or condition.dialect in (None, dialect)
