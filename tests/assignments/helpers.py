"""Queries and one-line data builders shared by the item assignment tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gateway.assignments.models import ItemAssignment
from gateway.segments.models import CustomerAssignment
from tests.conftest import GraphQL

ARGS = {
    "segmentId": "ID",
    "q": "String",
    "type": "ItemType",
    "siteCode": "String",
    "onlyActive": "Boolean",
    "legalEntityId": "ID",
    "sort": "String",
    "pageSize": "Int",
    "pageNumber": "Int",
    "after": "String",
}


def list_query(selection: str = "items { segmentId type item { id } }", **args: Any) -> str:
    """An itemAssignments query passing the given arguments as variables."""
    declared = ", ".join(f"${name}: {ARGS[name]}" for name in args)
    passed = ", ".join(f"{name}: ${name}" for name in args)
    header = f"query({declared})" if declared else "query"
    call = f"itemAssignments({passed})" if passed else "itemAssignments"
    return f"{header} {{ {call} {{ {selection} pageNumber pageSize hasNextPage endCursor }} }}"


async def page(
    gql: GraphQL, *, selection: str | None = None, as_: dict[str, Any] | None = None, **args: Any
) -> dict[str, Any]:
    """The itemAssignments page for `args`, run with the caller options in `as_`."""
    query = list_query(selection, **args) if selection else list_query(**args)
    data = await gql.data(query, args, **(as_ or {}))
    return data["itemAssignments"]  # type: ignore[no-any-return]


async def keys(gql: GraphQL, *, as_: dict[str, Any] | None = None, **args: Any) -> list[str]:
    """`segmentId/type/itemId` of each assignment on the page, in order."""
    found = await page(gql, as_=as_, **args)
    return [f"{a['segmentId']}/{a['type']}/{a['item']['id']}" for a in found["items"]]


async def error(gql: GraphQL, *, as_: dict[str, Any] | None = None, **args: Any) -> Any:
    """The first error of an itemAssignments query that must fail."""
    return await gql.error(list_query(**args), args, **(as_ or {}))


async def store(seed: Any, *rows: Any) -> None:
    """Adds rows in one line, parents (segments, catalog) before the assignments."""
    assignments = [row for row in rows if isinstance(row, (ItemAssignment, CustomerAssignment))]
    await seed.add(*(row for row in rows if row not in assignments))
    if assignments:
        await seed.add(*assignments)


def stamped(row: Any, created: datetime, modified: datetime | None = None) -> Any:
    """The row with its metadata timestamps set (the factories stamp "now")."""
    row.created_at = created
    row.modified_at = modified or created
    return row


async def store_many(seed: Any, *rows: Any) -> None:
    """Like store, but one multi-row INSERT per table: for the large data sets."""
    by_table: dict[type, list[dict[str, Any]]] = {}
    for row in rows:
        by_table.setdefault(type(row), []).append(row.model_dump())
    parents = [t for t in by_table if t not in (ItemAssignment, CustomerAssignment)]
    async with seed.db.sessions() as session, session.begin():
        for table in [*parents, ItemAssignment, CustomerAssignment]:
            if table in by_table:
                await session.execute(sa.insert(table), by_table[table])
