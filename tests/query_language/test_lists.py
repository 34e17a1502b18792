"""ListQuery: paging checked when built, a count's key shared by every page, the Fields text."""

from __future__ import annotations

import pytest

from gateway.api.lists import q_description
from gateway.assignments.filters import ITEM_ASSIGNMENT_FIELDS
from gateway.errors import ErrorCode, GatewayError
from gateway.query_language import ListQuery, PageResult
from gateway.segments.filters import CUSTOMER_FIELDS, SEGMENT_FIELDS
from gateway.settings import Limits


def _query(**changes: object) -> ListQuery:
    args: dict[str, object] = {
        "q": None,
        "sort": None,
        "page_size": 60,
        "page_number": 1,
        "after": None,
        "limits": Limits(),
    }
    return ListQuery.checked(**{**args, **changes})  # type: ignore[arg-type]


def test_a_page_size_over_the_limit_is_refused_when_the_query_is_built():
    # when
    with pytest.raises(GatewayError) as refused:
        _query(page_size=11, limits=Limits(max_page_size=10))
    # then
    assert refused.value.message == "pageSize must be between 1 and 10, not 11"


def test_the_page_number_is_ignored_after_a_cursor_so_loader_keys_stay_equal():
    # when
    first, later = _query(page_number=3, after="c"), _query(page_number=1, after="c")
    # then
    assert first == later and hash(first) == hash(later)


def test_every_page_of_one_q_counts_under_one_key():
    # given
    pages = [_query(q="status:ACTIVE", page_number=n, sort="id:DESC") for n in (1, 2)]
    # then
    assert pages[0].counting() == pages[1].counting()
    assert pages[0].counting() != _query(q="status:INACTIVE").counting()


def test_the_fields_text_names_paths_and_notes():
    # then
    assert SEGMENT_FIELDS.described().startswith("id, name.<lang>, description.<lang>, status")
    assert "legalEntityId (null for B2C)" in CUSTOMER_FIELDS.described()
    assert SEGMENT_FIELDS.described().endswith("metadata.version, mixins.<path>")


def test_a_q_description_leaves_out_what_it_is_told_to():
    # when
    text = q_description("type:PRODUCT", ITEM_ASSIGNMENT_FIELDS, omit=("segmentId",))
    # then
    assert text.startswith("Filter in the query language, e.g. `type:PRODUCT`. Fields: type, ")
    assert "segmentId" not in text


async def test_after_a_cursor_each_parent_is_read_alone_and_refused_alone():
    # given
    calls: list[list[str]] = []

    async def fetch(batch: list[str]) -> dict[str, PageResult]:
        calls.append(batch)
        if batch != ["s1"]:
            raise GatewayError(ErrorCode.BAD_USER_INPUT, "a cursor of another segment")
        return {"s1": PageResult.empty(1, 60)}

    # when
    found = await _query(after="c").pages_by_parent(["s1", "s2"], fetch)
    # then
    assert calls == [["s1"], ["s2"]]
    assert isinstance(found["s2"], GatewayError) and found["s1"] == PageResult.empty(1, 60)


async def test_without_a_cursor_every_parent_is_read_at_once():
    # given
    calls: list[list[str]] = []

    async def fetch(batch: list[str]) -> dict[str, PageResult]:
        calls.append(batch)
        return {}

    # when
    await _query().pages_by_parent(["s1", "s2"], fetch)
    # then
    assert calls == [["s1", "s2"]]
