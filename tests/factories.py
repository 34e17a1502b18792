"""One-line builders of test data, written straight to the test's database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gateway.assignments.models import ItemAssignment
from gateway.catalog.models import Category, Product, ProductCategory, Tenant
from gateway.segments.models import NO_LEGAL_ENTITY, CustomerAssignment, Segment
from gateway.store.columns import utcnow
from gateway.store.writes import bump_data_version
from tests.conftest import Database

PAST = datetime(2020, 1, 1)
FUTURE = datetime(2100, 1, 1)


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class Seed:
    """Adds rows for one tenant; every call is one transaction."""

    db: Database
    tenant: str = "demo"

    async def add(self, *rows: Any) -> None:
        async with self.db.sessions() as session, session.begin():
            session.add_all(rows)
            # Rows written behind the gateway's back must still reach its caches.
            await bump_data_version(session, tenant=self.tenant, catalog=True)

    def _stamps(self) -> dict[str, datetime]:
        now = utcnow()
        return {"created_at": now, "modified_at": now}

    async def tenant_row(
        self, default: str = "en", languages: tuple[str, ...] = ("en", "de")
    ) -> None:
        await self.add(
            Tenant(tenant=self.tenant, default_language=default, languages=list(languages))
        )

    def category(self, id: str, parent: str | None = None, **fields: Any) -> Category:
        fields.setdefault("code", id)
        fields.setdefault("name", {"en": id.title()})
        return Category(tenant=self.tenant, id=id, parent_id=parent, **fields, **self._stamps())

    def product(self, id: str, **fields: Any) -> Product:
        fields.setdefault("code", id)
        fields.setdefault("name", {"en": id.title()})
        return Product(tenant=self.tenant, id=id, **fields, **self._stamps())

    def link(self, product: str, category: str, position: int = 0) -> ProductCategory:
        return ProductCategory(
            tenant=self.tenant, product_id=product, category_id=category, position=position
        )

    def segment(
        self, id: str, status: str = "ACTIVE", site: str = "main", **fields: Any
    ) -> Segment:
        fields.setdefault("name", {"en": id.title()})
        return Segment(
            tenant=self.tenant, id=id, status=status, site_code=site, **fields, **self._stamps()
        )

    def customer(
        self, segment: str, customer: str, legal_entity: str | None = None, **fields: Any
    ) -> CustomerAssignment:
        return CustomerAssignment(
            tenant=self.tenant,
            segment_id=segment,
            customer_id=customer,
            legal_entity_id=legal_entity or NO_LEGAL_ENTITY,
            **fields,
            **self._stamps(),
        )

    def item(self, segment: str, item_type: str, item_id: str, **fields: Any) -> ItemAssignment:
        return ItemAssignment(
            tenant=self.tenant,
            segment_id=segment,
            item_type=item_type,
            item_id=item_id,
            **fields,
            **self._stamps(),
        )
