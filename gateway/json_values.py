"""Free-form JSON values (mixins) that every database stores and reads back unchanged."""

from __future__ import annotations

import math
from typing import Any


def json_value_problem(value: Any, *, max_depth: int) -> str | None:
    """Why `value` cannot be stored as JSON, or None: non-finite numbers, nesting past max_depth.

    Iterative, so a value nested far deeper than the limit costs no stack. A scalar is depth
    0; every object or array around it adds one level.
    """
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth + 1 > max_depth:
                return f"is nested more than {max_depth} levels deep"
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(item, float) and not math.isfinite(item):
            return "holds a number that is not finite (JSON has no Infinity or NaN)"
    return None
