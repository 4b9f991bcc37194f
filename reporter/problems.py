"""Problems found in a workbook: data with a stable code and the cell to fix.

Every check in `validate` produces `Problem` objects instead of raising, so one
run reports everything. The codes are a contract (see codes.py): tools that read
`reporter validate --format json` rely on them, so codes are only ever added.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from .codes import PROBLEM_CODES, Severity
from .text import printable

#: code -> (severity, short title); registered with every other code in codes.py.
CODES = PROBLEM_CODES


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
        # Messages, sheet names and headers quote the workbook, and are printed to a
        # terminal: characters that could steer it (ESC...) never reach it.
        for name in ("message", "sheet", "column"):
            text = getattr(self, name)
            if text is not None and not text.isprintable():
                object.__setattr__(self, name, printable(text))

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
    return Problem(code=code, message=message, severity=CODES[code].severity, **where)


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
