"""JSON values the gateway stores: finite numbers, storable text, bounded nesting."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

import orjson

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NOT_JSON = object()  # stands for a key that is not a string
# orjson reads integers past 64 bits as floats, losing digits; json keeps them exact.
_LONG_NUMBER = re.compile(r"\d{20}")


def decode_json(text: str | bytes) -> Any:
    """Stored JSON text as a value: orjson (several times faster), or json where the text
    holds a run of 20 digits, which may be an integer orjson would round."""
    if _LONG_NUMBER.search(text if isinstance(text, str) else text.decode()):
        return json.loads(text)
    return orjson.loads(text)


def json_problem(value: Any, *, name: str = "", max_depth: int | None = None) -> str | None:
    """What makes `value` unstorable, as "<path> <reason>", or None when it is fine.

    Numbers must be finite; strings and keys may not hold NUL (U+0000) or lone surrogates;
    with `max_depth`, objects and arrays nest at most that many levels (the value itself is
    level 1, so {"a": [1]} is 2 deep). `name` starts each path, e.g. "mixins" gives
    mixins.a[2]. Iterative, so a value nested 100,000 levels deep is safe to check.
    """
    for path, depth, item in _walk(value, name):
        if isinstance(item, str):
            reason = _text_problem(item)
        elif isinstance(item, float):
            reason = None if math.isfinite(item) else "is not a finite number"
        elif item is None or isinstance(item, bool | int):
            reason = None
        elif isinstance(item, dict | list):
            too_deep = max_depth is not None and depth > max_depth
            reason = f"is nested deeper than {max_depth} levels" if too_deep else None
        else:
            reason = "is not a JSON value"
        if reason is not None:
            return f"{path or 'the value'} {reason}"
    return None


def _walk(value: Any, name: str) -> Iterator[tuple[str, int, Any]]:
    """(path, depth, value) of every value inside `value`, in document order; keys are
    yielded as string values at the path of the member they name."""
    stack: list[tuple[str, int, Any]] = [(name, 1, value)]
    while stack:
        path, depth, item = stack.pop()
        yield path, depth, item
        if isinstance(item, dict):
            children = []
            for key, child in item.items():
                at = _member(path, key)
                if not isinstance(key, str):
                    yield f"{at} (a key)", depth, _NOT_JSON
                elif _UNSTORABLE.search(key):
                    yield f"{at} (a key)", depth, key
                children.append((at, depth + 1, child))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", depth + 1, v) for i, v in reversed(list(enumerate(item))))


def _member(path: str, key: Any) -> str:
    if isinstance(key, str) and _NAME.fullmatch(key):
        return f"{path}.{key}" if path else key
    # Escaped, so a key holding NUL or control characters prints as \u0000 and the like.
    return f"{path}[{json.dumps(str(key))}]"


def _text_problem(text: str) -> str | None:
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains the NUL character (U+0000)"
    return "is not valid Unicode (it holds a lone surrogate)"
