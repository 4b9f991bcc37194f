"""Problems found in a workbook: data with a stable code and the cell to fix.

Every check in `validate` produces `Problem` objects instead of raising, so one
run reports everything. The codes below are a contract: tools that read
`reporter validate --format json` rely on them, so codes are only ever added.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


#: code -> (severity, short title). The README lists the same table.
CODES: dict[str, tuple[Severity, str]] = {
    # structure
    "missing-sheet": (Severity.ERROR, "A required sheet is missing"),
    "missing-column": (Severity.ERROR, "A required column is missing"),
    "duplicate-column": (Severity.ERROR, "Two columns have the same header"),
    "extra-column": (Severity.WARNING, "A column reporter does not know (kept, not checked)"),
    "header-moved": (Severity.WARNING, "The header row is not on row 1"),
    "hidden-sheet": (Severity.WARNING, "A sheet is hidden (it is read all the same)"),
    "hidden-rows": (Severity.WARNING, "Rows are hidden (they are read all the same)"),
    "lists-missing": (Severity.WARNING, "The Lists sheet is missing (built-in lists used)"),
    "merged-cells": (Severity.ERROR, "Merged cells inside the data"),
    # cells
    "required": (Severity.ERROR, "A required cell is empty"),
    "not-a-date": (Severity.ERROR, "Not a date"),
    "ambiguous-date": (Severity.ERROR, "A date that can be read two ways"),
    "date-out-of-range": (Severity.ERROR, "A date outside the plausible range"),
    "not-a-number": (Severity.ERROR, "Not a number"),
    "not-finite": (Severity.ERROR, "A number that is infinite or not a number"),
    "not-a-quantity": (Severity.ERROR, "Not a quantity reporter can read"),
    "unit-conflict": (Severity.ERROR, "The value's unit disagrees with the Unit cell"),
    "qualifier-conflict": (Severity.ERROR, "The value's qualifier disagrees with the Qualifier cell"),
    "not-text": (Severity.ERROR, "A true/false value where text is expected"),
    "not-in-list": (Severity.ERROR, "A value that is not in the Lists sheet"),
    "unknown-source": (Severity.ERROR, "A source id that is not in the registry"),
    "duplicate-id": (Severity.ERROR, "An ID used twice"),
    "unknown-meeting": (Severity.ERROR, "A Meeting ID that is not on the Meetings sheet"),
    "formula-no-result": (Severity.ERROR, "A formula with no saved result"),
    "formula-not-calculated": (Severity.ERROR, "A formula saved by a program that does not calculate"),
    "formula-result": (Severity.WARNING, "A formula (its saved result is used)"),
    "error-cell": (Severity.ERROR, "An error value such as #REF!"),
    "text-too-long": (Severity.ERROR, "Text longer than a cell can hold"),
    "control-characters": (Severity.WARNING, "Invisible control characters (removed)"),
    "time-dropped": (Severity.WARNING, "A date with a time of day (the time is ignored)"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a workbook, at the place the user must fix it."""

    code: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    value: Any = None
    severity: Severity = field(default=Severity.ERROR)

    def __post_init__(self) -> None:
        if self.code not in CODES:  # pragma: no cover - a programming error
            raise ValueError(f"unknown problem code {self.code!r}")

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.sheet and self.row:
            return f"{self.sheet} row {self.row}"
        return self.sheet or "workbook"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": json_value(self.value),
            "message": self.message,
        }


def problem(code: str, message: str, **where: Any) -> Problem:
    """A Problem with the code's default severity."""
    return Problem(code=code, message=message, severity=CODES[code][0], **where)


def json_value(value: Any) -> Any:
    """The value as typed, in a form JSON can carry."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
