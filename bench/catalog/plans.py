"""The PostgreSQL plans of an import's compare statements, taken on its own connection just
before each runs (the staging tables exist only there), to show that none looks stored rows
up by scanning the tenant's table once per key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

# The gateway's tables an import compares its stage with.
STORED = frozenset(
    ("category", "product", "product_category", "segment", "customer_assignment",
     "item_assignment"),
)  # fmt: skip


@dataclass
class Plan:
    statement: str
    plan: dict[str, Any]

    def nodes(self) -> Iterator[dict[str, Any]]:
        todo = [self.plan]
        while todo:
            node = todo.pop()
            yield node
            todo.extend(node.get("Plans", []))

    def scans_per_key(self) -> list[str]:
        """Each nested loop whose inner side reads a stored table whole, once per outer row."""
        found = []
        for node in self.nodes():
            if node["Node Type"] != "Nested Loop":
                continue
            inner = node["Plans"][1]
            for below in Plan(self.statement, inner).nodes():
                if below["Node Type"] == "Seq Scan" and below.get("Relation Name") in STORED:
                    found.append(f"Seq Scan on {below['Relation Name']} inside a Nested Loop")
        return found

    def summary(self) -> str:
        """One line per node, indented by depth: type, relation, index, estimated rows."""
        lines: list[str] = []
        self._describe(self.plan, 0, lines)
        return "\n".join(lines)

    def _describe(self, node: dict[str, Any], depth: int, lines: list[str]) -> None:
        parts = [node["Node Type"]]
        if "Relation Name" in node:
            parts.append(f"on {node['Relation Name']}")
        if "Index Name" in node:
            parts.append(f"using {node['Index Name']}")
        if "Actual Rows" in node:
            parts.append(f"(rows {node['Actual Rows']}, loops {node['Actual Loops']})")
        lines.append("  " * depth + " ".join(parts))
        for child in node.get("Plans", []):
            self._describe(child, depth + 1, lines)


def _is_compare(statement: str) -> bool:
    """A statement that reads the stage (not one that only fills it)."""
    head = " ".join(statement.split()).upper()
    compares = head.startswith(("UPDATE", "INSERT INTO", "SELECT", "DELETE"))
    loads = " VALUES " in head or head.startswith("INSERT INTO TEMP.")
    return compares and "IMPORT_" in head and not loads


@contextmanager
def explained(engine: AsyncEngine | None = None, analyze: bool = False) -> Iterator[list[Plan]]:
    """The plans of the compare statements run on `engine` (or any engine) in the block."""
    plans: list[Plan] = []
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not _is_compare(statement):
            return
        if analyze and not statement.lstrip().upper().startswith("SELECT"):
            return  # ANALYZE runs the statement: only reads may run twice
        cursor.execute(f"EXPLAIN ({options}) {statement}", parameters)
        (found,) = cursor.fetchone()
        plan = json.loads(found) if isinstance(found, str) else found
        plans.append(Plan(statement, plan[0]["Plan"]))

    target = Engine if engine is None else engine.sync_engine
    event.listen(target, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(target, "before_cursor_execute", explain)
