"""`~` accepts only what Python's `re` and PostgreSQL's `~` read the same way."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.errors import GatewayError
from gateway.query_language.regex import Pattern, check_pattern
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
        ("(a+)+$", "repetition inside repetition is not allowed"),
        ("(a|b*)*", "repetition inside repetition is not allowed"),
        ("a?b?c?d?e?", "at most 4 optional parts (?) per pattern"),
        ("a*b+c{1,}", "at most 2 open repetitions (*, +, {m,}, {m,n}) per pattern"),
        ("a{1,2}.*(b)+", "at most 2 open repetitions (*, +, {m,}, {m,n}) per pattern"),
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


def test_the_python_form_lets_dot_match_newlines_and_dollar_only_the_end() -> None:
    # given
    pattern = check("a.c$")
    # then: PostgreSQL's defaults, written for Python
    assert re.search(pattern.python, "a\nc")
    assert not re.search(pattern.python, "a\nc\n")


async def matches(db: Database, pattern: Pattern, subjects: list[str]) -> list[bool]:
    text = pattern.text if db.dialect == "postgresql" else pattern.python
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
QUANTIFIER = st.sampled_from(["", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?", "+?"])


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
async def test_accepted_patterns_mean_the_same_in_python_and_the_database(
    db: Database, text: str
) -> None:
    # given: any pattern check_pattern lets through
    try:
        pattern = check(text)
    except GatewayError:
        return
    # when
    found = await matches(db, pattern, RICH_SUBJECTS)
    # then: the database never errs and agrees with Python's reading
    expected = [re.search(pattern.python, subject) is not None for subject in RICH_SUBJECTS]
    assert found == expected
