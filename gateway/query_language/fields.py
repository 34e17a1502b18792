"""The fields a `q` or `sort` may name, and what kind of value each holds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy.sql.elements import ColumnElement


class Kind(Enum):
    STRING = "string"
    ENUM = "enum"
    INT = "int"
    DATETIME = "datetime"
    BOOL = "bool"
    LOCALIZED = "localized"  # a JSON map language -> text, used as "<name>.<lang>"
    JSON = "json"  # free-form JSON, used as "<name>.<path>"


_PATH_HINTS = {Kind.LOCALIZED: ".<lang>", Kind.JSON: ".<path>"}


@dataclass(frozen=True)
class Field:
    kind: Kind
    expr: ColumnElement[Any]  # the column or expression; for LOCALIZED and JSON the JSON column
    enum_values: tuple[str, ...] = ()
    # legal_entity_id stores '' for "no legal entity": null/missing match '' too.
    empty_is_null: bool = False
    # Shown after the name in the "Fields:" text of descriptions, e.g. "null for B2C".
    note: str = ""

    def described(self, name: str) -> str:
        """How a description names the field: paths of localized and JSON fields spelled out."""
        shown = name + _PATH_HINTS.get(self.kind, "")
        return f"{shown} ({self.note})" if self.note else shown


@dataclass(frozen=True)
class FieldSet:
    fields: Mapping[str, Field]

    def described(self, omit: tuple[str, ...] = ()) -> str:
        """The "Fields:" text of a description: every field in order, but those in `omit`."""
        return ", ".join(
            field.described(name) for name, field in self.fields.items() if name not in omit
        )

    def resolve(self, path: str) -> tuple[str, Field, tuple[str, ...]] | None:
        """The field a dotted path names, its name and the rest of the path (LOCALIZED, JSON)."""
        field = self.fields.get(path)
        if field is not None:
            return path, field, ()
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[:cut])
            field = self.fields.get(name)
            if field is not None and field.kind in (Kind.LOCALIZED, Kind.JSON):
                return name, field, tuple(parts[cut:])
        return None
