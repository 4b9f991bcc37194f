"""Write a copy of a workbook with every problem cell highlighted and explained.

Errors are filled red, warnings amber; each cell gets its message as a
comment, and an Issues sheet lists every problem with a link to its cell.
The input file is never modified.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

from .errors import InputError, OutputError
from .problems import Problem, Severity
from .text import xml_safe
from .write import atomic_file

ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
ISSUES_SHEET = "Issues"


def annotate(workbook: Path, problems: list[Problem], out: Path) -> Path:
    """Write the annotated copy of workbook to out; return out."""
    from openpyxl import load_workbook
    from openpyxl.styles import PatternFill

    workbook, out = Path(workbook), Path(out)
    if out.resolve() == workbook.resolve():
        raise OutputError("--annotate must name a new file, not the workbook itself "
                          "(reporter never modifies its input)", code="output-is-input")
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"{out}: the annotated copy's name must end in .xlsx",
                          code="bad-name")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about parts it drops, e.g. extensions
        try:
            wb = load_workbook(_readable_copy(workbook), rich_text=False)
        except Exception as exc:  # openpyxl raises many kinds on odd files
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(f"cannot make an annotated copy: {first}", path=workbook,
                             code="corrupt-file") from None
    fills = {
        Severity.ERROR: PatternFill("solid", start_color=ERROR_FILL, end_color=ERROR_FILL),
        Severity.WARNING: PatternFill("solid", start_color=WARNING_FILL, end_color=WARNING_FILL),
    }
    sheets = _sheet_names(wb.sheetnames)
    _mark_cells(wb, problems, sheets, fills)
    _issues_sheet(wb, problems, sheets, fills)
    wb.active = 0
    with atomic_file(out) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb.save(tmp)
    return out


def _sheet_of(p: Problem, sheets: dict[str, str]) -> str | None:
    """The workbook's own name of the sheet a problem is on."""
    return sheets.get(p.sheet or "") or sheets.get(_key(p.sheet or ""))


def _mark_cells(wb, problems: list[Problem], sheets: dict[str, str], fills) -> None:
    """Fill every problem cell and put its messages in a comment."""
    from openpyxl.comments import Comment

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


def _issues_sheet(wb, problems: list[Problem], sheets: dict[str, str], fills) -> None:
    """The Issues sheet in front: every problem, with a link to its cell."""
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    if ISSUES_SHEET in wb.sheetnames:
        del wb[ISSUES_SHEET]
    ws = wb.create_sheet(ISSUES_SHEET, 0)
    headers = ("Severity", "Code", "Sheet", "Cell", "Column", "Value", "What is wrong and how "
               "to fix it")
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    for width, col in zip((10, 22, 12, 8, 16, 24, 100), "ABCDEFG", strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    link_font = Font(color="0563C1", underline="single")
    for i, p in enumerate(problems, start=2):
        value = "" if p.value is None else str(p.to_dict()["value"])
        ws.cell(i, 1, str(p.severity)).fill = fills[p.severity]
        for j, v in enumerate((p.code, p.sheet or "", p.cell or "", p.column or "", value,
                               p.message), start=2):
            c = ws.cell(i, j)
            c.value = xml_safe(v)
            c.data_type = "s"  # text from the workbook stays text, even '=SUM(...)'
        sheet = _sheet_of(p, sheets)
        if sheet and p.cell:
            link = ws.cell(i, 4)
            quoted = sheet.replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!{p.cell}",
                                       tooltip="Go to the cell")
            link.font = link_font


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


_NOT_FINITE = re.compile(rb"<v>\s*[-+]?(?:nan|inf|infinity)\s*</v>", re.I)


def _readable_copy(workbook: Path) -> io.BytesIO:
    """The workbook as openpyxl can load it: number cells holding NaN or infinity (which
    validate reports, and on which openpyxl's reader fails) are given as text instead."""
    data = workbook.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        bad = [i.filename for i in zin.infolist() if i.filename.startswith("xl/worksheets/")
               and _NOT_FINITE.search(zin.read(i))]
        if not bad:
            return io.BytesIO(data)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                blob = zin.read(info)
                if info.filename in bad:
                    blob = _as_text(blob)
                zout.writestr(info, blob)
    out.seek(0)
    return out


def _as_text(xml: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True,
                                                 huge_tree=True))
    for v in root.iter("{*}v"):
        c = v.getparent()
        if _NOT_FINITE.fullmatch(b"<v>" + (v.text or "").encode() + b"</v>") and (
                c.get("t", "n") == "n"):
            c.set("t", "str")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
