"""The import's loading and writing, beside the reading of the file.

Each full batch of a list is loaded into its stage, and each list, once read, is written to
its table (import_write), by steps of a queue that runs beside the reading: the database
works on one batch or list while Python reads on, on two cores where one sat idle before.
Steps run in order on the import's one connection, and at most two wait, so memory holds
a few batches, never the file. A list is written in one go, not per batch: a batch would
be compared with the whole table (joins planned as scans), once per batch. Once any
problem is found nothing more is written: the file is refused, the rollback takes the rest.
Duplicate assignments are looked for (in SQL) when their list is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.import_fields import MAX_PROBLEMS
from gateway.import_stage import (
    CATEGORIES,
    CUSTOMERS,
    ITEMS,
    LINKS,
    PRODUCTS,
    SEGMENTS,
    STAGES,
    TOUCHED,
    Row,
    Stage,
    Target,
)
from gateway.import_write import (
    duplicates,
    insert_new,
    mark_touched_products,
    replace_links,
    update_changed,
)

T = TypeVar("T")
BATCH = 20_000
KINDS = ("categories", "products", "segments", "customerAssignments", "itemAssignments")
TARGETS = {target.kind: target for target in (CATEGORIES, PRODUCTS, SEGMENTS, CUSTOMERS, ITEMS)}
# The reading gives the database a turn this often, so a step's next statement is sent
# as soon as the last one is done, not when the reading happens to wait.
YIELD_EVERY = 512


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did, per kind of record."""

    tenant: str
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})

    def __str__(self) -> str:
        lines = [f'Imported tenant "{self.tenant}":']
        for kind, counts in self.counts.items():
            lines.append(
                f"  {kind:<20} {counts.created:>6} created, {counts.updated:>6} updated, "
                f"{counts.unchanged:>6} unchanged"
            )
        return "\n".join(lines)


Step = Callable[[], Awaitable[None]]


class Batches:
    """Stages rows batch by batch and writes them list by list, beside the reading;
    `writing` says whether to write still."""

    def __init__(
        self, session: AsyncSession, tenant: str, now: datetime, writing: Callable[[], bool]
    ) -> None:
        self.session, self.tenant, self.now, self.writing = session, tenant, now, writing
        self.stage = Stage(session)
        self.report = ImportReport(tenant)
        self.created: set[sa.Table] = set()
        self.pending: dict[str, list[Row]] = {name: [] for name in STAGES}
        self.added = 0
        self.staged: dict[str, int] = {}
        # (index, first index, *key) of the assignments whose key an earlier one has.
        self.duplicates: dict[str, list[tuple[Any, ...]]] = {}
        self.queue: asyncio.Queue[Step | None] = asyncio.Queue(maxsize=2)
        self.error: Exception | None = None
        self.worker: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.stage.create()
        self.worker = asyncio.create_task(self._work())

    async def add(self, kind: str, row: Row) -> None:
        pending = self.pending[kind]
        pending.append(row)
        self.added += 1
        if len(pending) >= BATCH:
            await self._load(kind)
        elif not self.added % YIELD_EVERY:
            await asyncio.sleep(0)

    async def end(self, kind: str) -> None:
        """The whole list `kind` was read: its last rows are staged and it is written."""
        await self._load(kind)
        if kind == "products":
            await self._load("links")
        await self._submit(lambda: self._write(kind))

    async def _load(self, kind: str) -> None:
        rows, self.pending[kind] = self.pending[kind], []
        self.staged[kind] = self.staged.get(kind, 0) + len(rows)
        if rows:
            await self._submit(lambda: self.stage.load(STAGES[kind], rows))

    async def call(self, work: Callable[[], Awaitable[T]]) -> T:
        """`work` on the connection once the steps before it are done (nothing else is
        submitted meanwhile: the reading waits for it)."""
        await self.queue.join()
        if self.error is not None:
            raise self.error
        return await work()

    async def finish(self) -> ImportReport:
        """Waits for every step; raises the first error of any."""
        await self._stop()
        if self.error is not None:
            raise self.error
        return self.report

    async def close(self) -> None:
        """After an error of the reading: the running step ends, the others are skipped."""
        self.error = self.error or _Skipped()
        await self._stop()

    async def _submit(self, step: Step) -> None:
        if self.error is not None:
            raise self.error
        await self.queue.put(step)

    async def _stop(self) -> None:
        if self.worker is not None:
            await self.queue.put(None)
            await self.worker
            self.worker = None

    async def _work(self) -> None:
        # Never stops taking steps before the end, so a full queue always drains.
        while (step := await self.queue.get()) is not None:
            if self.error is None:
                try:
                    await step()
                except Exception as error:  # noqa: BLE001 - raised by finish or _submit
                    self.error = error
            self.queue.task_done()

    async def _write(self, kind: str) -> None:
        target, staged = TARGETS[kind], self.staged.get(kind, 0)
        if not staged:
            return
        write = self.writing() and not any(self.duplicates.values())
        # A key staged twice would update a stored row twice, silently: look first. Into a
        # tenant's empty table the insert itself tells (a unique violation), so the sort
        # of every staged key is saved where it costs most, on a first import.
        if target.ordered and (not write or await self._has_rows(target)):
            self.duplicates[kind] = await duplicates(self.session, target, MAX_PROBLEMS)
            write = write and not self.duplicates[kind]
        if not write:
            return
        try:
            async with self.session.begin_nested():
                created, updated = await self._apply(target)
        except IntegrityError:
            if not target.ordered:
                raise
            self.duplicates[kind] = await duplicates(self.session, target, MAX_PROBLEMS)
            if not self.duplicates[kind]:
                raise
            return
        self.report.counts[kind] = Counts(created, updated, staged - created - updated)
        if created:
            self.created.update([target.table, LINKS] if target is PRODUCTS else [target.table])

    async def _apply(self, target: Target) -> tuple[int, int]:
        """(created, updated) by writing the stage of `target` to its table."""
        session, tenant, now = self.session, self.tenant, self.now
        only = None
        if target is PRODUCTS:
            await mark_touched_products(session, tenant)
            only = PRODUCTS.table.c.id.in_(sa.select(TOUCHED.c.id))
        updated = await update_changed(session, target, tenant, now, only=only)
        created = await insert_new(session, target, tenant, now)
        if target is PRODUCTS:
            await replace_links(session, tenant)
        return created, updated

    async def _has_rows(self, target: Target) -> bool:
        table = target.table
        found = sa.select(sa.literal(1)).where(table.c.tenant == self.tenant).limit(1)
        return (await self.session.execute(found)).first() is not None


class _Skipped(Exception):
    """Stands for the reading's own error: nothing more is written."""
