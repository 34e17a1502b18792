"""Reading one JSON object of the import file field by field, each error naming the entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from gateway.instants import parse_instant


class CatalogImportError(Exception):
    """The file cannot be imported; nothing was written. The message names the entry."""


class Entry:
    """One JSON object of the file, read field by field; errors name it by `where`."""

    def __init__(self, where: str, raw: Any, allowed: tuple[str, ...]) -> None:
        self.where = where
        if not isinstance(raw, dict):
            self.fail("must be a JSON object")
        self.raw: dict[str, Any] = raw
        unknown = [key for key in raw if key not in allowed]
        if unknown:
            self.fail(f'unknown field "{unknown[0]}" (allowed: {", ".join(allowed)})')

    def fail(self, message: str) -> NoReturn:
        raise CatalogImportError(f"{self.where}: {message}")

    def named(self, label: str) -> None:
        """From here on, errors also show the entry's id or key."""
        self.where = f"{self.where} ({label})"

    def id(self, key: str) -> str:
        value = self.raw.get(key)
        if not isinstance(value, str) or not value:
            self.fail(f"{key} must be a non-empty string")
        return str(value)

    def optional_id(self, key: str) -> str | None:
        return None if self.raw.get(key) is None else self.id(key)

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.raw.get(key, default)
        if value not in choices:
            self.fail(f"{key} must be one of {', '.join(choices)}, got {value!r}")
        return str(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{key} must be true or false, got {value!r}")
        return bool(value)

    def whole(self, key: str, default: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{key} must be a whole number, got {value!r}")
        return int(value)

    def ids(self, key: str) -> tuple[str, ...]:
        values = self.raw.get(key) or []
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            self.fail(f"{key} must be a list of non-empty strings")
        seen: set[str] = set()
        for value in values:
            if value in seen:
                self.fail(f'{key} lists "{value}" twice')
            seen.add(value)
        return tuple(values)

    def localized(self, key: str, required: bool = False) -> dict[str, str]:
        value = self.raw.get(key) or {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail(f'{key} must be an object of translations, e.g. {{"en": "..."}}')
        if required and not value:
            self.fail(f"{key} needs at least one translation")
        return dict(value)

    def mixins(self) -> dict[str, Any]:
        value = self.raw.get("mixins") or {}
        if not isinstance(value, dict):
            self.fail("mixins must be a JSON object")
        return dict(value)

    def validity(self) -> dict[str, datetime | None]:
        value = self.raw.get("validity") or {}
        if not isinstance(value, dict) or set(value) - {"from", "to"}:
            self.fail('validity must be an object with "from" and "to"')
        start, end = self.date(value, "from"), self.date(value, "to")
        if start is not None and end is not None and start >= end:
            self.fail("validity.from must be before validity.to")
        return {"valid_from": start, "valid_to": end}

    def date(self, validity: dict[str, Any], key: str) -> datetime | None:
        raw = validity.get(key)
        if raw is None:
            return None
        try:
            return parse_instant(raw)
        except ValueError as error:
            self.fail(f"validity.{key} {error}, got {raw!r}")
