"""Read the cells of a checked workbook with python-calamine.

Only this module (and `package.py`) knows how a workbook is stored. Everything
after it works on `RawWorkbook`: plain rows of Python values per sheet, with
the formulas, error cells, merged ranges and hidden rows the validator reports.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from .package import Package, check_sheets, open_package, scan_details

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
    path = Path(path)
    package = open_package(path)
    return read_package(package, sheets=sheets)


def read_package(package: Package, *, sheets: tuple[str, ...] | None = None) -> RawWorkbook:
    """Parse the cells with python-calamine, on a second thread.

    python-calamine releases the GIL while it parses a sheet, so the checks this
    thread runs meanwhile (`check_sheets` first, which parsing waits for, then
    `scan_details`) cost little wall time.
    """
    import python_calamine as pc

    path = package.path
    wanted = {s.casefold() for s in sheets} if sheets else None
    scans = [s for s in package.sheets
             if wanted is None or s.name.strip().casefold() in wanted]
    parsed: list[Any] = []
    failed: list[BaseException] = []
    checked = threading.Event()
    refused = threading.Event()

    def parse() -> None:
        try:
            book = pc.CalamineWorkbook.from_filelike(io.BytesIO(package.data))
            try:
                checked.wait()
                if not refused.is_set():
                    parsed.extend(book.get_sheet_by_name(scan.name) for scan in scans)
            finally:
                book.close()
        except BaseException as exc:  # re-raised on the calling thread
            failed.append(exc)

    worker = threading.Thread(target=parse, name="reporter-read", daemon=True)
    worker.start()
    try:
        try:
            check_sheets(package)
        except BaseException:
            refused.set()
            raise
        finally:
            checked.set()
        scan_details(package)
    finally:
        checked.set()
        worker.join()
    try:
        if failed:
            raise failed[0]
        out: dict[str, RawSheet] = {}
        for scan, sheet in zip(scans, parsed, strict=True):
            merged = [
                (r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
            ]
            out[scan.name] = RawSheet(
                name=scan.name, rows=sheet.to_python(skip_empty_area=False),
                visible=scan.state == "visible", merged=merged,
                formulas=scan.formulas, errors=scan.errors, hidden_rows=scan.hidden_rows,
                control=scan.control or package.control_in_shared_strings,
            )
    except pc.PasswordError:
        raise InputError("the workbook is protected with a password; remove it in Excel and save "
                         "the workbook",
                         path=path, code="encrypted") from None
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # CalamineError, ValueError...; a panic in the Rust reader too
        raise InputError(
            f"the workbook's contents are damaged and cannot be read ({_short(exc)}). "
            "Open it in Excel or LibreOffice and save it anew",
            path=path, code="corrupt-file",
        ) from None
    return RawWorkbook(path=path, sheets=out, date1904=package.date1904,
                       recalc_on_load=package.recalc_on_load)


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
