"""Opaque cursors: the sort key values of a row, bound to the query that produced them.

A cursor is urlsafe base64 (unpadded) of orjson `[1, binding, [typed values]]`. It is not a
secret and not signed; decoding checks every value against its key's type, so an edited
cursor is BAD_USER_INPUT rather than a database error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from gateway.errors import GatewayError, bad_input
from gateway.query_language.sorting import SortKey

VERSION = 1
MAX_CURSOR = 8192
INT_64 = 2**63
INT_32 = 2**31


def fingerprint(*parts: Any) -> str:
    """A short digest of what a cursor is bound to: tenant, query name, q, sort, filters."""
    data = orjson.dumps(
        list(parts), default=_plain, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
    )
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()[:18]).decode()


def _plain(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, tuple):
        return list(value)
    return repr(value)


def binding(bound_to: str, keys: Sequence[SortKey], parent: Any = None) -> str:
    """The caller's fingerprint plus the keys themselves (names carry resolved locales),
    and for a partitioned list the parent (a segment's items continue that segment only)."""
    sorted_by = [[key.name, key.descending] for key in keys]
    return fingerprint(bound_to, sorted_by, *([] if parent is None else [parent]))


def encode(bound_to: str, values: Sequence[Any]) -> str:
    payload = orjson.dumps([VERSION, bound_to, [_tag(value) for value in values]])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode(cursor: str, bound_to: str, keys: Sequence[SortKey]) -> list[Any]:
    """The key values of `cursor`, or BAD_USER_INPUT when it is malformed or foreign."""
    payload = _payload(cursor)
    if payload[1] != bound_to:
        raise _foreign()
    tagged = payload[2]
    if not isinstance(tagged, list) or len(tagged) != len(keys):
        raise _malformed()
    decoded = [_untag(item, key.expr.type) for item, key in zip(tagged, keys, strict=True)]
    for value, key in zip(decoded, keys, strict=True):
        if _family(key.expr.type) == "int32" and not -INT_32 <= (value or 0) < INT_32:
            raise _malformed()
    return decoded


def _payload(cursor: str) -> list[Any]:
    if len(cursor) > MAX_CURSOR:
        raise _malformed()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = orjson.loads(raw)
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        raise _malformed() from None
    if not isinstance(payload, list) or len(payload) != 3 or payload[0] != VERSION:
        raise _malformed()
    return payload


def _malformed() -> GatewayError:
    return bad_input("after: not a cursor this API issued", argument="after")


def _foreign() -> GatewayError:
    return bad_input(
        "after: this cursor belongs to another query (tenant, q, sort or filters differ)",
        argument="after",
    )


def _tag(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, float):
        return ["f", repr(value)]
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


def _untag(item: Any, type_: sa.types.TypeEngine[Any]) -> Any:
    if item is None:
        return None
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str | bool)):
        raise _malformed()
    tag, text = item
    if tag not in _ACCEPTS.get(_family(type_), _ANY):
        raise _malformed()
    try:
        return _READERS[tag](text)
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        raise _malformed() from None


def _family(type_: sa.types.TypeEngine[Any]) -> str:
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for family, classes in _FAMILIES:
        if isinstance(type_, classes):
            return family
    return "any"


def _int(text: str) -> int:
    number = int(text)
    if not -INT_64 <= number < INT_64:
        raise ValueError("out of range")
    return number


def _text(text: str) -> str:
    if not isinstance(text, str) or any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text):
        raise ValueError("not storable text")
    return text


def _float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _decimal(text: str) -> Decimal:
    number = Decimal(text)
    if not number.is_finite():
        raise ValueError("not finite")
    return number


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


_FAMILIES: list[tuple[str, type | tuple[type, ...]]] = [
    ("int64", (sa.BigInteger,)),  # before Integer, of which it is a subclass
    ("int32", (sa.Integer,)),
    ("number", (sa.Numeric,)),
    ("bool", (sa.Boolean,)),
    ("time", (sa.DateTime,)),
    ("text", (sa.String,)),
]
_ANY = frozenset("bifdst")
_ACCEPTS = {
    "int64": frozenset("i"),
    "int32": frozenset("i"),
    "number": frozenset("ifd"),
    "bool": frozenset("b"),
    "time": frozenset("t"),
    "text": frozenset("s"),
}
_READERS = {
    "b": _bool,
    "i": _int,
    "f": _float,
    "d": _decimal,
    "s": _text,
    "t": datetime.fromisoformat,
}
