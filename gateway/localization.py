"""Accept-Language parsing and the fallback order for localized fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class TenantLanguages:
    default: str = FALLBACK_LANGUAGE
    languages: tuple[str, ...] = ()


def _with_base(tag: str) -> tuple[str, ...]:
    """`de-CH` is tried as itself, then as its base language `de`."""
    tag = tag.strip()
    if not tag:
        return ()
    base = tag.split("-", 1)[0]
    return (tag,) if base == tag else (tag, base)


@lru_cache(maxsize=512)
def parse_accept_language(header: str | None) -> tuple[str, ...]:
    """Language tags by descending `q`, `q=0` dropped; `*` kept as a marker."""
    if not header:
        return ()
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            weighted.append((-weight, index, tag))
    return tuple(tag for _, _, tag in sorted(weighted))


def request_order(accept_language: str | None, tenant: TenantLanguages) -> tuple[str, ...]:
    """The request-wide order: Accept-Language, then the tenant default, then its languages."""
    order: list[str] = []
    for tag in parse_accept_language(accept_language):
        order.extend(_with_base(tenant.default) if tag == "*" else _with_base(tag))
    order.append(tenant.default)
    order.extend(tenant.languages)
    return tuple(dict.fromkeys(order))


def resolve(
    values: Mapping[str, str] | None, order: Sequence[str], locale: str | None
) -> str | None:
    """The first translation in the fallback order; a `locale` argument goes first."""
    if not values:
        return None
    if locale:
        for tag in _with_base(locale):
            if tag in values:
                return values[tag]
    for tag in order:
        if tag in values:
            return values[tag]
    # Nothing in the tenant's languages: any translation beats none, deterministically.
    return values[min(values)]


def all_locales(values: Mapping[str, str] | None) -> list[tuple[str, str]]:
    """Every translation, ordered by locale."""
    return sorted(values.items()) if values else []
