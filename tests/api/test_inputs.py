"""direct_input: inputs built from graphql-core's values equal what Strawberry builds itself."""

import dataclasses
from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.scalars import JSON

from gateway.api.inputs import direct_input


@strawberry.enum
class Kind(Enum):
    A = "A"
    B = "B"


def _schema(direct: bool) -> strawberry.Schema:
    @strawberry.input
    class Inner:
        version: int | None = strawberry.UNSET
        mixins: JSON | None = strawberry.UNSET

    @strawberry.input
    class Outer:
        id: strawberry.ID
        kind: Kind | None = Kind.A
        note: str | None = strawberry.UNSET
        mixins: JSON | None = strawberry.UNSET
        inner: Inner | None = strawberry.UNSET
        inners: list[Inner] | None = strawberry.UNSET

    if direct:
        direct_input(Inner)
        direct_input(Outer)

    @strawberry.type
    class Query:
        @strawberry.field
        def echo(self, items: list[Outer]) -> JSON:
            return [_plain(item) for item in items]

    return strawberry.Schema(Query)


def _plain(value: Any) -> Any:
    """The value with its classes and markers spelled out, so two builds compare exactly."""
    if dataclasses.is_dataclass(value):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"class": type(value).__name__, **fields}
    if value is strawberry.UNSET:
        return "<UNSET>"
    if isinstance(value, Enum):
        return f"<{type(value).__name__}.{value.name}>"
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return repr(value)


ECHO = "query($items: [Outer!]!) { echo(items: $items) }"


@pytest.mark.parametrize(
    "items",
    [
        [{"id": "a"}],
        [{"id": "a", "kind": "B", "note": "n", "mixins": {"x": [1, True, 1.5, None]}}],
        [{"id": "a", "kind": None, "note": None, "mixins": None, "inner": None, "inners": None}],
        [{"id": "a", "inner": {"version": 2}, "inners": [{"mixins": {"k": "v"}}, {}]}],
        [{"id": "a", "inner": {"version": None, "mixins": {}}}, {"id": "b"}],
    ],
)
def test_direct_inputs_equal_strawberrys_own(items):
    # given the same input classes, built by Strawberry and directly
    variables = {"items": items}
    # when
    own = _schema(direct=False).execute_sync(ECHO, variables)
    direct = _schema(direct=True).execute_sync(ECHO, variables)
    # then
    assert own.errors is None and direct.errors is None
    assert direct.data == own.data
