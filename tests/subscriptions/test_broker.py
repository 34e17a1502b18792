"""The broker: a notice is published when its write commits, never for a rollback."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.auth import scopes
from gateway.segments.commands import SegmentFields, upsert_segment
from gateway.store.columns import utcnow
from gateway.store.tables import segment_table
from gateway.store.writes import write
from gateway.subscriptions.broker import publish_in
from gateway.subscriptions.notices import MAX_PAYLOAD_BYTES, decode, encode
from tests.subscriptions.client import acked, raw, receive, subscribe
from tests.subscriptions.conftest import Live, Start, notice


class Refused(Exception):
    pass


async def _write_and_fail(live: Live, seed) -> None:
    """A write that inserts a segment, publishes its notice, then fails: rolled back."""

    async def work(session: AsyncSession) -> None:
        await session.execute(sa.insert(segment_table).values(**_segment_row(seed, "s9")))
        await publish_in(session, [notice("s9", "customer-segment.segment-created")])
        raise Refused

    assert live.runtime.sessions is not None
    with pytest.raises(Refused):
        await write(live.runtime.sessions, work, tenant="demo")


def _segment_row(seed, id_: str) -> dict[str, object]:
    row = seed.segment(id_)
    return {column.name: getattr(row, column.name) for column in segment_table.c}


async def test_a_committed_write_reaches_a_subscriber(start: Start):
    # given
    live = await start()
    subscriber = live.broker.subscribe("demo")
    change = notice("s1")
    # when
    await live.publish(change)
    # then
    assert await asyncio.wait_for(subscriber.next(), 5) == change


async def test_a_rolled_back_write_notifies_nobody(start: Start, seed):
    # given
    live = await start()
    subscriber = live.broker.subscribe("demo")
    # when
    await _write_and_fail(live, seed)
    await live.publish(later := notice("s2"))
    # then: the first notice to arrive is the one committed after the rollback
    assert await asyncio.wait_for(subscriber.next(), 5) == later
    async with live.runtime.sessions() as session:  # type: ignore[misc]
        assert (await session.execute(sa.select(segment_table.c.id))).all() == []


async def test_a_notice_is_held_until_the_transaction_commits(start: Start):
    # given
    live = await start()
    subscriber = live.broker.subscribe("demo")
    held: list[bool] = []

    async def work(session: AsyncSession) -> None:
        await publish_in(session, [notice("s1")])
        await asyncio.sleep(0.3)
        held.append(subscriber.waiting == 0)

    # when
    assert live.runtime.sessions is not None
    await write(live.runtime.sessions, work, tenant="demo")
    # then
    assert held == [True]
    assert (await asyncio.wait_for(subscriber.next(), 5)).segment_id == "s1"


def test_a_notice_with_ids_of_the_longest_allowed_length_fits_a_notify_payload():
    # given: ids are at most 256 characters (API.md, Values)
    longest = "x" * 256
    change = notice(longest, item_id=longest, customer_id=longest, legal_entity_id=longest)
    # when
    payload = encode(change)
    # then
    assert len(payload.encode()) <= MAX_PAYLOAD_BYTES
    assert decode(payload) == change


def test_a_notice_over_the_notify_limit_is_refused():
    # given
    change = notice("x" * MAX_PAYLOAD_BYTES)
    # when / then
    with pytest.raises(ValueError, match="over 7999 bytes"):
        encode(change)


async def test_a_real_segment_upsert_publishes_its_event_to_a_customer_of_it(start: Start, seed):
    # given: c1 belongs to s1, which is inactive until the upsert activates it
    await seed.tenant_row()
    await seed.add(seed.segment("s1", "INACTIVE"))
    await seed.add(seed.customer("s1", "c1"))
    live = await start()
    fields = SegmentFields({"en": "Gold"}, {}, "ACTIVE", "main", None, None, {}, {})

    async def work(session: AsyncSession) -> object:
        now = utcnow()
        done = await upsert_segment(
            session, tenant="demo", segment_id="s1", fields=fields, version=None, now=now
        )
        await publish_in(session, [notice("s1", occurred_at=now)])
        return done

    async with raw(live.url) as socket:
        await acked(socket, live.init(scopes.READ_OWN, customer="c1"))
        await subscribe(socket)
        await live.subscribers(1)
        # when
        assert live.runtime.sessions is not None
        await write(live.runtime.sessions, work, tenant="demo")
        # then: judged on the data the change left, the segment is active and c1's
        message = await receive(socket)
        assert message["payload"]["data"]["changes"]["segmentId"] == "s1"
