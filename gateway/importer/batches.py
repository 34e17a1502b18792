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

from gateway.importer.changes import Changes
from gateway.importer.fields import MAX_PROBLEMS
from gateway.importer.report import Counts, ImportReport
from gateway.importer.stage import (
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
from gateway.importer.write import (
    duplicates,
    insert_new,
    mark_touched_products,
    replace_links,
    update_changed,
)

T = TypeVar("T")
BATCH = 20_000
LOADS_WAITING = 4  # batches staged by the reading and not yet loaded, at most
# Assignments going into a tenant's empty table are inserted this many at a time while the
# rest is read (a first import's longest statement, 4 of its 14 s, no longer waits for the
# end of the file); into a table with the tenant's rows, a list is compared whole.
CHUNK = 100_000
TARGETS = {target.kind: target for target in (CATEGORIES, PRODUCTS, SEGMENTS, CUSTOMERS, ITEMS)}
# The reading gives the database a turn this often, so a step's next statement is sent
# as soon as the last one is done, not when the reading happens to wait.
YIELD_EVERY = 512


Step = tuple[Callable[[], Awaitable[None]], bool]  # (run, whether it is a load)


class Batches:
    """Stages rows batch by batch and writes them list by list, beside the reading;
    `writing` says whether to write still."""

    def __init__(
        self,
        session: AsyncSession,
        tenant: str,
        now: datetime,
        writing: Callable[[], bool],
        events: bool = False,
    ) -> None:
        self.session, self.tenant, self.now, self.writing = session, tenant, now, writing
        self.stage = Stage(session)
        # With --events: what the writes create or change is kept, for its events.
        self.changes = Changes(self.stage, tenant) if events else None
        self.report = ImportReport(tenant)
        self.created: set[sa.Table] = set()
        self.pending: dict[str, list[Row]] = {name: [] for name in STAGES}
        self.added = 0
        self.staged: dict[str, int] = {}
        # (index, first index, *key) of the assignments whose key an earlier one has.
        self.duplicates: dict[str, list[tuple[Any, ...]]] = {}
        # Writes hold no rows: only the loads waiting are bounded, so a long write never
        # stops the reading.
        self.queue: asyncio.Queue[Step | None] = asyncio.Queue()
        self.loads = asyncio.Semaphore(LOADS_WAITING)
        self.error: Exception | None = None
        self.worker: asyncio.Task[None] | None = None
        self.chunks = _Chunks()

    async def start(self) -> None:
        await self.stage.create()
        if self.changes is not None:
            await self.changes.create()
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
        if not rows:
            return
        await self.loads.acquire()
        await self._submit(lambda: self.stage.load(STAGES[kind], rows), load=True)
        if TARGETS.get(kind, PRODUCTS).ordered and self.chunks.due(kind, self.staged[kind]):
            end = rows[-1][0] + 1  # the staged entries' indexes: `ord`, the first column
            await self._submit(lambda: self._insert_chunk(kind, end))

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

    async def _submit(self, run: Callable[[], Awaitable[None]], load: bool = False) -> None:
        if self.error is not None:
            if load:
                self.loads.release()
            raise self.error
        await self.queue.put((run, load))

    async def _stop(self) -> None:
        if self.worker is not None:
            await self.queue.put(None)
            await self.worker
            self.worker = None

    async def _work(self) -> None:
        # Never stops taking steps before the end, so a full queue always drains.
        while (step := await self.queue.get()) is not None:
            run, load = step
            if self.error is None:
                try:
                    await run()
                except Exception as error:  # noqa: BLE001 - raised by finish or _submit
                    self.error = error
            if load:
                self.loads.release()
            self.queue.task_done()

    async def _write(self, kind: str) -> None:
        target, staged = TARGETS[kind], self.staged.get(kind, 0)
        if not staged:
            return
        if target.ordered:
            await self._write_assignments(kind, staged)
            return
        if not self.writing():
            return
        async with self.session.begin_nested():
            created, updated = await self._apply(target)
        self._done(kind, created, updated, staged)

    async def _write_assignments(self, kind: str, staged: int) -> None:
        target, chunks = TARGETS[kind], self.chunks
        write = self.writing() and not any(self.duplicates.values())
        if write and await self._fresh(kind):
            await self._insert_chunk(kind, None)
            if kind not in chunks.failed and chunks.inserted.get(kind, 0) == staged:
                if self.changes is not None:
                    await self.changes.mark(target, all_new=True)
                self._done(kind, staged, 0, staged)
                return  # every entry inserted once: no key was staged twice
        # A key staged twice would update a stored row twice, silently: look first.
        self.duplicates[kind] = await duplicates(self.session, target, MAX_PROBLEMS + 1)
        if not write or self.duplicates[kind]:
            return
        if await self._fresh(kind):
            # Inserted whole or failed: a violation no duplicate explains (another writer's
            # row of the same key, a segment deleted meanwhile) fails the import.
            raise chunks.failed[kind]
        async with self.session.begin_nested():
            created, updated = await self._apply(target)
        self._done(kind, created, updated, staged)

    async def _insert_chunk(self, kind: str, end: int | None) -> None:
        """Staged entries from where the last chunk ended up to index `end` (None: all)
        inserted into the tenant's empty table, without looking for stored rows: a key
        staged twice is a unique violation, which stops the chunks (the list's write
        then names the duplicates)."""
        chunks, target = self.chunks, TARGETS[kind]
        if not (await self._fresh(kind) and self.writing()) or kind in chunks.failed:
            return
        start = chunks.end.get(kind, 0)
        try:
            async with self.session.begin_nested():
                created = await insert_new(
                    self.session, target, self.tenant, self.now, (start, end), stored=False
                )
        except IntegrityError as error:
            chunks.failed[kind] = error  # the list's write looks for the duplicates
            return
        chunks.inserted[kind] = chunks.inserted.get(kind, 0) + created
        if end is not None:
            chunks.end[kind] = end

    async def _fresh(self, kind: str) -> bool:
        """Whether the tenant had no rows in the table of `kind` before this import."""
        if kind not in self.chunks.fresh:
            self.chunks.fresh[kind] = not await self._has_rows(TARGETS[kind])
        return self.chunks.fresh[kind]

    def _done(self, kind: str, created: int, updated: int, staged: int) -> None:
        target = TARGETS[kind]
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
        if target.versioned and self.changes is not None:
            await self.changes.mark(target)
        updated = await update_changed(session, target, tenant, now, only=only)
        created = await insert_new(session, target, tenant, now)
        if target is PRODUCTS:
            await replace_links(session, tenant)
        return created, updated

    async def _has_rows(self, target: Target) -> bool:
        table = target.table
        found = sa.select(sa.literal(1)).where(table.c.tenant == self.tenant).limit(1)
        return (await self.session.execute(found)).first() is not None


@dataclass
class _Chunks:
    """How far the assignments going into a tenant's empty table were inserted."""

    fresh: dict[str, bool] = field(default_factory=dict)
    end: dict[str, int] = field(default_factory=dict)  # the next chunk's first index
    inserted: dict[str, int] = field(default_factory=dict)
    failed: dict[str, IntegrityError] = field(default_factory=dict)
    submitted: dict[str, int] = field(default_factory=dict)  # staged rows chunked so far

    def due(self, kind: str, staged: int) -> bool:
        if staged - self.submitted.get(kind, 0) < CHUNK:
            return False
        self.submitted[kind] = staged
        return True


class _Skipped(Exception):
    """Stands for the reading's own error: nothing more is written."""
