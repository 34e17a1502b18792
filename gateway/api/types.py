"""GraphQL types every domain shares: scalars, localized strings, metadata, errors."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, NewType
from urllib.parse import quote

import strawberry
from graphql import GraphQLObjectType
from strawberry.scalars import JSON

from gateway.api.instants import parse_instant
from gateway.context import Context
from gateway.errors import ErrorCode as PyErrorCode
from gateway.errors import bad_input
from gateway.localization import resolve

Info = strawberry.Info[Context, None]

Locale = Annotated[
    str | None,
    strawberry.argument(
        description="Preferred language; then Accept-Language, the tenant default and the "
        "tenant's languages. A region tag such as de-CH falls back to de."
    ),
]


LegalEntityArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="For customers (segment_read_own) with several legal entities: the one "
        "whose B2B memberships count; any other value leaves only B2C ones. Without it, the "
        "`legalEntityId` header, else the token's `legal_entity_id`, else all of them. A "
        "customer with one legal entity always uses it. Ignored for segment_read."
    ),
]


def format_datetime(value: datetime) -> str:
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_datetime(value: Any) -> datetime:
    try:
        return parse_instant(value)
    except ValueError as error:
        raise bad_input(f"DateTime {error}, got {value!r}") from None


DateTime = NewType("DateTime", datetime)

# Registered with the schema through StrawberryConfig.scalar_map (see gateway/schema.py).
DATETIME_SCALAR = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 instant in UTC with millisecond precision: 2024-10-12T12:00:00.000Z",
    serialize=format_datetime,
    parse_value=parse_datetime,
)
SCALAR_MAP: dict[object, Any] = {DateTime: DATETIME_SCALAR}

ErrorCode = strawberry.enum(PyErrorCode, description="Machine-readable error classes.")


@strawberry.enum(description="What kind of catalog item an assignment points at.")
class ItemType(StrEnum):
    PRODUCT = "PRODUCT"
    CATEGORY = "CATEGORY"


@strawberry.type(description="One translation of a localized field.")
class LocalizedString:
    locale: str = strawberry.field(description="Language code, e.g. `en`.")
    value: str = strawberry.field(description="The text in that language.")


def localized_list(values: dict[str, str] | None) -> list[LocalizedString]:
    return [LocalizedString(locale=k, value=v) for k, v in sorted((values or {}).items())]


# Mixins of the localized fields: they add fields to the types that inherit them and are not
# exposed themselves. Resolvers are sync and run only when the field is selected.
@strawberry.type
class Named:
    name_map: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The name in the resolved language.")
    def name(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.name_map, info.context.locales, locale)

    @strawberry.field(description="Every translation of the name, ordered by locale.")
    def name_all_locales(self) -> list[LocalizedString]:
        return localized_list(self.name_map)


@strawberry.type
class Described:
    description_map: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The description in the resolved language.")
    def description(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.description_map, info.context.locales, locale)

    @strawberry.field(description="Every translation of the description, ordered by locale.")
    def description_all_locales(self) -> list[LocalizedString]:
        return localized_list(self.description_map)


@strawberry.type
class Slugged:
    slug_map: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The URL slug in the resolved language.")
    def slug(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.slug_map, info.context.locales, locale)

    @strawberry.field(description="Every translation of the slug, ordered by locale.")
    def slug_all_locales(self) -> list[LocalizedString]:
        return localized_list(self.slug_map)


@strawberry.type(description="A period of validity; an open end is unbounded.")
class Validity:
    from_: DateTime | None = strawberry.field(name="from", description="Start, inclusive.")
    to: DateTime | None = strawberry.field(description="End, exclusive.")


def validity_of(start: datetime | None, end: datetime | None) -> Validity | None:
    if start is None and end is None:
        return None
    return Validity(from_=start, to=end)  # type: ignore[arg-type]


@strawberry.type(description="Bookkeeping of a stored record.")
class Metadata:
    created_at: DateTime = strawberry.field(description="When the record was created.")
    modified_at: DateTime = strawberry.field(description="When the record last changed.")
    version: int = strawberry.field(description="Optimistic-locking version, from 1.")
    mixins: JSON | None = strawberry.field(description="Mixin name to schema URL.")


def metadata_of(row: Any) -> Metadata:
    return Metadata(
        created_at=row.created_at,
        modified_at=row.modified_at,
        version=row.version,
        mixins=row.metadata_mixins or None,
    )


@strawberry.type(description="A business failure of a mutation; nothing was written.")
class UserError:
    code: ErrorCode = strawberry.field(description="The error class.")  # type: ignore[valid-type]
    message: str = strawberry.field(description="What was wrong, for people.")
    field: list[str] | None = strawberry.field(description="Path of the offending input.")
    current_version: int | None = strawberry.field(
        description="The stored version, on VERSION_CONFLICT (null when the record is absent)."
    )


__all__ = [
    "JSON",
    "DATETIME_SCALAR",
    "SCALAR_MAP",
    "DateTime",
    "ErrorCode",
    "Info",
    "Described",
    "ItemType",
    "Locale",
    "LocalizedString",
    "Metadata",
    "Named",
    "Slugged",
    "UserError",
    "Validity",
    "format_datetime",
    "localized_list",
    "localized_map",
    "metadata_of",
    "parse_datetime",
    "validity_of",
]


# The resolvers _in_locale made, and the map each reads (api/plain_objects reads it itself).
_IN_LOCALE: dict[Any, str] = {}


def _in_locale(attribute: str) -> Any:
    def resolve_in_locale(source: Any, info: Any, locale: str | None = None) -> str | None:
        return resolve(getattr(source, attribute), info.context.locales, locale)

    _IN_LOCALE[resolve_in_locale] = attribute
    return resolve_in_locale


def localized_map(resolver: Any) -> str | None:
    """The attribute holding the translations, when `resolver` is one plain_localized_resolvers
    installed (a guard would have wrapped it: then None)."""
    return _IN_LOCALE.get(resolver)


# The mixins' resolvers, and the map each reads.
_MIXIN_RESOLVERS = {
    Named.name: "name_map",
    Described.description: "description_map",
    Slugged.slug: "slug_map",
}


def plain_localized_resolvers(schema: Any) -> None:
    """Resolves the mixins' localized fields straight from graphql-core (call before guards).

    Strawberry's path converts arguments and builds its Info for every call: on a page of
    500 items with names that was a tenth of the request. The answer is the same function.
    """
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType):
            continue
        for field in type_.fields.values():
            definition = field.extensions.get("strawberry-definition")
            resolver = getattr(definition, "base_resolver", None)
            attribute = _MIXIN_RESOLVERS.get(getattr(resolver, "wrapped_func", None))
            if attribute is not None and not definition.extensions:
                field.resolve = _in_locale(attribute)


@lru_cache(maxsize=16384)
def _encoded(part: str) -> str:
    # A page of 50 assignments quotes 150 parts, mostly the same few segment ids and types.
    return quote(part, safe="")


def natural_id(*parts: str) -> strawberry.ID:
    """A stable id from a natural key: its parts joined by ':', each percent-encoded, so a ':'
    inside an id cannot make two keys read the same (normalized client caches key on it)."""
    return strawberry.ID(":".join(map(_encoded, parts)))
