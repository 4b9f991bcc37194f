"""Write the cooperation workbook: the blank template, or one filled with rows.

`reporter init` writes the blank template. The sample workbook and the
benchmark workbooks are written by the same code with rows, so all three have
the same dropdowns, input messages, formats and README sheet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .render.pages import plan_pages, set_print
from .render.textsize import LINE, longest_word, row_height
from .render.xlsx import RowWriter
from .schema import (
    DATA_SHEETS,
    LISTS_SHEET,
    README_SHEET,
    VOCABULARIES,
    Column,
    Kind,
    Sheet,
    column_letter,
)
from .write import atomic_file, pinned_time

#: Text columns narrowed for printing keep at least this many characters: the widths are
#: for typing into, and a register prints across pages rather than in slivers.
PRINT_WIDTH = 24.0

LAST_ROW = 1_048_575  # 0-based: validations cover whole columns so new rows get them too
HEADER_FILL = "#1F3864"
SOURCE_IDS_NAME = "SourceIds"

Row = Mapping[str, Any]


def write_template(path: Path, *, force: bool = False) -> Path:
    """Write the blank template to path (refusing to overwrite without force)."""
    return write_workbook(path, {}, force=force)


def write_workbook(path: Path, rows: Mapping[str, Iterable[Row]], *, force: bool = False,
                   vocabularies: Mapping[str, tuple[str, ...]] | None = None,
                   constant_memory: bool = False) -> Path:
    """Write a workbook in reporter's format, with the given rows per sheet name."""
    from .errors import OutputError

    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path} already exists; use --force to overwrite it", path=None,
                          code="exists")
    if path.suffix.lower() != ".xlsx":
        raise OutputError(f"{path}: the file name must end in .xlsx", code="bad-name")
    with atomic_file(path) as tmp:
        _write(tmp, rows, dict(vocabularies or VOCABULARIES), constant_memory)
    return path


def _write(path: Path, rows: Mapping[str, Iterable[Row]], vocab: dict[str, tuple[str, ...]],
           constant_memory: bool) -> None:
    import xlsxwriter

    from .facts import load_sources

    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
        "constant_memory": constant_memory,
    })
    wb.set_properties({
        "title": "Cooperation register",
        "subject": "Meetings, agreements and figures of science and technology cooperation",
        "author": "reporter",
        "comments": "Fill in the Meetings, Agreements and Metrics sheets; see README.",
        "created": pinned_time(),
    })
    fmt = _Formats(wb)
    sources = load_sources()
    readme = wb.add_worksheet(README_SHEET)
    sheets = {spec.name: wb.add_worksheet(spec.name) for spec in DATA_SHEETS}
    lists = wb.add_worksheet(LISTS_SHEET)
    _lists_sheet(wb, lists, vocab, [s.id for s in sources], fmt)
    for spec in DATA_SHEETS:
        _data_sheet(sheets[spec.name], spec, rows.get(spec.name, ()), vocab, fmt)
    _readme_sheet(readme, vocab, sources, fmt)
    readme.activate()
    wb.close()


class _Formats:
    def __init__(self, wb: Any):
        self.header = wb.add_format({
            "bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL, "border": 1,
            "text_wrap": True, "valign": "vcenter",
        })
        self.required = wb.add_format({
            "bold": True, "font_color": "#FFFFFF", "bg_color": "#7B2C2C", "border": 1,
            "text_wrap": True, "valign": "vcenter",
        })
        self.title = wb.add_format({"bold": True, "font_size": 16, "font_color": HEADER_FILL})
        self.h2 = wb.add_format({"bold": True, "font_size": 12, "font_color": HEADER_FILL})
        self.para = wb.add_format({"text_wrap": True, "valign": "top"})
        self.top = wb.add_format({"valign": "top"})
        self.bold = wb.add_format({"bold": True, "valign": "top", "text_wrap": True})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self._wb = wb
        self._columns: dict[tuple[str, bool], Any] = {}

    def column(self, c: Column, wrap: bool) -> Any:
        """The cell format of a column: its number format, wrapped when it holds prose."""
        key = (c.format, wrap)
        if key not in self._columns:
            spec: dict[str, Any] = {"valign": "top", "text_wrap": wrap}
            if c.format != "General":
                spec["num_format"] = c.format
            self._columns[key] = self._wb.add_format(spec)
        return self._columns[key]


def _vocab_name(vocab: str) -> str:
    return "List" + "".join(w.capitalize() for w in vocab.split())


