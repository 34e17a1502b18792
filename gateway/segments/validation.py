"""The contract's checks of a segment before it is written, as userErrors naming the field."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gateway.errors import ErrorCode
from gateway.localization import TenantLanguages
from gateway.outcomes import Failure

Translations = Sequence[tuple[str, str]]


def allowed_locales(languages: TenantLanguages) -> frozenset[str]:
    """The tenant's languages and its default; a tenant with no row has only the fallback."""
    return frozenset((*languages.languages, languages.default))


def _bad(message: str, *field: str) -> Failure:
    return Failure(ErrorCode.BAD_USER_INPUT, message, ("input", *field))


def translation_problems(
    values: Translations, field: str, allowed: frozenset[str], *, required: bool
) -> list[Failure]:
    """Locales among the tenant's languages, each once; a required field needs a text."""
    if required and not values:
        return [_bad(f"{field} needs at least one translation.", field)]
    problems: list[Failure] = []
    seen: set[str] = set()
    for index, (locale, value) in enumerate(values):
        where = (field, str(index), "locale")
        if locale not in allowed:
            known = ", ".join(sorted(allowed))
            problems.append(_bad(f"{locale!r} is not a language of the tenant ({known}).", *where))
        elif locale in seen:
            problems.append(_bad(f"{field} has {locale!r} more than once.", *where))
        seen.add(locale)
        if required and not value.strip():
            blank = f"{field} in {locale!r} must not be blank."
            problems.append(_bad(blank, field, str(index), "value"))
    return problems


def validity_problems(start: datetime | None, end: datetime | None) -> list[Failure]:
    if start is not None and end is not None and not start < end:
        return [_bad("validity.from must be before validity.to.", "validity")]
    return []


def segment_problems(
    *,
    name: Translations,
    description: Translations,
    site_code: str,
    valid_from: datetime | None,
    valid_to: datetime | None,
    languages: TenantLanguages,
) -> list[Failure]:
    """Every problem of a segment input at once, in field order."""
    allowed = allowed_locales(languages)
    problems = [
        *translation_problems(name, "name", allowed, required=True),
        *translation_problems(description, "description", allowed, required=False),
    ]
    if not site_code.strip():
        problems.append(_bad("siteCode must not be empty.", "siteCode"))
    return [*problems, *validity_problems(valid_from, valid_to)]
