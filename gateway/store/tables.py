"""Every table, imported in one place so metadata and migrations see them all."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.assignments.models import ItemAssignment
from gateway.catalog.models import Category, Product, ProductCategory, Tenant
from gateway.events.models import ChangeEvent
from gateway.segments.models import CustomerAssignment, Segment
from gateway.store.columns import CodePointString
from gateway.store.persisted_documents import PersistedDocument
from gateway.store.segment_references import install
from gateway.webhooks.models import WebhookDelivery, WebhookSubscription

metadata = SQLModel.metadata
install(metadata)


class DataVersion(SQLModel, table=True):
    """Counters per tenant, raised in the transaction of every write to the tenant's data.

    Readers compare them with the versions their in-memory structures were built from; a
    tenant without a row has never been written through the gateway (versions 0).
    """

    __tablename__ = "data_version"

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    # Every write: segments, assignments, the catalog.
    version: int = Field(sa_type=sa.BigInteger)
    # Writes of categories, products and their links: only the import makes them.
    catalog_version: int = Field(sa_type=sa.BigInteger)


def _table(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


# Core handles of the tables, for statements that work on columns rather than models.
segment_table = _table(Segment)
customer_table = _table(CustomerAssignment)
item_table = _table(ItemAssignment)
product_table = _table(Product)
category_table = _table(Category)
product_category_table = _table(ProductCategory)
tenant_table = _table(Tenant)
data_version_table = _table(DataVersion)
persisted_document_table = _table(PersistedDocument)
webhook_subscription_table = _table(WebhookSubscription)
webhook_delivery_table = _table(WebhookDelivery)
change_event_table = _table(ChangeEvent)

__all__ = [
    "Category",
    "ChangeEvent",
    "CustomerAssignment",
    "DataVersion",
    "ItemAssignment",
    "PersistedDocument",
    "Product",
    "ProductCategory",
    "Segment",
    "Tenant",
    "WebhookDelivery",
    "WebhookSubscription",
    "category_table",
    "change_event_table",
    "customer_table",
    "data_version_table",
    "item_table",
    "metadata",
    "persisted_document_table",
    "product_category_table",
    "product_table",
    "segment_table",
    "tenant_table",
    "webhook_delivery_table",
    "webhook_subscription_table",
]
