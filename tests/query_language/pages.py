"""Pages of sample segments read straight through fetch_page, for the paging tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from gateway.query_language import (
    PageResult,
    compile_q,
    compile_sort,
    fetch_page,
    fingerprint,
    order_by,
)
from gateway.segments.models import Segment
from tests.conftest import Database
from tests.query_language.sample_fields import SEGMENT

FP = fingerprint("demo", "segments", None, None)
SORTS = [
    None,
    "siteCode:DESC",
    "validity.from",
    "validity.from:DESC,siteCode",
    "name.en:DESC,metadata.version",
    "name",
    "mixins.n:DESC",
    "metadata.createdAt:DESC,name.en",
    "id:DESC",
]


def segment_row(seed: Any, index: int) -> Segment:
    """Rows with ties, NULLs, mixed JSON types and millisecond timestamps."""
    ids = ["B", "a", "ä", "Z"]
    row: Segment = seed.segment(
        ids[index] if index < len(ids) else f"s{index:02d}",
        site=["main", "Main", "b2b"][index % 3],
        name={} if index % 5 == 0 else {"en": ["x", "Y", "ü"][index % 3]},
        valid_from=None if index % 4 == 0 else datetime(2024, 1, 1 + index % 5),
        mixins=[{"n": index % 4}, {"n": "t"}, {}, {"n": 1.5}][index % 4],
        version=index % 3,
    )
    row.created_at = datetime(2024, 5, 1, 8, 0, 0, (index % 6) * 7000)
    return row


def keys_for(db: Database, sort: str | None) -> Any:
    return compile_sort(sort, SEGMENT, default=["id"], locales=["de", "en"], dialect=db.dialect)


async def page(
    db: Database,
    sort: str | None = None,
    *,
    size: int = 5,
    number: int = 1,
    after: str | None = None,
    bound: str = FP,
    q: str | None = None,
) -> PageResult:
    statement = sa.select(Segment).where(*compile_q(q, SEGMENT, dialect=db.dialect))
    async with db.sessions() as session:
        return await fetch_page(
            session,
            statement,
            keys=keys_for(db, sort),
            page_size=size,
            page_number=number,
            after=after,
            fingerprint=bound,
        )


async def everything(db: Database, sort: str | None) -> list[str]:
    statement = sa.select(Segment.id).order_by(*order_by(keys_for(db, sort)))
    async with db.sessions() as session:
        return list((await session.execute(statement)).scalars())


def ids(result: PageResult) -> list[str]:
    return [row.Segment.id for row in result.rows]


async def by_offset(db: Database, sort: str | None, size: int) -> list[PageResult]:
    pages = [await page(db, sort, size=size, number=1)]
    while pages[-1].has_next:
        pages.append(await page(db, sort, size=size, number=len(pages) + 1))
    return pages


async def by_keyset(db: Database, sort: str | None, size: int) -> list[PageResult]:
    pages = [await page(db, sort, size=size)]
    while pages[-1].has_next:
        pages.append(await page(db, sort, size=size, after=pages[-1].end_cursor))
    return pages
