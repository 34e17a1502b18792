"""Reading one environment variable as a typed value, with the error that names it."""

from __future__ import annotations

from collections.abc import Mapping

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


def flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in TRUE_WORDS


def listed(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list, its entries stripped, empty ones dropped."""
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def integer(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None


def seconds(env: Mapping[str, str], name: str, default: float, *, below: float = 3600) -> float:
    """A positive number of seconds, less than `below`."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 < value < below:
        raise ValueError(f"{name} must be more than 0 and less than {below:g} seconds, got {raw!r}")
    return value
