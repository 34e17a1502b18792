"""Opaque cursors: the sort key values of a row, bound to the query that produced them.

A cursor is urlsafe base64 (unpadded) of orjson `[1, binding, [typed values]]`. It is not a
secret and not signed; decoding checks every value against its key's type and range, so an
edited cursor is BAD_USER_INPUT naming the key rather than a database error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
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
MAX_EXPONENT = 1000


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
    return [_value(item, key) for item, key in zip(tagged, keys, strict=True)]


def _value(item: Any, key: SortKey) -> Any:
    """One key's value, checked against the key's type and range so no SQL sees it raw."""
    if item is None:
        return None
    family = _family(key.expr.type)
    tag = item[0] if isinstance(item, list) and len(item) == 2 else None
    if not (isinstance(tag, str) and tag in _ACCEPTS[family]):
        raise _out_of_range(key, family)
    try:
        value: Any = _READERS[tag](item[1])
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        raise _out_of_range(key, family) from None
    if family == "int32" and not -INT_32 <= value < INT_32:
        raise _out_of_range(key, family)
    return value


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


def _out_of_range(key: SortKey, family: str) -> GatewayError:
    name = key.name.split("#")[0]
    return bad_input(
        f"after: not a cursor this API issued: its value for {name} must be {_MEANS[family]}",
        argument="after",
    )


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


def _family(type_: sa.types.TypeEngine[Any]) -> str:
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for family, classes in _FAMILIES:
        if isinstance(type_, classes):
            return family
    return "unknown"  # fails closed: no value fits


def _int(text: str) -> int:
    if not isinstance(text, str):
        raise ValueError("not text")
    number = int(text)
    if not -INT_64 <= number < INT_64:
        raise ValueError("out of range")
    return number


def _text(text: str) -> str:
    if not isinstance(text, str) or any(c == "\x00" or "\ud800" <= c <= "\udfff" for c in text):
        raise ValueError("not storable text")
    return text


def _float(text: str) -> float:
    if not isinstance(text, str):
        raise ValueError("not text")
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def _decimal(text: str) -> Decimal:
    if not isinstance(text, str):
        raise ValueError("not text")
    number = Decimal(text)
    # Finite, and within what a double (a JSON number) and PostgreSQL's numeric can hold.
    if not number.is_finite() or not -MAX_EXPONENT <= number.adjusted() <= MAX_EXPONENT:
        raise ValueError("out of range")
    return number


def _utc(text: str) -> datetime:
    if not isinstance(text, str):
        raise ValueError("not text")
    # Cursors carry aware UTC times; any other offset could overflow year 1 or 9999.
    value = datetime.fromisoformat(text)
    if value.utcoffset() != timedelta(0):
        raise ValueError("not UTC")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not a boolean")
    return value


_FAMILIES: list[tuple[str, type | tuple[type, ...]]] = [
    ("number", (sa.types.NullType,)),  # SQLite's JSON number key: json_extract is untyped
    ("int64", (sa.BigInteger,)),  # before Integer, of which it is a subclass
    ("int32", (sa.Integer,)),
    ("number", (sa.Numeric,)),
    ("bool", (sa.Boolean,)),
    ("time", (sa.DateTime,)),
    ("text", (sa.String,)),
]
_ACCEPTS = {
    "unknown": frozenset(),
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
    "t": _utc,
}
_MEANS = {
    "unknown": "null",
    "int64": "a 64-bit integer",
    "int32": "a 32-bit integer",
    "number": "a finite number",
    "bool": "a boolean",
    "time": "a UTC timestamp",
    "text": "text without NUL",
}
