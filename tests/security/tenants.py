"""Two tenants with the same ids and names; everything else of the other one says "beta"."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from gateway.store.columns import utcnow
from gateway.store.tables import metadata
from gateway.webhooks.models import WebhookSubscription
from tests.conftest import Database
from tests.factories import PAST, Seed

OWN = "alpha"
OTHER = "beta"
# Only the other tenant has these; asking for them as OWN must find nothing.
OTHER_ONLY = {"segment": "s-other", "product": "p-other", "category": "c-other"}
OTHER_CUSTOMER = "cust-other"


def _marked(tenant: str) -> dict[str, Any]:
    """What every row of `tenant` carries besides its id and name: the tenant's own word."""
    return {
        "mixins": {"owner": tenant},
        "metadata_mixins": {"owner": f"https://{tenant}.example/owner.json"},
    }


def _catalog(seed: Seed, tenant: str) -> list[Any]:
    def category(id: str, parent: str | None = None) -> Any:
        return seed.category(
            id,
            parent,
            code=f"{id}-{tenant}",
            name={"en": id.title()},
            slug={"en": f"{id}-{tenant}"},
            description={"en": tenant},
            ecn=[tenant],
        )

    return [
        category("c-root"),
        category("c-child", "c-root"),
        seed.product("p1", code=f"p1-{tenant}", name={"en": "P1"}),
        seed.product("p2", code=f"p2-{tenant}", name={"en": "P2"}),
        seed.product("p3", code=f"p3-{tenant}", name={"en": "P3"}),
    ]


def _segments(seed: Seed, tenant: str) -> list[Any]:
    expired = {"valid_from": PAST, "valid_to": utcnow() - timedelta(days=1)}
    return [
        seed.segment("s1", name={"en": "Gold"}, description={"en": tenant}, **_marked(tenant)),
        seed.segment("s2", status="INACTIVE", name={"en": "Silver"}, **_marked(tenant)),
        seed.segment("s3", name={"en": "Bronze"}, **expired, **_marked(tenant)),
    ]


def _assignments(seed: Seed, tenant: str) -> list[Any]:
    return [
        seed.customer("s1", "c1", **_marked(tenant)),
        seed.customer("s1", "c2", "le1", **_marked(tenant)),
        seed.customer("s2", "c1", **_marked(tenant)),
        seed.customer("s3", "c1", **_marked(tenant)),
        seed.item("s1", "PRODUCT", "p1", **_marked(tenant)),
        seed.item("s1", "PRODUCT", "p2", **_marked(tenant)),
        seed.item("s1", "CATEGORY", "c-root", **_marked(tenant)),
        seed.item("s2", "PRODUCT", "p3", **_marked(tenant)),
    ]


def _other_only(seed: Seed) -> tuple[list[Any], list[Any]]:
    rows = [
        seed.category(OTHER_ONLY["category"], "c-root", code="c-other-beta"),
        seed.product(OTHER_ONLY["product"], code="p-other-beta", name={"en": "P1"}),
        seed.segment(OTHER_ONLY["segment"], name={"en": "Gold"}, **_marked(OTHER)),
    ]
    links = [
        seed.customer(OTHER_ONLY["segment"], "c1", **_marked(OTHER)),
        seed.customer(OTHER_ONLY["segment"], OTHER_CUSTOMER, **_marked(OTHER)),
        seed.customer("s1", OTHER_CUSTOMER, **_marked(OTHER)),
        seed.item(OTHER_ONLY["segment"], "PRODUCT", "p-other", **_marked(OTHER)),
        seed.item(OTHER_ONLY["segment"], "CATEGORY", "c-other", **_marked(OTHER)),
        seed.item("s1", "PRODUCT", "p-other", **_marked(OTHER)),
        seed.item("s1", "CATEGORY", "c-other", **_marked(OTHER)),
    ]
    return rows, links


def _webhook(tenant: str) -> WebhookSubscription:
    return WebhookSubscription(
        tenant=tenant,
        id="wh1",
        url=f"https://93.184.215.14/{tenant}",
        event_types=["customer-segment.segment-created"],
        description=tenant,
        secret=f"whsec_{tenant}",
        created_at=utcnow(),
    )


async def populate(db: Database, tenant: str) -> None:
    """The shared data set for `tenant`; the other tenant also gets OTHER_ONLY records."""
    seed = Seed(db, tenant)
    await seed.tenant_row()
    await seed.add(*_catalog(seed, tenant), *_segments(seed, tenant))
    await seed.add(seed.link("p1", "c-child"), seed.link("p3", "c-root"))
    await seed.add(*_assignments(seed, tenant), _webhook(tenant))
    if tenant == OTHER:
        rows, links = _other_only(seed)
        await seed.add(*rows)
        await seed.add(*links, seed.link("p-other", "c-root"))


async def populate_both(db: Database) -> None:
    await populate(db, OWN)
    await populate(db, OTHER)


async def checksum(db: Database, tenant: str) -> str:
    """A digest of every row `tenant` has in every table: equal digests, nothing changed."""
    digest = hashlib.sha256()
    async with db.sessions() as session:
        for table in metadata.sorted_tables:
            stmt = (
                sa.select(table)
                .where(table.c.tenant == tenant)
                .order_by(*table.primary_key.columns)
            )
            for row in await session.execute(stmt):
                digest.update(repr(tuple(row)).encode())
            digest.update(table.name.encode())
    return digest.hexdigest()
