"""Compiled `q` filters against real rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.query_language import FieldSet, compile_q
from gateway.segments.models import CustomerAssignment, Segment
from tests.conftest import Database
from tests.query_language.sample_fields import CUSTOMER, SEGMENT


async def segment_ids(db: Database, q: str, fields: FieldSet = SEGMENT) -> list[str]:
    conditions = compile_q(q, fields, dialect=db.dialect)
    statement = sa.select(Segment.id).where(*conditions).order_by(Segment.id)
    async with db.sessions() as session:
        return list((await session.execute(statement)).scalars())


async def customer_ids(db: Database, q: str) -> list[str]:
    conditions = compile_q(q, CUSTOMER, dialect=db.dialect)
    statement = (
        sa.select(CustomerAssignment.customer_id)
        .where(*conditions)
        .order_by(CustomerAssignment.customer_id)
    )
    async with db.sessions() as session:
        return list((await session.execute(statement)).scalars())


def created(row: Any, at: datetime) -> Any:
    row.created_at = at
    return row


@pytest.fixture
async def segments(seed: Any) -> None:
    at = datetime(2024, 10, 12, 12, 0, 0, 455000)
    s1_mixins = {"n": 5, "s": "x", "flag": True, "deep": {"k": "v"}}
    s2_mixins = {"n": 10.5, "s": "y y", "flag": False, "nothing": None}
    await seed.add(
        created(seed.segment("s1", name={"en": "Apple", "de": "Apfel"}, mixins=s1_mixins), at),
        created(
            seed.segment(
                "s2",
                site="Main",
                status="INACTIVE",
                name={"en": "apple pie"},
                version=2,
                mixins=s2_mixins,
                valid_from=datetime(2024, 1, 1),
            ),
            at,
        ),
        created(
            seed.segment(
                "s3", name={"de": "Äpfel"}, version=3, mixins={"n": "5", "s": 7, "deep": ["k"]}
            ),
            datetime(2025, 1, 1),
        ),
    )


async def test_exact_matches_are_case_sensitive(db: Database, segments: None) -> None:
    assert await segment_ids(db, "siteCode:main") == ["s1", "s3"]
    assert await segment_ids(db, "siteCode:Main") == ["s2"]
    assert await segment_ids(db, "siteCode:MAIN") == []


async def test_terms_separated_by_spaces_must_all_hold(db: Database, segments: None) -> None:
    assert await segment_ids(db, "siteCode:main status:ACTIVE  metadata.version:3") == ["s3"]


async def test_a_list_matches_any_value(db: Database, segments: None) -> None:
    assert await segment_ids(db, 'id:(s1,"s3",nope)') == ["s1", "s3"]


async def test_an_enum_matches_exactly(db: Database, segments: None) -> None:
    assert await segment_ids(db, "status:INACTIVE") == ["s2"]
    assert await segment_ids(db, "status:(ACTIVE,INACTIVE)") == ["s1", "s2", "s3"]


async def test_a_localized_path_matches_that_translation(db: Database, segments: None) -> None:
    assert await segment_ids(db, "name.en:Apple") == ["s1"]
    assert await segment_ids(db, 'name.en:"apple pie"') == ["s2"]
    assert await segment_ids(db, "name.de:Apple") == []


async def test_localized_null_means_no_such_translation(db: Database, segments: None) -> None:
    assert await segment_ids(db, "name.en:null") == ["s3"]
    assert await segment_ids(db, "name.en:missing") == ["s3"]
    assert await segment_ids(db, "name.de:exists") == ["s1", "s3"]


async def test_strings_compare_by_code_point(db: Database, segments: None) -> None:
    # 'M' < 'm' by code point, whatever the database's collation says
    assert await segment_ids(db, "siteCode:<main") == ["s2"]
    assert await segment_ids(db, "siteCode:>M") == ["s1", "s2", "s3"]
    assert await segment_ids(db, "name.de:>Apfel") == ["s3"]  # 'Ä' comes after 'A'


async def test_numbers_compare_and_ranges_bound(db: Database, segments: None) -> None:
    assert await segment_ids(db, "metadata.version:>1") == ["s2", "s3"]
    assert await segment_ids(db, "metadata.version:<=1") == ["s1"]
    assert await segment_ids(db, "metadata.version:(>=2 AND <3)") == ["s2"]
    assert await segment_ids(db, "metadata.version:>99999999999") == []
    assert await segment_ids(db, "metadata.version:(1,3)") == ["s1", "s3"]


async def test_dates_compare_quoted_or_not(db: Database, segments: None) -> None:
    assert await segment_ids(db, 'metadata.createdAt:"2024-10-12T12:00:00.455Z"') == ["s1", "s2"]
    assert await segment_ids(db, "metadata.createdAt:>=2025-01-01") == ["s3"]
    assert await segment_ids(
        db, 'metadata.createdAt:(>"2024-10-12T12:00:00.454Z" AND <"2024-12-31T00:00:00+01:00")'
    ) == ["s1", "s2"]


async def test_dates_finer_than_milliseconds_compare_exactly(db: Database, segments: None) -> None:
    assert await segment_ids(db, "metadata.createdAt:<2024-10-12T12:00:00.4551Z") == ["s1", "s2"]
    assert await segment_ids(db, "metadata.createdAt:>=2024-10-12T12:00:00.4551Z") == ["s3"]
    assert await segment_ids(db, "metadata.createdAt:2024-10-12T12:00:00.4551Z") == []


async def test_null_missing_and_exists_on_columns(db: Database, segments: None) -> None:
    assert await segment_ids(db, "validity.from:null") == ["s1", "s3"]
    assert await segment_ids(db, "validity.from:missing") == ["s1", "s3"]
    assert await segment_ids(db, "validity.from:exists") == ["s2"]


async def test_regex_is_an_unanchored_case_sensitive_search(db: Database, segments: None) -> None:
    assert await segment_ids(db, "name.en:~pple") == ["s1", "s2"]
    assert await segment_ids(db, "name.en:~^A") == ["s1"]
    assert await segment_ids(db, "name.en:(~e p)") == ["s2"]
    assert await segment_ids(db, "name.en:~(e p|^A)") == ["s1", "s2"]
    assert await segment_ids(db, "siteCode:~MAIN") == []


async def test_json_numbers_compare_numerically(db: Database, segments: None) -> None:
    assert await segment_ids(db, "mixins.n:>6") == ["s2"]
    assert await segment_ids(db, "mixins.n:(>=5 AND <=10.5)") == ["s1", "s2"]
    assert await segment_ids(db, "mixins.n:5.0") == ["s1"]


async def test_a_bare_json_value_matches_the_number_or_the_string(
    db: Database, segments: None
) -> None:
    assert await segment_ids(db, "mixins.n:5") == ["s1", "s3"]
    assert await segment_ids(db, 'mixins.n:"5"') == ["s3"]


async def test_json_strings_and_booleans_match_exactly(db: Database, segments: None) -> None:
    assert await segment_ids(db, 'mixins.s:"y y"') == ["s2"]
    assert await segment_ids(db, "mixins.flag:true") == ["s1"]
    assert await segment_ids(db, "mixins.flag:false") == ["s2"]
    assert await segment_ids(db, "mixins.deep.k:v") == ["s1"]


async def test_json_type_mismatches_are_no_match_not_errors(db: Database, segments: None) -> None:
    assert await segment_ids(db, "mixins.s:>5") == ["s3"]
    assert await segment_ids(db, "mixins.flag:>a") == []
    assert await segment_ids(db, "mixins.deep:~k") == []
    assert await segment_ids(db, "mixins.deep.k.x:1") == []
    assert await segment_ids(db, "mixins.s.deeper:null") == ["s1", "s2", "s3"]


async def test_json_strings_compare_by_code_point(db: Database, segments: None) -> None:
    assert await segment_ids(db, "mixins.s:<y") == ["s1"]
    assert await segment_ids(db, "mixins.s:~^y") == ["s2"]


async def test_json_null_missing_and_exists(db: Database, segments: None) -> None:
    assert await segment_ids(db, "mixins.nothing:exists") == ["s2"]
    assert await segment_ids(db, "mixins.nothing:null") == ["s1", "s2", "s3"]
    assert await segment_ids(db, "mixins.nothing:missing") == ["s1", "s3"]
    assert await segment_ids(db, "mixins.deep:exists") == ["s1", "s3"]
    assert await segment_ids(db, "metadata.mixins.a:missing") == ["s1", "s2", "s3"]


async def test_values_are_bound_never_spliced(db: Database, segments: None) -> None:
    assert await segment_ids(db, "siteCode:\"main' OR '1'='1\"") == []
    assert await segment_ids(db, 'mixins.s:"x\\" OR 1=1 --"') == []


async def test_no_legal_entity_is_null_for_q(db: Database, seed: Any) -> None:
    # given: a B2C assignment stores '' for "no legal entity"
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "c1"),
        seed.customer("s1", "c2", "le1"),
        seed.customer("s1", "c3", "le2"),
    )
    # then
    assert await customer_ids(db, "legalEntityId:null") == ["c1"]
    assert await customer_ids(db, "legalEntityId:missing") == ["c1"]
    assert await customer_ids(db, "legalEntityId:exists") == ["c2", "c3"]
    assert await customer_ids(db, "legalEntityId:le2") == ["c3"]
