"""Shared pieces of every Excel file reporter writes (xlsxwriter).

Text from a workbook is always written as text, never as a formula, number or URL,
so `=HYPERLINK(...)` or `+cmd` stays text; and characters XML cannot hold are
removed first.

The body of a table (thousands of agreements in a summary) is written by
`TableSheet`, an xlsxwriter worksheet that takes whole rows of plain values and
writes them out as XML text in one go, in about a third of the time xlsxwriter
takes cell by cell (measured: `make bench`'s floor b against the build's render
step). Everything else (the workbook, formats, tables, charts, print settings) is
xlsxwriter's own; a test checks that the rows say what xlsxwriter would have
written for the same values. How a sheet prints is pages.py's to plan, and how much
room text takes, textsize.py's to estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..codes import Status
from ..schema import column_letter
from ..text import xml_safe
from .pages import EASY_WIDTH, plan_pages, set_print
from .textsize import (
    LINE,
    cell_lines,
    chars_per_line,
    display_width,
    line_height,
    longest_word,
    row_height,
)

NAVY = "#1F3864"
MAX_WIDTH = 48
#: A short-text column with more distinct values than this is not weighed letter by letter.
WEIGHED_VALUES = 200

WORKBOOK_OPTIONS = {
    "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    "in_memory": True,
}


class TableSheet(Worksheet):
    """A worksheet that also takes whole rows of plain values: `add_rows`.

    The rows are written as XML text when the sheet is saved, after the cells written
    the usual way, which must all come before them (a table's header row does).

    A row whose text wraps gets a height that shows it whole (`wrap_rows`), stored as a
    height that is not "custom": Excel fits such a row to its text itself, while
    LibreOffice, which does not, takes the height as it stands.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows_xml: list[str] = []  # one per row given, "" for a row with no cells
        self._rows_from: int | None = None
        self._rows: Sequence[Sequence[Any]] = ()
        self._widest: list[int] = []
        self._multiline: list[bool] = []
        self._wrap_widths: Sequence[float] = ()
        self.rows_written = False

    def wrap_rows(self, widths: Sequence[float]) -> None:
        """The table's column widths once they are settled: rows are sized to them."""
        self._wrap_widths = widths

    def add_rows(self, first_row: int, columns: Sequence[tuple[str, Any]],
                 rows: Sequence[Sequence[Any]]) -> list[int]:
        """Write rows of values from first_row down: (kind, format) per column, where
        kind is text, number, int or date. Empty values (None, "") are left out.

        Returns each column's widest text in character widths (Chinese counts two). The
        rows are kept, unchanged, to size them when the sheet is saved.
        """
        widths = [0] * len(columns)
        if not rows:
            return widths
        if self._rows_from is not None:
            raise ValueError("add_rows is called once per sheet")
        self._rows_from = first_row
        self._rows, self._widest = rows, widths
        multiline = self._multiline = [False] * len(columns)
        letters = [column_letter(j) for j in range(len(columns))]
        styles = [fmt._get_xf_index() if fmt is not None else 0 for _, fmt in columns]
        kinds = [kind for kind, _ in columns]
        out = self._rows_xml
        for r, row in enumerate(rows, start=first_row + 1):  # Excel counts from 1
            cells = []
            for j, v in enumerate(row):
                if v is None or v == "":
                    continue
                ref = f"{letters[j]}{r}"
                kind = kinds[j]
                if kind == "date" and isinstance(v, dt.date):
                    cells.append(f'<c r="{ref}" s="{styles[j]}"><v>{_excel_day(v)}</v></c>')
                elif kind in ("number", "int") and type(v) in (int, float):
                    cells.append(f'<c r="{ref}" s="{styles[j]}"><v>{v:.16G}</v></c>')
                else:
                    text = v if type(v) is str else str(v)
                    if not text.isprintable():
                        multiline[j] = multiline[j] or "\n" in text
                        text = xml_safe(text)
                    text = text[:32767]
                    n = len(text) if text.isascii() else display_width(text)
                    if n > widths[j]:
                        widths[j] = n
                    if "&" in text or "<" in text or ">" in text:
                        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(
                            ">", "&gt;")
                    edge = text[:1].isspace() or text[-1:].isspace()
                    space = ' xml:space="preserve"' if edge else ""
                    cells.append(f'<c r="{ref}" s="{styles[j]}" t="inlineStr"><is>'
                                 f"<t{space}>{text}</t></is></c>")
            out.append(f'<row r="{r}">{"".join(cells)}</row>' if cells else "")
        self._check_dimensions(first_row, 0)
        self._check_dimensions(first_row + len(rows) - 1, len(columns) - 1)
        return widths

    def _write_rows(self) -> None:
        first = self._rows_from
        if first is not None:
            # xlsxwriter writes a <row> for a row with cells, a set_row or a comment: any of
            # those at or below the table body would give two rows of one number, or rows
            # out of order, which Excel repairs and reporter's own reader refuses.
            for kind, rows in (("cells", (r for r, cells in self.table.items() if cells)),
                               ("set_row", self.row_info), ("a comment", self.comments)):
                if any(r >= first for r in rows):
                    raise ValueError(f"{kind} written at or below the rows given to add_rows")
        super()._write_rows()
        self._size_rows()
        self.fh.write("".join(self._rows_xml))
        self.rows_written = True

    def _size_rows(self) -> None:
        """Heights for the rows whose text wraps, measured only in the columns where some
        text is wider than the column or has lines of its own."""
        widths = self._wrap_widths
        if not widths or not self._widest:  # no rows were given (an empty table)
            return
        wrapping = [(j, chars_per_line(w)) for j, w in enumerate(widths)
                    if self._multiline[j] or self._widest[j] > chars_per_line(w)]
        if not wrapping:
            return
        out, rows = self._rows_xml, self._rows
        # Column by column (a cell that fits even were it all Chinese is not measured),
        # then the most lines in each row.
        lines = [[1 if type(v := row[j]) is not str or (2 * len(v) <= per_line
                                                         and "\n" not in v)
                  else cell_lines(v, per_line) for row in rows]
                 for j, per_line in wrapping]
        for i, n in enumerate(map(max, *lines) if len(lines) > 1 else lines[0]):
            if n > 1 and out[i]:
                cut = out[i].index(">")
                out[i] = f'{out[i][:cut]} ht="{line_height(n)}"{out[i][cut:]}'


_EXCEL_EPOCH = dt.date(1899, 12, 31)


def _excel_day(value: dt.date) -> int:
    """The date's Excel serial number, as xlsxwriter writes it."""
    if isinstance(value, dt.datetime):
        value = value.date()
    day = (value - _EXCEL_EPOCH).days
    return day + 1 if day > 59 else day  # Excel's 29 February 1900


class ReportWorkbook(Workbook):
    """An xlsxwriter workbook whose worksheets are TableSheets."""

    def __init__(self, path: str, options: dict[str, Any]) -> None:
        super().__init__(path, options)
        self.worksheet_class = TableSheet

    def close(self) -> None:
        super().close()
        # TableSheet hooks into how xlsxwriter writes a sheet; should a new xlsxwriter
        # write sheets another way, fail loudly rather than leave tables empty.
        for ws in self.worksheets():
            if isinstance(ws, TableSheet) and ws._rows_xml and not ws.rows_written:
                raise RuntimeError("xlsxwriter did not write the table rows; this version of "
                                   "xlsxwriter is not one reporter supports")


def new_workbook(path: Path, created: dt.datetime, title: str) -> Any:
    wb = ReportWorkbook(str(path), WORKBOOK_OPTIONS)
    wb.set_properties({"title": xml_safe(title)[:250], "author": "reporter",
                       "created": created, "comments": "Built by reporter"})
    return wb


@dataclass(frozen=True, slots=True)
class TableColumn:
    header: str
    kind: str = "text"  # text | number | int | date
    width: int | None = None  # fixed width, else fitted to the content


class Formats:
    def __init__(self, wb: Any):
        self.bold = wb.add_format({"bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": NAVY})
        self.title_wrap = wb.add_format({"bold": True, "font_size": 14, "font_color": NAVY,
                                         "text_wrap": True, "valign": "top"})
        self.h2 = wb.add_format({"bold": True, "font_size": 11, "font_color": NAVY})
        self.label = wb.add_format({"bold": True, "valign": "top", "font_color": "#404040"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.text = wb.add_format({"valign": "top"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.int = wb.add_format({"num_format": "#,##0", "valign": "top"})
        self.number = wb.add_format({"num_format": "#,##0.####", "valign": "top"})
        self.header = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY,
                                     "border": 1, "text_wrap": True, "valign": "top"})
        # A table's header as its style shows it in Excel, made explicit: LibreOffice does
        # not show table styles, and prints headers that wrap.
        self.table_header = wb.add_format({"bold": True, "font_color": "#FFFFFF",
                                           "bg_color": NAVY, "text_wrap": True,
                                           "valign": "top"})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.note_wrap = wb.add_format({"italic": True, "font_color": "#595959",
                                        "text_wrap": True, "valign": "top"})
        self.int_left = wb.add_format({"num_format": "#,##0", "align": "left", "valign": "top"})
        self.status = {s.value: wb.add_format({"font_color": s.font, "bg_color": s.fill})
                       for s in Status}


class RowWriter:
    """Writes rows of cells outside a table, each as tall as its wrapped text needs, and
    keeps blocks of rows (a heading and its table) on one page."""

    def __init__(self, ws: Any, widths: Sequence[float]):
        self.ws = ws
        self.widths = widths
        self.heights: dict[int, float] = {}
        self._blocks: dict[int, int] = {}

    def keep(self, first: int, last: int) -> None:
        """Rows first to last print on one page, when they fit one."""
        self._blocks[first] = last

    def page_breaks(self, page: float, last: int) -> list[int]:
        """The rows that must start a page (page: the points of a page's height), so that
        no block is cut by a page break, for the rows up to last."""
        def height(r: int) -> float:
            return self.heights.get(r, LINE)

        breaks, used = [], 0.0
        for r in range(last + 1):
            if r in self._blocks:
                block = sum(map(height, range(r, self._blocks[r] + 1)))
                if used and used + block > page and block <= page:
                    breaks.append(r)
                    used = 0.0
            if used + height(r) > page:  # the page ends before this row by itself
                used = 0.0
            used += height(r)
        return breaks

    def row(self, r: int, cells: Sequence[tuple[Any, Any]]) -> None:
        """cells: (value, format) from column A on; None for a column left blank."""
        for j, (value, cell_format) in enumerate(cells):
            if value is None:
                continue
            if isinstance(value, int | float):
                self.ws.write_number(r, j, value, cell_format)
            elif value == "":
                self.ws.write_blank(r, j, None, cell_format)
            else:
                self.ws.write_string(r, j, xml_safe(str(value))[:32767], cell_format)
        # Only a cell that wraps makes its row taller; another runs on into the next cells.
        self.size(r, [(v, w) for (v, f), w in zip(cells, self.widths, strict=False)
                      if isinstance(v, str) and getattr(f, "text_wrap", 0)])

    def merged(self, r: int, first: int, last: int, text: str, cell_format: Any) -> None:
        """Text across columns first to last of a row."""
        self.ws.merge_range(r, first, r, last, xml_safe(text)[:32767], cell_format)
        self.size(r, [(text, sum(self.widths[first:last + 1]))])

    def size(self, r: int, texts: list[tuple[str, float]], least: float = LINE) -> None:
        height = max(least, row_height(texts), self.heights.get(r, LINE))
        self.heights[r] = height
        if height > LINE:
            self.ws.set_row(r, height)


def write_table(ws: Any, first_row: int, columns: Sequence[TableColumn],
                rows: Sequence[Sequence[Any]],
                name: str, fmt: Formats, *, status_col: str | None = None,
                style: str = "Table Style Medium 2", key_columns: int = 1) -> int:
    """An Excel table with filters, widths fitted to its content, and the sheet's print
    settings (see plan_pages; first_row is the header row every page repeats); returns the
    row after it. Text columns wrap, so that a column narrowed for the page shows it all.

    Cells are written column by column with the one writer their kind needs: this is
    the inner loop of every summary, so it avoids per-cell type dispatch.
    """
    last_row = first_row + max(1, len(rows))
    ws.add_table(first_row, 0, last_row, len(columns) - 1, {
        "name": name, "style": style, "autofilter": True,
        "columns": [{"header": c.header, "header_format": fmt.table_header} for c in columns],
    })
    top = first_row + 1
    formats = {"date": fmt.date, "int": fmt.int, "number": fmt.number}
    widest = ws.add_rows(top, [(c.kind, formats.get(c.kind, fmt.wrap)) for c in columns], rows)
    fit = _Fit(columns, rows, widest)
    plan = plan_pages(fit.natural(), free=fit.free, wrapped=fit.wrapped, key_columns=key_columns)
    for j, width in enumerate(plan.widths):
        ws.set_column(j, j, width)
    ws.wrap_rows(plan.widths)
    header = row_height((c.header, w - 1) for c, w in zip(columns, plan.widths, strict=True))
    if header > LINE:
        ws.set_row(first_row, header)
    set_print(ws, plan, header_row=first_row)
    if status_col is not None:
        j = next(k for k, c in enumerate(columns) if c.header == status_col)
        status_formats(ws, top, j, last_row, j, fmt)
    return last_row + 1


class _Fit:
    """How wide a table's columns would be (widths in characters): as their content asks
    (`natural`), at the least without breaking a word (`free`), and wrapped (`wrapped`;
    None for dates and numbers, which never wrap). `widest[j]`: column j's widest text."""

    def __init__(self, columns: Sequence[TableColumn], rows: Sequence[Sequence[Any]],
                 widest: Sequence[int]):
        self.columns, self.rows, self.widest = columns, rows, widest

    def weighed(self, j: int) -> int:
        """The widest text of a column; in a column of a few short texts (a list's values),
        its words weighed by their letters too ('memorandum' is wider than ten digits).
        Columns of many distinct values (IDs) are not weighed: it would cost a pass over
        every letter of every row, for the half letter an 'M' adds."""
        if self.widest[j] > EASY_WIDTH:
            return self.widest[j]
        distinct = set()
        for r in self.rows:
            distinct.add(r[j])
            if len(distinct) > WEIGHED_VALUES:
                return self.widest[j]
        return max(self.widest[j], longest_word(distinct))

    def natural(self) -> list[float]:
        natural: list[float] = []
        for j, c in enumerate(self.columns):
            width = display_width(c.header) + 3
            if c.kind == "date":
                width = max(width, 12)
            elif c.kind in ("number", "int"):
                width = max(width, _numbers_width(self.rows, j))
            else:
                width = max(width, self.weighed(j) + 2)
            natural.append(c.width or min(MAX_WIDTH, max(8, width)))
        return natural

    def free(self, j: int) -> float:
        c = self.columns[j]
        # A narrowed header wraps; on screen its filter button may cover a letter of it.
        head = longest_word([c.header]) + 1
        if c.kind == "date":
            return max(head, 11)
        if c.kind in ("number", "int"):
            return max(head, _numbers_width(self.rows, j) - 1)
        return max(head, self.weighed(j) + 1)

    def wrapped(self, j: int) -> float | None:
        if self.columns[j].kind in ("date", "number", "int"):
            return None
        return max(longest_word([self.columns[j].header]),
                   longest_word([r[j] for r in self.rows])) + 1


def _numbers_width(rows: Sequence[Sequence[Any]], j: int) -> int:
    numbers = [v for row in rows if type(v := row[j]) in (int, float)]
    return max((len(f"{v:,}") for v in numbers), default=0) + 2


def status_formats(ws: Any, r0: int, c0: int, r1: int, c1: int, fmt: Formats) -> None:
    """Colour reconciliation statuses: match green, mismatch red, and so on."""
    for status, cell_format in fmt.status.items():
        ws.conditional_format(r0, c0, r1, c1, {
            "type": "cell", "criteria": "==", "value": f'"{status}"', "format": cell_format,
        })
