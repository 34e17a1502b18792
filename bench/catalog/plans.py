"""The plans of an import's compare statements, taken on its own connection just before
each runs (the staging tables exist only there), to show that none looks stored rows up by
scanning a table once per key: PostgreSQL's EXPLAIN, SQLite's EXPLAIN QUERY PLAN."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

# The gateway's tables an import compares its stage with.
STORED = frozenset(
    ("category", "product", "product_category", "segment", "customer_assignment",
     "item_assignment"),
)  # fmt: skip
_WRITES = re.compile(r"^\s*(?:UPDATE|INSERT INTO|DELETE FROM)\s+(?:temp\.)?(\w+)", re.IGNORECASE)
# SQLite joins by nested loops only: a stored table read whole is read once per outer row.
_SQLITE_SCAN = re.compile(rf"^SCAN ({'|'.join(STORED)})\b")


@dataclass
class Plan:
    statement: str
    lines: list[str] = field(default_factory=list)  # one per node, indented by depth
    per_key: list[str] = field(default_factory=list)  # the scans of a table once per key

    @property
    def writes(self) -> str | None:
        """The table the statement writes, if it writes one."""
        found = _WRITES.match(self.statement)
        return found[1] if found else None


def _postgres_plan(statement: str, root: dict[str, Any]) -> Plan:
    plan = Plan(statement)
    todo: list[tuple[dict[str, Any], int, bool]] = [(root, 0, False)]
    while todo:
        node, depth, looped = todo.pop()
        kind, table = node["Node Type"], node.get("Relation Name")
        index = f" using {node['Index Name']}" if "Index Name" in node else ""
        plan.lines.append("  " * depth + kind + (f" on {table}" if table else "") + index)
        if looped and kind == "Seq Scan" and table in STORED:
            plan.per_key.append(f"Seq Scan on {table} inside a Nested Loop")
        children = node.get("Plans", [])
        for place, child in reversed(list(enumerate(children))):
            inner = looped or (kind == "Nested Loop" and place == 1)
            todo.append((child, depth + 1, inner))
    return plan


def _sqlite_plan(statement: str, rows: list[Any]) -> Plan:
    plan = Plan(statement)
    depth: dict[int, int] = {0: -1}
    for id, parent, _, detail in rows:
        depth[id] = depth.get(parent, 0) + 1
        plan.lines.append("  " * depth[id] + detail)
        if _SQLITE_SCAN.match(detail):
            plan.per_key.append(detail)
    return plan


def _is_compare(statement: str) -> bool:
    """A statement that reads the stage (not one that only fills it)."""
    head = " ".join(statement.split()).upper()
    compares = head.startswith(("UPDATE", "INSERT INTO", "SELECT", "DELETE"))
    loads = " VALUES " in head or head.startswith("INSERT INTO TEMP.")
    return compares and "IMPORT_" in head and not loads


@contextmanager
def explained(engine: AsyncEngine | None = None) -> Iterator[list[Plan]]:
    """The plans of the compare statements run on `engine` (or any engine) in the block."""
    plans: list[Plan] = []

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not _is_compare(statement):
            return
        if conn.dialect.name == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.append(_sqlite_plan(statement, cursor.fetchall()))
            return
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        (found,) = cursor.fetchone()
        root = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
        plans.append(_postgres_plan(statement, root))

    target = Engine if engine is None else engine.sync_engine
    event.listen(target, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(target, "before_cursor_execute", explain)
