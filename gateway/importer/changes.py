"""`gateway import --events`: the change events of what an import created or changed
(API.md "Change events"; the catalog has none, and an import deletes no segment or
assignment: a record missing from the file is kept).

As each list of segments or assignments is written, the keys of the staged records that the
write creates or changes are kept in a temporary table, numbered in key order; they are
decided in SQL by the write's own condition (import_write.changes), so an unchanged record
gets no event and every record the write touches gets one (one whose file metadata alone
differs too: a reader then sees its new version). Once every list is written, the
events are built from the stored rows, a page at a time, by the mutations' payload builders
(events/payloads.py): never more than a page of payloads in memory. Each page is one insert
of the outbox (`record`, then store.writes.finish_write) under a data version it raises for
itself, so the pages are in commit order like any writes, by (data_version, position), and
each is the outbox's usual single insert of a transaction's events (a small import's events
are one page, whatever their kinds). The first page takes the data version's row lock, so on
PostgreSQL the tenant's other writes wait from then until the import commits.
"""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

from gateway.events import payloads
from gateway.events.outbox import record
from gateway.importer.stage import CUSTOMERS, ITEMS, SEGMENTS, STAGES, Stage, Target
from gateway.importer.write import changes, matches
from gateway.store.tables import category_table, product_table
from gateway.store.writes import finish_write

PAGE = 10_000  # events built and inserted at a time
_changed_metadata = sa.MetaData()


def _changed_table(target: Target, *extra: sa.Column[Any]) -> sa.Table:
    """Keys of the records of `target` the import created (`created`) or changed, by `n`."""
    return sa.Table(
        f"import_changed_{target.table.name}",
        _changed_metadata,
        sa.Column("n", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(key, target.table.c[key].type) for key in target.keys),
        sa.Column("created", sa.Boolean),
        *extra,
        prefixes=["TEMPORARY"],
    )


# In the order their events are recorded: segments before the assignments that name them.
TARGETS = (SEGMENTS, CUSTOMERS, ITEMS)
CHANGED = {
    # A segment's update event names the status it had (as upsertSegment's does).
    SEGMENTS.kind: _changed_table(SEGMENTS, sa.Column("previous_status", sa.String)),
    CUSTOMERS.kind: _changed_table(CUSTOMERS),
    ITEMS.kind: _changed_table(ITEMS),
}


class Changes:
    """What one import created or changed, and then its events."""

    def __init__(self, stage: Stage, tenant: str) -> None:
        self.stage, self.session, self.tenant = stage, stage.session, tenant
        self.counts: dict[str, int] = {}

    async def create(self) -> None:
        await self.stage.create_tables(list(CHANGED.values()))

    async def drop(self) -> None:
        await self.stage.drop(list(CHANGED.values()))

    async def mark(self, target: Target, *, all_new: bool = False) -> None:
        """Keeps the staged records of `target` its write is about to create or change;
        `all_new`: that it inserted into the tenant's empty table, every one."""
        changed = CHANGED[target.kind]
        source = _inserted(target) if all_new else _written(target, self.tenant)
        statement = sa.insert(changed).from_select(list(changed.c.keys()), source)
        result = await self.session.execute(statement)
        self.counts[target.kind] = int(result.rowcount)  # type: ignore[attr-defined]

    async def record(self) -> int:
        """Records the events of every change kept, at most a page at a time; how many."""
        waiting = 0  # recorded, not yet inserted
        for target in TARGETS:
            total, after = self.counts.get(target.kind, 0), 0
            while after < total:
                until = min(total, after + PAGE - waiting)
                bounds = {"tenant": self.tenant, "after": after, "until": until}
                rows = await self.session.execute(_page(target), bounds)
                record(self.session, self.tenant, [self._event(target, row) for row in rows])
                waiting, after = waiting + until - after, until
                if waiting == PAGE:
                    await finish_write(self.session, tenant=self.tenant)  # the outbox's insert
                    waiting = 0
        if waiting:
            await finish_write(self.session, tenant=self.tenant)
        return sum(self.counts.values())

    def _event(self, target: Target, row: Any) -> payloads.Event:
        tenant, created = self.tenant, row.created
        if target is SEGMENTS:
            return payloads.segment_written(tenant, row, row.previous_status, created=created)
        if target is CUSTOMERS:
            return payloads.customer_written(tenant, row, created=created)
        found = row._mapping
        kind = row.item_type.lower()  # the catalog table the item is in
        item = (found[f"{kind}_code"], found[f"{kind}_name"])
        return payloads.item_written(
            tenant, row.segment_id, row.item_type, row, item, created=created
        )


def _numbered(target: Target) -> list[Any]:
    """A staged record's number, in key order, and its key."""
    keys = [STAGES[target.kind].c[key] for key in target.keys]
    return [sa.func.row_number().over(order_by=keys), *keys]


def _inserted(target: Target) -> sa.Select[Any]:
    previous = [sa.null()] if target is SEGMENTS else []
    return sa.select(*_numbered(target), sa.true(), *previous)


def _written(target: Target, tenant: str) -> sa.Select[Any]:
    """The staged records the tenant has not stored (created) or that change stored ones."""
    table, stage = target.table, STAGES[target.kind]
    new = table.c.tenant.is_(None)
    previous = [table.c.status] if target is SEGMENTS else []
    return (
        sa.select(*_numbered(target), new, *previous)
        .select_from(stage.outerjoin(table, sa.and_(*matches(target, stage, tenant))))
        .where(sa.or_(new, changes(target, stage)))
    )


@functools.cache
def _page(target: Target) -> sa.Select[Any]:
    """The stored rows of changed records `after` < n <= `until`, with what their events need."""
    changed, table = CHANGED[target.kind], target.table
    tenant = sa.bindparam("tenant", type_=table.c.tenant.type)
    stored = sa.and_(table.c.tenant == tenant, *(table.c[k] == changed.c[k] for k in target.keys))
    source: Any = changed.join(table, stored)
    extra: list[Any] = [changed.c.previous_status] if target is SEGMENTS else []
    if target is ITEMS:
        source, extra = _with_items(source, tenant)
    return (
        sa.select(changed.c.created, *extra, *table.c)
        .select_from(source)
        .where(changed.c.n > sa.bindparam("after"), changed.c.n <= sa.bindparam("until"))
        .order_by(changed.c.n)
    )


def _with_items(source: Any, tenant: sa.BindParameter[Any]) -> tuple[Any, list[Any]]:
    """`source` joined with the catalog's product or category of each item assignment, and
    their code and name (an import's assignments name items the catalog has)."""
    assignment, extra = ITEMS.table, []
    for name, catalog in (("product", product_table), ("category", category_table)):
        item = sa.and_(
            assignment.c.item_type == name.upper(),
            catalog.c.tenant == tenant,
            catalog.c.id == assignment.c.item_id,
        )
        source = source.outerjoin(catalog, item)
        extra += [catalog.c.code.label(f"{name}_code"), catalog.c.name.label(f"{name}_name")]
    return source, extra
