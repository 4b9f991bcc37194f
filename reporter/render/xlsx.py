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
from collections.abc import Callable, Iterable, Sequence
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
        wrapping = [(j, _per_line(w)) for j, w in enumerate(widths)
                    if self._multiline[j] or self._widest[j] > _per_line(w)]
        if not wrapping:
            return
        out, rows = self._rows_xml, self._rows
        # Column by column (a cell that fits even were it all Chinese is not measured),
        # then the most lines in each row.
        lines = [[1 if type(v := row[j]) is not str or (2 * len(v) <= per_line
                                                         and "\n" not in v)
                  else _cell_lines(v, per_line) for row in rows]
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


#: The height of a line of 11 pt text, in points (Excel's default row).
LINE = 15.0
#: Excel's tallest row, in points.
TALLEST = 409.5


def _per_line(width: float) -> int:
    # A line holds a little more than the width in text (letters are narrower than the
    # digit a width counts).
    return max(1, int(1.05 * width))


def _cell_lines(text: str, per_line: int) -> int:
    """Roughly how many lines a text takes at per_line character widths a line: quick, for
    the rows of a table. A text with wide (Chinese, Japanese, Korean) characters is measured
    by its UTF-8 length, which counts such a character three, and takes five eighths of
    that with its length: 2.5 widths a character, as their glyphs are a little wider than two
    digits and lines that mix scripts break less evenly (too tall leaves space; too short
    would hide text). A text without them counts a letter one, accented or not, and a dash."""
    if "\n" in text:
        return sum(_cell_lines(part, per_line) if part else 1 for part in text.split("\n"))
    if text.isascii():
        return max(1, -(-len(text) // per_line))
    if _WIDE.search(text) is None:  # accents and dashes: one width each
        return max(1, -(-len(text) // per_line))
    n = (len(text) + len(text.encode("utf-8", "replace"))) * 5 // 8  # Chinese: 2.5 widths
    return max(1, -(-n // per_line))


def laid_out_lines(text: str | None, width: float) -> int:
    """How many lines a text takes wrapped in a column of width characters, laid out word
    by word: for a few cells (headers, a sheet's notes), where a line more or less shows."""
    if text is None or text == "":
        return 1
    per_line = max(1, int(1.1 * width))  # words laid out: only the letters' widths vary
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            n = _width(word)
            if used and used + 1 + n <= per_line:
                used += 1 + n
                continue
            if used:
                lines += 1
            extra = -(-n // per_line) - 1  # a word longer than a line takes more
            lines += extra
            used = n - extra * per_line
    return lines


def _width(text: str) -> int:
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


def line_height(lines: int) -> float:
    """The height of a row of that many lines, in points: Excel's 15 for the first, and
    what a line of 11 pt takes in LibreOffice for the others (Excel fits the row itself)."""
    return min(TALLEST, LINE + 13.5 * (lines - 1))


def row_height(cells: Iterable[tuple[Any, float]]) -> float:
    """The height of a row that shows its wrapped text whole: (text, column width) pairs."""
    return line_height(max((laid_out_lines(None if t is None else str(t), w)
                            for t, w in cells), default=1))


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


# --- printing ---------------------------------------------------------------------------------
#
# One policy for every sheet reporter writes, so that each prints readably on A4: text never
# below about 8 pt (11 pt body text at a scale of 73 percent or more). A table fits one page
# wide when that holds, its widest text columns narrowed (their text wrapped, rows left to
# size themselves) as far as their longest word allows; a table too wide even then prints
# across pages at a comfortable scale, its first column(s) on every page. The header row
# repeats on every page.

A4 = 9  # Excel's paper code
#: Margins in inches: narrower at the sides than Excel's 0.7, to leave room for columns.
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.6, "bottom": 0.7}
FOOTER = "&L&A&RPage &P of &N"
#: The printable width of an A4 page at those margins, in pixels at 96 dpi (Excel's unit).
PAGE_PX = {"landscape": (11.69 - 1.0) * 96, "portrait": (8.27 - 1.0) * 96}
#: The printable height of a landscape A4 page, in points (the footer is in the margin),
#: less a little for rounding.
PAGE_HEIGHT_PT = (8.27 - 0.6 - 0.7) * 72 - 4
#: The smallest print scale planned: 11 pt text prints at 8.25 pt. (LibreOffice, fitting a
#: sheet to the page, may shrink it a percent or two further than its width asks.)
MIN_SCALE = 0.75
#: A scale at which text still reads easily (9.4 pt); tables too wide for one page print at it.
EASY_SCALE = 0.85
#: How narrow a text column becomes before the print scale drops below EASY_SCALE.
EASY_WIDTH = 24.0
#: A short-text column with more distinct values than this is not weighed letter by letter.
WEIGHED_VALUES = 200
#: The narrowest a column becomes, whatever its words.
NARROWEST = 6.0


@dataclass(frozen=True, slots=True)
class PagePlan:
    """How one sheet prints: its column widths (some narrowed), orientation and scale."""

    widths: tuple[float, ...]
    #: The widths the sheet's content asked for.
    natural: tuple[float, ...]
    landscape: bool
    #: Fitted to one page wide (at MIN_SCALE or more); else printed at `scale` percent.
    fit_width: bool
    scale: int
    #: Leading columns printed on every page across (a table too wide for one page).
    repeat_columns: int = 0

    @property
    def narrowed(self) -> frozenset[int]:
        """The columns narrowed to fit the page: their text must wrap."""
        return frozenset(j for j, (w, n) in enumerate(zip(self.widths, self.natural,
                                                          strict=True)) if w < n)


def column_px(width: float) -> float:
    """A column's printed width in pixels (at 96 dpi), as wide as either office prints it.

    Excel gives a character 7 pixels plus 5 of padding; LibreOffice, laying it out in
    Carlito, about 7.44 per stored character (and stores 0.71 more than asked for).
    Planning with the wider keeps text at the planned size in both.
    """
    return (width + 0.71) * 7.44 if width >= 1 else width * 12


def plan_pages(widths: Sequence[float], *, free: Callable[[int], float] | None = None,
               wrapped: Callable[[int], float | None] | None = None,
               key_columns: int = 1) -> PagePlan:
    """How a sheet of these column widths (in characters) prints on A4.

    free(j) is how narrow column j may become with only its header wrapped (its cells
    still fit), wrapped(j) how narrow with its text wrapped too (None: no narrower);
    each is asked only when a column has to be narrowed, wrapped for as few columns as
    can be (it may have to read the whole column). key_columns are printed on every
    page when the sheet is too wide for one page even so.
    """
    natural = tuple(float(w) for w in widths)
    if sum(map(column_px, natural)) <= PAGE_PX["portrait"]:
        return PagePlan(natural, natural, False, True, 100)
    landscape = PAGE_PX["landscape"]
    if sum(map(column_px, natural)) <= landscape / EASY_SCALE:
        return PagePlan(natural, natural, True, True, 100)
    # First what costs nothing but a header on two lines; then the widest text columns.
    least_free = tuple(min(w, max(NARROWEST, free(j) if free else w))
                       for j, w in enumerate(natural))
    floors: dict[int, float | None] = {}

    def lowest(j: int) -> float | None:
        if j not in floors:
            f = wrapped(j) if wrapped else None
            floors[j] = None if f is None else min(least_free[j], max(NARROWEST, f))
        return floors[j]

    for scale, least in ((EASY_SCALE, None), (EASY_SCALE, EASY_WIDTH), (MIN_SCALE, EASY_WIDTH),
                         (MIN_SCALE, 0.0)):
        fitted = _narrowed(least_free, lowest, least, landscape / scale)
        if fitted is not None:
            return PagePlan(fitted, natural, True, True, 100)
    # Across pages: text columns at an easy width, to take no more pages than that needs.
    across = tuple(w if (low := lowest(j)) is None else min(w, max(low, EASY_WIDTH))
                   for j, w in enumerate(least_free))
    return PagePlan(across, natural, True, False, round(EASY_SCALE * 100),
                    min(key_columns, len(natural) - 1))


def _narrowed(widths: tuple[float, ...], lowest: Callable[[int], float | None],
              least: float | None, room: float) -> tuple[float, ...] | None:
    """The widths narrowed as little as fits room pixels: the widest text columns first,
    down to a common width, none below its lowest (or below least); None if they cannot."""
    if sum(map(column_px, widths)) <= room:
        return widths
    if least is None:
        return None

    def at(cap: float) -> tuple[float, ...]:
        return tuple(w if w <= cap or (low := lowest(j)) is None else min(w, max(cap, low, least))
                     for j, w in enumerate(widths))

    cap = max(widths)
    while cap >= 0:
        fitted = at(cap)
        if sum(map(column_px, fitted)) <= room:
            return fitted
        cap -= 1
    return None


_WIDE_CHARS = (r"\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
               r"\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd")
#: A run of text a line cannot break: up to a space or a Chinese (or other wide)
#: character, where a line may break, or to just after a dash ('Shanghai–Suzhou'). Not
#: at a hyphen: IDs such as M-G60-2024 are kept whole.
_RUN = re.compile(rf"[^\s\u2013\u2014{_WIDE_CHARS}]+[\u2013\u2014]?")


#: Letters wider or narrower than the digit a column width counts (Calibri's advances).
_WIDE_LETTERS = dict.fromkeys("mwMW", 1.6) | dict.fromkeys("ABCDGHKNOQRUVXY@%&", 1.3) | (
    dict.fromkeys("ilj.,;:'|!", 0.5)) | dict.fromkeys("frtI()[]- ", 0.7)


def _word_units(word: str) -> float:
    return sum(_WIDE_LETTERS.get(ch, 1.0) for ch in word)


def longest_word(texts: Iterable[Any]) -> int:
    """The widest run of text a line cannot break, in character widths: a word, or the
    part of one between dashes (a Chinese character breaks anywhere and counts two).
    Words are weighed by their letters ('memorandum' is wider than ten digits)."""
    joined = "\n".join(t for t in texts if type(t) is str)
    if joined.isascii():
        words = set(joined.split())
        longest = max(map(len, words), default=0)
        return round(max((_word_units(w) for w in words if len(w) >= longest - 4),
                         default=0.0) + 0.49)
    widest = max(map(len, _RUN.findall(joined)), default=0)
    return max(widest, 2) if _WIDE.search(joined) else widest


def set_print(ws: Any, plan: PagePlan, *, header_row: int | None) -> None:
    """Express a plan in xlsxwriter's page setup: column widths are set by the caller."""
    ws.set_paper(A4)
    if plan.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_margins(**MARGINS)
    ws.set_footer(FOOTER)
    if plan.fit_width:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(plan.scale)
        ws.print_across()  # a row's pages follow each other
    if header_row is not None:
        ws.repeat_rows(header_row)
    if plan.repeat_columns:
        ws.repeat_columns(0, plan.repeat_columns - 1)


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
