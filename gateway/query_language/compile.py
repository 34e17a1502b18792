"""`q` compiled to SQL conditions over a FieldSet."""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from gateway.query_language.fields import FieldSet


def compile_q(
    q: str | None,
    fields: FieldSet,
    *,
    dialect: str,
    max_length: int = 2000,
    max_regex: int = 200,
) -> list[ColumnElement[bool]]:
    """The WHERE conditions (ANDed) that a `q` string stands for; [] when there is none."""
    if q is None or not q.strip():
        return []
    raise NotImplementedError("q is being built")


__all__ = ["compile_q", "Any"]
