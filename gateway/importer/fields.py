"""Reading one JSON object of the import file field by field, each error naming the entry."""

from __future__ import annotations

import functools
import json
import math
import re
from datetime import datetime
from typing import Any, NamedTuple, NoReturn, TypeVar

from gateway.api.instants import parse_instant
from gateway.outcomes import id_problem
from gateway.store.json_values import json_problem

T = TypeVar("T")


MAX_PROBLEMS = 100


class CatalogImportError(Exception):
    """The file cannot be imported; nothing was written. Each problem names its entry."""

    def __init__(self, *problems: str) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Problems:
    """The problems found so far: one run reports up to MAX_PROBLEMS of them."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, *problems: str) -> None:
        self.found.extend(problems)
        if len(self.found) > MAX_PROBLEMS:
            raise self.error()

    def raise_any(self) -> None:
        if self.found:
            raise self.error()

    def error(self) -> CatalogImportError:
        return capped_error(self.found)


def capped_error(found: list[str]) -> CatalogImportError:
    """The first MAX_PROBLEMS problems; past them, a line saying the run stopped there."""
    if len(found) <= MAX_PROBLEMS:
        return CatalogImportError(*found)
    stopped = f"(stopped after {MAX_PROBLEMS} problems; there are more)"
    return CatalogImportError(*found[:MAX_PROBLEMS], stopped)


@functools.cache
def _allowed(fields: tuple[str, ...]) -> frozenset[str]:
    return frozenset(fields)


class Entry:
    """One JSON object of the file, read field by field; errors name it by `where`.

    A field's problem is kept and the next field read (with a stand-in value), so one run
    names every broken field of the entry; `done` raises them all."""

    nameless = False  # an id of its key was refused: the entry is named by its index only

    def __init__(self, where: str, raw: Any, allowed: tuple[str, ...], clean: bool = False) -> None:
        self.where = where
        self.problems: list[str] = []
        if not isinstance(raw, dict):
            self.fail("must be a JSON object")
        # Anywhere in the entry, keys included: NUL, lone surrogates, NaN and Infinity;
        # `clean`: its source vouches for all of it (see import_source). Its fields are not
        # read then: each would report the same character again.
        problem = None if clean or _storable(raw) else json_problem(raw)
        if problem is not None:
            self.fail(problem)
        self.raw: dict[str, Any] = raw
        if raw.keys() <= _allowed(allowed):
            return
        for key in raw:
            if key not in allowed:
                self.problem(
                    f"unknown field {json.dumps(key)} (allowed: {', '.join(allowed)})", None
                )

    def fail(self, message: str) -> NoReturn:
        raise CatalogImportError(*self.problems, f"{self.where}: {message}")

    def problem(self, message: str, instead: T) -> T:
        """Keeps the problem of a field; what the field is taken to be meanwhile."""
        self.problems.append(f"{self.where}: {message}")
        return instead

    def done(self) -> None:
        """Raises every problem kept."""
        if self.problems:
            raise CatalogImportError(*self.problems)

    def named(self, label: str) -> None:
        """From here on, errors also show the entry's id or key (unless it was refused)."""
        if not self.nameless:
            self.where = f"{self.where} ({label})"

    def id(self, key: str) -> str:
        """An id by the API's rule (writes.id_problem), so the API can address it later."""
        value = self.raw.get(key)
        if type(value) is str and id_problem(value, key) is None:  # the common case, first
            return value
        if isinstance(value, str) and self.good_id(key, value):
            return value
        self.nameless = True
        if not isinstance(value, str):
            return self.problem(f"{key} must be a string, got {_shown(value)}", "")
        return ""

    def good_id(self, name: str, value: str) -> bool:
        problem = id_problem(value, name)
        if problem is not None:
            self.problem(f"{problem.rstrip('.')}, got {_shown(value)}", None)
        return problem is None

    def text(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value.strip():
            return self.problem(f"{key} must be a non-blank string", "")
        return value

    def optional_id(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.id(key)

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if value not in choices:
            message = f"{key} must be one of {', '.join(choices)}, got {value!r}"
            return self.problem(message, choices[0])
        return str(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            return self.problem(f"{key} must be true or false, got {value!r}", default)
        return bool(value)

    def whole(self, key: str, default: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            return self.problem(f"{key} must be a whole number, got {value!r}", default)
        return int(value)

    def ids(self, key: str, *, texts: bool = False) -> tuple[str, ...]:
        """A list of distinct ids (or, with `texts`, of non-empty strings)."""
        values = self.raw.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            return self.problem(f"{key} must be a list of non-empty strings", ())
        seen: set[str] = set()
        for index, value in enumerate(values):
            if not texts and not self.good_id(f"{key}[{index}]", value):
                return ()
            if value in seen:
                return self.problem(f'{key} lists "{value}" twice', ())
            seen.add(value)
        return tuple(values)

    def localized(self, key: str, required: bool = False) -> dict[str, str]:
        value = self.raw.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return self.problem(
                f'{key} must be an object of translations, e.g. {{"en": "..."}}', {}
            )
        if required and not value:
            return self.problem(f"{key} needs at least one translation", {})
        return dict(value)

    def mixins(self, max_depth: int) -> dict[str, Any]:
        value = self.raw.get("mixins") or {}
        if not isinstance(value, dict):
            return self.problem("mixins must be a JSON object", {})
        fine = not value or _storable(value, max_depth)
        problem = None if fine else json_problem(value, name="mixins", max_depth=max_depth)
        if problem is not None:
            return self.problem(problem, {})
        return dict(value)

    def validity(self) -> dict[str, datetime | None]:
        value = self.raw.get("validity") or {}
        if not isinstance(value, dict) or set(value) - {"from", "to"}:
            self.problem('validity must be an object with "from" and "to"', None)
            value = {}
        start, end = self.date(value, "from"), self.date(value, "to")
        if start is not None and end is not None and start >= end:
            self.problem("validity.from must be before validity.to", None)
        return {"valid_from": start, "valid_to": end}

    def date(self, parent: dict[str, Any], key: str, name: str = "validity") -> datetime | None:
        raw = parent.get(key)
        if raw is None:
            return None
        try:
            return parse_instant(raw)
        except ValueError as error:
            return self.problem(f"{name}.{key} {error}, got {raw!r}", None)

    def own_metadata(self) -> OwnMetadata:
        """The record's `metadata` as exported from Emporix, each part None where absent."""
        value = self.raw.get("metadata")
        if value is None:
            return NO_METADATA
        if not isinstance(value, dict) or set(value) - set(METADATA_FIELDS):
            message = f"metadata must be an object with {', '.join(METADATA_FIELDS)}"
            return self.problem(message, NO_METADATA)
        before = len(self.problems)
        version = value.get("version")
        if version is not None and (type(version) is not int or not 1 <= version <= MAX_VERSION):
            self.problem(
                f"metadata.version must be a whole number from 1 to {MAX_VERSION}, "
                f"got {_shown(version)}",
                None,
            )
        created = self.date(value, "createdAt", "metadata")
        modified = self.date(value, "modifiedAt", "metadata")
        if created is not None and modified is not None and modified < created:
            self.problem("metadata.modifiedAt must not be before metadata.createdAt", None)
        schemas = value.get("mixins")
        if schemas is not None and (
            not isinstance(schemas, dict) or not all(isinstance(v, str) for v in schemas.values())
        ):
            self.problem("metadata.mixins must map mixin names to schema URL strings", None)
        if len(self.problems) > before:
            return NO_METADATA
        return OwnMetadata(version, created, modified, schemas)


class OwnMetadata(NamedTuple):
    """A record's own `metadata` from the file; None for each part it leaves out."""

    version: int | None
    created_at: datetime | None
    modified_at: datetime | None
    mixins: dict[str, str] | None


NO_METADATA = OwnMetadata(None, None, None, None)
METADATA_FIELDS = ("version", "createdAt", "modifiedAt", "mixins")
MAX_VERSION = 2**31 - 1  # the version columns are 32-bit integers


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Nested deeper than this, _storable leaves the answer to json_problem (which is iterative).
_SHALLOW = 64


def _storable(value: Any, max_depth: int | None = None, depth: int = 1) -> bool:
    """True when json_problem would find nothing; False when it might (then it says what).

    The common case made cheap: no paths built, exact types only, anything unusual (or
    nested deeper than 64 levels, so this recursion stays shallow) is False.
    """
    kind = type(value)
    if kind is str:
        return _UNSTORABLE.search(value) is None
    if kind is int or kind is bool or value is None:
        return True
    if kind is float:
        return math.isfinite(value)
    if depth > min(max_depth or _SHALLOW, _SHALLOW):
        return False
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or _UNSTORABLE.search(key) is not None:
                return False
            if not _storable(item, max_depth, depth + 1):
                return False
        return True
    if kind is list:
        return all(_storable(item, max_depth, depth + 1) for item in value)
    return False


def _shown(value: Any) -> str:
    """A value for a message: escaped, and cut short when long."""
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    size = len(value) if isinstance(value, str) else len(text)
    return text if len(text) <= 60 else f"{text[:40]}... ({size} characters)"
