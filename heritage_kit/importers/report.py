"""What an import read, kept, dropped and why (never silent loss)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from heritage_kit.packs.report import Problem

__all__ = ["ImportReport"]


@dataclass
class ImportReport:
    """Counts and problems of one import.

    ``problems`` holds every record that could not be imported (with its file,
    record id or index and field); ``skipped`` counts records left out on
    purpose (outside the clip area, no tag of interest, no name...).
    """

    source: str
    read: int = 0
    imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, *, record: str | None = None, field: str | None = None,
            severity: str = "error") -> None:
        self.problems.append(Problem(self.source, message, record, field, severity))  # type: ignore[arg-type]

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] += n

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def merge(self, other: "ImportReport") -> None:
        self.read += other.read
        self.imported += other.imported
        self.skipped.update(other.skipped)
        self.problems.extend(other.problems)

    def summary(self) -> str:
        parts = [f"{self.source}: read {self.read}, imported {self.imported}"]
        if self.skipped:
            parts.append("skipped " + ", ".join(f"{n} {why}" for why, n in self.skipped.most_common()))
        if self.problems:
            parts.append(f"{len(self.problems)} problem(s)")
        text = "; ".join(parts)
        for p in self.problems[:20]:
            text += f"\n  - {p}"
        if len(self.problems) > 20:
            text += f"\n  … and {len(self.problems) - 20} more"
        return text

    def __str__(self) -> str:
        return self.summary()
