"""Field rules shared by the domains; each domain lists its own in its schema.py (RULES).

Every list of objects in the schema has a bound (tests/api/test_preflight.py checks), so the
static cost is an upper bound on what an operation returns. api/preflight.py checks them.
"""

from __future__ import annotations

from typing import Any

from gateway.api.mutations import check_input_maps
from gateway.api.rules import ArgumentLength, FieldRule, Fixed, Languages


def _input_maps(args: dict[str, Any]) -> None:
    # Single writes refuse bad maps as a top-level error; bulks report them per entry.
    given = args.get("input") or {}
    check_input_maps(given.get("mixins"), (given.get("metadata") or {}).get("mixins"))


SINGLE_WRITE = FieldRule(check=_input_maps)
# A payload reports at most a handful of validation problems.
_USER_ERRORS = FieldRule(bound=Fixed(10))


def all_locales(type_name: str, *fields: str) -> dict[str, FieldRule]:
    """The `…AllLocales` lists of a type's localized fields: one entry per language."""
    return {f"{type_name}.{field}AllLocales": FieldRule(bound=Languages()) for field in fields}


SHARED: dict[str, FieldRule] = {
    "BulkPayload.results": FieldRule(bound=ArgumentLength(("items", "itemIds", "assignments"))),
    **{
        f"{payload}.userErrors": _USER_ERRORS
        for payload in (
            "ItemAssignmentPayload",
            "CustomerAssignmentPayload",
            "SegmentPayload",
            "DeletePayload",
        )
    },
}
