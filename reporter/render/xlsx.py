"""Shared pieces of every Excel file reporter writes (xlsxwriter).

Text from a workbook is always written with `write_string`, with formula, number
and URL conversion switched off, so `=HYPERLINK(...)` or `+cmd` stays text; and
characters XML cannot hold are removed first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..text import xml_safe

NAVY = "#1F3864"
MAX_WIDTH = 48
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                   r"\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")

WORKBOOK_OPTIONS = {
    "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    "in_memory": True,
}

STATUS_COLOURS = {  # status -> (font, fill)
    "match": ("#375623", "#E2EFDA"),
    "mismatch": ("#9C0006", "#FFC7CE"),
    "unsourced": ("#9C5700", "#FFEB9C"),
    "missing": ("#7030A0", "#E4DFEC"),
    "info": ("#1F4E79", "#DDEBF7"),
}


def new_workbook(path: Path, created: dt.datetime, title: str) -> Any:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
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
class Column:
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
        self.status = {s: wb.add_format({"font_color": f, "bg_color": b})
                       for s, (f, b) in STATUS_COLOURS.items()}


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


def write_table(ws: Any, first_row: int, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
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
    for j, c in enumerate(columns):
        values = [row[j] for row in rows]
        width = display_width(c.header) + 3
        if c.kind == "date":
            for i, v in enumerate(values, start=top):
                if v is None or v == "":
                    continue
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), fmt.date)
            width = max(width, 12)
        elif c.kind in ("number", "int"):
            cell_format = fmt.int if c.kind == "int" else fmt.number
            for i, v in enumerate(values, start=top):
                if v is None or v == "":
                    continue
                ws.write_number(i, j, v, cell_format)
                width = max(width, len(f"{v:,}") + 2)
        else:
            write = ws.write_string
            text = fmt.text
            longest = 0
            for i, v in enumerate(values, start=top):
                if v is None or v == "":
                    continue
                if not isinstance(v, str):
                    v = str(v)
                if not v.isprintable():
                    v = xml_safe(v)
                write(i, j, v[:32767], text)
                n = len(v) if v.isascii() else display_width(v)
                if n > longest:
                    longest = n
            width = max(width, longest + 2)
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
