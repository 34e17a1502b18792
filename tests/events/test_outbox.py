"""Events commit with their change or not at all, in commit order, each tenant its own."""

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from gateway.events.outbox import UnrecordedEvents
from gateway.segments import commands
from gateway.segments.commands import SegmentFields
from gateway.store.columns import utcnow
from gateway.store.writes import write
from tests.events.helpers import recorded, short
from tests.mutations.operations import snapshot

FIELDS = SegmentFields({"en": "Golden"}, {}, "ACTIVE", "main", None, None, {}, {})


def creating(segment_id: str, tenant: str = "demo"):
    async def work(session):
        return await commands.upsert_segment(
            session, tenant=tenant, segment_id=segment_id, fields=FIELDS, version=None, now=utcnow()
        )

    return work


async def test_a_failure_after_the_events_were_inserted_leaves_neither(db):
    # given
    empty = await snapshot(db)

    def fail(_session):
        raise RuntimeError("injected just before the commit")

    # when
    sa.event.listen(Session, "before_commit", fail)
    try:
        with db.count_statements() as seen, pytest.raises(RuntimeError, match="injected"):
            await write(db.sessions, creating("s1"), tenant="demo")
    finally:
        sa.event.remove(Session, "before_commit", fail)
    # then
    assert any(s.startswith("INSERT INTO change_event") for s in seen)
    assert await snapshot(db) == empty


async def test_a_retried_transaction_records_its_events_once(db):
    # given
    attempts = []

    async def busy_once(session):
        done = await creating("s1")(session)
        attempts.append(1)
        if len(attempts) == 1:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return done

    # when
    await write(db.sessions, busy_once, tenant="demo")
    # then
    assert len(attempts) == 2
    assert [short(e) for e in await recorded(db)] == ["segment-created"]


async def test_a_commit_outside_a_write_transaction_refuses_to_drop_the_events(db):
    # when
    with pytest.raises(UnrecordedEvents):
        async with db.sessions() as session, session.begin():
            await creating("s1")(session)
    # then
    assert (await snapshot(db))["segment"] == []


async def test_events_of_another_tenant_are_never_recorded_under_this_one(db):
    # when
    with pytest.raises(AssertionError, match="another tenant"):
        await write(db.sessions, creating("s1", tenant="other"), tenant="demo")
    # then
    assert (await snapshot(db))["segment"] == []
    assert await recorded(db) == []


async def test_each_tenant_has_its_own_events(db):
    # when
    await write(db.sessions, creating("a1", tenant="a"), tenant="a")
    await write(db.sessions, creating("b1", tenant="b"), tenant="b")
    await write(db.sessions, creating("a2", tenant="a"), tenant="a")
    # then
    a, b = await recorded(db, "a"), await recorded(db, "b")
    assert [(e["segment_id"], e["tenant"], e["data"]["tenant"]) for e in a] == [
        ("a1", "a", "a"),
        ("a2", "a", "a"),
    ]
    assert [(e["segment_id"], e["data"]["tenant"]) for e in b] == [("b1", "b")]


async def test_concurrent_writes_of_a_tenant_take_distinct_places_in_its_order(db):
    # when
    writes = [write(db.sessions, creating(f"s{n}"), tenant="demo") for n in range(8)]
    await asyncio.gather(*writes)
    # then
    events = await recorded(db)
    assert len({e["data_version"] for e in events}) == 8
    assert {e["segment_id"] for e in events} == {f"s{n}" for n in range(8)}


async def test_every_event_has_its_own_id(db):
    # when
    for _ in range(3):
        await write(db.sessions, creating("s1"), tenant="demo")
    # then
    ids = [e["id"] for e in await recorded(db)]
    assert len(set(ids)) == 3


async def test_a_write_that_changes_nothing_inserts_no_events(db):
    # given
    await write(db.sessions, creating("s1"), tenant="demo")

    async def stale(session):
        return await commands.upsert_segment(
            session, tenant="demo", segment_id="s1", fields=FIELDS, version=9, now=utcnow()
        )

    # when
    with db.count_statements() as seen:
        await write(db.sessions, stale, tenant="demo")
    # then
    assert not any("change_event" in s for s in seen)
    assert len(await recorded(db)) == 1
