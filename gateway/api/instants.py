"""ISO 8601 instants as the API and the import read them: an offset or Z is required."""

from __future__ import annotations

from datetime import UTC, datetime

EXAMPLE = "2024-10-12T12:00:00.000Z"


def parse_instant(raw: object) -> datetime:
    """`raw` as an aware UTC datetime at millisecond precision; ValueError saying why not."""
    if not isinstance(raw, str):
        raise ValueError(f"must be an ISO 8601 date-time string such as {EXAMPLE}")
    try:
        value = datetime.fromisoformat(raw.replace("z", "Z"))
    except ValueError:
        raise ValueError(f"must be an ISO 8601 date-time such as {EXAMPLE}") from None
    # A time without a zone means a different instant on every machine: refuse to guess.
    if value.tzinfo is None:
        raise ValueError(f"needs a time zone: an offset or Z, as in {EXAMPLE}")
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the years 1 to 9999 once in UTC") from None
    return value.replace(microsecond=value.microsecond // 1000 * 1000)