def _lists_sheet(wb: Any, ws: Any, vocab: dict[str, tuple[str, ...]], source_ids: list[str],
                 fmt: _Formats) -> None:
    ws.freeze_panes(1, 0)
    columns = [*vocab.items(), ("", ()), ("Source ids (from the registry)", tuple(source_ids))]
    natural = [max(14, min(48, max(len(v) for v in (name, *values)) + 2)) if name else 4
               for name, values in columns]
    plan = plan_pages(natural, wrapped=lambda j: longest_word(
        [columns[j][0], *columns[j][1]]) + 1)
    for j, ((name, values), width) in enumerate(zip(columns, plan.widths, strict=True)):
        if not name:
            ws.set_column(j, j, width)
            continue
        wrap = fmt.para if j in plan.narrowed else fmt.top  # a row's values level at the top
        ws.set_column(j, j, width, wrap)
        ws.write_string(0, j, name, fmt.header)
        for i, v in enumerate(values, start=1):
            ws.write_string(i, j, v, wrap)
        col = column_letter(j)
        if name == columns[-1][0]:
            wb.define_name(SOURCE_IDS_NAME, f"={LISTS_SHEET}!${col}$2:${col}${len(values) + 1}")
            continue
        # Grows with the list, so values staff add at the bottom appear in the dropdowns.
        wb.define_name(_vocab_name(name),
                       f"=OFFSET({LISTS_SHEET}!${col}$2,0,0,"
                       f"MAX(1,COUNTA({LISTS_SHEET}!${col}:${col})-1),1)")
    ws.set_row(0, max(30.0, row_height((name, w) for (name, _), w in zip(
        columns, plan.widths, strict=True))))
    for i in range(1, max(len(values) for _, values in columns) + 1):
        height = row_height((values[i - 1], w) for (_, values), w in zip(
            columns, plan.widths, strict=True) if i <= len(values))
        if height > LINE:
            ws.set_row(i, height)
    set_print(ws, plan, header_row=0)


def _data_sheet(ws: Any, spec: Sheet, rows: Iterable[Row], vocab: dict[str, tuple[str, ...]],
                fmt: _Formats) -> None:
    """A data sheet: its headers with their input messages, dropdowns and formats, and any
    rows; it prints by reporter's policy, its text columns no narrower than PRINT_WIDTH."""
    texts = (Kind.TEXT, Kind.LINES, Kind.CHOICE, Kind.CHOICES)
    plan = plan_pages([c.width for c in spec.columns], wrapped=lambda j: max(
        PRINT_WIDTH, longest_word([spec.columns[j].header]) + 1)
        if spec.columns[j].kind in texts else None)
    widths = plan.widths
    wraps = [c.kind is Kind.LINES or w >= 36 or j in plan.narrowed
             for j, (c, w) in enumerate(zip(spec.columns, widths, strict=True))]
    ws.freeze_panes(1, 0)
    ws.set_row(0, max(32.0, row_height((c.header, w) for c, w in zip(spec.columns, widths,
                                                                       strict=True))))
    for j, c in enumerate(spec.columns):
        ws.set_column(j, j, widths[j], fmt.column(c, wraps[j]))
        ws.write_string(0, j, c.header, fmt.required if c.required else fmt.header)
        need = "Required. " if c.required else "Optional. "
        ws.data_validation(0, j, 0, j, {
            "validate": "any", "input_title": c.header[:32],
            "input_message": (need + c.help)[:255],
        })
        _validation(ws, spec, j, c)
    set_print(ws, plan, header_row=0)
    # What prints is the rows below the header (which repeats on every page): a sheet with
    # no rows prints no page, and a filled one prints all its rows, however many.
    ws.print_area(1, 0, LAST_ROW, len(spec.columns) - 1)
    last = 0
    writers = [_cell_writer(ws, c, fmt, wrap) for c, wrap in zip(spec.columns, wraps,
                                                                 strict=True)]
    wrapped = [(j, c.field, widths[j]) for j, c in enumerate(spec.columns) if wraps[j]]
    for i, row in enumerate(rows, start=1):
        last = i
        # LibreOffice does not fit a row to wrapped text as Excel does: give it its height
        # (before its cells: a workbook written in constant memory goes row by row).
        height = row_height((v, w) for _, f, w in wrapped if isinstance(v := row.get(f), str))
        if height > LINE:
            ws.set_row(i, height)
        for j, c in enumerate(spec.columns):
            value = row.get(c.field)
            if value is not None and value != "":
                writers[j](i, j, value)
    ws.autofilter(0, 0, max(last, 1), len(spec.columns) - 1)


