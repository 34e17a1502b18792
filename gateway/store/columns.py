"""Column types and expressions every table shares (JSON, code-point strings, UTC times), and the
record columns every row has."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

# JSONB on PostgreSQL gives containment, ordering and path operators; SQLite stores text JSON.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

# Strings compare by code point on both databases: SQLite's BINARY collation does it
# already, PostgreSQL needs the "C" collation.
CodePointString = sa.String().with_variant(sa.String(collation="C"), "postgresql")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Stores naive UTC at millisecond precision, hands back aware UTC datetimes."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Now, in UTC, truncated to the millisecond the API exposes."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class code_point(ColumnElement[str]):
    """An expression compared by code point: `COLLATE "C"` on PostgreSQL, as-is on SQLite."""

    inherit_cache = True
    type = sa.String()
    # Part of the cache key: without it no statement holding one is ever cached (a
    # sorted page was compiled anew on every request).
    _traverse_internals = [("expr", InternalTraversal.dp_clauseelement)]

    def __init__(self, expr: ColumnElement[Any]) -> None:
        self.expr = expr


@compiles(code_point)
def _code_point_default(element: code_point, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.expr, **kw))


@compiles(code_point, "postgresql")
def _code_point_pg(element: code_point, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.expr, **kw)}) COLLATE "C"'


class RecordRow(Protocol):
    """What every stored record has: custom attributes, version and timestamps."""

    @property
    def mixins(self) -> dict[str, Any] | None: ...
    @property
    def metadata_mixins(self) -> dict[str, str] | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def modified_at(self) -> datetime: ...
    @property
    def version(self) -> int: ...
