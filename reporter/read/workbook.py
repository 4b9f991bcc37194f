"""Read the cells of a checked workbook with python-calamine.

Only this package knows how a workbook is stored. Everything after it works on
`RawWorkbook`: plain rows of Python values per sheet, with the formulas, error
cells, merged ranges and hidden rows the validator reports.

python-calamine reads the cells in a child process with a memory ceiling
(calamine.py) while this process checks every part and scans every sheet
(package.py, sheetscan.py); its rows are used only when all of that has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .calamine import CellReader
from .package import Package, open_package

Cell = Any  # str | int | float | bool | date | datetime | time | timedelta


@dataclass(slots=True)
class RawSheet:
    name: str
    #: rows[i][j] is the value of Excel row i+1, column j+1 ('' when empty)
    rows: list[list[Cell]]
    visible: bool = True
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 (0-based)
    formulas: dict[str, tuple[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    hidden_rows: list[int] = field(default_factory=list)
    #: Some text cell may hold control characters (so cells are checked one by one).
    control: bool = True


@dataclass(slots=True)
class RawWorkbook:
    path: Path
    sheets: dict[str, RawSheet]
    date1904: bool = False
    recalc_on_load: bool = False

    def find(self, name: str) -> RawSheet | None:
        """A sheet by name, ignoring case and surrounding spaces."""
        if name in self.sheets:
            return self.sheets[name]
        key = name.strip().casefold()
        return next((s for n, s in self.sheets.items() if n.strip().casefold() == key), None)


def read_workbook(path: Path | str, *, sheets: tuple[str, ...] | None = None) -> RawWorkbook:
    """Check and read a workbook; raise InputError (exit 2) when it cannot be read.

    `sheets` limits reading to the named sheets (case-insensitive); others are skipped.
    """
    with open_package(Path(path)) as package:
        return read_package(package, sheets=sheets)


def read_package(package: Package, *, sheets: tuple[str, ...] | None = None) -> RawWorkbook:
    """Check every part and scan each chosen sheet while python-calamine reads the cells in
    a child process (calamine.py); use its rows only once everything has passed."""
    scans = package.select(sheets)
    sheet_parts = {s.part for s in scans}
    with CellReader(package.path, package.data, [s.name for s in scans]) as reader:
        package.check_parts(skip=sheet_parts)
        for scan in scans:
            package.scan(scan)
        rows = reader.rows()
    out = {
        scan.name: RawSheet(
            name=scan.name, rows=rows[i], visible=scan.state == "visible", merged=scan.merged,
            formulas=scan.formulas, errors=scan.errors, hidden_rows=scan.hidden_rows,
            control=scan.control or package.control_in_shared_strings)
        for i, scan in enumerate(scans)
    }
    return RawWorkbook(path=package.path, sheets=out, date1904=package.date1904,
                       recalc_on_load=package.recalc_on_load)
