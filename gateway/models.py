"""Every table, imported in one place so metadata and migrations see them all."""

from sqlmodel import SQLModel

from gateway.assignments.models import ItemAssignment
from gateway.catalog.models import Category, Product, ProductCategory, Tenant
from gateway.segments.models import CustomerAssignment, Segment

metadata = SQLModel.metadata

__all__ = [
    "Category",
    "CustomerAssignment",
    "ItemAssignment",
    "Product",
    "ProductCategory",
    "Segment",
    "Tenant",
    "metadata",
]
