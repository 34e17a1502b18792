"""The write commands below GraphQL: outcomes, versions, and their statement counts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.assignments import commands as items
from gateway.assignments.models import ItemAssignment
from gateway.customers import commands as customers
from gateway.errors import ErrorCode
from gateway.outcomes import CHANGED, Done, Failure
from gateway.segments import commands as segments
from gateway.segments.models import CustomerAssignment
from gateway.store.columns import utcnow
from gateway.store.writes import ATTEMPTS, ONE_MS, write


def entry(item_id: str, version: int | None = None, **mixins: Any) -> items.ItemEntry:
    return items.ItemEntry(item_id=item_id, mixins=mixins, metadata_mixins={}, version=version)


async def upsert(db: Any, *entries: items.ItemEntry, segment: str = "s1") -> Any:
    async def work(session: Any) -> Any:
        return await items.upsert_items(
            session,
            tenant="demo",
            segment_id=segment,
            item_type="PRODUCT",
            entries=entries,
            now=utcnow(),
        )

    return await write(db.sessions, work, tenant="demo")


async def stored_versions(db: Any) -> dict[str, int]:
    async with db.sessions() as session:
        rows = await session.execute(sa.select(ItemAssignment.item_id, ItemAssignment.version))
    return {item_id: version for item_id, version in rows}


async def catalog(seed: Any, products: int = 3) -> None:
    await seed.add(seed.segment("s1"), *(seed.product(f"p{n}") for n in range(1, products + 1)))


async def test_upsert_creates_then_updates_with_version_plus_one(db, seed):
    # given
    await catalog(seed)
    # when
    first = await upsert(db, entry("p1"))
    second = await upsert(db, entry("p1", version=1))
    # then
    assert first == [Done(created=True)]
    assert second == [Done(created=False)]
    assert await stored_versions(db) == {"p1": 2}


async def test_stale_version_changes_nothing_and_reports_the_current_one(db, seed):
    # given
    await catalog(seed)
    await upsert(db, entry("p1", color="red"))
    # when
    outcome = await upsert(db, entry("p1", version=7, color="blue"))
    # then
    assert outcome == [Failure(ErrorCode.VERSION_CONFLICT, CHANGED, items.VERSION_FIELD, 1)]
    async with db.sessions() as session:
        stored = (await session.execute(sa.select(ItemAssignment))).scalar_one()
    assert (stored.version, stored.mixins) == (1, {"color": "red"})


async def test_version_for_an_absent_record_is_a_conflict_with_no_current_version(db, seed):
    # given
    await catalog(seed)
    # when
    outcome = await upsert(db, entry("p1", version=1))
    # then
    assert isinstance(outcome[0], Failure)
    assert (outcome[0].code, outcome[0].current_version) == (ErrorCode.VERSION_CONFLICT, None)
    assert await stored_versions(db) == {}


async def test_unknown_segment_is_one_failure_for_the_whole_command(db, seed):
    # given
    await catalog(seed)
    # when
    outcome = await upsert(db, entry("p1"), segment="nope")
    # then
    assert outcome == segments.unknown_segment("nope")


async def test_bulk_mixes_outcomes_in_input_order(db, seed):
    # given
    await catalog(seed)
    await upsert(db, entry("p2"))
    # when
    outcome = await upsert(db, entry("p1"), entry("p2", version=5), entry("zz"), entry("p1"))
    # then
    assert [type(o).__name__ for o in outcome] == ["Done", "Failure", "Failure", "Failure"]
    codes = [o.code for o in outcome if isinstance(o, Failure)]
    assert codes == [ErrorCode.VERSION_CONFLICT, ErrorCode.NOT_FOUND, ErrorCode.BAD_USER_INPUT]
    assert await stored_versions(db) == {"p1": 1, "p2": 1}


def heads(statements: list[str]) -> list[str]:
    return [" ".join(s.split()[:3]) for s in statements]


async def test_a_bulk_write_runs_the_same_statements_for_1_or_200_entries(db, seed):
    # given
    await seed.add(seed.segment("s1"), *(seed.product(f"p{n:03d}") for n in range(200)))
    entries = [entry(f"p{n:03d}", note=n) for n in range(200)]
    expecting = [entry(f"p{n:03d}", version=2, note=n) for n in range(200)]
    # when
    with db.count_statements() as creating:
        created = await upsert(db, *entries)
    with db.count_statements() as updating:
        updated = await upsert(db, *entries)
    with db.count_statements() as checking:
        checked = await upsert(db, *expecting)
    with db.count_statements() as updating_one:
        await upsert(db, entries[0])
    with db.count_statements() as checking_one:
        checked_one = await upsert(db, entry("p000", version=4))
    # then
    assert created == [Done(created=True)] * 200
    assert updated == checked == [Done(created=False)] * 200
    assert checked_one == [Done(created=False)]
    # the segment with the known items, one upsert, the tenant's data version (SQLite takes
    # its write lock first), one insert of every entry's event and one of their webhook
    # deliveries; the stored versions, locked, only when an entry expects one; on
    # PostgreSQL one NOTIFY of them all, sent to subscribers on commit
    begin = ["BEGIN IMMEDIATE"] if db.dialect == "sqlite" else []
    known, upserted, bumped = (
        "SELECT segment.id, product.id",
        "INSERT INTO item_assignment",
        "INSERT INTO data_version",
    )
    events = ["INSERT INTO change_event", "INSERT INTO webhook_delivery"]
    if db.dialect == "postgresql":
        events.append("SELECT pg_notify($1, payload)")
    assert heads(updating) == [*begin, known, upserted, bumped, *events]
    locked = "SELECT item_assignment.item_id, item_assignment.version"
    assert heads(checking) == [*begin, known, locked, upserted, bumped, *events]
    # and their text does not depend on the number of entries (compiled and prepared once)
    assert creating == updating == updating_one
    assert checking == checking_one


@pytest.mark.parametrize(
    "now",
    [utcnow(), datetime(2024, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)],
    ids=["now", "at a year's last millisecond"],
)
async def test_modified_at_moves_forward_even_within_one_millisecond(db, seed, now):
    # given
    await catalog(seed)

    async def at_same_instant(session: Any) -> Any:
        return await items.upsert_items(
            session,
            tenant="demo",
            segment_id="s1",
            item_type="PRODUCT",
            entries=[entry("p1")],
            now=now,
        )

    # when
    for _ in range(3):
        await write(db.sessions, at_same_instant, tenant="demo")
    # then
    # (found by an exact match, so SQLite stores it in the form every other write uses)
    query = sa.select(ItemAssignment).where(ItemAssignment.modified_at == now + 2 * ONE_MS)
    async with db.sessions() as session:
        stored = (await session.execute(query)).scalar_one()
    assert stored.created_at == now
    assert stored.version == 3


async def test_delete_reports_absent_and_duplicate_ids(db, seed):
    # given
    await catalog(seed)
    await upsert(db, entry("p1"), entry("p2"))

    async def work(session: Any) -> Any:
        return await items.delete_items(
            session,
            tenant="demo",
            segment_id="s1",
            item_type="PRODUCT",
            item_ids=["p1", "p3", "p1"],
        )

    # when
    outcome = await write(db.sessions, work, tenant="demo")
    # then
    assert isinstance(outcome, list)
    assert outcome[0] == Done()
    assert [o.code for o in outcome[1:] if isinstance(o, Failure)] == [
        ErrorCode.NOT_FOUND,
        ErrorCode.BAD_USER_INPUT,
    ]
    assert await stored_versions(db) == {"p2": 1}


async def test_customer_assignments_keep_b2c_and_b2b_apart(db, seed):
    # given
    await seed.add(seed.segment("s1"))

    def customer(legal_entity: str) -> customers.CustomerEntry:
        return customers.CustomerEntry("c1", legal_entity, "MANUAL", {}, {})

    async def work(session: Any) -> Any:
        return await customers.upsert_customers(
            session,
            tenant="demo",
            segment_id="s1",
            entries=[customer(""), customer("le1"), customer("")],
            now=utcnow(),
        )

    # when
    outcome = await write(db.sessions, work, tenant="demo")
    # then
    assert outcome[:2] == [Done(created=True), Done(created=True)]
    assert isinstance(outcome[2], Failure)
    async with db.sessions() as session:
        rows = await session.execute(sa.select(CustomerAssignment.legal_entity_id))
    assert sorted(rows.scalars()) == ["", "le1"]


class Flaky:
    """A unit of work that fails with `error` the first `times` calls, then succeeds."""

    def __init__(self, error: Exception, times: int) -> None:
        self.error, self.times, self.calls = error, times, 0

    async def __call__(self, session: Any) -> str:
        self.calls += 1
        if self.calls <= self.times:
            raise self.error
        return "done"


def locked() -> Exception:
    return sa.exc.OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


def deadlock() -> Exception:
    class Deadlock(Exception):
        sqlstate = "40P01"

    return sa.exc.DBAPIError("UPDATE ...", {}, Deadlock("deadlock detected"))


async def test_write_runs_again_after_a_locked_database_or_a_deadlock(db):
    # given
    works = [Flaky(locked(), 2), Flaky(deadlock(), 1)]
    # when
    results = [await write(db.sessions, work, tenant="demo") for work in works]
    # then
    assert results == ["done", "done"]
    assert [work.calls for work in works] == [3, 2]


async def test_write_gives_up_after_a_few_attempts_and_never_retries_other_errors(db):
    # given
    stuck = Flaky(locked(), 100)
    broken = Flaky(sa.exc.IntegrityError("INSERT ...", {}, Exception("constraint")), 1)
    # when
    for work in (stuck, broken):
        with pytest.raises(sa.exc.DBAPIError):
            await write(db.sessions, work, tenant="demo")
    # then
    assert (stuck.calls, broken.calls) == (ATTEMPTS, 1)
