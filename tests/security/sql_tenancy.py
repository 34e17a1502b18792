"""Finds SQL statements that touch a tenant table without a tenant predicate.

Every table has a `tenant` column. A SELECT, UPDATE or DELETE passes when each tenant table
in each of its scopes (the statement and every subquery, separately) is pinned: compared
`tenant = <parameter>` (or `IN`) through AND-ed conditions of its own WHERE or JOIN ON, or
joined `x.tenant = y.tenant` to a table that is. An INSERT passes when it writes the
tenant column. Anything under OR, or only in another subquery, does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.dml import Delete, Insert, Update
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnClause,
    Grouping,
    TextClause,
)
from sqlalchemy.sql.selectable import Alias, Join, Select

from gateway.store.tables import metadata

TENANT_TABLES = frozenset(t.name for t in metadata.sorted_tables if "tenant" in t.c)
_TABLES = "|".join(sorted(TENANT_TABLES, key=len, reverse=True))
# A statement touches a table it reads from, joins, writes into, updates or deletes from.
_TOUCH = re.compile(rf'\b(?:FROM|JOIN|INTO|UPDATE)\s+"?({_TABLES})\b', re.IGNORECASE)
_PINNING = (operators.eq, operators.in_op)


def _plain(element: Any) -> Any:
    """The element without ORM annotations, so a table is the same object wherever used."""
    deannotate = getattr(element, "_deannotate", None)
    return deannotate() if deannotate is not None else element


def _tenant_table(from_: Any) -> Any | None:
    """The FROM entity if it is a tenant table or an alias of one."""
    from_ = _plain(from_)
    table = _plain(from_.element) if isinstance(from_, Alias) else from_
    if isinstance(table, sa.Table) and table.name in TENANT_TABLES:
        return from_
    return None


def _entities(froms: list[Any]) -> tuple[list[Any], list[Any]]:
    """Tenant entities of a FROM list (joins opened) and the joins' ON clauses."""
    entities, onclauses, pending = [], [], list(froms)
    while pending:
        from_ = pending.pop()
        if isinstance(from_, Join):
            pending += [from_.left, from_.right]
            onclauses.append(from_.onclause)
        elif (entity := _tenant_table(from_)) is not None:
            entities.append(entity)
    return entities, onclauses


def _conjuncts(clause: Any) -> Iterator[Any]:
    """The AND-ed parts of a condition, groupings opened; nothing under OR or NOT."""
    pending = [clause]
    while pending:
        part = pending.pop()
        if part is None:
            continue
        if isinstance(part, Grouping):
            pending.append(part.element)
        elif isinstance(part, BooleanClauseList) and part.operator is operators.and_:
            pending.extend(part.clauses)
        else:
            yield part


def _tenant_column(side: Any) -> Any | None:
    side = _plain(side)
    if isinstance(side, ColumnClause) and side.name == "tenant" and side.table is not None:
        return _plain(side.table)
    return None


def _pinned(entities: list[Any], conditions: list[Any]) -> set[Any]:
    """The entities whose tenant a condition fixes, directly or through tenant = tenant."""
    pinned: set[Any] = set()
    links: list[tuple[Any, Any]] = []
    for part in (p for c in conditions for p in _conjuncts(c)):
        if not isinstance(part, BinaryExpression) or part.operator not in _PINNING:
            continue
        left, right = _tenant_column(part.left), _tenant_column(part.right)
        for column, other, raw in ((left, right, part.right), (right, left, part.left)):
            if column is None:
                continue
            if isinstance(_plain(raw), BindParameter):
                pinned.add(column)
            elif other is not None:
                links.append((column, other))
    # Correlated to an enclosing statement, which is checked as its own scope.
    outer = [(a, b) for a, b in links if a not in entities or b not in entities]
    pinned |= {x for pair in outer for x in pair if x in entities}
    changed = True
    while changed:
        changed = False
        for a, b in links:
            if (a in pinned) != (b in pinned):
                pinned |= {a, b}
                changed = True
    return pinned


def _scope_problems(kind: str, froms: list[Any], where: Any) -> list[str]:
    entities, onclauses = _entities(froms)
    pinned = _pinned(entities, [where, *onclauses])
    return [f"{kind} of {_name(e)} without a tenant predicate" for e in entities if e not in pinned]


def _name(entity: Any) -> str:
    return str(getattr(entity, "name", entity))


def problems(statement: Any, dialect: Any) -> list[str]:
    """Why `statement` might read or write another tenant's rows; empty when it cannot."""
    if isinstance(statement, TextClause):
        found = _TOUCH.search(statement.text)
        return [f"raw SQL on {found.group(1)}: {statement.text}"] if found else []
    if not isinstance(statement, sa.ClauseElement):
        return []
    found: list[str] = []
    for element in visitors.iterate(statement):
        if isinstance(element, Select):
            found += _scope_problems("SELECT", element.get_final_froms(), element.whereclause)
        elif isinstance(element, Update | Delete):
            found += _scope_problems(
                type(element).__name__.upper(), [element.table], element.whereclause
            )
        elif isinstance(element, Insert):
            found += _insert_problems(element, dialect)
    return found


def _insert_problems(statement: Insert, dialect: Any) -> list[str]:
    if _tenant_table(statement.table) is None:
        return []
    text = str(statement.compile(dialect=dialect))
    columns = text.split("(", 1)[1].split(")", 1)[0] if "(" in text else ""
    if "tenant" in {c.strip().strip('"') for c in columns.split(",")}:
        return []
    return [f"INSERT into {_name(statement.table)} without its tenant column"]


@dataclass
class StatementLog:
    """Every statement an engine ran while attached, and the problems found in them."""

    statements: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def tenant_statements(self) -> list[str]:
        return [s for s in self.statements if _TOUCH.search(s)]

    @contextmanager
    def attached(self, engine: AsyncEngine) -> Iterator[StatementLog]:
        sync_engine = engine.sync_engine

        def check(conn: Any, clause: Any, *_args: Any) -> None:
            self.problems += [f"{p}\n  in: {clause}" for p in problems(clause, conn.dialect)]

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            self.statements.append(statement)
            if _TOUCH.search(statement) and "tenant" not in statement:
                self.problems.append(f"statement names a tenant table but no tenant: {statement}")

        event.listen(sync_engine, "before_execute", check)
        event.listen(sync_engine, "before_cursor_execute", record)
        try:
            yield self
        finally:
            event.remove(sync_engine, "before_execute", check)
            event.remove(sync_engine, "before_cursor_execute", record)