def _validation(ws: Any, spec: Sheet, j: int, c: Column) -> None:
    rng = (1, j, LAST_ROW, j)
    if c.kind is Kind.CHOICE and c.vocabulary:
        ws.data_validation(*rng, {
            "validate": "list", "source": "=" + _vocab_name(c.vocabulary),
            "error_type": "stop", "error_title": c.header[:32],
            "error_message": f"Choose a value from the list. To add one, add it to column "
                             f"'{c.vocabulary}' of the {LISTS_SHEET} sheet."[:255],
        })
    elif c.kind is Kind.MEETING:
        ws.data_validation(*rng, {
            "validate": "list",
            "source": "=OFFSET(Meetings!$A$2,0,0,MAX(1,COUNTA(Meetings!$A:$A)-1),1)",
            "error_type": "warning", "error_title": "Meeting ID",
            "error_message": "This Meeting ID is not on the Meetings sheet.",
        })
    elif c.kind is Kind.SOURCE:
        ws.data_validation(*rng, {
            "validate": "list", "source": "=" + SOURCE_IDS_NAME, "error_type": "warning",
            "error_title": "Source", "error_message": "Use a source id from the README sheet.",
        })
    elif c.kind is Kind.DATE:
        ws.data_validation(*rng, {
            "validate": "date", "criteria": "between",
            "minimum": dt.date(1980, 1, 1), "maximum": dt.date(2100, 12, 31),
            "error_type": "stop", "error_title": c.header[:32],
            "error_message": "Type a date such as 2024-05-24, or leave the cell blank.",
        })


def _cell_writer(ws: Any, c: Column, fmt: _Formats, wrap: bool):
    cell_format = fmt.column(c, wrap)

    def write(i: int, j: int, value: Any) -> None:
        if isinstance(value, dt.datetime | dt.date):
            if not isinstance(value, dt.datetime):
                value = dt.datetime(value.year, value.month, value.day)
            ws.write_datetime(i, j, value, fmt.date)
        elif isinstance(value, bool):
            ws.write_boolean(i, j, value)
        elif isinstance(value, int | float):
            ws.write_number(i, j, value, cell_format)
        else:
            ws.write_string(i, j, str(value), cell_format)

    return write


#: The README sheet's columns: sheet, column, required, and what to type (which may narrow).
_README_WIDTHS = (22.0, 26.0, 12.0, 90.0)

_INTRO = (
    "This workbook records the science and technology cooperation the commission brokers: "
    "the meetings (Meetings), the agreements signed there (Agreements) and the figures "
    "quoted about them (Metrics).",
    "Check it with:  reporter validate this-file.xlsx   Reconcile its figures with the "
    "published sources:  reporter reconcile this-file.xlsx   Build briefings:  reporter "
    "build this-file.xlsx",
    "Headers are matched ignoring case, spaces and underscores, in any order. Columns "
    "reporter does not know are kept and reported as a warning. Red headers are required.",
    "Where a source does not state a date, a year or a value, leave the cell blank and say "
    "so in Notes. Never guess.",
    "Lists: the dropdowns come from the Lists sheet. Add a value at the bottom of a column "
    "there to extend a list.",
)

_QUALIFIERS = (
    ("exact", "The figure as published, to the precision it was published with."),
    ("about", "Approximately: within 5 percent."),
    ("more than", "Strictly above the value ('more than 10')."),
    ("at least", "The value or above."),
    ("at most", "The value or below."),
    ("less than", "Strictly below the value."),
)


def _readme_sheet(ws: Any, vocab: dict[str, tuple[str, ...]], sources: list[Any],
                  fmt: _Formats) -> None:
    del vocab
    plan = plan_pages(_README_WIDTHS, wrapped=lambda j: 40.0 if j == 3 else None,
                      key_columns=0)
    for j, width in enumerate(plan.widths):
        ws.set_column(j, j, width)
    set_print(ws, plan, header_row=None)
    put = RowWriter(ws, plan.widths)
    ws.write_string(0, 0, "Cooperation register", fmt.title)
    r = 2
    for line in _INTRO:
        put.merged(r, 0, 3, line, fmt.para)
        r += 1
    r += 1
    put.row(r, [("Columns", fmt.h2)])
    put.row(r + 1, [(h, fmt.header) for h in ("Sheet", "Column", "Required", "What to type")])
    r += 2
    for spec in DATA_SHEETS:
        for c in spec.columns:
            put.row(r, [(spec.name, fmt.bold), (c.header, fmt.para),
                        ("yes" if c.required else None, fmt.para), (c.help, fmt.para)])
            r += 1
    r += 1
    put.row(r, [("Qualifiers", fmt.h2)])
    r += 1
    for q, meaning in _QUALIFIERS:
        put.row(r, [(q, fmt.bold)])
        put.merged(r, 1, 3, meaning, fmt.para)
        r += 1
    r += 1
    put.row(r, [("Sources", fmt.h2)])
    put.row(r + 1, [(h, fmt.header) for h in ("Source id", "Outlet", "Date", "Title")])
    r += 2
    for s in sources:
        title = s.title if s.title_stated else f"[untitled] {s.title}"
        put.row(r, [(s.id, fmt.bold), (s.outlet or "not named", fmt.para),
                    (s.date.describe() if not s.date.is_empty() else "not stated", fmt.para),
                    (f"{title} (by {s.byline or 'unnamed'}; file {s.file})", fmt.para)])
        r += 1
