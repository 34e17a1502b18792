"""`~` accepts only what RE2 (SQLite's REGEXP) and PostgreSQL's `~` read the same way."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import GatewayError
from gateway.query_language.regex import Pattern, check_pattern
from gateway.store.sqlite_connections import sqlite_regex
from tests.conftest import Database

SUBJECTS = ["abc", "ABC", "a.c", "a\nc", "xyz\n", "a{2}", "(a)", "[x]", "ä-ö", "", "aaa b"]


def check(pattern: str) -> Pattern:
    return check_pattern(pattern, 0, max_length=200)


@pytest.mark.parametrize(
    "pattern",
    [
        "abc",
        "a.c",
        "^a",
        "c$",
        "a|b",
        "(ab)+",
        "(?:ab)*c",
        "[a-z]+",
        "[^0-9]",
        "[-a]",
        "[a-]",
        "x{2}",
        "x{2,}",
        "x{2,5}",
        "a*?",
        "a+?b",
        "a??",
        "\\.\\*\\(\\)\\[\\]\\{\\}\\\\",
        "[\\]\\-]",
        "ä+ö",
        "(a|b)(c|d)",
        "(a?)+",
        # repetition inside repetition and many open repetitions: linear in RE2 too
        "(a+)+$",
        "(a|b*)*",
        "(.|.|.|.)*#",
        "(a|aa)*b",
        "((a*)*)*b",
        "a?b?c?d?e?f?g?",
        "a*b+c{1,}d*e+",
        "(a{2,5}){1,3}",
    ],
)
def test_shared_syntax_is_accepted(pattern: str) -> None:
    assert check(pattern).text == pattern


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("\\d+", "only punctuation may follow '\\' (no \\d, \\w, \\1, ...)"),
        ("(a)\\1", "only punctuation may follow '\\' (no \\d, \\w, \\1, ...)"),
        ("\\bword", "only punctuation may follow '\\' (no \\d, \\w, \\1, ...)"),
        ("a(?=b)", "only '(?:' groups are allowed (no lookaround or flags)"),
        ("(?<!a)b", "only '(?:' groups are allowed (no lookaround or flags)"),
        ("(?P<n>a)", "only '(?:' groups are allowed (no lookaround or flags)"),
        ("(?i)abc", "only '(?:' groups are allowed (no lookaround or flags)"),
        ("[[:alpha:]]", "write a literal '[' inside brackets as '\\['"),
        ("a*+", "a quantifier cannot follow a quantifier"),
        ("a{,3}", "write a bound as {m}, {m,} or {m,n}; a literal '{' as '\\{'"),
        ("a{1000}", "repetition bounds go up to 255"),
        ("*a", "'*' has nothing to repeat"),
        ("a||b", "empty alternative or group"),
        ("()", "empty alternative or group"),
        ("[]a]", "empty bracket expression (write a literal ']' as '\\]')"),
        ("a]", "write a literal ']' as '\\]'"),
        ("[a-c-e]", "a '-' right after a range must be escaped as '\\-'"),
        ("[z-a]", "a range's end comes before its start"),
        ("[a&&b]", "escape a doubled '&' inside brackets"),
        ("(ab", "missing ')'"),
        ("ab)", "unmatched ')'"),
        ("[ab", "missing ']'"),
    ],
)
def test_other_syntax_is_refused(pattern: str, message: str) -> None:
    with pytest.raises(GatewayError) as caught:
        check(pattern)
    assert caught.value.message.startswith(f"q: regular expression: {message} at position ")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a{255}){255}", "invalid repetition size: {255}"),
        ("\ud800", "not UTF-8"),
    ],
)
def test_a_pattern_re2_cannot_compile_is_refused(pattern: str, reason: str) -> None:
    with pytest.raises(GatewayError) as caught:
        check(pattern)
    assert caught.value.message == f"q: invalid regular expression ({reason}) at position 1"


def test_a_pattern_over_the_length_limit_is_refused() -> None:
    with pytest.raises(GatewayError) as caught:
        check("a" * 201)
    assert caught.value.message == (
        "q: regular expression longer than 200 characters at position 1"
    )


def re2_search(pattern: Pattern, subject: str) -> bool:
    return sqlite_regex(pattern.re2).search(subject) is not None


def test_the_re2_form_lets_dot_match_newlines_and_dollar_only_the_end() -> None:
    # given
    pattern = check("a.c$")
    # then: PostgreSQL's defaults, written for RE2
    assert pattern.re2 == "(?s)a.c\\z"
    assert re2_search(pattern, "a\nc")
    assert not re2_search(pattern, "a\nc\n")


async def matches(db: Database, pattern: Pattern, subjects: list[str]) -> list[bool]:
    text = pattern.text if db.dialect == "postgresql" else pattern.re2
    columns = [sa.literal(subject).regexp_match(text) for subject in subjects]
    async with db.sessions() as session:
        row = (await session.execute(sa.select(*columns))).one()
    return [bool(value) for value in row]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("b", [True, False, False, False, False, False, False, False, False, False, True]),
        ("^a.c$", [True, False, True, True, False, False, False, False, False, False, False]),
        ("z$", [False] * 11),
        ("[ä-ö]", [False] * 8 + [True, False, False]),
        ("\\{2\\}|\\(", [False] * 5 + [True, True, False, False, False, False]),
    ],
)
async def test_the_database_searches_unanchored_and_case_sensitively(
    db: Database, pattern: str, expected: list[bool]
) -> None:
    assert await matches(db, check(pattern), SUBJECTS) == expected


NOISE = st.sampled_from(list("ab.^$|()[]{}*+?-\\:,12 ä") + ["(?:", "{2}", "{1,3}"])
LITERAL = st.sampled_from(list("abcä -:") + ["\\.", "\\(", "\\[", "\\{", "\\\\", "\\$", "."])
BRACKET = st.builds(
    lambda negated, items: "[" + ("^" if negated else "") + "".join(items) + "]",
    st.booleans(),
    st.lists(st.sampled_from(["a", "b-c", "ä", "\\]", "\\-", "x-z", "."]), min_size=1, max_size=3),
)
QUANTIFIER = st.sampled_from(
    ["", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "{2,}", "{0,3}", "*?", "+?", "??"]
)


def alternation(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    piece = st.tuples(atoms, QUANTIFIER).map("".join)
    branch = st.lists(piece, min_size=1, max_size=3).map("".join)
    return st.lists(branch, min_size=1, max_size=3).map("|".join)


ATOM = st.recursive(
    st.one_of(LITERAL, BRACKET),
    lambda inner: st.tuples(st.sampled_from(["(", "(?:"]), alternation(inner)).map(
        lambda parts: parts[0] + parts[1] + ")"
    ),
    max_leaves=6,
)
GRAMMAR = st.tuples(st.sampled_from(["", "^"]), alternation(ATOM), st.sampled_from(["", "$"]))
PATTERNS = st.one_of(GRAMMAR.map("".join), st.lists(NOISE, min_size=1, max_size=12).map("".join))
RICH_SUBJECTS = [*SUBJECTS, "abc-xyz", "ba", "äbc", ".[]{}\\$^(", "cc:c", "a-b c", "bbbb"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(PATTERNS)
async def test_accepted_patterns_mean_the_same_in_re2_and_the_database(
    db: Database, text: str
) -> None:
    # given: any pattern check_pattern lets through
    try:
        pattern = check(text)
    except GatewayError:
        return
    # when
    found = await matches(db, pattern, RICH_SUBJECTS)
    # then: the database never errs and agrees with RE2's reading
    expected = [re2_search(pattern, subject) for subject in RICH_SUBJECTS]
    assert found == expected
