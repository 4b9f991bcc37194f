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
written for the same values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..codes import Status
from ..schema import column_letter
from ..text import xml_safe

NAVY = "#1F3864"
MAX_WIDTH = 48
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                   r"\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")

WORKBOOK_OPTIONS = {
    "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    "in_memory": True,
}



class TableSheet(Worksheet):
    """A worksheet that also takes whole rows of plain values: `add_rows`.

    The rows are written as XML text when the sheet is saved, after the cells written
    the usual way, which must all come before them (a table's header row does).
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows_xml: list[str] = []
        self._rows_from: int | None = None
        self.rows_written = False

    def add_rows(self, first_row: int, columns: Sequence[tuple[str, Any]],
                 rows: Sequence[Sequence[Any]]) -> list[int]:
        """Write rows of values from first_row down: (kind, format) per column, where
        kind is text, number, int or date. Empty values (None, "") are left out.

        Returns each column's widest text in character widths (Chinese counts two).
        """
        widths = [0] * len(columns)
        if not rows:
            return widths
        if self._rows_from is not None:
            raise ValueError("add_rows is called once per sheet")
        self._rows_from = first_row
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
            if cells:
                out.append(f'<row r="{r}">{"".join(cells)}</row>')
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
        self.fh.write("".join(self._rows_xml))
        self.rows_written = True


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


def display_width(value: Any) -> int:
    """Roughly how many character widths the text needs (Chinese characters count two)."""
    text = (value if isinstance(value, str) else str(value))[:120]
    if "\n" in text:
        text = max(text.split("\n"), key=len)
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


@dataclass(frozen=True, slots=True)
class TableColumn:
    header: str
    kind: str = "text"  # text | number | int | date
    width: int | None = None  # fixed width, else fitted to the content


class Formats:
    def __init__(self, wb: Any):
        self.bold = wb.add_format({"bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14, "font_color": NAVY})
        self.h2 = wb.add_format({"bold": True, "font_size": 11, "font_color": NAVY})
        self.label = wb.add_format({"bold": True, "valign": "top", "font_color": "#404040"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.text = wb.add_format({"valign": "top"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self.int = wb.add_format({"num_format": "#,##0", "valign": "top"})
        self.number = wb.add_format({"num_format": "#,##0.####", "valign": "top"})
        self.header = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": NAVY,
                                     "border": 1})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.status = {s.value: wb.add_format({"font_color": s.font, "bg_color": s.fill})
                       for s in Status}


def row_height(texts: list[tuple[Any, float]]) -> float:
    """A row height that shows wrapped text whole: (text, column width) pairs."""
    lines = 1
    for text, width in texts:
        if text is None or text == "":
            continue
        for line in str(text).split("\n"):
            lines_here = max(1, -(-display_width(line) // max(1, int(width) - 1)))
            lines = max(lines, lines_here + str(text).count("\n"))
    return 15.0 * min(lines, 20)


def print_setup(ws: Any) -> None:
    """Landscape A4, one page wide, with the header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def write_cell(ws: Any, row: int, col: int, value: Any, kind: str, fmt: Formats) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt.text)
    elif kind == "date" and isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt.date)
    elif kind in ("number", "int") and isinstance(value, int | float) and not isinstance(
            value, bool):
        ws.write_number(row, col, value, fmt.int if kind == "int" else fmt.number)
    else:
        ws.write_string(row, col, xml_safe(str(value))[:32767],
                        fmt.wrap if kind == "wrap" else fmt.text)


def write_table(ws: Any, first_row: int, columns: Sequence[TableColumn],
                rows: Sequence[Sequence[Any]],
                name: str, fmt: Formats, *, status_col: str | None = None,
                style: str = "Table Style Medium 2", printable: bool = True) -> int:
    """An Excel table with filters and fitted widths; returns the row after it.

    With `printable` (a table that fills its sheet) the sheet also gets print settings.

    Cells are written column by column with the one writer their kind needs: this is
    the inner loop of every summary, so it avoids per-cell type dispatch.
    """
    last_row = first_row + max(1, len(rows))
    ws.add_table(first_row, 0, last_row, len(columns) - 1, {
        "name": name, "style": style, "autofilter": True,
        "columns": [{"header": c.header} for c in columns],
    })
    top = first_row + 1
    formats = {"date": fmt.date, "int": fmt.int, "number": fmt.number}
    widest = ws.add_rows(top, [(c.kind, formats.get(c.kind, fmt.text)) for c in columns], rows)
    for j, c in enumerate(columns):
        width = display_width(c.header) + 3
        if c.kind == "date":
            width = max(width, 12)
        elif c.kind in ("number", "int"):
            numbers = [v for row in rows if type(v := row[j]) in (int, float)]
            if numbers:
                width = max(width, max(len(f"{v:,}") for v in numbers) + 2)
        else:
            width = max(width, widest[j] + 2)
        ws.set_column(j, j, c.width or min(MAX_WIDTH, max(8, width)))
    if printable:
        print_setup(ws)
    if status_col is not None:
        j = next(k for k, c in enumerate(columns) if c.header == status_col)
        status_formats(ws, top, j, last_row, j, fmt)
    return last_row + 1


def status_formats(ws: Any, r0: int, c0: int, r1: int, c1: int, fmt: Formats) -> None:
    """Colour reconciliation statuses: match green, mismatch red, and so on."""
    for status, cell_format in fmt.status.items():
        ws.conditional_format(r0, c0, r1, c1, {
            "type": "cell", "criteria": "==", "value": f'"{status}"', "format": cell_format,
        })
