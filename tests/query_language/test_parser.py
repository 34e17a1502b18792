"""The `q` grammar: every form the REST API documents, and errors that point at the problem."""

from __future__ import annotations

import pytest

from gateway.errors import GatewayError
from gateway.query_language import compile_q
from gateway.query_language.parser import Condition, Term, Value, parse_q
from gateway.settings import Limits
from tests.query_language.sample_fields import SEGMENT

A_NAME = "a field name (letters, digits, '_')"


def bare(text: str, position: int) -> Value:
    return Value(text, False, position)


def error_of(q: str) -> GatewayError:
    with pytest.raises(GatewayError) as caught:
        compile_q(q, SEGMENT, dialect="sqlite")
    assert caught.value.extensions["code"] == "BAD_USER_INPUT"
    return caught.value


def test_an_exact_value_is_an_equality() -> None:
    assert parse_q("siteCode:main") == [
        Term("siteCode", 0, "all", (Condition("=", bare("main", 9)),))
    ]


def test_a_localized_path_keeps_its_language() -> None:
    # when
    [term] = parse_q("name.en:apple_logo")
    # then
    assert term.path == "name.en"
    assert term.conditions == (Condition("=", bare("apple_logo", 8)),)


@pytest.mark.parametrize("op", [">", "<", ">=", "<="])
def test_each_comparison_operator_is_read(op: str) -> None:
    [term] = parse_q(f"metadata.version:{op}20")
    assert term.conditions == (Condition(op, bare("20", 17 + len(op))),)


def test_a_range_is_two_comparisons_that_must_both_hold() -> None:
    [term] = parse_q("metadata.version:(>=10 AND <=20)")
    assert term.match == "all"
    assert [(c.op, c.value.text) for c in term.conditions] == [(">=", "10"), ("<=", "20")]


def test_a_range_of_quoted_dates_is_read() -> None:
    q = 'metadata.createdAt:(>="2021-05-18T07:27:27.455Z" AND <"2021-05-20T07:27:27.455Z")'
    [term] = parse_q(q)
    assert [(c.op, c.value.text, c.value.quoted) for c in term.conditions] == [
        (">=", "2021-05-18T07:27:27.455Z", True),
        ("<", "2021-05-20T07:27:27.455Z", True),
    ]


@pytest.mark.parametrize("keyword", ["null", "exists", "missing"])
def test_presence_keywords_are_read(keyword: str) -> None:
    assert parse_q(f"description.en:{keyword}") == [Term("description.en", 0, keyword)]  # type: ignore[arg-type]


def test_a_quoted_keyword_is_a_plain_value() -> None:
    [term] = parse_q('siteCode:"null"')
    assert term.match == "all"
    assert term.conditions == (Condition("=", Value("null", True, 10)),)


def test_a_list_matches_any_of_its_values() -> None:
    [term] = parse_q('id:(5c33,"d 1", e)')
    assert term.match == "any"
    assert [c.value.text for c in term.conditions] == ["5c33", "d 1", "e"]


def test_a_regex_runs_to_the_next_space() -> None:
    [first, second] = parse_q("id:~AB(C|D)12 siteCode:main")
    assert first.conditions == (Condition("~", bare("AB(C|D)12", 4)),)
    assert second.path == "siteCode"


def test_a_parenthesised_regex_may_hold_spaces() -> None:
    [term] = parse_q("name.en:(~Yoghurt im)")
    assert term.conditions == (Condition("~", bare("Yoghurt im", 10)),)


def test_a_regex_group_after_the_tilde_may_hold_spaces() -> None:
    [term] = parse_q("name.en:~(Yoghurt im)")
    assert term.conditions == (Condition("~", bare("(Yoghurt im)", 9)),)


def test_space_separated_terms_are_all_kept() -> None:
    terms = parse_q("  id:5c3325  \t code:A705 ")
    assert [(t.path, t.position) for t in terms] == [("id", 2), ("code", 15)]


def test_quoted_values_may_escape_quotes_and_backslashes() -> None:
    [term] = parse_q(r'siteCode:"a \"b\" \\c"')
    assert term.conditions[0].value.text == 'a "b" \\c'


def test_values_may_contain_colons_dots_and_dashes() -> None:
    [term] = parse_q("metadata.createdAt:2021-05-18T07:27:27.455Z")
    assert term.conditions[0].value.text == "2021-05-18T07:27:27.455Z"


def test_an_empty_or_blank_q_means_no_filter() -> None:
    assert compile_q("", SEGMENT, dialect="sqlite") == []
    assert compile_q("   ", SEGMENT, dialect="sqlite") == []
    assert compile_q(None, SEGMENT, dialect="sqlite") == []


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("foo:1", "q: unknown field 'foo' at position 1"),
        ("id:1 metadata.nope:1", "q: unknown field 'metadata.nope' at position 6"),
        (
            "id:1 9x:1",
            "q: expected a field name (letters, digits, '_') but found '9' at position 6",
        ),
        ("id.:1", "q: expected a field name (letters, digits, '_') but found ':' at position 4"),
        ("id", "q: expected ':' after field 'id' but q ended at position 3"),
        ("id=1", "q: expected ':' after field 'id' but found '=' at position 3"),
        ("id:", "q: expected a value but q ended at position 4"),
        ("id: x", "q: expected a value but found ' ' at position 4"),
        ('id:"abc', "q: unterminated quoted value at position 4"),
        ('id:"a\\x"', 'q: only \\" and \\\\ may be escaped in a quoted value at position 7'),
        ("id:(a,b", "q: expected ')' to close the '(' at position 4 but q ended at position 8"),
        ("id:(a,)", "q: expected a value but found ')' at position 7"),
        ("id:()", "q: expected a value but found ')' at position 5"),
        ("id:a(b", "q: expected a space before the next term but found '(' at position 5"),
        ("id:(~a b", "q: expected ')' to close the pattern at position 4"),
        ("id:~", "q: expected a regular expression after '~' at position 5"),
        (
            "metadata.version:(>1 AND 2)",
            "q: expected >, <, >= or <= after 'AND' but found '2' at position 26",
        ),
        (
            "metadata.version:(>1 OR <2)",
            "q: expected ')' to close the '(' at position 18 but found 'O' at position 22",
        ),
        ("metadata.version:>", "q: expected a value but q ended at position 19"),
    ],
)
def test_malformed_q_points_at_the_problem(q: str, message: str) -> None:
    assert error_of(q).message == message


def test_the_error_carries_the_argument_and_position() -> None:
    error = error_of("id:1 foo:2")
    assert error.extensions == {"code": "BAD_USER_INPUT", "argument": "q", "position": 6}


def test_q_longer_than_the_limit_is_refused() -> None:
    # given
    q = "id:" + "x" * 1998
    # when
    error = error_of(q)
    # then
    assert error.message == "q: longer than 2000 characters at position 2001"
    assert compile_q(q[:-1], SEGMENT, dialect="sqlite")


def test_a_smaller_limit_can_be_configured() -> None:
    with pytest.raises(GatewayError, match="longer than 10 characters"):
        compile_q("siteCode:main", SEGMENT, dialect="sqlite", limits=Limits(max_q_length=10))


@pytest.mark.parametrize(("char", "code"), [("\x00", "0000"), ("\ud800", "D800")])
def test_characters_no_database_stores_are_refused(char: str, code: str) -> None:
    assert error_of(f"id:a{char}").message == f"q: character U+{code} is not allowed at position 5"
