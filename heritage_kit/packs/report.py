"""A validation report: every problem with its file, record and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Problem", "ValidationReport"]


@dataclass(frozen=True)
class Problem:
    file: str  # e.g. "pois.geojson" (or the pack path for pack-level problems)
    message: str
    record: str | None = None  # feature id, or "#index" when it has no usable id
    field: str | None = None  # dotted path inside the record, e.g. "name.fr"
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = self.file
        if self.record is not None:
            where += f" [{self.record}]"
        if self.field:
            where += f" {self.field}"
        tag = "" if self.severity == "error" else " (warning)"
        return f"{where}: {self.message}{tag}"


@dataclass
class ValidationReport:
    path: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, file: str, message: str, record: str | None = None, field: str | None = None,
            severity: Literal["error", "warning"] = "error") -> None:
        self.problems.append(Problem(file, message, record, field, severity))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def format(self, limit: int | None = None) -> str:
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"  - {p}" for p in shown]
        if limit is not None and len(self.problems) > limit:
            lines.append(f"  … and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        if self.ok and not self.problems:
            return f"{self.path}: valid"
        head = f"{self.path}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        return head + "\n" + self.format()
