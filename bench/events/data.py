"""The bench's own data: its database, a small tenant, webhook subscriptions, the requests.

One tenant `bench` with 20 active segments and 200 products. The single write upserts one
product assignment, rotating over segments and products; the bulk upserts all 200 products
of a segment, rotating over the segments. Every upsert writes (its version rises), so each
entry is one `item-assignment-updated` event (created the first time).
"""

from __future__ import annotations

from datetime import datetime

import httpx
import sqlalchemy as sa

from bench.catalog.load import gateway, recreate_database
from bench.events import client
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import Settings
from gateway.store.columns import utcnow
from gateway.store.database import create_engine
from gateway.store.tables import metadata
from gateway.subscriptions.notices import EVENT_TYPES

TENANT = "bench"
SEGMENTS = [f"s{n:02d}" for n in range(20)]
PRODUCTS = [f"p{n:03d}" for n in range(200)]
PATH = f"/{TENANT}/graphql"
SINGLE = (
    "mutation ($s: ID!, $i: ID!) { upsertItemAssignment(segmentId: $s, type: PRODUCT, "
    "itemId: $i) { created userErrors { code } } }"
)
BULK = (
    "mutation ($s: ID!, $items: [BulkItemAssignmentInput!]!) { "
    "bulkUpsertItemAssignments(segmentId: $s, type: PRODUCT, items: $items) { succeeded failed } }"
)
CREATE_HOOK = (
    "mutation ($u: String!, $t: [String!]!) { createWebhookSubscription("
    "input: {url: $u, eventTypes: $t}) { subscription { id } userErrors { message } } }"
)
SINGLE_OK, BULK_OK = b'"userErrors":[]', b'"failed":0'
# Tables the bench empties between runs, so every run starts from the same state.
EVENT_TABLES = ("webhook_delivery", "change_event", "webhook_subscription")


def manager_token() -> str:
    return mint_token(Settings(), tenant=TENANT, scopes=[scopes.READ, scopes.MANAGE])


async def create(database_url: str, admin_dsn: str | None, name: str) -> None:
    """A fresh database (PostgreSQL: dropped and created), migrated and seeded."""
    if admin_dsn is not None:
        await recreate_database(admin_dsn, name)
    gateway(["migrate"], database_url)
    engine = create_engine(database_url)
    t = {"tenant": TENANT, "created_at": utcnow(), "modified_at": utcnow()}
    tables = metadata.tables
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(tables["tenant"]),
            [{"tenant": TENANT, "default_language": "en", "languages": ["en"]}],
        )
        products = [{**t, "id": p, "code": p, "name": {"en": p.upper()}} for p in PRODUCTS]
        await conn.execute(sa.insert(tables["product"]), products)
        segments = [
            {**t, "id": s, "status": "ACTIVE", "site_code": "main", "name": {"en": s}}
            for s in SEGMENTS
        ]
        await conn.execute(sa.insert(tables["segment"]), segments)
    await engine.dispose()


async def reset(database_url: str) -> None:
    """Empties the event tables (subscriptions included); the assignments stay."""
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        for table in EVENT_TABLES:
            await conn.execute(sa.delete(metadata.tables[table]))
    await engine.dispose()


async def count(database_url: str, table: str) -> int:
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        found = (
            await conn.execute(sa.select(sa.func.count()).select_from(sa.table(table)))
        ).scalar()
    await engine.dispose()
    return int(found or 0)


async def subscribe(port: int, token: str, receiver: int, how_many: int) -> None:
    """`how_many` subscriptions to every event type, each to its own path of the receiver."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        for n in range(how_many):
            variables = {"u": f"http://127.0.0.1:{receiver}/hooks/{n}", "t": list(EVENT_TYPES)}
            answer = await http.post(
                PATH, json={"query": CREATE_HOOK, "variables": variables},
                headers={"authorization": f"Bearer {token}"},
            )  # fmt: skip
            made = answer.json()["data"]["createWebhookSubscription"]
            if made["userErrors"]:
                raise SystemExit(f"createWebhookSubscription: {made['userErrors']}")


def singles(port: int, token: str) -> list[bytes]:
    """400 single upserts: each segment with 20 products in turn, no two alike in a row."""
    pairs = [(s, p) for p in PRODUCTS[:20] for s in SEGMENTS]
    return [client.encode(port, PATH, token, SINGLE, {"s": s, "i": p}) for s, p in pairs]


def bulks(port: int, token: str) -> list[bytes]:
    """A 200-entry bulk upsert per segment."""
    items = [{"id": p} for p in PRODUCTS]
    return [client.encode(port, PATH, token, BULK, {"s": s, "items": items}) for s in SEGMENTS]


async def deliveries(database_url: str) -> list[tuple[float, float]]:
    """(commit, outcome) times of each delivered event: its occurred_at and finished_at."""
    query = (
        "SELECT e.occurred_at, d.finished_at FROM webhook_delivery d JOIN change_event e "
        "ON e.tenant = d.tenant AND e.data_version = d.data_version AND e.position = d.position "
        "WHERE d.status = 'delivered'"
    )
    engine = create_engine(database_url)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.text(query))).all()
    await engine.dispose()
    return [(_seconds(o), _seconds(f)) for o, f in rows]


def _seconds(value: object) -> float:
    if isinstance(value, str):  # SQLite's text
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.timestamp()
