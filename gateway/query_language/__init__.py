"""The gateway's query language: `q` filters, `sort`, offset and keyset paging with cursors.

Decisions a client can see:
- Errors are BAD_USER_INPUT, "q: <what> at position <n>" (1-based character position),
  with extensions `argument` ("q", "sort", "after", "pageSize", "pageNumber") and `position`.
- An ENUM value outside its values (`type:product`) is BAD_USER_INPUT naming the allowed
  values, not an empty page: exact matches are case-sensitive and it could never match.
- Columns: `null` and `missing` mean SQL NULL (and '' where `empty_is_null`), `exists` the
  opposite. Localized `name.en:null` means no `en` translation. JSON paths follow MongoDB:
  `missing` = key absent, `exists` = key present (even JSON null), `null` = absent or null.
- JSON values: a bare number matches that number numerically or the same text as a string;
  `true`/`false` match the boolean or the string; quoted values match strings only. `<`, `>`
  compare numbers numerically and strings by code point; other types never match, never err.
- Values with spaces, commas, parentheses or double quotes are double-quoted; inside quotes
  `\"` and `\\` escape. A range holds one or more comparisons joined by ` AND `.
- `sort` directions are case-insensitive; a field twice is BAD_USER_INPUT. JSON sort keys
  order: no comparable value, then strings and booleans (as text), then numbers.
- Cursors are bound to the caller's fingerprint and to the sort keys (resolved locales too).
"""

from gateway.query_language.compile import compile_q
from gateway.query_language.fields import Field, FieldSet, Kind
from gateway.query_language.lists import Compiled, ListQuery
from gateway.query_language.paging import (
    PageResult,
    check_paging,
    fetch_page,
    fetch_pages,
    fingerprint,
    one_batch_per_cursor,
)
from gateway.query_language.sorting import SortKey, compile_sort, order_by

__all__ = [
    "Compiled",
    "Field",
    "FieldSet",
    "Kind",
    "ListQuery",
    "PageResult",
    "SortKey",
    "check_paging",
    "compile_q",
    "compile_sort",
    "fetch_page",
    "fetch_pages",
    "fingerprint",
    "one_batch_per_cursor",
    "order_by",
]
