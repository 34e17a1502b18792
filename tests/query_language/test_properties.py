"""Generated q strings: valid ones compile and run; all else is BAD_USER_INPUT, never a crash."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import GatewayError
from gateway.query_language import compile_q, compile_sort, order_by
from gateway.segments.models import Segment
from tests.conftest import Database
from tests.query_language.sample_fields import SEGMENT

IDENT = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
BARE = st.text(
    st.characters(blacklist_characters=' \t\r\n(),"\\', blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=8,
).filter(lambda text: text not in ("null", "exists", "missing") and text[0] not in "~<>")
ANY_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10
)
QUOTED = ANY_TEXT.map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
PRESENCE = st.sampled_from(["null", "exists", "missing"])
COMPARE = st.sampled_from([">", "<", ">=", "<="])
PATTERN = st.sampled_from(["~abc", "~^a.c$", "~(x|y)+", "(~a b)", "~[a-z]{2,3}?", "~(?:ä)"])
INTEGER = st.integers(-(2**63), 2**63 - 1).map(str)
INSTANT = st.datetimes().map(lambda moment: moment.isoformat(timespec="milliseconds") + "Z")
NUMBER = st.one_of(INTEGER, st.floats(allow_nan=False, allow_infinity=False).map(repr))


def forms(scalar: st.SearchStrategy[str], *, ordered: bool = True) -> st.SearchStrategy[str]:
    options = [
        scalar,
        PRESENCE,
        st.lists(scalar, min_size=1, max_size=3).map(lambda items: "(" + ",".join(items) + ")"),
    ]
    if ordered:
        options.append(st.tuples(COMPARE, scalar).map("".join))
        options.append(
            st.tuples(COMPARE, scalar, COMPARE, scalar).map(
                lambda p: f"({p[0]}{p[1]} AND {p[2]}{p[3]})"
            )
        )
    return st.one_of(*options)


def term(path: st.SearchStrategy[str], values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(path, values).map(lambda parts: f"{parts[0]}:{parts[1]}")


TEXT_VALUE = st.one_of(BARE, QUOTED)
TERMS = st.one_of(
    term(st.sampled_from(["id", "siteCode"]), st.one_of(forms(TEXT_VALUE), PATTERN)),
    term(IDENT.map(lambda lang: f"name.{lang}"), st.one_of(forms(TEXT_VALUE), PATTERN)),
    term(st.just("status"), forms(st.sampled_from(["ACTIVE", "INACTIVE"]), ordered=False)),
    term(st.just("metadata.version"), forms(INTEGER)),
    term(st.sampled_from(["metadata.createdAt", "validity.to"]), forms(INSTANT)),
    term(
        st.lists(IDENT, min_size=1, max_size=3).map(lambda parts: "mixins." + ".".join(parts)),
        st.one_of(
            forms(st.one_of(TEXT_VALUE, NUMBER, st.sampled_from(["true", "false"]))), PATTERN
        ),
    ),
)
VALID_Q = st.lists(TERMS, min_size=1, max_size=4).map(" ".join)
GARBAGE = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(list(' :.,()"\\~<>=ANDidnamemixins.a1_-') + ["null", " AND "]), max_size=30
    ).map("".join),
    VALID_Q.map(lambda q: q[: len(q) // 2] + ")" + q[len(q) // 2 :]),
)
SORT = st.lists(
    st.tuples(
        st.sampled_from(["id", "name", "name.en", "mixins.a.b", "validity.from", "x", ""]),
        st.sampled_from(["", ":ASC", ":DESC", ":desc", ":UP"]),
    ).map("".join),
    max_size=3,
).map(",".join)
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


async def run(db: Database, conditions: list[Any], keys: Any = ()) -> None:
    statement = sa.select(Segment.id).where(*conditions).order_by(*order_by(keys)).limit(5)
    async with db.sessions() as session:
        await session.execute(statement)


@PROPERTY
@given(VALID_Q)
async def test_valid_q_compiles_and_runs(db: Database, seeded: None, q: str) -> None:
    await run(db, compile_q(q, SEGMENT, dialect=db.dialect))


@PROPERTY
@given(GARBAGE)
async def test_any_q_is_either_valid_or_bad_input(db: Database, seeded: None, q: str) -> None:
    try:
        conditions = compile_q(q, SEGMENT, dialect=db.dialect)
    except GatewayError as error:
        assert error.extensions["code"] == "BAD_USER_INPUT"
        assert "at position" in error.message
        return
    await run(db, conditions)


@PROPERTY
@given(SORT)
async def test_any_sort_is_either_valid_or_bad_input(db: Database, seeded: None, sort: str) -> None:
    try:
        keys = compile_sort(sort, SEGMENT, default=["id"], locales=["en"], dialect=db.dialect)
    except GatewayError as error:
        assert error.extensions["code"] == "BAD_USER_INPUT"
        return
    await run(db, [], keys)


@pytest.fixture
async def seeded(seed: Any) -> None:
    await seed.add(
        seed.segment("s1", mixins={"a": {"b": 1}, "c": "x"}, name={"en": "A", "de": "Ä"}),
        seed.segment("s2", mixins={"a": [1, "b"], "c": True}, name={}),
        seed.segment("s3", mixins={"a": None, "c": 2.5}),
    )
