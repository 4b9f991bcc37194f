"""Write a copy of a workbook with every problem cell highlighted and explained.

Errors are filled red, warnings amber; each cell gets its message as a
comment, and an Issues sheet lists every problem with a link to its cell.
The input file is never modified.

The copy prints on A4 by reporter's one print policy (`render/pages.py`), expressed in
openpyxl's page setup: the Issues sheet as reporter's own tables are, and each sheet
of the workbook that has no print settings of its own (one made from the template
has them) at its widths as they are, fitted to one page wide where its text stays
8 pt or larger, else across pages with its first column on each.
"""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any

from .errors import InputError, OutputError
from .problems import Problem, Severity
from .text import xml_safe
from .write import atomic_file, normalise_zip, pinned_time

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
ISSUES_SHEET = "Issues"
#: The Issues sheet's columns, and how narrow the last two may become (text wrapped).
_ISSUES = (("Severity", 10, None), ("Code", 22, None), ("Sheet", 12, None), ("Cell", 8, None),
           ("Column", 16, None), ("Value", 24, 12.0),
           ("What is wrong and how to fix it", 100, 30.0))
#: Excel's width of a column that sets none, in characters.
_DEFAULT_WIDTH = 8.43
#: What a stored column width adds to the characters it shows (xlsxwriter adds it itself).
_PADDING = 0.71


def annotate(workbook: Path, problems: list[Problem], out: Path, *,
             force: bool = False) -> Path:
    """Write the annotated copy of workbook to out; return out. A file already at out is
    replaced only with force (it may be a person's own file, or a copy they edited)."""
    workbook, out = Path(workbook), Path(out)
    check_annotate_path(workbook, out, force=force)
    wb = _load(workbook)
    _mark_cells(wb, problems)
    for ws in wb.worksheets:
        if ws.sheet_state == "visible":
            widths = _widths(ws)
            if not _has_print_settings(ws):
                _print_as_it_is(ws, widths)
            _fit_rows(ws, widths)
    if ISSUES_SHEET in wb.sheetnames:
        del wb[ISSUES_SHEET]
    _issues_sheet(wb.create_sheet(ISSUES_SHEET, 0), wb, problems, workbook.name)
    wb.active = 0
    with atomic_file(out) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _save(wb, tmp)
    return out


def _save(wb: Any, path: Path) -> None:
    """Save as openpyxl's `Workbook.save` does, but reproducibly: the same workbook and
    problems give the same bytes. `save` stamps the time of saving into the copy's
    properties and its zip entries; here the copy keeps the workbook's own "modified"
    time (or SOURCE_DATE_EPOCH's), and the entries carry one fixed time."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.modified = pinned_time(wb.properties.modified)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    normalise_zip(path)


def _shown(value: object) -> str:
    """A problem's value as the cell shows it: -5000, not the -5000.0 a number cell holds."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_annotate_path(workbook: Path, out: Path, *, force: bool = False) -> None:
    """Refuse an unusable place for the annotated copy (OutputError, exit 3): the workbook
    itself, a name not ending in .xlsx, or a file that exists (without force)."""
    if out.resolve() == workbook.resolve():
        raise OutputError("--annotate must name a new file, not the workbook itself "
                          "(reporter never modifies its input)", path=out,
                          code="output-is-input")
    if out.suffix.lower() != ".xlsx":
        raise OutputError("the annotated copy's name must end in .xlsx", path=out,
                          code="bad-name")
    if os.path.lexists(out) and not force:
        raise OutputError("the file already exists; give the annotated copy a new name, or "
                          "add --force to replace it", path=out, code="exists")


