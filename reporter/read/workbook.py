"""Read the cells of a checked workbook with python-calamine.

Only this package knows how a workbook is stored. Everything after it works on
`RawWorkbook`: plain rows of Python values per sheet, with the formulas, error
cells, merged ranges and hidden rows the validator reports.

python-calamine sizes a sheet's grid by its furthest filled cell and keeps every
cell it reads, so it may parse a sheet only once the scan (sheetscan.py) has read
that sheet's part to its end within the limits. It parses on a second thread (it
releases the GIL while it parses), one sheet behind the scan: while it parses a
sheet, the scan reads the next.
"""

from __future__ import annotations

import io
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from .package import Package, open_package
from .sheetscan import SheetScan

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
    """Scan each chosen sheet, then let python-calamine parse it (see the module's notes)."""
    scans = package.select(sheets)
    sheet_parts = {s.part for s in scans}
    package.unpack_parts(skip=sheet_parts)
    reader = _CellReader(package)
    try:
        for scan in scans:
            package.scan(scan)
            reader.parse(scan)
        package.parse_parts(skip=sheet_parts)  # while the last sheets are parsed
    except BaseException:
        reader.stop()
        raise
    rows = reader.finish()
    out = {
        scan.name: RawSheet(
            name=scan.name, rows=rows[i], visible=scan.state == "visible", merged=scan.merged,
            formulas=scan.formulas, errors=scan.errors, hidden_rows=scan.hidden_rows,
            control=scan.control or package.control_in_shared_strings)
        for i, scan in enumerate(scans)
    }
    return RawWorkbook(path=package.path, sheets=out, date1904=package.date1904,
                       recalc_on_load=package.recalc_on_load)


class _CellReader:
    """python-calamine on a second thread, parsing the sheets it is handed, in order."""

    def __init__(self, package: Package):
        self.path = package.path
        self.data = package.data
        self.todo: queue.SimpleQueue[SheetScan | None] = queue.SimpleQueue()
        self.rows: list[list[list[Cell]]] = []
        self.failed: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, name="reporter-read", daemon=True)
        self.thread.start()

    def parse(self, scan: SheetScan) -> None:
        self.todo.put(scan)

    def stop(self) -> None:
        """The scan refused the file: parse nothing more, and wait for the thread."""
        self.failed.append(_Stopped())
        self.todo.put(None)
        self.thread.join()

    def finish(self) -> list[list[list[Cell]]]:
        self.todo.put(None)
        self.thread.join()
        if self.failed:
            raise _as_input_error(self.path, self.failed[0])
        return self.rows

    def _run(self) -> None:
        import python_calamine as pc

        try:
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(self.data))
            try:
                while (scan := self.todo.get()) is not None and not self.failed:
                    sheet = book.get_sheet_by_name(scan.name)
                    self.rows.append(sheet.to_python(skip_empty_area=False))
                    del sheet
            finally:
                book.close()
        except BaseException as exc:  # re-raised on the calling thread
            self.failed.append(exc)


class _Stopped(Exception):
    pass


def _as_input_error(path: Path, exc: BaseException) -> BaseException:
    import python_calamine as pc

    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError | InputError):
        return exc
    if isinstance(exc, pc.PasswordError):
        return InputError("the workbook is protected with a password; remove it in Excel and save "
                          "the workbook", path=path, code="encrypted")
    # CalamineError, ValueError...; a panic in the Rust reader (a BaseException) too
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputError(f"the workbook's contents are damaged and cannot be read ({text[:200]}). "
                      "Open it in Excel or LibreOffice and save it anew",
                      path=path, code="corrupt-file")
