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
    _lists_sheet(wb, lists, vocab, fmt)
    wb.define_name(SOURCE_IDS_NAME, f"={LISTS_SHEET}!$Z$2:$Z${len(sources) + 1}")
    lists.write_string(0, 25, "Source ids (from the registry)", fmt.header)
    for i, s in enumerate(sources, start=1):
        lists.write_string(i, 25, s.id)
    lists.set_column(25, 25, 28)
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
        self.bold = wb.add_format({"bold": True, "valign": "top", "text_wrap": True})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
        self._wb = wb
        self._columns: dict[tuple[str, bool], Any] = {}

    def column(self, c: Column) -> Any:
        """The cell format of a column: its number format, wrapped when it holds prose."""
        key = (c.format, c.kind is Kind.LINES or c.width >= 36)
        if key not in self._columns:
            spec: dict[str, Any] = {"valign": "top", "text_wrap": key[1]}
            if c.format != "General":
                spec["num_format"] = c.format
            self._columns[key] = self._wb.add_format(spec)
        return self._columns[key]


def _vocab_name(vocab: str) -> str:
    return "List" + "".join(w.capitalize() for w in vocab.split())


def _lists_sheet(wb: Any, ws: Any, vocab: dict[str, tuple[str, ...]], fmt: _Formats) -> None:
    ws.freeze_panes(1, 0)
    for j, (name, values) in enumerate(vocab.items()):
        ws.write_string(0, j, name, fmt.header)
        for i, v in enumerate(values, start=1):
            ws.write_string(i, j, v)
        width = max(14, min(48, max(len(v) for v in (name, *values)) + 2))
        ws.set_column(j, j, width)
        col = column_letter(j)
        # Grows with the list, so values staff add at the bottom appear in the dropdowns.
        wb.define_name(_vocab_name(name),
                       f"=OFFSET({LISTS_SHEET}!${col}$2,0,0,"
                       f"MAX(1,COUNTA({LISTS_SHEET}!${col}:${col})-1),1)")
    ws.set_row(0, 30)


def _data_sheet(ws: Any, spec: Sheet, rows: Iterable[Row], vocab: dict[str, tuple[str, ...]],
                fmt: _Formats) -> None:
    ws.freeze_panes(1, 0)
    ws.set_row(0, 32)
    for j, c in enumerate(spec.columns):
        ws.set_column(j, j, c.width, fmt.column(c))
        ws.write_string(0, j, c.header, fmt.required if c.required else fmt.header)
        need = "Required. " if c.required else "Optional. "
        ws.data_validation(0, j, 0, j, {
            "validate": "any", "input_title": c.header[:32],
            "input_message": (need + c.help)[:255],
        })
        _validation(ws, spec, j, c)
    last = 0
    writers = [_cell_writer(ws, c, fmt) for c in spec.columns]
    for i, row in enumerate(rows, start=1):
        last = i
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


def _cell_writer(ws: Any, c: Column, fmt: _Formats):
    cell_format = fmt.column(c)

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


def _readme_sheet(ws: Any, vocab: dict[str, tuple[str, ...]], sources: list[Any],
                  fmt: _Formats) -> None:
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 3, 90)
    r = 0
    ws.write_string(r, 0, "Cooperation register", fmt.title)
    r += 2
    for line in (
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
    ):
        ws.set_row(r, 32)
        ws.merge_range(r, 0, r, 3, line, fmt.para)
        r += 1
    r += 1
    ws.write_string(r, 0, "Columns", fmt.h2)
    r += 1
    for j, head in enumerate(("Sheet", "Column", "Required", "What to type")):
        ws.write_string(r, j, head, fmt.header)
    r += 1
    for spec in DATA_SHEETS:
        for c in spec.columns:
            ws.write_string(r, 0, spec.name, fmt.bold)
            ws.write_string(r, 1, c.header)
            ws.write_string(r, 2, "yes" if c.required else "")
            ws.write_string(r, 3, c.help, fmt.para)
            r += 1
    r += 1
    ws.write_string(r, 0, "Qualifiers", fmt.h2)
    r += 1
    for q, meaning in (
        ("exact", "The figure as published, to the precision it was published with."),
        ("about", "Approximately: within 5 percent."),
        ("more than", "Strictly above the value ('more than 10')."),
        ("at least", "The value or above."),
        ("at most", "The value or below."),
        ("less than", "Strictly below the value."),
    ):
        ws.write_string(r, 0, q, fmt.bold)
        ws.merge_range(r, 1, r, 3, meaning, fmt.para)
        r += 1
    r += 1
    ws.write_string(r, 0, "Sources", fmt.h2)
    r += 1
    for j, head in enumerate(("Source id", "Outlet", "Date", "Title")):
        ws.write_string(r, j, head, fmt.header)
    r += 1
    for s in sources:
        ws.write_string(r, 0, s.id, fmt.bold)
        ws.write_string(r, 1, s.outlet or "not named", fmt.para)
        ws.write_string(r, 2, s.date.describe() if not s.date.is_empty() else "not stated")
        title = s.title if s.title_stated else f"[untitled] {s.title}"
        ws.write_string(r, 3, f"{title} (by {s.byline or 'unnamed'}; file {s.file})", fmt.para)
        r += 1
    del vocab
