"""GraphQL types of catalog items: the Item interface, Product and Category."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.catalog.loaders import CategoryIdsByProductIdLoader
from gateway.localization import resolve
from gateway.types import Info, Locale, LocalizedString, Validity, localized_list, validity_of


@strawberry.interface(description="A catalog item that can be assigned to a segment.")
class Item:
    id: strawberry.ID = strawberry.field(description="The item's id in the catalog.")
    code: str = strawberry.field(description="The item's user-defined code.")
    name_map: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The name in the resolved language.")
    def name(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.name_map, info.context.locales, locale)

    @strawberry.field(description="Every translation of the name, ordered by locale.")
    def name_all_locales(self) -> list[LocalizedString]:
        return localized_list(self.name_map)


@strawberry.type(description="A product of the tenant's catalog.")
class Product(Item):
    @strawberry.field(description="Ids of the categories the product belongs to.")
    async def category_ids(self, info: Info) -> list[strawberry.ID]:
        ids = await info.context.loader(CategoryIdsByProductIdLoader).load(str(self.id))
        return [strawberry.ID(i) for i in ids]


@strawberry.type(description="A category of the tenant's catalog.")
class Category(Item):
    parent_id: strawberry.ID | None = strawberry.field(description="The parent; null for roots.")
    position: int = strawberry.field(description="Position among its siblings.")
    published: bool = strawberry.field(description="Whether the category is published.")
    validity: Validity | None = strawberry.field(description="When the category is valid.")
    ecn: list[str] = strawberry.field(description="ECN codes of the category.")
    description_map: strawberry.Private[dict[str, str]]
    slug_map: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The description in the resolved language.")
    def description(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.description_map, info.context.locales, locale)

    @strawberry.field(description="Every translation of the description, ordered by locale.")
    def description_all_locales(self) -> list[LocalizedString]:
        return localized_list(self.description_map)

    @strawberry.field(description="The URL slug in the resolved language.")
    def slug(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.slug_map, info.context.locales, locale)

    @strawberry.field(description="Every translation of the slug, ordered by locale.")
    def slug_all_locales(self) -> list[LocalizedString]:
        return localized_list(self.slug_map)


def product_from_row(row: Any) -> Product:
    """A Product from anything with id, code and name (a Product row or a joined row)."""
    return Product(id=strawberry.ID(row.id), code=row.code, name_map=row.name or {})


def category_from_row(row: Any) -> Category:
    """A Category from a Category row (or a row with the same attribute names)."""
    return Category(
        id=strawberry.ID(row.id),
        code=row.code,
        name_map=row.name or {},
        parent_id=strawberry.ID(row.parent_id) if row.parent_id else None,
        position=row.position,
        published=row.published,
        validity=validity_of(row.valid_from, row.valid_to),
        ecn=list(row.ecn or []),
        description_map=row.description or {},
        slug_map=row.slug or {},
    )
