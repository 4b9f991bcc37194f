"""Scan one worksheet part with a streaming XML parser (expat), before any cell is read.

The parser, not a pattern over the bytes, decides what a cell is: quoting,
whitespace and line breaks inside tags, namespace prefixes (`<x:c>`) and
character references (`r="&#88;FD1"`) reach this code already resolved. One pass
collects what the cell reader (python-calamine) must not meet or does not report:

- where the furthest cell with a value is, and how many there are, refused as soon
  as either passes a limit (python-calamine sizes its grid by the furthest cell);
- formulas with their saved results, error cells (`t="e"`), hidden rows, merged
  ranges, rows stored out of order;
- a shared-text cell (`t="s"`) whose index is not a number (python-calamine reads
  `<v>abc</v>` as the first shared text, so a damaged file would show another cell's
  text): its value's bytes are matched where expat found it, and its exact text read
  only when they are not plain digits (a chunk's edge, a character reference, a fault).

Elements are matched by local name in any namespace, as python-calamine matches
them. A cell counts as filled once a `v` or `is` element starts inside it; with no
end-of-element events (which would double the cost), a cell is "inside" until the
next cell or row starts, which can only over-count, never miss, a filled cell.
Cells without a reference are placed as python-calamine places them (counting),
again erring towards further away. Only the start of elements reaches Python;
formula and error texts are collected by handlers switched on for just that element.

Most sheets are written plainly, and for them a call per element is most of the
cost: when the part fits in memory, its `<sheetData>` is first offered to a grammar
(plainsheet.py), and when that accepts it whole, expat parses those bytes with no
handler at all, or not at all when their text is proven well-formed (as Excel,
xlsxwriter and openpyxl write it). Anything the grammar does not accept, and any row
or cell outside `<sheetData>` after it, is scanned as above; both ways find the same.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from xml.parsers import expat

from ..errors import InputError
from ..schema import LIMITS, column_letter, column_number
from .plainsheet import PlainRows, read_plain, well_formed
from .xmlsafety import NS_SEP, ControlHint, controls_left, element_at, feed, make_parser, stop

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's own grid

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL, _VALUE, _FORMULA, _MERGE, _SHEET, _OTHER = range(7)
#: Parts up to this size are read whole, so that their <sheetData> can go to the grammar.
WHOLE_BYTES = 256 * 2**20
# Children of <worksheet> after <sheetData>: once one starts, no formula text belongs
# to the last cell (an <xm:f> in an extension list is not a cell's formula).
_SHEET_LEVEL = frozenset((
    "sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst",
))
_KIND_OF_LOCAL = {"row": _ROW, "c": _CELL, "v": _VALUE, "is": _VALUE, "f": _FORMULA,
                  "mergeCell": _MERGE, **dict.fromkeys(_SHEET_LEVEL, _SHEET)}
_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
#: Column letters within the column limit -> column number (1-based): the fast path.
_COLUMNS = {column_letter(i): i + 1 for i in range(702)}


@dataclass(slots=True)
class SheetScan:
    """What the XML of one worksheet says beyond its values."""

    name: str
    part: str
    state: str = "visible"
    #: cell ref -> (formula as typed, saved result text or '' when there is none)
    formulas: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: cell ref -> error text such as '#REF!'
    errors: dict[str, str] = field(default_factory=dict)
    hidden_rows: list[int] = field(default_factory=list)
    #: merged ranges, 0-based (first row, first column, last row, last column)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    valued_cells: int = 0
    #: The furthest filled row and column (1-based; 0 when the sheet has no value).
    last_row: int = 0
    last_column: int = 0
    #: The sheet's text may hold control characters (ControlHint).
    control: bool = False


class _Window:
    """The chunk expat is parsing, and where it starts in the part."""

    __slots__ = ("base", "data")

    def __init__(self) -> None:
        self.data, self.base = b"", 0


#: A shared-text cell's value as Excel writes it, from its start tag: 1 to 10 digits.
_PLAIN_INDEX = re.compile(rb"<[^<>=]{1,40}>[0-9]{1,10}<")


def column_name(n: int) -> str:
    """1 -> A, 27 -> AA."""
    return column_letter(n - 1)


def scan_sheet(path: Path, sheet: SheetScan, part: str, chunks: Iterable[bytes],
               cells_before: int = 0, *, plain: bool = True) -> None:
    """Parse a worksheet part to its end, filling `sheet`; raise InputError at the first
    cell past a limit, a damaged or hostile part, or rows out of order.

    `cells_before` is the filled cells of the sheets already scanned (one limit covers all).
    `plain=False` never offers the rows to the grammar: for a part too large to hold whole
    (its declared size is known beforehand), and to compare the two ways.
    """
    pieces = iter(chunks)
    whole = bytearray()
    if plain:
        for chunk in pieces:
            whole += chunk
            if len(whole) > WHOLE_BYTES:
                break
        else:
            found = SheetScan(sheet.name, sheet.part, sheet.state)  # nothing half-filled
            if _scan_whole(path, found, part, whole, cells_before):
                for f in fields(SheetScan):
                    setattr(sheet, f.name, getattr(found, f.name))
                return
    _scan_stream(path, sheet, part, itertools.chain(_pieces(whole), pieces), cells_before)


def _pieces(data: bytearray, size: int = 1 << 20) -> Iterator[bytes]:
    """Bytes held whole, handed to the full scan in pieces and let go of once handed over
    (the scan keeps only the piece it is parsing)."""
    for i in range(0, len(data), size):
        yield bytes(data[i:i + size])
    data.clear()


def _scan_stream(path: Path, sheet: SheetScan, part: str, chunks: Iterable[bytes],
                 cells_before: int) -> None:
    """The full scan, piece by piece: every element start reaches the handler."""
    scanner = _Scanner(path, sheet, part, cells_before)
    hint = ControlHint(scanner.parser)
    window = scanner.window
    for chunk in chunks:
        hint.feed(chunk)
        window.base += len(window.data)
        window.data = chunk
        feed(scanner.parser, path, part, chunk)
    feed(scanner.parser, path, part, b"", True)
    scanner.finish()
    sheet.control = hint.found


def _scan_whole(path: Path, sheet: SheetScan, part: str, data: bytearray,
                cells_before: int) -> bool:
    """A part held whole: what comes before and after <sheetData> goes to the handler,
    and <sheetData> too unless the grammar accepts it. False when a row or cell after an
    accepted <sheetData> means the part must be scanned again in full."""
    scanner = _Scanner(path, sheet, part, cells_before)
    hint = ControlHint(scanner.parser)
    hint.feed(data)
    bound = _InScope(scanner.parser)
    scanner.window.data = data
    view = memoryview(data)
    at = element_at(path, part, view, "sheetData")
    rest, skipped, control = 0, False, hint.found
    if at is not None:
        feed(scanner.parser, path, part, view[:at])
        rows = scanner.take_plain(data, at)
        rest = at
        if rows is not None:
            parser = scanner.parser
            parser.StartElementHandler = None
            skipped = well_formed(data, at, rows.end, encoding=hint.encoding,
                                  prefixes=bound.prefixes(), controls=hint.found)
            # Rows known to be well-formed stand in as an empty <sheetData/>; else expat
            # parses them, with no handler: it checks the bytes.
            feed(parser, path, part, b"<sheetData/>" if skipped else view[at:rows.end])
            parser.StartElementHandler = scanner.after_plain
            rest = rows.end
            # Cells' text is all within <sheetData>: once its rows are proven, only what
            # could be left in them counts.
            control = control and (not skipped or controls_left(data, at, rest))
    try:
        feed(scanner.parser, path, part, view[rest:], True)
    except _Again:
        return False
    except InputError:
        if skipped:  # expat's line and column count the stand-in: its words on the real bytes
            return False
        raise
    scanner.finish()
    sheet.control = control
    return True


class _InScope:
    """The namespace prefixes bound where expat is, kept by its handlers."""

    def __init__(self, parser: expat.XMLParserType):
        self._bound: dict[str, int] = {}
        parser.StartNamespaceDeclHandler = self._start
        parser.EndNamespaceDeclHandler = self._end

    def _start(self, prefix: str | None, _uri: str) -> None:
        self._bound[prefix or ""] = self._bound.get(prefix or "", 0) + 1

    def _end(self, prefix: str | None) -> None:
        self._bound[prefix or ""] -= 1

    def prefixes(self) -> frozenset[str]:
        return frozenset(p for p, n in self._bound.items() if n > 0)


class _Again(Exception):
    """A row or cell after a <sheetData> the grammar accepted: scan the part in full."""


class _Bounds:
    """What one sheet's scan holds it to, each refusal in its own words: cell references
    within the grid, the limits on cells, columns, rows and area, rows in order, and no
    more kept (formulas, error cells, merged ranges, hidden rows) than the cell limit."""

    def __init__(self, path: Path, sheet: SheetScan, cells_before: int):
        self.path, self.sheet = path, sheet
        self.cells_left = LIMITS["cells"] - cells_before
        self.notes = 0  # formulas, error cells, merged ranges, hidden rows kept (note)
        self.last_row_seen = 0

    def locate(self, ref: str | None, row: int = 0, column: int = 0) -> tuple[int, int]:
        """A cell's (row, column) when the fast path cannot tell: an unusual reference, or
        none at all (then counted on from the previous cell, as python-calamine does)."""
        if ref is None:
            return (row or 1, column + 1)
        found = cell_position(ref)
        if found is None:
            raise stop(self.refuse(f"has a cell whose reference {ref[:40]!r} is not a cell "
                                   "reference", "corrupt-file", "Open it in Excel and save it "
                                   "anew"))
        if not (1 <= found[0] <= MAX_ROWS and found[1] <= MAX_COLUMNS):
            raise stop(self.refuse(f"has a cell {ref!r} outside any worksheet's grid",
                                   "cell-out-of-range", "Open it in Excel and save it anew"))
        return found

    def grow(self, row: int, column: int, count: int, max_row: int, max_column: int
             ) -> tuple[int, int]:
        """A filled cell further out than any before it (or one past the cell limit)."""
        if count > self.cells_left:
            raise stop(InputError(
                f"the workbook holds more than {LIMITS['cells']:,} filled cells, reporter's "
                "limit. Split the register into several workbooks", path=self.path,
                code="too-many-cells"))
        if column > LIMITS["columns"]:
            raise stop(self.refuse(
                f"has a value in cell {column_name(column)}{row}, beyond column "
                f"{column_name(LIMITS['columns'])} (the limit is {LIMITS['columns']} columns)",
                "cell-out-of-range", "Delete that cell or move its value"))
        if row > LIMITS["rows"] + 20:
            raise stop(self.refuse(
                f"has a value on row {row:,}, beyond reporter's limit of {LIMITS['rows']:,} "
                "rows", "cell-out-of-range", "Delete the stray cells below the data, or split "
                "the register into several workbooks"))
        max_row, max_column = max(row, max_row), max(column, max_column)
        if max_row * max_column > LIMITS["area"]:
            raise stop(self.area(max_row, max_column))
        return max_row, max_column

    def in_order(self, row: int) -> None:
        """A row starts: after every row before it."""
        if row <= self.last_row_seen:
            raise stop(self.refuse("stores its rows out of order, which Excel never does; "
                                   "the file was damaged or made by a faulty program",
                                   "corrupt-file", "Open it in Excel and save it anew"))
        self.last_row_seen = row

    def note(self) -> None:
        """One more formula, error cell, merged range or hidden row to keep: as many as the
        cell limit, so that what the scan keeps is bounded too."""
        self.notes += 1
        if self.notes > LIMITS["cells"]:
            raise stop(self.refuse(
                f"has more than {LIMITS['cells']:,} formulas, error cells, merged ranges and "
                "hidden rows", "too-many-cells", "Split the register into several workbooks"))

    def area(self, rows: int, columns: int) -> InputError:
        return self.refuse(
            f"fills an area of {rows:,} rows by {columns} columns up to its furthest value "
            f"({column_name(columns)}{rows}): {rows * columns:,} cells to read, more than "
            f"reporter's limit of {LIMITS['area']:,}", "area-too-large",
            "Delete the stray cells far from the data, or split the register into several "
            "workbooks")

    def refuse(self, what: str, code: str, fix: str) -> InputError:
        return InputError(f"sheet {self.sheet.name!r} {what}. {fix}", path=self.path, code=code)


class _Scanner:
    """The expat handlers for one sheet.

    The handler every element start reaches is a closure over plain local variables
    (`_handler`): at a million cells, attribute look-ups on an object would double
    the cost of the scan. What happens once per row or more rarely is a method.
    """

    def __init__(self, path: Path, sheet: SheetScan, part: str, cells_before: int):
        self.path, self.sheet, self.part = path, sheet, part
        self.bounds = _Bounds(path, sheet, cells_before)
        self.capture: list[str] = []
        # expat interns element names here; seeded, so that SpreadsheetML's are these objects
        self.names = {n: n for n in (f"{_MAIN}{NS_SEP}c", f"{_MAIN}{NS_SEP}v")}
        self.parser = make_parser(path, part, intern=self.names)
        self.parser.ordered_attributes = True
        self.window = _Window()
        self.parser.StartElementHandler, self.counts, self._absorb = self._handler()
        self.start = self.parser.StartElementHandler
        self.closed = False  # after accepted rows: a sheet-level element has started

    def _handler(self):  # one closure, kept together for speed
        kinds: dict[str, int] = {}
        cell_name, value_name = self.names[f"{_MAIN}{NS_SEP}c"], self.names[f"{_MAIN}{NS_SEP}v"]
        columns, attr, locate = _COLUMNS, _attr, self.bounds.locate
        parser, window, plain_index = self.parser, self.window, _PLAIN_INDEX.match
        row, row_text, row_len = 0, "", 0
        at_row = at_col = 0
        further = cell_open = watched = error_cell = shared = False
        count = max_row = max_col = 0
        left = self.bounds.cells_left
        # The kinds as literals below (1 cell, 2 value, 0 row...): a constant compares faster
        # than a global, and this runs twice per cell.
        assert (_ROW, _CELL, _VALUE, _FORMULA, _MERGE, _SHEET) == (0, 1, 2, 3, 4, 5)

        def start(name: str, attrs: list[str]) -> None:
            nonlocal row, row_text, row_len, at_row, at_col, further, cell_open, watched
            nonlocal error_cell, shared
            nonlocal count, max_row, max_col
            if name is value_name:  # SpreadsheetML's own names, interned: the usual case
                kind = 2
            elif name is cell_name:
                kind = 1
            else:
                kind = kinds.get(name)
                if kind is None:
                    kind = kinds[name] = _KIND_OF_LOCAL.get(name.rpartition(NS_SEP)[2], _OTHER)
            if kind == 1:  # a cell
                ref = attrs[1] if attrs and attrs[0] == "r" else attr(attrs, "r")
                if row_len and ref is not None and ref.endswith(row_text) and (
                        column := columns.get(ref[:-row_len])):
                    at_row = row
                    at_col = column
                else:
                    at_row, at_col = locate(ref, row, at_col)
                further = at_col > max_col or at_row > max_row  # counts once it has a value
                cell_open = True
                # An error cell (t="e"): its value's text is wanted. 'e' in the list is cheap.
                watched = error_cell = "e" in attrs and attr(attrs, "t") == "e"
                # t="s", written last by Excel and most writers; else looked for
                shared = (attrs[-1] == "s" and attrs[-2] == "t") if attrs else False
                if not shared and "t" in attrs:
                    shared = attr(attrs, "t") == "s"
            elif kind == 2:  # v or is: the open cell has a value
                count += 1
                if further or count > left:
                    further = False
                    max_row, max_col = self.bounds.grow(at_row, at_col, count, max_row, max_col)
                if watched and cell_open:
                    self._collect(self._value_end, at_row, at_col, error_cell)
                elif shared and cell_open:
                    shared = False
                    # Digits there, as Excel writes them: the index is one. Anything else
                    # (or a value over the chunk's edge): its exact text is read and judged.
                    at = parser.CurrentByteIndex - window.base  # < 0: begun in a chunk before
                    if at < 0 or plain_index(window.data, at) is None:
                        self._collect(self._index_end, at_row, at_col, False)
            elif kind == 0:  # a row
                row, row_text = self._row(attrs, row)
                row_len = len(row_text)
                further = cell_open = watched = False
                at_col = 0
            elif kind == 3:  # f: a formula in the open cell; its saved value is wanted too
                if cell_open:
                    self._collect(self._formula_end, at_row, at_col, error_cell)
                    watched = True
            elif kind == 4:
                self._merge(attr(attrs, "ref"))
            elif kind == 5:
                cell_open = False  # a filled cell after this is still counted (further)

        def absorb(rows: PlainRows) -> None:
            nonlocal count, max_row, max_col
            count, max_row, max_col = rows.cells, rows.last_filled_row, rows.last_filled_column

        return start, lambda: (count, max_row, max_col), absorb

    # --- rows the grammar accepted (plainsheet.py) -----------------------------------------

    def take_plain(self, data: bytearray, at: int) -> PlainRows | None:
        """The <sheetData> at `at`, if the grammar accepts it and it is within every limit
        (else the handler scans it, and refuses it in its own words); counted as scanned."""
        if self.counts()[0] or self.bounds.last_row_seen or self.parser.EndElementHandler:
            return None  # cells, rows or a text being collected before it: the handler's
        rows = read_plain(data, at, most_cells=self.bounds.cells_left, most_rows=MAX_ROWS)
        if rows is None or not (
                rows.last_filled_row <= LIMITS["rows"] + 20
                and rows.last_filled_row * rows.last_filled_column <= LIMITS["area"]):
            return None
        self._absorb(rows)
        self.bounds.last_row_seen = rows.last_row
        return rows

    def after_plain(self, name: str, attrs: list[str]) -> None:
        """The handler after accepted rows: a row, cell or value there (or a formula before
        any sheet-level element, which the last cell would own) means a full scan."""
        kind = _KIND_OF_LOCAL.get(name.rpartition(NS_SEP)[2], _OTHER)
        if kind in (_ROW, _CELL, _VALUE) or (kind == _FORMULA and not self.closed):
            raise _Again
        self.closed = self.closed or kind == _SHEET
        self.start(name, attrs)

    # --- cells and rows ------------------------------------------------------------------

    def _row(self, attrs: list[str], previous: int) -> tuple[int, str]:
        """A row starts: its number, and that number as written (for the fast path)."""
        text = attrs[1] if attrs and attrs[0] == "r" else _attr(attrs, "r")
        if text is None:
            row, text = previous + 1, ""
        else:
            if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ROWS:
                raise stop(self.bounds.refuse(
                    f"has a row numbered {text[:40]!r}, which is not a row number",
                    "corrupt-file", "Open it in Excel and save it anew"))
            row = int(text)
            if text[0] == "0":
                text = ""  # '007': the slow path reads such references
        self.bounds.in_order(row)
        if "hidden" in attrs and _attr(attrs, "hidden") in ("1", "true"):
            self.bounds.note()
            self.sheet.hidden_rows.append(row)
        return row, text

    def _merge(self, ref: str | None) -> None:
        ends = [self.bounds.locate(r) for r in (ref or "").split(":")]
        if len(ends) == 1:
            ends *= 2
        if len(ends) != 2:
            raise stop(self.bounds.refuse(f"has a merged range {ref!r} that is not a range",
                                          "corrupt-file", "Open it in Excel and save it anew"))
        (r0, c0), (r1, c1) = ends
        self.bounds.note()
        self.sheet.merged.append((r0 - 1, c0 - 1, r1 - 1, c1 - 1))

    # --- formula and error texts: handlers switched on for one element --------------------

    def _collect(self, done, row: int, column: int, error_cell: bool) -> None:
        self.capture = []
        self.parser.CharacterDataHandler = self.capture.append
        self.parser.EndElementHandler = lambda _name: done(
            self._collected(), f"{column_name(column)}{row}", error_cell)

    def _collected(self) -> str:
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None
        return "".join(self.capture)

    def _formula_end(self, text: str, ref: str, _error_cell: bool) -> None:
        self.bounds.note()
        self.sheet.formulas[ref] = ("=" + text, "")

    def _value_end(self, text: str, ref: str, error_cell: bool) -> None:
        if error_cell:
            self.bounds.note()
            self.sheet.errors[ref] = text or "#ERROR"
        if ref in self.sheet.formulas:
            self.sheet.formulas[ref] = (self.sheet.formulas[ref][0], text)

    def _index_end(self, text: str, ref: str, _error_cell: bool) -> None:
        if not (0 < len(text) <= 10 and text.isascii() and text.isdigit()):
            raise stop(self.bounds.refuse(
                f"has a shared-text cell {ref} whose index {text[:40]!r} is not a number",
                "corrupt-file", "Open it in Excel and save it anew"))

    # --- the end -------------------------------------------------------------------------

    def finish(self) -> None:
        count, max_row, max_column = self.counts()
        self.sheet.valued_cells = count
        self.sheet.last_row, self.sheet.last_column = max_row, max_column



def cell_position(ref: str) -> tuple[int, int] | None:
    """'B7' -> (7, 2), 1-based, letters in any case (as python-calamine reads them); None
    for anything that is not letters then digits."""
    m = _REF.fullmatch(ref)
    if m is None:
        return None
    return (int(m.group(2)), column_number(m.group(1).upper()))


def _attr(attrs: list[str], key: str) -> str | None:
    """An attribute from expat's ordered list [name, value, name, value, ...]."""
    for i in range(0, len(attrs), 2):
        if attrs[i] == key:
            return attrs[i + 1]
    return None
