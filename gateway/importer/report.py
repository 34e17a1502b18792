"""What an import tells its operator: per kind of record, what it created, updated and left
unchanged, and with --events how many change events it recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("categories", "products", "segments", "customerAssignments", "itemAssignments")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did, per kind of record; `events`: None unless it recorded them."""

    tenant: str
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    events: int | None = None

    def __str__(self) -> str:
        lines = [f'Imported tenant "{self.tenant}":']
        for kind, counts in self.counts.items():
            lines.append(
                f"  {kind:<20} {counts.created:>6} created, {counts.updated:>6} updated, "
                f"{counts.unchanged:>6} unchanged"
            )
        if self.events is not None:
            lines.append(f"  {'change events':<20} {self.events:>6} recorded")
        return "\n".join(lines)
