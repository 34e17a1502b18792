"""The catalog import file: its shape, read into typed entries, and every rule it must meet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.importer.fields import CatalogImportError, Entry, OwnMetadata

TENANT = re.compile(r"^[a-z][a-z0-9]{2,15}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
ITEM_TYPES = ("PRODUCT", "CATEGORY")
STATUSES = ("ACTIVE", "INACTIVE")
ASSIGNMENT_TYPES = ("MANUAL", "AUTOMATIC")
LISTS = ("categories", "products", "segments", "customerAssignments", "itemAssignments")
TOP_LEVEL = ("tenant", "defaultLanguage", "languages", *LISTS)


@dataclass(frozen=True)
class Localized:
    """The translations of one entry, checked against the tenant's languages later."""

    where: str
    maps: Mapping[str, Mapping[str, str]]


# Entries are made hundreds of thousands of times: slots, and not frozen, whose __init__
# costs a call of object.__setattr__ per field.
@dataclass(slots=True)
class CategoryEntry:
    where: str
    id: str
    parent_id: str | None
    values: dict[str, Any]


@dataclass(slots=True)
class ProductEntry:
    where: str
    id: str
    category_ids: tuple[str, ...]
    values: dict[str, Any]


@dataclass(slots=True)
class SegmentEntry:
    where: str
    id: str
    values: dict[str, Any]
    own: OwnMetadata


@dataclass(slots=True)
class CustomerEntry:
    where: str
    segment_id: str
    customer_id: str
    legal_entity_id: str | None
    values: dict[str, Any]
    own: OwnMetadata


@dataclass(slots=True)
class ItemEntry:
    where: str
    segment_id: str
    item_type: str
    item_id: str
    values: dict[str, Any]
    own: OwnMetadata


def _category(where: str, raw: Any, clean: bool = False) -> tuple[CategoryEntry, Localized]:
    entry = Entry(where, raw, CATEGORY_FIELDS, clean)
    id = entry.id("id")
    entry.named(f'id "{id}"')
    texts = {key: entry.localized(key) for key in ("name", "description", "slug")}
    parent_id = entry.optional_id("parentId")
    values: dict[str, Any] = {
        "parent_id": parent_id,
        "code": entry.text("code"),
        **texts,
        "ecn": list(entry.ids("ecn", texts=True)),
        "position": entry.whole("position", 0),
        "published": entry.flag("published", True),
        **entry.validity(),
    }
    entry.done()
    category = CategoryEntry(entry.where, id, parent_id, values)
    return category, Localized(entry.where, texts)


def _product(where: str, raw: Any, clean: bool = False) -> tuple[ProductEntry, Localized]:
    entry = Entry(where, raw, ("id", "code", "name", "categoryIds"), clean)
    id = entry.id("id")
    entry.named(f'id "{id}"')
    name = entry.localized("name")
    category_ids, code = entry.ids("categoryIds"), entry.text("code")
    entry.done()
    product = ProductEntry(entry.where, id, category_ids, {"code": code, "name": name})
    return product, Localized(entry.where, {"name": name})


def _segment(
    where: str, raw: Any, clean: bool = False, *, mixins_depth: int
) -> tuple[SegmentEntry, Localized]:
    entry = Entry(where, raw, SEGMENT_FIELDS, clean)
    id = entry.id("id")
    entry.named(f'id "{id}"')
    texts = {
        "name": entry.localized("name", required=True),
        "description": entry.localized("description"),
    }
    values = {
        **texts,
        "status": entry.choice("status", STATUSES, default="INACTIVE"),
        "site_code": entry.text("siteCode"),
        **entry.validity(),
        "mixins": entry.mixins(mixins_depth),
    }
    own = entry.own_metadata()
    entry.done()
    segment = SegmentEntry(entry.where, id, values, own)
    return segment, Localized(entry.where, texts)