def _load(workbook: Path) -> Any:
    """The workbook in openpyxl: as it is, else (openpyxl refuses what validate reads and
    reports: a number cell that is not a finite number, a date that is not one, a style
    that does not exist) with such cells made readable (_readable_copy)."""
    from openpyxl import load_workbook

    data = workbook.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        _check_merged(workbook, zin)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it drops, e.g. extensions
        try:
            return load_workbook(io.BytesIO(data), rich_text=False)
        except Exception:  # openpyxl raises many kinds on odd files
            pass
        try:
            return load_workbook(_readable_copy(data), rich_text=False)
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot make an annotated copy: openpyxl, which writes it, cannot "
                             f"read this workbook ({first}); validate without --annotate "
                             "lists its problems. To annotate it, open it in Excel or "
                             "LibreOffice and save it anew",
                             path=workbook, code="corrupt-file") from None


def _fills() -> dict[Severity, Any]:
    from openpyxl.styles import PatternFill

    return {
        Severity.ERROR: PatternFill("solid", start_color=ERROR_FILL, end_color=ERROR_FILL),
        Severity.WARNING: PatternFill("solid", start_color=WARNING_FILL, end_color=WARNING_FILL),
    }


def _mark_cells(wb: Any, problems: list[Problem]) -> None:
    """Fill every problem cell and put its messages in a comment."""
    from openpyxl.comments import Comment

    fills = _fills()
    sheets = _sheet_names(wb.sheetnames)
    notes: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        sheet = _sheet_of(p, sheets)
        if sheet and p.cell:
            notes.setdefault((sheet, p.cell), []).append(p)
    for (sheet, ref), items in notes.items():
        cell = _writable(wb[sheet], ref)
        worst = Severity.ERROR if any(p.severity is Severity.ERROR for p in items) else (
            Severity.WARNING)
        cell.fill = fills[worst]
        where = "" if cell.coordinate == ref else f"{ref} (merged into {cell.coordinate}): "
        text = "\n".join(f"{where}{p.severity.upper()} [{p.code}]: {p.message}" for p in items)
        if cell.comment is not None:
            text = cell.comment.text + "\n" + text
        comment = Comment(xml_safe(text)[:30000], "reporter")
        comment.width, comment.height = 360, min(600, 60 + 15 * text.count("\n") + len(text) // 3)
        cell.comment = comment


def _issues_sheet(ws: Any, wb: Any, problems: list[Problem], name: str) -> None:
    """Every problem with a link to its cell; or, with none, a line that says so."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    from .render.pages import plan_pages
    from .render.textsize import longest_word, row_height

    if not problems:
        ws["A1"] = "No problems found"
        ws["A1"].font = Font(name="Calibri", bold=True, size=14)
        ws["A2"] = xml_safe(f"reporter validate found no errors and no warnings in {name}.")
        _print_setup(ws, plan_pages([60.0]), header_row=None)
        return
    ws.append([h for h, _, _ in _ISSUES])
    # Fonts named, as the workbook's default is: an unnamed one is LibreOffice's serif.
    for c in ws[1]:
        c.font = Font(name="Calibri", size=11, bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    sheets = _sheet_names([n for n in wb.sheetnames if n != ws.title])
    fills, top = _fills(), Alignment(vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    link_font = Font(name="Calibri", size=11, color="0563C1", underline="single")
    rows = []
    for i, p in enumerate(problems, start=2):
        value = _shown(p.to_dict()["value"])
        severity = ws.cell(i, 1, str(p.severity))
        severity.fill, severity.alignment = fills[p.severity], top
        row = (p.code, p.sheet or "", p.cell or "", p.column or "", value, p.message)
        rows.append(row)
        for j, v in enumerate(row, start=2):
            c = ws.cell(i, j)
            c.value = xml_safe(v)
            c.data_type = "s"  # text from the workbook stays text, even '=SUM(...)'
            c.alignment = wrap if j >= 6 else top
        sheet = _sheet_of(p, sheets)
        if sheet and p.cell:
            link = ws.cell(i, 4)
            quoted = sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{p.cell}",
                                       tooltip="Go to the cell")
            link.font = link_font
    plan = plan_pages([w for _, w, _ in _ISSUES], wrapped=lambda j: None if (
        _ISSUES[j][2] is None) else max(_ISSUES[j][2], longest_word(r[j - 1] for r in rows) + 1))
    for j, width in enumerate(plan.widths):
        ws.column_dimensions[_letter(j)].width = width + _PADDING
    # LibreOffice does not fit rows to wrapped text as Excel does: give each its height.
    for i, row in enumerate(rows, start=2):
        height = row_height([(row[4], plan.widths[5]), (row[5], plan.widths[6])])
        if height > 15:
            ws.row_dimensions[i].height = height
    _print_setup(ws, plan, header_row=1)


def _letter(j: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(j + 1)


def _has_print_settings(ws: Any) -> bool:
    """Whether a sheet says how it prints: its own choice (or the template's) is kept."""
    setup, props = ws.page_setup, ws.sheet_properties.pageSetUpPr
    return bool(ws.print_area or ws.print_title_rows or ws.print_title_cols
                or (props is not None and props.fitToPage)
                or setup.orientation == "landscape"
                or (setup.scale is not None and int(setup.scale) != 100))


def _widths(ws: Any) -> list[float]:
    """The sheet's column widths, in characters."""
    default = ws.sheet_format.defaultColWidth or _DEFAULT_WIDTH
    widths = [default] * ws.max_column
    for dim in ws.column_dimensions.values():
        if dim.width and dim.min:
            for j in range(dim.min - 1, min(dim.max or dim.min, ws.max_column)):
                widths[j] = float(dim.width) - _PADDING
    return widths


def _print_as_it_is(ws: Any, widths: list[float]) -> None:
    """A sheet of the workbook, at its own column widths (never narrowed: its cells are not
    reporter's to rewrap), with its first row as the header."""
    from .render.pages import plan_pages

    _print_setup(ws, plan_pages(widths), header_row=1)


def _fit_rows(ws: Any, widths: list[float]) -> None:
    """Rows of wrapped text as tall as their text, unless the workbook sets their height:
    LibreOffice does not fit rows to their text as Excel does, and prints them cut off.
    On the way, a whole number too large for a float (validate reports it) becomes text:
    openpyxl cannot write it as a number."""
    from .render.textsize import row_height

    for row in ws.iter_rows():
        for c in row:
            if type(c.value) is int and not -_LARGEST < c.value < _LARGEST:
                c.value = str(c.value)
        r = row[0].row
        dim = ws.row_dimensions.get(r)  # .get: indexing would add a row dimension
        if dim is not None and dim.customHeight:
            continue
        texts = [(c.value, widths[c.column - 1]) for c in row
                 if type(c.value) is str and c.alignment is not None and c.alignment.wrap_text
                 and c.column <= len(widths)]
        if texts and (height := row_height(texts)) > 15:
            ws.row_dimensions[r].height = height


def _print_setup(ws: Any, plan: Any, *, header_row: int | None) -> None:
    """The page setup of render/pages.py's set_print, in openpyxl's terms (rows from 1)."""
    from openpyxl.worksheet.properties import PageSetupProperties

    from .render.pages import A4, MARGINS

    setup = ws.page_setup
    setup.paperSize = A4
    setup.orientation = "landscape" if plan.landscape else "portrait"
    for side, inches in MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.page_margins.header = ws.page_margins.footer = 0.3  # as xlsxwriter writes them
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    if plan.fit_width:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        setup.fitToWidth, setup.fitToHeight = 1, 0
    else:
        setup.scale = plan.scale
        setup.pageOrder = "overThenDown"
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
    if plan.repeat_columns:
        ws.print_title_cols = f"A:{_letter(plan.repeat_columns - 1)}"


def _sheet_of(p: Problem, sheets: dict[str, str]) -> str | None:
    """The workbook's own name of the sheet a problem is on."""
    return sheets.get(p.sheet or "") or sheets.get(_key(p.sheet or ""))


def _key(name: str) -> str:
    """How validate finds a sheet: ignoring case and surrounding spaces (`metrics `)."""
    return name.strip().casefold()


def _sheet_names(names: list[str]) -> dict[str, str]:
    """Each sheet by its own name and by the key validate finds it by."""
    found = {_key(n): n for n in reversed(names)}
    found.update({n: n for n in names})
    return found


def _writable(ws, ref: str):
    """The cell at ref, or the first cell of the merged range it lies in (the only one of
    a merged range that can hold a fill and a comment)."""
    from openpyxl.cell.cell import MergedCell

    cell = ws[ref]
    if isinstance(cell, MergedCell):
        for merged in ws.merged_cells.ranges:
            if ref in merged:
                return ws.cell(merged.min_row, merged.min_col)
    return cell


_LARGEST = 2**1023  # about 9e307: a whole number past it has no float
#: Cells of merged ranges an annotated copy takes: openpyxl makes an object for each.
MERGED_CELLS = 1_000_000


def _readable_copy(data: bytes) -> io.BytesIO:
    """The workbook with every worksheet's odd cells made readable (_readable_sheet)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        styles = _style_count(zin)
        for info in zin.infolist():
            blob = zin.read(info)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                blob = _readable_sheet(blob, styles)
            zout.writestr(info, blob)
    out.seek(0)
    return out


def _check_merged(workbook: Path, zin: zipfile.ZipFile) -> None:
    """Refuse merged ranges of more than MERGED_CELLS cells in all (A1:XFD1048576 would cost
    openpyxl gigabytes), on any sheet, read by validate or not. Element names cannot be
    written with escapes, so only parts that name a mergeCell are parsed."""
    total = 0
    for info in zin.infolist():
        if info.filename.startswith("xl/worksheets/"):
            blob = zin.read(info)
            if b"mergeCell" in blob:
                total += _merged_cells(workbook, info.filename, blob)
        if total > MERGED_CELLS:
            raise InputError(
                f"cannot make an annotated copy: its merged ranges cover more than "
                f"{MERGED_CELLS:,} cells ({info.filename}); unmerge them in Excel and save",
                path=workbook, code="area-too-large")


def _merged_cells(workbook: Path, part: str, blob: bytes) -> int:
    from .read.sheetscan import cell_position
    from .read.xmlsafety import NS_SEP, feed, make_parser

    total = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal total
        if name.rpartition(NS_SEP)[2] == "mergeCell":
            ends = [cell_position(r) for r in attrs.get("ref", "").split(":")]
            if len(ends) == 2 and None not in ends:
                (r0, c0), (r1, c1) = ends  # type: ignore[misc]
                total += (abs(r1 - r0) + 1) * (abs(c1 - c0) + 1)

    parser = make_parser(workbook, part)
    parser.StartElementHandler = start
    feed(parser, workbook, part, blob, True)
    return total


def _readable_sheet(xml: bytes, styles: int) -> bytes:
    """A worksheet with the cells openpyxl cannot read given as the text they hold: a
    number that is not a finite number (NaN, 1e400, 0x10, written with character
    references or not), a date that is not an ISO date; and without a style that does not
    exist. The file passed validate's checks, so it is well-formed and within the limits."""
    import datetime as dt
    import math

    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True,
                                                 huge_tree=True))
    for c in root.iter("{*}c"):
        style = c.get("s")
        if style is not None and not (style.isdigit() and int(style) < styles):
            del c.attrib["s"]
        v = next(c.iterchildren("{*}v"), None)
        if v is None:
            continue
        kind, text = c.get("t", "n"), (v.text or "").strip()
        if kind == "n":
            try:
                readable = math.isfinite(float(text))
            except ValueError:
                readable = False
        elif kind == "d":
            try:
                dt.datetime.fromisoformat(text)
                readable = True
            except ValueError:
                readable = False
        else:
            continue
        if not readable:
            c.set("t", "str")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _style_count(zin: zipfile.ZipFile) -> int:
    """How many cell formats the workbook's styles define (0 without styles)."""
    from lxml import etree

    try:
        root = etree.fromstring(zin.read("xl/styles.xml"),
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except KeyError:
        return 0
    xfs = next(root.iter("{*}cellXfs"), None)
    return 0 if xfs is None else sum(1 for x in xfs if isinstance(x.tag, str))
