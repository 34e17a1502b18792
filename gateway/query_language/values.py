"""Reading `q` values as the kind of field they are compared with."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from gateway.query_language.parser import Value
from gateway.query_language.problems import at

INT_64 = 2**63
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_JSON_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
MAX_EXPONENT = 1000  # PostgreSQL's numeric (and jsonb) overflows far beyond this


def integer(value: Value, field: str) -> int:
    if not _INTEGER.fullmatch(value.text):
        raise at("q", f"{field!r} takes a whole number, not {value.text!r}", value.position)
    number = int(value.text)
    if not -INT_64 <= number < INT_64:
        raise at("q", f"number {value.text} is out of range for {field!r}", value.position)
    return number


def boolean(value: Value, field: str) -> bool:
    if value.text not in ("true", "false"):
        raise at("q", f"{field!r} takes true or false, not {value.text!r}", value.position)
    return value.text == "true"


def enum(value: Value, field: str, allowed: tuple[str, ...]) -> str:
    # Case-sensitive like every exact match, but a value that can never match is a
    # client's mistake worth naming rather than an empty page.
    if value.text not in allowed:
        choices = ", ".join(allowed)
        raise at("q", f"{field!r} is one of {choices}, not {value.text!r}", value.position)
    return value.text


def instant(value: Value, field: str) -> datetime:
    """An ISO 8601 date or date-time in UTC (no offset means UTC), as naive UTC."""
    try:
        parsed = datetime.fromisoformat(value.text)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise at(
            "q",
            f'{field!r} takes a date-time like "2024-10-12T12:00:00.000Z", not {value.text!r}',
            value.position,
        ) from None
    return parsed


def millisecond_bounds(moment: datetime) -> tuple[datetime, bool]:
    """The millisecond a stored value would have, and whether `moment` lies inside it."""
    truncated = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return truncated, truncated != moment


def json_number(value: Value) -> Decimal | None:
    """The number a bare value spells in JSON syntax, else None."""
    if value.quoted or not _JSON_NUMBER.fullmatch(value.text):
        return None
    number = Decimal(value.text)
    if number and abs(number.adjusted()) > MAX_EXPONENT:
        raise at("q", f"number {value.text} is out of range", value.position)
    return number


def json_boolean(value: Value) -> bool | None:
    if value.quoted or value.text not in ("true", "false"):
        return None
    return value.text == "true"