def _customer(where: str, raw: Any, clean: bool = False, *, mixins_depth: int) -> CustomerEntry:
    entry = Entry(where, raw, CUSTOMER_FIELDS, clean)
    segment_id, customer_id = entry.id("segmentId"), entry.id("customerId")
    legal_entity_id = entry.optional_id("legalEntityId")
    label = f'segment "{segment_id}", customer "{customer_id}"'
    entry.named(label + (f', legal entity "{legal_entity_id}"' if legal_entity_id else ""))
    values = {
        "assignment_type": entry.choice("assignmentType", ASSIGNMENT_TYPES, default="MANUAL"),
        "mixins": entry.mixins(mixins_depth),
    }
    own = entry.own_metadata()
    entry.done()
    return CustomerEntry(entry.where, segment_id, customer_id, legal_entity_id, values, own)


def _item(where: str, raw: Any, clean: bool = False, *, mixins_depth: int) -> ItemEntry:
    entry = Entry(where, raw, ITEM_FIELDS, clean)
    segment_id = entry.id("segmentId")
    item_type = entry.choice("type", ITEM_TYPES)
    item_id = entry.id("itemId")
    entry.named(f'segment "{segment_id}", {item_type} "{item_id}"')
    mixins = entry.mixins(mixins_depth)
    own = entry.own_metadata()
    entry.done()
    return ItemEntry(entry.where, segment_id, item_type, item_id, {"mixins": mixins}, own)


CATEGORY_FIELDS = (
    "id", "parentId", "code", "name", "description", "slug", "ecn", "position", "published",
    "validity",
)  # fmt: skip
SEGMENT_FIELDS = (
    "id", "name", "description", "status", "siteCode", "validity", "mixins", "metadata",
)  # fmt: skip
CUSTOMER_FIELDS = (
    "segmentId", "customerId", "legalEntityId", "assignmentType", "mixins", "metadata",
)  # fmt: skip
ITEM_FIELDS = ("segmentId", "type", "itemId", "mixins", "metadata")


def tenant_of(doc: dict[str, Any]) -> str:
    tenant = doc.get("tenant")
    if not isinstance(tenant, str) or not TENANT.match(tenant):
        raise CatalogImportError(
            f"tenant must match ^[a-z][a-z0-9]{{2,15}}$ (3 to 16 lowercase letters and digits, "
            f"starting with a letter), got {tenant!r}"
        )
    return tenant


def languages_of(doc: dict[str, Any]) -> tuple[str | None, tuple[str, ...] | None]:
    default, languages = doc.get("defaultLanguage"), doc.get("languages")
    if default is None and languages is None:
        return None, None
    if not isinstance(languages, list) or not languages:
        raise CatalogImportError('languages must be a non-empty list such as ["en", "de"]')
    for language in languages:
        if not isinstance(language, str) or not LANGUAGE.match(language):
            raise CatalogImportError(f'languages: {language!r} is not a language tag like "en"')
    if len(set(languages)) != len(languages):
        raise CatalogImportError("languages lists a language twice")
    if default is None:
        raise CatalogImportError(f"defaultLanguage is missing: one of {', '.join(languages)}")
    if default not in languages:
        raise CatalogImportError(
            f"defaultLanguage must be one of the languages ({', '.join(languages)}), "
            f"got {default!r}"
        )
    return str(default), tuple(languages)


def checked_top_level(doc: Any) -> dict[str, Any]:
    """The file's top level, with all of its problems (unknown keys, tenant, languages) raised
    at once: its entries cannot be read without them."""
    if not isinstance(doc, dict):
        raise CatalogImportError("the file must hold one JSON object with a tenant")
    problems = [
        f'unknown top-level key "{key}" (allowed: {", ".join(TOP_LEVEL)})'
        for key in doc
        if key not in TOP_LEVEL
    ]
    for check in (tenant_of, languages_of):
        try:
            check(doc)
        except CatalogImportError as error:
            problems.extend(error.problems)
    if problems:
        raise CatalogImportError(*problems)
    return doc
