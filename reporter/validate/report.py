"""What validation found: problems collected as a run goes, and the report it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter
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
    """Problems as a run finds them, in sheet, row and column order at the end; of those, the
    first LISTED are kept and the rest counted. Which are kept does not depend on the order
    they were found in, so a run whose work was shared (`merge`) keeps what one run would."""

    def __init__(self, sheet_order: list[str]) -> None:
        self.order = {name: i for i, name in enumerate(sheet_order)}
        self.kept: list[tuple[tuple[int, int, int, int], Problem]] = []
        self.not_listed = {"errors": 0, "warnings": 0}

    def add(self, code: str, message: str, **where: Any) -> None:
        found = problem(code, message, **where)
        self.kept.append(((self.order.get(found.sheet or "", -1 if found.sheet is None else 99),
                           found.row or 0, _column_order(found.cell), len(self.kept)), found))
        if len(self.kept) >= 2 * LISTED:  # memory stays bounded however many there are
            self._keep_first()

    def merge(self, other: Findings) -> None:
        """Take in what another part of the same run found (after all of this part's own:
        at the same cell, its problems come after these)."""
        base = len(self.kept) + 2 * LISTED
        self.kept += [((*key[:3], base + key[3]), p) for key, p in other.kept]
        for severity, n in other.not_listed.items():
            self.not_listed[severity] += n
        self._keep_first()

    def sorted(self) -> list[Problem]:
        self._keep_first()
        return [p for _, p in self.kept]

    def _keep_first(self) -> None:
        self.kept.sort(key=itemgetter(0))
        for _, p in self.kept[LISTED:]:
            self.not_listed["errors" if p.severity is Severity.ERROR else "warnings"] += 1
        # renumbered, so that what is added later still comes after at the same cell
        self.kept = [((*key[:3], i), p) for i, (key, p) in enumerate(self.kept[:LISTED])]


def hint(suggestion: str | None) -> str:
    """' (did you mean 'x'?)', or nothing."""
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def _column_order(cell: str | None) -> int:
    if not cell:
        return -1
    return column_number(cell.rstrip("0123456789"))
