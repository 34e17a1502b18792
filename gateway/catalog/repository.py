"""Catalog reads: tenants' versions and languages, categories, products and their links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.catalog.models import localized
from gateway.catalog.trees import CategoryRecord
from gateway.localization import TenantLanguages
from gateway.segments.repository import visible_segment_ids
from gateway.segments.visibility import SegmentAccess
from gateway.store.tables import (
    category_table,
    data_version_table,
    item_table,
    product_category_table,
    product_table,
    segment_table,
    tenant_table,
)

_a = item_table.c
_links = product_category_table.c
_product = product_table.c
_s = segment_table.c


class TenantState(NamedTuple):
    """What every data-reading request learns first, in one statement."""

    # Raised by every write (gateway.store.writes.write), so caches compare it to stay current.
    data_version: int
    # Raised only by writes to categories, products or their links (the import).
    catalog_version: int
    languages: TenantLanguages


def _tenant_state() -> sa.Select[Any]:
    versions = data_version_table.c
    tenants = tenant_table.c
    tenant: sa.BindParameter[str] = sa.bindparam("tenant")

    def one(column: Any, key: Any) -> Any:
        return sa.select(column).where(key == tenant).scalar_subquery()

    # Scalar subqueries: one row whether or not either table has the tenant's row.
    return sa.select(
        one(versions.version, versions.tenant),
        one(versions.catalog_version, versions.tenant),
        one(tenants.default_language, tenants.tenant),
        one(tenants.languages, tenants.tenant),
    )


# Built once: every data-reading request runs it, and building it cost more than running it.
_TENANT_STATE = _tenant_state()


async def tenant_state(session: AsyncSession, *, tenant: str) -> TenantState:
    """The tenant's data versions and languages; a tenant with no data gets version 0 and
    the fallback language."""
    # On the session's connection: the ORM's execute path adds nothing a Core select needs.
    connection = await session.connection()
    result = await connection.execute(_TENANT_STATE, {"tenant": tenant})
    version, catalog_version, default, languages = result.one()
    found = TenantLanguages() if default is None else TenantLanguages(default, tuple(languages))
    return TenantState(int(version or 0), int(catalog_version or 0), found)


def _next_bound(column: Any, tenant_column: Any, tenant: str, after: datetime) -> Any:
    # min() over an index on (tenant, column): one index probe, not a scan.
    return sa.select(sa.func.min(column)).where(tenant_column == tenant, column > after)


async def next_validity_boundary(
    session: AsyncSession, *, tenant: str, after: datetime
) -> datetime | None:
    """The first instant after `after` at which a segment or category of the tenant starts
    or stops being valid: answers that depend on the clock can change only there."""
    bounds = [
        _next_bound(column, table.tenant, tenant, after)
        for table in (_s, _CATEGORY)
        for column in (table.valid_from, table.valid_to)
    ]
    union = sa.union_all(*bounds).subquery()
    found: datetime | None = (await session.execute(sa.select(sa.func.min(union.c[0])))).scalar()
    return found


async def category_ids_by_product(
    session: AsyncSession, *, tenant: str, product_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each product's category ids, in import order; one statement for all products."""
    rows = await session.execute(
        sa.select(_links.product_id, _links.category_id)
        .where(_links.tenant == tenant, _links.product_id.in_(product_ids))
        .order_by(_links.product_id, _links.position, _links.category_id)
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
        stmt = stmt.where(_s.site_code == source.site_code)
    if source.segment_ids is not None:
        stmt = stmt.where(_s.id.in_(source.segment_ids))
    return stmt


def _assigned_categories(source: SegmentSource) -> sa.Select[Any]:
    return sa.select(_a.item_id).where(
        _a.tenant == source.access.tenant,
        _a.item_type == "CATEGORY",
        _a.segment_id.in_(source_segment_ids(source)),
    )


async def assigned_category_ids(
    session: AsyncSession, *, sources: Sequence[SegmentSource]
) -> list[set[str]]:
    """Per source, the ids of the categories assigned to its segments; one statement."""
    return await _per_source(session, [_assigned_categories(source) for source in sources])


async def _per_source(session: AsyncSession, selects: list[sa.Select[Any]]) -> list[set[str]]:
    """Runs one select per source as a single UNION ALL, each row tagged with its source."""
    tagged = [
        stmt.add_columns(sa.literal(n).label("source")).distinct() for n, stmt in enumerate(selects)
    ]
    found: list[set[str]] = [set() for _ in selects]
    if not tagged:
        return found
    union = tagged[0] if len(tagged) == 1 else sa.union_all(*tagged)
    # On the connection, as Core: the ORM's row loading cost more than the statement for
    # the 8,500 ids of a whole catalog's tree.
    connection = await session.connection()
    for item_id, n in await connection.execute(union):
        found[n].add(item_id)
    return found


# Core columns, not model attributes: an ORM-enabled select of 10,000 rows costs several
# times the statement itself.
_CATEGORY = category_table.c
_STRUCTURE = (
    _CATEGORY.id,
    _CATEGORY.parent_id,
    _CATEGORY.published,
    _CATEGORY.valid_from,
    _CATEGORY.valid_to,
    _CATEGORY.code,
    _CATEGORY.position,
)
# Display columns come back as JSON text: a tree shows a fraction of the tenant's
# categories, so decoding waits until a node is kept (decode_map, decode_list).
_DISPLAY = tuple(
    sa.cast(_CATEGORY[name], sa.Text).label(name) for name in ("name", "description", "slug", "ecn")
)


class StoredDisplay(NamedTuple):
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


class CatalogRow(NamedTuple):
    """A category row of _catalog_unless: the version, then _STRUCTURE, then _DISPLAY (the
    statement's one row without a category, id NULL, never reaches _record)."""

    version: int
    id: str
    parent_id: str | None
    published: bool
    valid_from: datetime | None
    valid_to: datetime | None
    code: str
    position: int
    name: str | None
    description: str | None
    slug: str | None
    ecn: str | None


def _record(row: CatalogRow) -> CategoryRecord:
    # By position, in the order of the statement's columns: cheaper than by name, per row
    # of a whole catalog.
    display = StoredDisplay(row[8], row[9], row[10], row[11])
    return CategoryRecord(row[1], row[2], row[3], row[4], row[5], row[6], row[7], display)


def _catalog_unless(tenant: str, known_version: int | None) -> sa.Select[Any]:
    versions = data_version_table.c
    current = (
        sa.select(sa.func.coalesce(sa.func.max(versions.catalog_version), 0))
        .where(versions.tenant == tenant)
        .scalar_subquery()
    )
    version = sa.select(current.label("version")).subquery("current")
    # A condition on no column of the category table: PostgreSQL makes it a one-time filter
    # and SQLite tests it before its loop, so an up-to-date copy costs no category scan.
    stale = current != (-1 if known_version is None else known_version)
    categories = (
        sa.select(*_STRUCTURE, *_DISPLAY).where(_CATEGORY.tenant == tenant, stale).subquery()
    )
    return sa.select(version.c.version, *categories.c).select_from(
        version.outerjoin(categories, sa.true())
    )


async def categories_unless_current(
    session: AsyncSession, *, tenant: str, known_version: int | None
) -> tuple[int, list[CategoryRecord] | None]:
    """The tenant's catalog version, with every category unless `known_version` is it.

    One statement either way: the version's one row, joined to the categories only when
    the caller's copy is out of date, so version and rows come from the same snapshot.
    """
    rows = (await session.execute(_catalog_unless(tenant, known_version))).all()
    version = int(rows[0].version)
    if version == known_version:
        return version, None
    return version, [_record(row) for row in rows if row.id is not None]


async def directly_assigned_products(
    session: AsyncSession, *, wanted: Sequence[tuple[SegmentSource, Sequence[str]]]
) -> list[set[str]]:
    """Per (source, product ids): which of the ids are catalog products assigned to the
    source's segments; one statement for all."""
    selects = [
        sa.select(_a.item_id)
        .join(product_table, sa.and_(_product.tenant == _a.tenant, _product.id == _a.item_id))
        .where(
            _a.tenant == source.access.tenant,
            _a.item_type == "PRODUCT",
            _a.item_id.in_(product_ids),
            _a.segment_id.in_(source_segment_ids(source)),
        )
        for source, product_ids in wanted
    ]
    return await _per_source(session, selects)
