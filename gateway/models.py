"""Every table, imported in one place so metadata and migrations see them all."""

import sqlalchemy as sa
from sqlmodel import SQLModel

from gateway.assignments.models import ItemAssignment
from gateway.catalog.models import Category, Product, ProductCategory, Tenant
from gateway.segments.models import CustomerAssignment, Segment

metadata = SQLModel.metadata


def _table(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


# Core handles of the tables, for statements that work on columns rather than models.
segment_table = _table(Segment)
customer_table = _table(CustomerAssignment)
item_table = _table(ItemAssignment)
product_table = _table(Product)
category_table = _table(Category)

__all__ = [
    "Category",
    "CustomerAssignment",
    "ItemAssignment",
    "Product",
    "ProductCategory",
    "Segment",
    "Tenant",
    "category_table",
    "customer_table",
    "item_table",
    "metadata",
    "product_table",
    "segment_table",
]
