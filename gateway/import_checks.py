"""The import's rules that need the database: languages, references and the category tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from gateway.import_fields import CatalogImportError, Problems
from gateway.import_format import (
    CategoryEntry,
    CustomerEntry,
    ImportDocument,
    ItemEntry,
    Localized,
)


@dataclass(frozen=True)
class Known:
    """What the tenant already has in the database, as far as the file refers to it."""

    languages: tuple[str, ...] | None  # None: the tenant is new
    default_language: str | None
    category_parents: Mapping[str, str | None]
    product_ids: frozenset[str] = frozenset()
    segment_ids: frozenset[str] = frozenset()


def outside_references(document: ImportDocument) -> tuple[set[str], set[str]]:
    """Product and segment ids the file refers to without defining them."""
    products = {entry.item_id for entry in document.items if entry.item_type == "PRODUCT"}
    segments = {entry.segment_id for entry in _segment_references(document)}
    products -= {entry.id for entry in document.products}
    segments -= {entry.id for entry in document.segments}
    return products, segments


def _segment_references(document: ImportDocument) -> list[CustomerEntry | ItemEntry]:
    return [*document.customers, *document.items]


def check_document(document: ImportDocument, known: Known) -> tuple[str, ...]:
    """Raise with every broken rule (up to MAX_PROBLEMS); the tenant's languages otherwise."""
    languages = document.languages or known.languages
    if languages is None:
        raise CatalogImportError(
            f'languages and defaultLanguage are required: tenant "{document.tenant}" is new'
        )
    problems = Problems()
    _check_translations(document.localized, languages, problems)
    categories = set(known.category_parents) | {entry.id for entry in document.categories}
    _check_parents(document.categories, categories, problems)
    _check_cycles(document.categories, known.category_parents, problems)
    _check_product_categories(document, categories, problems)
    segments = known.segment_ids | {entry.id for entry in document.segments}
    _check_segments(document, segments, problems)
    products = known.product_ids | {entry.id for entry in document.products}
    _check_items(document, {"CATEGORY": categories, "PRODUCT": products}, problems)
    problems.raise_any()
    return languages


def _check_translations(
    entries: Iterable[Localized], languages: Sequence[str], problems: Problems
) -> None:
    for entry in entries:
        for field, translations in entry.maps.items():
            for language in translations:
                if language not in languages:
                    problems.add(
                        f'{entry.where}: {field} has a translation in "{language}", which is '
                        f"not one of the tenant's languages ({', '.join(languages)})"
                    )


def _check_parents(
    entries: Iterable[CategoryEntry], categories: set[str], problems: Problems
) -> None:
    for entry in entries:
        if entry.parent_id is not None and entry.parent_id not in categories:
            problems.add(
                f'{entry.where}: parentId "{entry.parent_id}" is not a category '
                "of this file or the tenant"
            )


def _check_cycles(
    entries: Sequence[CategoryEntry], stored: Mapping[str, str | None], problems: Problems
) -> None:
    parents = {**stored, **{entry.id: entry.parent_id for entry in entries}}
    rooted: set[str] = set()  # known to lead up to a root, or already reported
    for entry in entries:
        path: dict[str, int] = {}  # node -> its place on the way up
        node: str | None = entry.id
        while node is not None and node not in rooted:
            if node in path:
                problems.add(_cycle(entries, list(path)[path[node] :]))
                break
            path[node] = len(path)
            node = parents.get(node)
        rooted.update(path)


def _cycle(entries: Sequence[CategoryEntry], cycle: list[str]) -> str:
    # Name the first entry of the file that lies on the cycle: that is where to fix it.
    on_cycle = [entry for entry in entries if entry.id in cycle]
    first = on_cycle[0]
    start = cycle.index(first.id)
    loop = [*cycle[start:], *cycle[:start], first.id]
    return f'{first.where}: parentId "{first.parent_id}" makes a cycle: ' + " > ".join(loop)


def _check_product_categories(
    document: ImportDocument, categories: set[str], problems: Problems
) -> None:
    for entry in document.products:
        for category_id in entry.category_ids:
            if category_id not in categories:
                problems.add(
                    f'{entry.where}: categoryIds has "{category_id}", which is not a category '
                    "of this file or the tenant"
                )


def _check_segments(
    document: ImportDocument, segments: set[str] | frozenset[str], problems: Problems
) -> None:
    for entry in _segment_references(document):
        if entry.segment_id not in segments:
            problems.add(
                f'{entry.where}: segmentId "{entry.segment_id}" is not a segment '
                "of this file or the tenant"
            )


def _check_items(
    document: ImportDocument, items: Mapping[str, set[str] | frozenset[str]], problems: Problems
) -> None:
    for entry in document.items:
        if entry.item_id in items[entry.item_type]:
            continue
        kind = entry.item_type.lower()
        other = "PRODUCT" if entry.item_type == "CATEGORY" else "CATEGORY"
        hint = f" (it is a {other.lower()})" if entry.item_id in items[other] else ""
        problems.add(
            f'{entry.where}: itemId "{entry.item_id}" is not a {kind} '
            f"of this file or the tenant{hint}"
        )
