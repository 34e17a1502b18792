"""Catalog reads: tenants' languages, categories, products and their links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from gateway.assignments.models import ItemAssignment
from gateway.catalog.models import Category, Product, ProductCategory, Tenant, localized
from gateway.catalog.trees import CategoryRecord
from gateway.localization import TenantLanguages
from gateway.segments.access import SegmentAccess
from gateway.segments.models import Segment
from gateway.segments.repository import visible_segment_ids


async def tenant_languages(session: AsyncSession, *, tenant: str) -> TenantLanguages:
    """The tenant's languages; a tenant with no data gets the fallback language."""
    # Two columns, no ORM object: every request that reads data runs this first.
    table = Tenant.__table__  # type: ignore[attr-defined]
    stmt = sa.select(table.c.default_language, table.c.languages).where(table.c.tenant == tenant)
    row = (await session.execute(stmt)).one_or_none()
    if row is None:
        return TenantLanguages()
    return TenantLanguages(default=row.default_language, languages=tuple(row.languages))


async def category_ids_by_product(
    session: AsyncSession, *, tenant: str, product_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each product's category ids, in import order; one statement for all products."""
    rows = await session.execute(
        select(ProductCategory.product_id, ProductCategory.category_id)
        .where(ProductCategory.tenant == tenant, col(ProductCategory.product_id).in_(product_ids))
        .order_by(
            ProductCategory.product_id, col(ProductCategory.position), ProductCategory.category_id
        )
    )
    found: dict[str, list[str]] = {}
    for product_id, category_id in rows:
        found.setdefault(product_id, []).append(category_id)
    return found


@dataclass(frozen=True)
class SegmentSource:
    """The segments a tree or a match draws on: visible to the caller, of a site, maybe listed."""

    access: SegmentAccess
    site_code: str | None = None
    # None: every visible segment; else only these (ids the caller may not see drop out).
    segment_ids: tuple[str, ...] | None = None


def source_segment_ids(source: SegmentSource) -> sa.Select[str]:
    """A subquery of the ids of the segments `source` draws on."""
    stmt = visible_segment_ids(source.access)
    if source.site_code is not None:
        stmt = stmt.where(col(Segment.site_code) == source.site_code)
    if source.segment_ids is not None:
        stmt = stmt.where(col(Segment.id).in_(source.segment_ids))
    return stmt


async def assigned_category_ids(session: AsyncSession, *, source: SegmentSource) -> set[str]:
    """Ids of the categories assigned to the source's segments; one statement."""
    rows = await session.execute(
        sa.select(col(ItemAssignment.item_id))
        .distinct()
        .where(
            col(ItemAssignment.tenant) == source.access.tenant,
            col(ItemAssignment.item_type) == "CATEGORY",
            col(ItemAssignment.segment_id).in_(source_segment_ids(source)),
        )
    )
    return set(rows.scalars())


_STRUCTURE = (
    Category.id,
    Category.parent_id,
    Category.published,
    Category.valid_from,
    Category.valid_to,
    Category.code,
    Category.position,
)
# Display columns come back as JSON text: a tree shows a fraction of the tenant's
# categories, so decoding waits until a node is kept (decode_map, decode_list).
_DISPLAY = tuple(
    sa.cast(col(c), sa.Text).label(label)
    for c, label in (
        (Category.name, "name"),
        (Category.description, "description"),
        (Category.slug, "slug"),
        (Category.ecn, "ecn"),
    )
)


@dataclass(frozen=True, slots=True)
class StoredDisplay:
    """A category's localized maps and ECN codes as stored JSON text."""

    name: str | None
    description: str | None
    slug: str | None
    ecn: str | None


def decode_map(text: str | None) -> dict[str, str]:
    """A stored localized map from its JSON text; NULL and JSON null are empty."""
    return localized(orjson.loads(text)) if text else {}


def decode_list(text: str | None) -> list[str]:
    return list(orjson.loads(text) or ()) if text else []


def _structure(row: Any, display: StoredDisplay | None = None) -> CategoryRecord:
    return CategoryRecord(
        id=row.id,
        parent_id=row.parent_id,
        published=row.published,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        code=row.code,
        position=row.position,
        display=display,
    )


def _with_display(row: Any) -> CategoryRecord:
    return _structure(row, StoredDisplay(row.name, row.description, row.slug, row.ecn))


async def tree_categories(session: AsyncSession, *, tenant: str) -> list[CategoryRecord]:
    """Every category of the tenant with what a tree shows (display as StoredDisplay)."""
    stmt = sa.select(*map(col, _STRUCTURE), *_DISPLAY).where(col(Category.tenant) == tenant)
    return [_with_display(row) for row in await session.execute(stmt)]


async def category_structure(session: AsyncSession, *, tenant: str) -> list[CategoryRecord]:
    """Every category of the tenant with only what pruning and nesting need; one statement."""
    stmt = sa.select(*map(col, _STRUCTURE)).where(col(Category.tenant) == tenant)
    return [_structure(row) for row in await session.execute(stmt)]


async def directly_assigned_products(
    session: AsyncSession, *, source: SegmentSource, product_ids: Sequence[str]
) -> set[str]:
    """Which of `product_ids` are catalog products assigned to the source's segments."""
    rows = await session.execute(
        sa.select(col(ItemAssignment.item_id))
        .distinct()
        .join(
            Product,
            sa.and_(
                col(Product.tenant) == col(ItemAssignment.tenant),
                col(Product.id) == col(ItemAssignment.item_id),
            ),
        )
        .where(
            col(ItemAssignment.tenant) == source.access.tenant,
            col(ItemAssignment.item_type) == "PRODUCT",
            col(ItemAssignment.item_id).in_(product_ids),
            col(ItemAssignment.segment_id).in_(source_segment_ids(source)),
        )
    )
    return set(rows.scalars())

