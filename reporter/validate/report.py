"""What validation found: problems collected as a run goes, and the report it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..problems import Problem, Severity, problem


@dataclass(slots=True)
class Report:
    """The outcome of validation: every problem, and counts."""

    workbook: str
    problems: list[Problem]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "ok": self.ok,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "stats": self.stats,
        }


class Findings:
    """Problems as a run finds them; sorted by sheet, row and column at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, message: str, **where: Any) -> None:
        self.problems.append(problem(code, message, **where))

    def sorted(self, sheet_order: list[str]) -> list[Problem]:
        order = {name: i for i, name in enumerate(sheet_order)}
        return sorted(self.problems, key=lambda p: (
            order.get(p.sheet or "", -1 if p.sheet is None else 99), p.row or 0,
            _column_order(p.cell)))


def hint(suggestion: str | None) -> str:
    """' (did you mean 'x'?)', or nothing."""
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def _column_order(cell: str | None) -> int:
    if not cell:
        return -1
    n = 0
    for ch in cell.rstrip("0123456789"):
        n = n * 26 + ord(ch) - 64
    return n
