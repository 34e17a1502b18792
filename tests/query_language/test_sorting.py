"""`sort`: parsed with positions, ordered the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import GatewayError
from gateway.query_language import compile_sort, order_by
from gateway.segments.models import CustomerAssignment, Segment
from tests.conftest import Database
from tests.query_language.sample_fields import CUSTOMER, SEGMENT


def keys_of(sort: str | None, locales: tuple[str, ...] = ("en",), dialect: str = "sqlite") -> Any:
    return compile_sort(sort, SEGMENT, default=["id"], locales=locales, dialect=dialect)


async def sorted_ids(
    db: Database, sort: str | None, locales: tuple[str, ...] = ("en",)
) -> list[str]:
    keys = keys_of(sort, locales, db.dialect)
    statement = sa.select(Segment.id).order_by(*order_by(keys))
    async with db.sessions() as session:
        return list((await session.execute(statement)).scalars())


def test_the_default_keys_follow_as_tie_breakers() -> None:
    keys = compile_sort(
        "siteCode:DESC", SEGMENT, default=["siteCode", "id"], locales=["en"], dialect="sqlite"
    )
    assert [(key.name, key.descending) for key in keys] == [("siteCode", True), ("id", False)]


def test_direction_defaults_to_ascending_and_ignores_case() -> None:
    keys = keys_of(" siteCode , metadata.version:desc")
    assert [(key.name, key.descending) for key in keys] == [
        ("siteCode", False),
        ("metadata.version", True),
        ("id", False),
    ]


def test_without_sort_only_the_default_keys_apply() -> None:
    assert [key.name for key in keys_of(None)] == ["id"]
    assert [key.name for key in keys_of("")] == ["id"]


@pytest.mark.parametrize(
    ("sort", "message"),
    [
        ("nope:ASC", "sort: unknown field 'nope' at position 1"),
        ("id:ASC, nope", "sort: unknown field 'nope' at position 9"),
        ("siteCode:UP", "sort: direction must be ASC or DESC, not 'UP' at position 10"),
        ("siteCode:ASC,siteCode:DESC", "sort: 'siteCode' appears twice at position 14"),
        ("siteCode,", "sort: expected a field name, found '' at position 10"),
        ("site code", "sort: expected a field name, found 'site code' at position 1"),
        ("mixins:ASC", "sort: 'mixins' needs a path, e.g. 'mixins.<name>' at position 1"),
        ("name.en.x", "sort: unknown field 'name.en.x' at position 1"),
    ],
)
def test_a_bad_sort_points_at_the_problem(sort: str, message: str) -> None:
    with pytest.raises(GatewayError) as caught:
        keys_of(sort)
    assert caught.value.message == message
    assert caught.value.extensions["code"] == "BAD_USER_INPUT"


async def test_strings_sort_by_code_point(db: Database, seed: Any) -> None:
    # given
    await seed.add(*(seed.segment(id) for id in ["ä", "a", "B", "b", "A", "Z"]))
    # then
    assert await sorted_ids(db, None) == ["A", "B", "Z", "a", "b", "ä"]
    assert await sorted_ids(db, "id:DESC") == ["ä", "b", "a", "Z", "B", "A"]


async def test_nulls_sort_first_ascending_and_last_descending(db: Database, seed: Any) -> None:
    # given
    await seed.add(
        seed.segment("s1", valid_from=datetime(2024, 1, 1)),
        seed.segment("s2"),
        seed.segment("s3", valid_from=datetime(2023, 1, 1)),
        seed.segment("s4"),
    )
    # then
    assert await sorted_ids(db, "validity.from") == ["s2", "s4", "s3", "s1"]
    assert await sorted_ids(db, "validity.from:DESC") == ["s1", "s3", "s2", "s4"]


async def test_a_localized_sort_uses_that_language(db: Database, seed: Any) -> None:
    # given
    await seed.add(
        seed.segment("s1", name={"en": "b", "de": "Z"}),
        seed.segment("s2", name={"de": "A"}),
        seed.segment("s3", name={"en": "a"}),
    )
    # then
    assert await sorted_ids(db, "name.en") == ["s2", "s3", "s1"]
    assert await sorted_ids(db, "name.de:DESC") == ["s1", "s2", "s3"]


async def test_a_bare_localized_sort_uses_the_resolved_locale(db: Database, seed: Any) -> None:
    # given: resolved in the order de, en, then any translation
    await seed.add(
        seed.segment("s1", name={"en": "b", "de": "Z"}),
        seed.segment("s2", name={"en": "c"}),
        seed.segment("s3", name={"fr": "d", "es": "a"}),
        seed.segment("s4", name={}),
    )
    # then: s1 'Z', s2 'c', s3 'a' (es before fr), s4 none
    assert await sorted_ids(db, "name", locales=("de", "en")) == ["s4", "s1", "s3", "s2"]
    assert await sorted_ids(db, "name", locales=("en",)) == ["s4", "s3", "s1", "s2"]


async def test_a_json_sort_puts_text_before_numbers(db: Database, seed: Any) -> None:
    # given
    await seed.add(
        seed.segment("s1", mixins={"n": 10}),
        seed.segment("s2", mixins={"n": 9.5}),
        seed.segment("s3", mixins={"n": "b"}),
        seed.segment("s4", mixins={"n": True}),
        seed.segment("s5", mixins={}),
        seed.segment("s6", mixins={"n": {"x": 1}}),
    )
    # then: nothing comparable first, then text (booleans as text), then numbers
    assert await sorted_ids(db, "mixins.n") == ["s5", "s6", "s3", "s4", "s2", "s1"]
    assert await sorted_ids(db, "mixins.n:DESC") == ["s1", "s2", "s4", "s3", "s5", "s6"]


async def test_no_legal_entity_sorts_first(db: Database, seed: Any) -> None:
    # given
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "c1", "le2"),
        seed.customer("s1", "c1"),
        seed.customer("s1", "c1", "le1"),
    )
    keys = compile_sort(
        None, CUSTOMER, default=["customerId", "legalEntityId"], locales=(), dialect=db.dialect
    )
    # when
    statement = sa.select(CustomerAssignment.legal_entity_id).order_by(*order_by(keys))
    async with db.sessions() as session:
        found = list((await session.execute(statement)).scalars())
    # then
    assert found == ["", "le1", "le2"]
