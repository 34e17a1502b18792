"""The import's rules across entries: translations, parents and cycles of the category tree."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from gateway.importer.fields import Problems
from gateway.importer.format import CategoryEntry, Localized


def check_translations(
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


def check_parents(
    entries: Iterable[CategoryEntry], categories: set[str], problems: Problems
) -> None:
    for entry in entries:
        if entry.parent_id is not None and entry.parent_id not in categories:
            problems.add(
                f'{entry.where}: parentId "{entry.parent_id}" is not a category '
                "of this file or the tenant"
            )


def check_cycles(
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
