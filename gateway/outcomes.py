"""What a write reports (Done, or a Failure per entry) and the checks that yield failures."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.errors import ErrorCode

CHANGED = "The resource you are attempting to access has changed."
# Ids: 1 to 256 characters, no control characters, no surrounding whitespace.
_ID = re.compile(r"^(?=\S)[^\x00-\x1f\x7f]{1,256}(?<=\S)$")


@dataclass(frozen=True)
class Failure:
    """A business failure of one write (a userError, or a bulk entry's 4xx)."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None
    current_version: int | None = None


@dataclass(frozen=True)
class Done:
    """A write that applied; `created` tells an insert (REST 201) from an update (204)."""

    created: bool = False


Outcome = Done | Failure
# Shared by every entry that applied: a bulk of 200 needs no 200 equal objects.
CREATED = Done(created=True)
UPDATED = Done()


def version_conflict(current: int | None, field: tuple[str, ...] | None = None) -> Failure:
    return Failure(ErrorCode.VERSION_CONFLICT, CHANGED, field, current)


def check_version(
    expected: int | None, current: int | None, field: tuple[str, ...] | None = None
) -> Failure | None:
    """Without an expected version the write applies; else it must equal the stored one."""
    if expected is None or expected == current:
        return None
    return version_conflict(current, field)


def settle(
    outcomes: Sequence[Outcome | None], keys: Sequence[Hashable], versions: dict[Any, int]
) -> list[Outcome]:
    """The final outcomes: each written entry is created when its new version is 1."""
    return [
        o if o is not None else CREATED if versions[k] == 1 else UPDATED
        for o, k in zip(outcomes, keys, strict=True)
    ]


def duplicates(keys: Sequence[Hashable], what: str = "id") -> list[Failure | None]:
    """A 400 for each key already seen earlier in the same request, None for first sightings."""
    seen: set[Hashable] = set()
    found: list[Failure | None] = []
    for key in keys:
        if key in seen:
            found.append(Failure(ErrorCode.BAD_USER_INPUT, f"Duplicate {what} in this request."))
        else:
            seen.add(key)
            found.append(None)
    return found


def id_problem(value: str, name: str) -> str | None:
    """Why `value` is not a usable id, or None."""
    if _ID.fullmatch(value):
        return None
    return (
        f"{name} must be 1 to 256 characters, without control characters or surrounding whitespace."
    )
