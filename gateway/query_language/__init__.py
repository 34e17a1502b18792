"""The gateway's query language: `q` filters, `sort`, offset and keyset paging with cursors."""

from gateway.query_language.compile import compile_q
from gateway.query_language.fields import Field, FieldSet, Kind
from gateway.query_language.paging import (
    PageResult,
    check_paging,
    fetch_page,
    fetch_pages,
    fingerprint,
)
from gateway.query_language.sorting import SortKey, compile_sort, order_by

__all__ = [
    "Field",
    "FieldSet",
    "Kind",
    "PageResult",
    "SortKey",
    "check_paging",
    "compile_q",
    "compile_sort",
    "fetch_page",
    "fetch_pages",
    "fingerprint",
    "order_by",
]
