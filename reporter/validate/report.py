"""What validation found: problems collected as a run goes, and the report it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..problems import Problem, Severity, problem
from ..schema import column_number

#: Problems a report lists. Past it they are counted, not kept: a column typed wrongly
#: all the way down gives one per row, and 500,000 of them took gigabytes to keep and
#: minutes to print, to say what the first few say.
LISTED = 10_000


@dataclass(slots=True)
class Report:
    """The outcome of validation: every problem (the first LISTED), and counts."""

    workbook: str
    problems: list[Problem]
    stats: dict[str, Any] = field(default_factory=dict)
    #: Problems found past LISTED, by severity ('errors', 'warnings').
    not_listed: dict[str, int] = field(default_factory=lambda: {"errors": 0, "warnings": 0})

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def error_count(self) -> int:
        """All errors found, listed or not."""
        return len(self.errors) + self.not_listed["errors"]

    @property
    def warning_count(self) -> int:
        return len(self.warnings) + self.not_listed["warnings"]

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "ok": self.ok,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "not_listed": dict(self.not_listed),
            "stats": self.stats,
        }


class Findings:
    """Problems as a run finds them (the first LISTED kept, the rest counted); sorted by
    sheet, row and column at the end."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.not_listed = {"errors": 0, "warnings": 0}

    def add(self, code: str, message: str, **where: Any) -> None:
        found = problem(code, message, **where)
        if len(self.problems) < LISTED:
            self.problems.append(found)
        else:
            self.not_listed["errors" if found.severity is Severity.ERROR else "warnings"] += 1

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
    return column_number(cell.rstrip("0123456789"))
