"""GraphQL types of catalog items: the Item interface, Product and Category."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import strawberry

from gateway.api.types import Described, Info, Named, Slugged, Validity, validity_of
from gateway.catalog.loaders import CategoryIdsByProductIdLoader


@strawberry.interface(description="A catalog item that can be assigned to a segment.")
class Item(Named):
    id: strawberry.ID = strawberry.field(description="The item's id in the catalog.")
    code: str = strawberry.field(description="The item's user-defined code.")


@strawberry.type(description="A product of the tenant's catalog.")
class Product(Item):
    @strawberry.field(description="Ids of the categories the product belongs to.")
    async def category_ids(self, info: Info) -> list[strawberry.ID]:
        ids = await info.context.loader(CategoryIdsByProductIdLoader).load(str(self.id))
        return [strawberry.ID(i) for i in ids]


@strawberry.type(description="A category of the tenant's catalog.")
class Category(Item, Described, Slugged):
    parent_id: strawberry.ID | None = strawberry.field(description="The parent; null for roots.")
    position: int = strawberry.field(description="Position among its siblings.")
    published: bool = strawberry.field(description="Whether the category is published.")
    validity: Validity | None = strawberry.field(description="When the category is valid.")
    ecn: list[str] = strawberry.field(description="ECN codes of the category.")


class ProductRow(Protocol):
    """What a Product is built from: a product row, or an assignment row joined with its item."""

    @property
    def id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> dict[str, str] | None: ...


class CategoryRow(ProductRow, Protocol):
    """What a Category is built from: a category row, or an assignment row joined with it."""

    @property
    def parent_id(self) -> str | None: ...
    @property
    def position(self) -> int: ...
    @property
    def published(self) -> bool: ...
    @property
    def valid_from(self) -> datetime | None: ...
    @property
    def valid_to(self) -> datetime | None: ...
    @property
    def ecn(self) -> list[str] | None: ...
    @property
    def description(self) -> dict[str, str] | None: ...
    @property
    def slug(self) -> dict[str, str] | None: ...


def product_from_row(row: ProductRow) -> Product:
    """A Product from anything with id, code and name (a Product row or a joined row)."""
    return Product(id=strawberry.ID(row.id), code=row.code, name_map=row.name or {})


def category_from_row(row: CategoryRow) -> Category:
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
