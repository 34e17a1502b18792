"""Values that cannot mean anything for their field are refused at their position."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gateway.errors import GatewayError
from gateway.query_language import Field, FieldSet, Kind, compile_q
from tests.query_language.sample_fields import CUSTOMER, SEGMENT

VERSION = "'metadata.version'"
STATUS = "'status'"


def message_of(q: str) -> str:
    with pytest.raises(GatewayError) as caught:
        compile_q(q, SEGMENT, dialect="sqlite")
    assert caught.value.extensions["code"] == "BAD_USER_INPUT"
    return caught.value.message


@pytest.mark.parametrize(
    ("q", "message"),
    [
        (
            "metadata.version:abc",
            "q: 'metadata.version' takes a whole number, not 'abc' at position 18",
        ),
        (
            "metadata.version:1.5",
            "q: 'metadata.version' takes a whole number, not '1.5' at position 18",
        ),
        (
            "metadata.version:>x",
            "q: 'metadata.version' takes a whole number, not 'x' at position 19",
        ),
        (
            "metadata.version:(1,9223372036854775808)",
            "q: number 9223372036854775808 is out of range for 'metadata.version' at position 21",
        ),
        (
            "metadata.createdAt:(>=2021-05-18 AND <yesterday)",
            "q: 'metadata.createdAt' takes a date-time like \"2024-10-12T12:00:00.000Z\", "
            "not 'yesterday' at position 39",
        ),
        ("status:active", "q: 'status' is one of ACTIVE, INACTIVE, not 'active' at position 8"),
        (
            "status:(ACTIVE,GONE)",
            "q: 'status' is one of ACTIVE, INACTIVE, not 'GONE' at position 16",
        ),
        ("status:>ACTIVE", "q: '>' does not apply to 'status' at position 8"),
        (
            "metadata.version:~1",
            "q: '~' applies to text fields, not 'metadata.version' at position 18",
        ),
        ("name:Apple", "q: 'name' needs one language, e.g. 'name.en' at position 1"),
        ("name.en.x:Apple", "q: 'name' needs one language, e.g. 'name.en' at position 1"),
        ("mixins:exists", "q: 'mixins' needs a path, e.g. 'mixins.<name>' at position 1"),
        ("mixins.a:1e5000", "q: number 1e5000 is out of range at position 10"),
    ],
)
def test_values_of_the_wrong_kind_are_refused(q: str, message: str) -> None:
    assert message_of(q) == message


def test_booleans_take_true_or_false() -> None:
    fields = FieldSet({"flag": Field(Kind.BOOL, sa.column("flag", sa.Boolean))})
    with pytest.raises(GatewayError, match="'flag' takes true or false, not 'yes' at position 6"):
        compile_q("flag:yes", fields, dialect="sqlite")


def test_enum_values_are_case_sensitive_on_every_field() -> None:
    with pytest.raises(GatewayError, match="one of MANUAL, AUTOMATIC, not 'manual'"):
        compile_q("assignmentType:manual", CUSTOMER, dialect="postgresql")


def test_a_bad_regex_is_reported_inside_q() -> None:
    assert message_of("siteCode:main id:~a\\d") == (
        "q: regular expression: only punctuation may follow '\\' (no \\d, \\w, \\1, ...) "
        "at position 20"
    )


def test_a_bad_regex_in_parentheses_is_reported_inside_q() -> None:
    assert message_of("id:(~ab (?=c))") == (
        "q: regular expression: only '(?:' groups are allowed (no lookaround or flags) "
        "at position 9"
    )


def test_regexes_over_the_limit_are_refused() -> None:
    # given
    q = "id:~" + "a" * 201
    # when / then
    assert message_of(q) == "q: regular expression longer than 200 characters at position 5"
    assert compile_q(q[:-1], SEGMENT, dialect="sqlite")
