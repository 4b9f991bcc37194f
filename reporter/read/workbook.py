"""Read the cells of a checked workbook with python-calamine.

Only this package knows how a workbook is stored. Everything after it works on
`RawWorkbook`: plain rows of Python values per sheet, with the formulas, error
cells, merged ranges and hidden rows the validator reports.

Every other part is checked (package.py) and the sheets scanned (sheetscan.py) in one
child process, while python-calamine reads the cells (calamine.py) in another, each
with a memory ceiling (child.py); the rows are used only when all of that has passed.
(python-calamine takes longest, and so has a core to itself: with the check of the
parts here, a third process, it was measured 0.15 s slower on 100,000 agreements.)
`check_workbook` goes one step further for a caller that wants only a verdict: the
rows stay in the reader's process and are checked there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from ..errors import InputError
from . import child
from .calamine import CellReader, Rows
from .child import Child, ChildDied
from .package import Package, open_package
from .shared import Sharing, Take
from .sheetscan import SheetScan
from .structure import sheet_key

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
        key = sheet_key(name)
        return next((s for n, s in self.sheets.items() if sheet_key(n) == key), None)


def read_workbook(path: Path | str, *, sheets: tuple[str, ...] | None = None) -> RawWorkbook:
    """Check and read a workbook; raise InputError (exit 2) when it cannot be read.

    `sheets` limits reading to the named sheets (case-insensitive); others are skipped.
    """
    with open_package(Path(path)) as package:
        return read_package(package, sheets=sheets)


def read_package(package: Package, *, sheets: tuple[str, ...] | None = None) -> RawWorkbook:
    """Check every part, scan each chosen sheet and read its cells; use the cells only once
    everything has passed.

    The check of the parts with the scan, and python-calamine, each run in a child process
    (child.py), side by side, while this one takes in the rows. Without fork, the check
    and the scan run here first, then python-calamine.
    """
    with _reading(package, sheets) as (reader, scanner):
        scanned = None if child.FORKS else _scanned(package, scanner)  # before calamine here
        failed: InputError | None = None
        try:
            rows = reader.rows()
        except InputError as exc:
            failed = exc  # the scan's verdict first: it says what is wrong with the file
        scanned = scanned or _scanned(package, scanner)
        if failed is not None:
            raise failed
    return _assemble(rows, _Found.of(package, scanned))


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SharedCheck:
    """How a check's work on one large sheet can be shared with a second process (see
    shared.py): `pieces(sheet)`, how many pieces of that work either process may take (0:
    none); `share(workbook, sheet, take)`, the second process's part, taking pieces with
    `take()` (None once none are left), which must pickle; `rest(workbook, sheet, take,
    theirs)`, the rest, taking pieces too, given `theirs()`, the second's part or None when
    it gave none (the pieces it took are then `rest`'s to do); it returns what the check
    would."""

    pieces: Callable[[str], int]
    share: Callable[[RawWorkbook, str, Take], Any]
    rest: Callable[[RawWorkbook, str, Take, Callable[[], Any]], Any]


def check_workbook(path: Path | str, check: Callable[[RawWorkbook], T], *,
                   sheets: tuple[str, ...] | None = None,
                   prepare: Callable[[], object] | None = None,
                   shared: SharedCheck | None = None) -> T:
    """`check(workbook)`, run where the cells were read: as `read_workbook`, but the rows
    never enter this process, only what `check` returns (which must pickle) does.

    The same refusals as `read_workbook`, in the same order. `check` runs only on a
    workbook that passed every check of the file, with the garbage collector as the caller
    left it; an error in `check` itself (a result that does not pickle, a reader that stops
    while checking) is raised here as a RuntimeError, and its running out of memory as the
    InputError `too-much-text`. `prepare()`, if given, runs in a thread beside
    python-calamine (which lets go of Python's lock while it parses), to import or load
    what `check` will need. With `shared`, the check of the largest sheet may be shared
    with a second process: `shared.rest` then returns the result instead of `check`.
    """
    sharing = None
    if shared is not None:
        sharing = Sharing(shared.pieces, partial(_assembled, shared.share),
                          partial(_assembled, shared.rest))
    with open_package(Path(path)) as package, \
            _reading(package, sheets, check=partial(_assembled, check), sharing=sharing,
                     prepare=prepare) as (reader, scanner):
        return reader.checked(_Found.of(package, _scanned(package, scanner)))


@contextmanager
def _reading(package: Package, sheets: tuple[str, ...] | None, **reader: Any
             ) -> Iterator[tuple[CellReader, Child]]:
    """The cell reader and the scan of the chosen sheets (after every other part is
    checked) started, each in its child; both stopped on the way out."""
    scans = package.select(sheets)
    sizes = [package.archive.infos[s.part].file_size for s in scans]
    with CellReader(package.path, package.data, [s.name for s in scans], sizes=sizes,
                    **reader) as cells, \
            Child(lambda: _scan_all(package, scans)) as scanner:
        yield cells, scanner


@dataclass(slots=True)
class _Found:
    """What the package and the scan found, to go with the rows."""

    path: Path
    scans: list[SheetScan]
    date1904: bool
    recalc_on_load: bool
    control_in_shared_strings: bool

    @classmethod
    def of(cls, package: Package, scans: list[SheetScan]) -> _Found:
        return cls(package.path, scans, package.date1904, package.recalc_on_load,
                   package.control_in_shared_strings)


def _assemble(rows: list[Rows], found: _Found) -> RawWorkbook:
    out = {
        scan.name: RawSheet(
            name=scan.name, rows=rows[i], visible=scan.state == "visible", merged=scan.merged,
            formulas=scan.formulas, errors=scan.errors, hidden_rows=scan.hidden_rows,
            control=scan.control or found.control_in_shared_strings)
        for i, scan in enumerate(found.scans)
    }
    return RawWorkbook(path=found.path, sheets=out, date1904=found.date1904,
                       recalc_on_load=found.recalc_on_load)


def _assembled(work: Callable[..., T], rows: list[Rows], found: _Found, *args: Any) -> T:
    """`work` (a check, or its share or rest) on the workbook the rows and findings make."""
    return work(_assemble(rows, found), *args)


def _scan_all(package: Package, scans: list[SheetScan]):
    """Check every part but the sheets, then scan the sheets in turn: ("parts", whether
    the shared strings may hold control characters), then ("scan", SheetScan) each; or
    ("refused", why) and stop."""
    try:
        package.check_parts(skip={s.part for s in scans})
        yield ("parts", package.control_in_shared_strings)
        for scan in scans:
            package.scan(scan)
            yield ("scan", scan)
    except InputError as exc:
        yield ("refused", (exc.message, exc.code))


def _scanned(package: Package, scanner: Child) -> list[SheetScan]:
    out: list[SheetScan] = []
    try:
        for kind, payload in scanner.items():
            if kind == "refused":
                message, code = payload
                raise InputError(message, path=package.path, code=code)
            if kind == "parts":
                package.control_in_shared_strings = payload
                continue
            if kind == "error":  # only the memory ceiling: the scan keeps no more than limits
                raise InputError("checking the sheets needs more memory than reporter allows; "
                                 "split the register into several workbooks",
                                 path=package.path, code="too-much-text")
            out.append(payload)
    except ChildDied as died:  # the scan is reporter's own code: this is a bug
        raise RuntimeError(f"the sheet scan stopped: {died}") from None
    return out
