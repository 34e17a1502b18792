"""The events of the REST API's webhooks (emporix-practices.md §15): their names, and
their payloads with the JSON names and values of the GraphQL types."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.api.types import format_datetime
from gateway.subscriptions.notices import EVENT_TYPES

# The nine names, in EVENT_TYPES' order: segment, item and customer assignment, each
# created, updated, deleted.
(
    SEGMENT_CREATED,
    SEGMENT_UPDATED,
    SEGMENT_DELETED,
    ITEM_CREATED,
    ITEM_UPDATED,
    ITEM_DELETED,
    CUSTOMER_CREATED,
    CUSTOMER_UPDATED,
    CUSTOMER_DELETED,
) = EVENT_TYPES


@dataclass(frozen=True)
class Event:
    """An event to record: its type, payload, and the keys a subscription filters on."""

    type: str
    segment_id: str
    data: dict[str, Any]
    item_type: str | None = None
    item_id: str | None = None
    customer_id: str | None = None
    legal_entity_id: str | None = None


# A bulk's records share their timestamps: each is formatted once.
@functools.lru_cache(maxsize=1024)
def _instant(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def _metadata(row: Any) -> dict[str, Any]:
    """Metadata as the GraphQL type has it (empty mixins are null)."""
    return {
        "createdAt": _instant(row.created_at),
        "modifiedAt": _instant(row.modified_at),
        "version": row.version,
        "mixins": row.metadata_mixins or None,
    }


def _validity(row: Any) -> dict[str, Any] | None:
    if row.valid_from is None and row.valid_to is None:
        return None
    return {"from": _instant(row.valid_from), "to": _instant(row.valid_to)}


def _created(row: Any, created: bool | None) -> bool:
    # A write creates at version 1; an import, which may keep a file's own version, knows.
    return row.version == 1 if created is None else created


def segment_written(
    tenant: str, row: Any, previous_status: str | None = None, *, created: bool | None = None
) -> Event:
    """segment-created (by default: version 1), else segment-updated with mixins and
    previousStatus; localized fields are maps, locale to text, as REST sends them."""
    data = {
        "id": row.id,
        "name": row.name or {},
        "description": row.description or {},
        "siteCode": row.site_code,
        "status": row.status,
        "validity": _validity(row),
        "metadata": _metadata(row),
        "tenant": tenant,
    }
    if _created(row, created):
        return Event(SEGMENT_CREATED, row.id, data)
    data.update(mixins=row.mixins or None, previousStatus=previous_status)
    return Event(SEGMENT_UPDATED, row.id, data)


def segment_deleted(tenant: str, segment_id: str) -> Event:
    return Event(SEGMENT_DELETED, segment_id, {"id": segment_id, "tenant": tenant})


def item_written(
    tenant: str,
    segment_id: str,
    item_type: str,
    row: Any,
    item: tuple[str, Any],
    *,
    created: bool | None = None,
) -> Event:
    """item-assignment-created (by default: version 1) or -updated; `item` is the catalog's
    (code, name)."""
    code, name = item
    data = {
        "segmentId": segment_id,
        "type": item_type,
        "item": {"id": row.item_id, "code": code, "name": name or {}},
        "mixins": row.mixins or None,
        "metadata": _metadata(row),
        "tenant": tenant,
    }
    kind = ITEM_CREATED if _created(row, created) else ITEM_UPDATED
    return Event(kind, segment_id, data, item_type=item_type, item_id=row.item_id)


def item_deleted(tenant: str, segment_id: str, item_type: str, item_id: str) -> Event:
    data = {"itemId": item_id, "segmentId": segment_id, "tenant": tenant, "type": item_type}
    return Event(ITEM_DELETED, segment_id, data, item_type=item_type, item_id=item_id)


def customer_written(tenant: str, row: Any, *, created: bool | None = None) -> Event:
    """customer-assignment-created (by default: version 1) or -updated. Profiles (names,
    email) live in the customer service, so `customer` and `legalEntity` carry their ids."""
    legal_entity = row.legal_entity_id or None  # '' stands for B2C
    data = {
        "segmentId": row.segment_id,
        "customer": {"id": row.customer_id},
        "legalEntity": None if legal_entity is None else {"id": legal_entity},
        "assignmentType": row.assignment_type,
        "mixins": row.mixins or None,
        "metadata": _metadata(row),
        "tenant": tenant,
    }
    kind = CUSTOMER_CREATED if _created(row, created) else CUSTOMER_UPDATED
    keys = {"customer_id": row.customer_id, "legal_entity_id": legal_entity}
    return Event(kind, row.segment_id, data, **keys)


def customer_deleted(tenant: str, segment_id: str, customer_id: str, legal_entity: str) -> Event:
    legal_entity_id = legal_entity or None
    data = {
        "customerId": customer_id,
        "legalEntityId": legal_entity_id,
        "segmentId": segment_id,
        "tenant": tenant,
    }
    keys = {"customer_id": customer_id, "legal_entity_id": legal_entity_id}
    return Event(CUSTOMER_DELETED, segment_id, data, **keys)
