"""A corpus of hostile, damaged and awkward workbooks, written by code (no opaque fixtures).

Each `Case` writes one file and says what `reporter validate` must do with it:
the exit code, a problem code or message fragment, and (for data problems) the
sheet and cell the message must point at. tests/test_corpus.py runs them all.

Cells are named by sheet, header and row (tests.conftest.ref and cell_at), never by
column letter, so that a column added to the declaration moves every case with it.
(Places on the grid past its limits, such as XFD9999, keep their letters.)

Run `python tests/corpus.py OUT_DIR` to write the files for a look in Excel.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from reporter.schema import column_letter  # noqa: E402
from tests.conftest import (  # noqa: E402
    cell_at,
    header_index,
    letter,
    next_column,
    ref,
    ref_beyond,
    set_cells,
)

SAMPLE = ROOT / "input" / "cooperation.xlsx"

# Where each sheet of the sample lives inside the file (xlsxwriter's order).
PART = {"README": "xl/worksheets/sheet1.xml", "Meetings": "xl/worksheets/sheet2.xml",
        "Agreements": "xl/worksheets/sheet3.xml", "Metrics": "xl/worksheets/sheet4.xml"}


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], Path]  # writes the file under the given folder, returns its path
    exit_code: int
    expect: str  # a problem code (data cases) or a fragment of the one-line message
    sheet: str | None = None
    cell: str | None = None
    #: a fix hint the message must contain (what the user should do)
    fix: str | None = None


# --- helpers -----------------------------------------------------------------------------------

def _sample_parts() -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(SAMPLE) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _rezip(path: Path, parts: list[tuple[zipfile.ZipInfo | str, bytes]],
           compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for info, blob in parts:
            name = info.filename if isinstance(info, zipfile.ZipInfo) else info
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), blob,
                       compress_type=compression)
    return path


def _patched(name: str, part: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        parts = [(i, fn(b) if i.filename == part else b) for i, b in _sample_parts()]
        return _rezip(d / name, parts)
    return make


def _with_openpyxl(name: str, edit: Callable) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        from openpyxl import load_workbook

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(SAMPLE)
            edit(wb)
            wb.save(d / name)
        return d / name
    return make


def _cell_xml(part: bytes, at: str, new: bytes) -> bytes:
    """Replace the <c> element at a reference (which must exist) with new XML."""
    pattern = re.compile(rb'<c r="' + at.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    out, n = pattern.subn(new, part, count=1)
    assert n == 1, f"cell {at} not found"
    return out


def _bytes(name: str, blob: bytes) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).write_bytes(blob)
        return d / name
    return make


def _folder(d: Path) -> Path:
    p = d / "a-folder.xlsx"
    p.mkdir()
    return p


def _docx(d: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("Not a workbook")
    doc.save(d / "letter.xlsx")
    return d / "letter.xlsx"


def _truncated(d: Path) -> Path:
    blob = SAMPLE.read_bytes()
    (d / "truncated.xlsx").write_bytes(blob[: len(blob) // 2])
    return d / "truncated.xlsx"


def _bad_crc(d: Path) -> Path:
    # Stored (uncompressed) so that flipping a byte changes content but not structure.
    path = _rezip(d / "bad-crc.xlsx", list(_sample_parts()), zipfile.ZIP_STORED)
    blob = bytearray(path.read_bytes())
    at = blob.find(b"Shanghai Jiao Tong")
    blob[at] ^= 0x20
    path.write_bytes(bytes(blob))
    return path


def _bad_deflate(d: Path) -> Path:
    path = SAMPLE
    blob = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(PART["Agreements"])
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
    for k in range(start, start + 16):
        blob[k] ^= 0xFF
    (d / "bad-deflate.xlsx").write_bytes(bytes(blob))
    return d / "bad-deflate.xlsx"


def _no_content_types(d: Path) -> Path:
    parts = [(i, b) for i, b in _sample_parts() if i.filename != "[Content_Types].xml"]
    return _rezip(d / "no-content-types.xlsx", parts)


def _xlsb(d: Path) -> Path:
    parts: list[tuple[zipfile.ZipInfo | str, bytes]] = [
        ("[Content_Types].xml", b'<?xml version="1.0"?><Types xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/content-types"/>'),
        ("xl/workbook.bin", b"\x83\x01\x00"),
    ]
    return _rezip(d / "binary.xlsx", parts)


def _ods(d: Path) -> Path:
    return _rezip(d / "calc.xlsx", [("mimetype", b"application/vnd.oasis.opendocument."
                                     b"spreadsheet"), ("content.xml", b"<office:document/>")])


def _ole(encrypted: bool) -> bytes:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    body = bytearray(b"\x00" * 2048)
    if encrypted:
        name = "EncryptionInfo".encode("utf-16-le")
        body[512:512 + len(name)] = name
    else:
        name = "Workbook".encode("utf-16-le")
        body[512:512 + len(name)] = name
    return header + bytes(body)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
               for i in range(1, 10))
    + b']>\n'
)


def _entities_in(part: str, name: str, kind: str) -> Callable[[Path], Path]:
    def fn(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        if kind == "laughs":
            head = BILLION_LAUGHS
            body = body.replace(b">M-SUZHOU<", b">&lol9;<", 1).replace(
                b'name="Meetings"', b'name="&lol9;"', 1)
        elif kind == "quadratic":
            head = b'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "' + b"a" * 50000 + b'">]>\n'
            body = body.replace(b'name="Meetings"', b'name="' + b"&a;" * 2000 + b'"', 1).replace(
                b">M-SUZHOU<", b">" + b"&a;" * 2000 + b"<", 1)
        else:  # external entity pointing at a local file
            head = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            body = body.replace(b">M-SUZHOU<", b">&xxe;<", 1)
        return head + body
    return _patched(name, part, fn)


def _zip_bomb(d: Path) -> Path:
    """Sixty MiB of sheet XML (a comment nobody needs) packed into a few dozen KiB."""
    filler = b"<!-- " + b"0" * (60 * 2**20) + b" -->"
    parts = []
    for info, blob in _sample_parts():
        if info.filename == PART["Meetings"]:
            blob = blob.replace(b"<sheetData>", filler + b"<sheetData>", 1)
        parts.append((info, blob))
    return _rezip(d / "bomb.xlsx", parts)


def _rows_appended(name: str, sheet: str, rows: bytes) -> Callable[[Path], Path]:
    """The sample with raw <row> elements added at the end of a sheet's data."""
    return _patched(name, PART[sheet], lambda x: x.replace(b"</sheetData>",
                                                           rows + b"</sheetData>"))


_far_cell = _rows_appended("far-cell.xlsx", "Metrics", b'<row r="1048576"><c r="XFD1048576" '
                           b't="n"><v>1</v></c></row>')


def _lying_dimension(d: Path) -> Path:
    return _patched("dimension.xlsx", PART["Agreements"],
                    lambda x: re.sub(rb'<dimension ref="[^"]*"/>',
                                     b'<dimension ref="A1:XFD1048576"/>', x))(d)


def _tiny_dimension(d: Path) -> Path:
    return _patched("dimension-small.xlsx", PART["Agreements"],
                    lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', x))(d)


def _lock_file(d: Path) -> Path:
    p = d / "~$cooperation.xlsx"
    p.write_bytes(b"\x0bstaff member" + b"\x00" * 150)
    return p


def _styled_tail(d: Path) -> Path:
    first = letter("Agreements", "Agreement ID").encode()
    rows = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="%s%d" s="1"/></row>'
                    % (i, first, i) for i in range(40, 1048577))
    return _rows_appended("styled-tail.xlsx", "Agreements", rows)(d)


_rows_out_of_order = _rows_appended(
    "unordered.xlsx", "Metrics", b'<row r="3"><c r="' + ref("Metrics", "Metric ID", 3).encode()
    + b'" t="inlineStr"><is><t>x</t></is></c></row>')

#: Metrics!Value on row 3: 25,000 in the sample, where the formula cases put a formula.
_FORMULA_AT = ref("Metrics", "Value", 3)


def _xlsxwriter_formula(d: Path) -> Path:
    """A formula as xlsxwriter saves it: a saved result of 0 that nobody calculated."""
    return _metrics_cell("xlsxwriter-formula.xlsx", "Value", 3,
                         b'<c r="{ref}"><f>20000+5000</f><v>0</v></c>')(d)


def _calculated_formula(d: Path) -> Path:
    """A formula as Excel saves it (no recalculation flag): its saved result is used."""
    def strip_calc(xml: bytes) -> bytes:
        return re.sub(rb"<calcPr[^>]*/>", b"", xml)

    def fn(xml: bytes) -> bytes:
        return _cell_xml(xml, _FORMULA_AT, _filled(
            b'<c r="{ref}"><f>20000+5000</f><v>25000</v></c>', _FORMULA_AT))
    path = d / "excel-formula.xlsx"
    parts = []
    for info, blob in _sample_parts():
        if info.filename == PART["Metrics"]:
            blob = fn(blob)
        elif info.filename == "xl/workbook.xml":
            blob = strip_calc(blob)
        parts.append((info, blob))
    return _rezip(path, parts)


#: A cell's new XML: bytes with {ref} where its reference goes, or a function of the reference.
CellXml = bytes | Callable[[str], bytes]


def _filled(xml: CellXml, at: str) -> bytes:
    return xml(at) if callable(xml) else xml.replace(b"{ref}", at.encode())


def _sheet_cell(name: str, sheet: str, header: str, row: int, xml: CellXml
                ) -> Callable[[Path], Path]:
    """The sample with the cell under header on an Excel row of sheet replaced by xml."""
    at = ref(sheet, header, row)
    return _patched(name, PART[sheet], lambda x: _cell_xml(x, at, _filled(xml, at)))


def _metrics_cell(name: str, header: str, row: int, xml: CellXml) -> Callable[[Path], Path]:
    return _sheet_cell(name, "Metrics", header, row, xml)


def _agreements_cell(name: str, header: str, row: int, xml: CellXml) -> Callable[[Path], Path]:
    return _sheet_cell(name, "Agreements", header, row, xml)


def _inline(text: str) -> Callable[[str], bytes]:
    from xml.sax.saxutils import escape

    return lambda at: (f'<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}'
                       "</t></is></c>").encode()


def _set(sheet: str, header: str, row: int, value: object, data_type: str | None = None):
    return lambda wb: set_cells(wb[sheet], row, {header: value}, data_type)


def _header_moved(wb) -> None:
    wb["Agreements"].insert_rows(1, 2)
    # a title in the first cell of the sheet, above the header row (no column of its own)
    wb["Agreements"].cell(1, 1, "Agreements signed, as recorded by the commission")


def _duplicate_header(wb) -> None:
    ws = wb["Metrics"]
    extra = next_column(ws)
    ws.cell(1, extra, "Value")
    ws.cell(2, extra, 1)


def _hidden(wb) -> None:
    wb["Agreements"].row_dimensions[4].hidden = True
    wb["Metrics"].sheet_state = "hidden"


def _merge(ws, header: str, first: int, last: int) -> None:
    """Merge the cells under header from Excel row first to last."""
    column = header_index(ws, header)
    assert column is not None, header
    ws.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


def _merged(wb) -> None:
    _merge(wb["Agreements"], "Focus areas", 5, 6)


def _many_dates(wb) -> None:
    ws = wb["Meetings"]
    for row, text in enumerate(("2024-05-24", "24 May 2024", "May 24, 2024", "2024年5月24日",
                                "24/05/2024"), start=2):
        cell_at(ws, "Date", row).value = text
    serial = cell_at(ws, "Date", 7)
    serial.value = 45436  # a serial number in a General cell
    serial.number_format = "General"


def _number_texts(wb) -> None:
    ws = wb["Agreements"]
    for row, text in enumerate(("1,234,567", "1\u00a0234\u00a0567", "32.3 billion", "323亿"),
                               start=2):
        cell_at(ws, "Value (CNY)", row).value = text
    cell_at(ws, "Agreement ID", 6).value = "007"


def _chinese(wb) -> None:
    ws = wb["Agreements"]
    cell_at(ws, "Title", 2).value = "上海与苏州科技合作协议 🤝"
    cell_at(ws, "Party A", 3).value = "上海交通大学"
    cell_at(ws, "Party B", 3).value = "香港城市大学"


CASES: list[Case] = [
    # --- file level: each refused with exit 2 and one line naming the file and the reason
    Case("empty file", _bytes("empty.xlsx", b""), 2, "empty"),
    Case("folder", _folder, 2, "folder"),
    Case("xls renamed", _bytes("old.xlsx", _ole(False)), 2, "Excel 97-2003", fix="save it as"),
    Case("xls as .xls", _bytes("old.xls", _ole(False)), 2, "Excel 97-2003"),
    Case("xlsb renamed", _xlsb, 2, "Binary Workbook", fix="save it as"),
    Case("csv renamed", _bytes("table.xlsx", "Meeting ID,Title\nM1,上海\n".encode()), 2,
         "text file", fix="save it as"),
    Case("csv as .csv", _bytes("table.csv", b"Meeting ID,Title\nM1,Forum\n"), 2, "text file"),
    Case("html renamed", _bytes("page.xlsx", b"<html><body><table></table></body></html>"), 2,
         "web page"),
    Case("docx renamed", _docx, 2, "Word document"),
    Case("ods renamed", _ods, 2, "OpenDocument"),
    Case("encrypted workbook", _bytes("secret.xlsx", _ole(True)), 2, "password",
         fix="remove the password"),
    Case("truncated zip", _truncated, 2, "damaged"),
    Case("flipped byte (bad CRC)", _bad_crc, 2, "damaged"),
    Case("corrupt deflate stream", _bad_deflate, 2, "damaged"),
    Case("zip without [Content_Types].xml", _no_content_types, 2, "Content_Types"),
    Case("random bytes", _bytes("noise.xlsx", bytes(range(256)) * 40), 2, "not an .xlsx"),
    Case("billion laughs in sheet XML", _entities_in(PART["Meetings"], "laughs.xlsx", "laughs"),
         2, "entities"),
    Case("quadratic blowup in workbook XML",
         _entities_in("xl/workbook.xml", "quadratic.xlsx", "quadratic"), 2, "entities"),
    Case("billion laughs in workbook XML",
         _entities_in("xl/workbook.xml", "laughs-wb.xlsx", "laughs"), 2, "entities"),
    Case("quadratic blowup in sheet XML",
         _entities_in(PART["Meetings"], "quadratic-sheet.xlsx", "quadratic"), 2, "entities"),
    Case("external entity (XXE)", _entities_in(PART["Meetings"], "xxe.xlsx", "xxe"), 2,
         "entities"),
    Case("zip bomb", _zip_bomb, 2, "zip bomb"),
    Case("cell at XFD1048576", _far_cell, 2, "XFD1048576", fix="Delete that cell"),
    Case("rows out of order", _rows_out_of_order, 2, "out of order"),
    Case("Excel lock file", _lock_file, 2, "lock file", fix="cooperation.xlsx"),
    Case("missing file", lambda d: d / "no-such-file.xlsx", 2, "no such file"),
    # --- workbooks that are fine despite their oddities: exit 0
    Case("dimension that lies (too big)", _lying_dimension, 0, ""),
    Case("dimension that lies (too small)", _tiny_dimension, 0, ""),
    Case("trailing blank rows styled to row 1,048,576", _styled_tail, 0, ""),
    Case("dates as text in several forms, and a serial number",
         _with_openpyxl("dates.xlsx", _many_dates), 0, ""),
    Case("numbers as text with separators; leading zeros in an ID",
         _with_openpyxl("numbers.xlsx", _number_texts), 0, ""),
    Case("Chinese and emoji text", _with_openpyxl("chinese.xlsx", _chinese), 0, ""),
    # reported at the header row's first cell, whichever column that is
    Case("header row not on row 1", _with_openpyxl("header.xlsx", _header_moved), 0,
         "header-moved", "Agreements", f"{column_letter(0)}3"),
    Case("hidden sheet and hidden row", _with_openpyxl("hidden.xlsx", _hidden), 0,
         "hidden-sheet", "Metrics"),
    Case("_x000D_ escape in text",
         _agreements_cell("escape.xlsx", "Notes", 2, _inline("line one_x000D_line two")), 0, ""),
    Case("formula with a saved result (as Excel saves it)", _calculated_formula, 0,
         "formula-result", "Metrics", _FORMULA_AT),
    # --- data problems: exit 1, reported at the cell
    Case("formula with no saved result (as openpyxl saves it)",
         _with_openpyxl("formula.xlsx", _set("Metrics", "Value", 4, "=SUM(1,2)")), 1,
         "formula-not-calculated", "Metrics", ref("Metrics", "Value", 4), fix="save it"),
    Case("formula with a saved 0 (as xlsxwriter saves it)", _xlsxwriter_formula, 1,
         "formula-not-calculated", "Metrics", _FORMULA_AT, fix="type the value"),
    Case("#REF! error cell",
         _metrics_cell("ref.xlsx", "Value", 5, b'<c r="{ref}" t="e"><v>#REF!</v></c>'), 1,
         "error-cell", "Metrics", ref("Metrics", "Value", 5)),
    Case("#N/A error cell",
         _metrics_cell("na.xlsx", "Value", 6, b'<c r="{ref}" t="e"><f>NA()</f><v>#N/A</v></c>'), 1,
         "error-cell", "Metrics", ref("Metrics", "Value", 6)),
    Case("merged cells in the data", _with_openpyxl("merged.xlsx", _merged), 1,
         "merged-cells", "Agreements", ref("Agreements", "Focus areas", 5), fix="unmerge"),
    Case("absurd date serial",
         _with_openpyxl("serial.xlsx", _set("Meetings", "Date", 3, 99999999)),
         1, "date-out-of-range", "Meetings", ref("Meetings", "Date", 3)),
    Case("date in 1900", _with_openpyxl("1900.xlsx", _set("Meetings", "Date", 3,
                                                          dt.datetime(1900, 1, 5))), 1,
         "date-out-of-range", "Meetings", ref("Meetings", "Date", 3)),
    Case("ambiguous text date", _with_openpyxl("ambiguous.xlsx",
                                               _set("Meetings", "Date", 4, "05/06/2024")), 1,
         "ambiguous-date", "Meetings", ref("Meetings", "Date", 4), fix="2024-05-24"),
    Case("not a date",
         _with_openpyxl("notdate.xlsx", _set("Agreements", "Signed on", 3, "next spring")),
         1, "not-a-date", "Agreements", ref("Agreements", "Signed on", 3)),
    Case("NaN in a number cell",
         _metrics_cell("nan.xlsx", "Value", 7, b'<c r="{ref}"><v>NaN</v></c>'),
         1, "not-finite", "Metrics", ref("Metrics", "Value", 7)),
    Case("infinity in a number cell",
         _metrics_cell("inf.xlsx", "Value", 8, b'<c r="{ref}"><v>INF</v></c>'), 1, "not-finite",
         "Metrics", ref("Metrics", "Value", 8)),
    Case("text longer than 32,767 characters",
         _agreements_cell("long.xlsx", "Notes", 3, _inline("x" * 40_000)), 1, "text-too-long",
         "Agreements", ref("Agreements", "Notes", 3)),
    Case("lone surrogate escape in text",
         _agreements_cell("surrogate.xlsx", "Notes", 2, _inline("half a pair _xD800_ here")), 0,
         ""),
    Case("control characters in text",
         _agreements_cell("control.xlsx", "Notes", 2, _inline("bad_x0001_char")), 0,
         "control-characters", "Agreements", ref("Agreements", "Notes", 2)),
    Case("duplicate header", _with_openpyxl("dupheader.xlsx", _duplicate_header), 1,
         "duplicate-column", "Metrics", ref_beyond("Metrics", 1)),
    Case("missing required column",
         _with_openpyxl("nocol.xlsx", lambda wb: wb["Meetings"].delete_cols(
             header_index(wb["Meetings"], "Counterpart"))), 1,
         "missing-column", "Meetings"),
    Case("missing sheet", _with_openpyxl("nosheet.xlsx", lambda wb: wb.remove(wb["Metrics"])),
         1, "missing-sheet", "Metrics"),
    Case("duplicate ID",
         _with_openpyxl("dupid.xlsx", _set("Agreements", "Agreement ID", 3, "A-SZ-01")), 1,
         "duplicate-id", "Agreements", ref("Agreements", "Agreement ID", 3)),
    Case("unknown Meeting ID", _with_openpyxl("unknown.xlsx",
                                              _set("Metrics", "Meeting ID", 4, "M-HK-FORUM-2025")),
         1, "unknown-meeting", "Metrics", ref("Metrics", "Meeting ID", 4),
         fix="M-HK-FORUM-2024"),
    Case("list value in another case", _with_openpyxl("case.xlsx",
                                                    _set("Meetings", "Kind", 2, "City")), 0, ""),
    Case("value outside the list (typo)",
         _with_openpyxl("typo.xlsx", _set("Meetings", "Kind", 2, "cty")), 1, "not-in-list",
         "Meetings", ref("Meetings", "Kind", 2), fix="city"),
    Case("required cell empty",
         _with_openpyxl("empty.xlsx", _set("Agreements", "Party A", 4, None)), 1,
         "required", "Agreements", ref("Agreements", "Party A", 4)),
    Case("TRUE in a text cell",
         _with_openpyxl("bool.xlsx", _set("Agreements", "Title", 4, True)), 1,
         "not-text", "Agreements", ref("Agreements", "Title", 4)),
    Case("text where a number belongs",
         _with_openpyxl("nan-text.xlsx", _set("Agreements", "Value (CNY)", 2, "a lot")), 1,
         "not-a-number", "Agreements", ref("Agreements", "Value (CNY)", 2)),
    Case("unknown source id",
         _with_openpyxl("source.xlsx", _set("Metrics", "Source", 3, "shhk")), 1,
         "unknown-source", "Metrics", ref("Metrics", "Source", 3), fix="sh-hk"),
    Case("unit disagrees with the value",
         _with_openpyxl("unit.xlsx", _set("Metrics", "Value", 4, "12,280 yuan")), 1,
         "unit-conflict", "Metrics", ref("Metrics", "Unit", 4)),
]


# --- the attacker's variations (issue 12): each check must hold however the XML is spelt -----

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _cell_spellings(at: str) -> list[tuple[str, bytes]]:
    """One filled cell at a reference, written every way XML (and python-calamine) allows."""
    r = at.encode()
    return [
        ("double quotes", b'<c r="' + r + b'"><v>1</v></c>'),
        ("single quotes", b"<c r='" + r + b"'><v>1</v></c>"),
        ("line breaks and tabs inside the tag", b'<c\n\tr = "' + r + b'"\n t="n"\n><v>1</v></c>'),
        ("reference not the first attribute", b'<c s="0" t="n" r="' + r + b'"><v>1</v></c>'),
        ("namespace prefix", b'<x:c xmlns:x="' + MAIN.encode() + b'" r="' + r
         + b'"><x:v>1</x:v></x:c>'),
        ("decimal character reference", b'<c r="&#' + str(ord(at[0])).encode() + b";" + r[1:]
         + b'"><v>1</v></c>'),
        ("hex character reference", b'<c r="&#x' + format(ord(at[0]), "X").encode() + b";"
         + r[1:] + b'"><v>1</v></c>'),
        ("lower case", b'<c r="' + r.lower() + b'"><v>1</v></c>'),
        ("inline string", b'<c r="' + r + b'" t="inlineStr"><is><t>x</t></is></c>'),
        ("CDATA value", b'<c r="' + r + b'"><v><![CDATA[1]]></v></c>'),
        ("comment before the cell", b'<!-- <c r="A1"/> --><c r="' + r + b'"><v>1</v></c>'),
    ]


def _far_cases() -> list[Case]:
    """A value beyond the column or row limit, hidden every way, in a row of its own or in
    a row whose number says otherwise. (These name places on the grid, past its limits, not
    cells under a header: their letters stay.)"""
    cases = []
    for at, fragment in (("XFD9999", "XFD9999"), ("CW9999", "CW9999"),
                         ("A1048576", "1,048,576"), ("A600000", "600,000")):
        for label, cell in _cell_spellings(at):
            rows = b'<row r="9999">' + cell + b"</row>" if "9999" in at else (
                b'<row r="40">' + cell + b"</row>")
            name = f"far-{at}-{len(cases)}.xlsx"
            cases.append(Case(f"value at {at}: {label}", _rows_appended(name, "Metrics", rows),
                              2, fragment, fix="elete"))
    # A cell without a reference sits where the counting puts it: here, row 1,048,576.
    cases.append(Case("value at A1048576 by counting (no r on the cell)",
                      _rows_appended("far-counted.xlsx", "Metrics",
                                     b'<row r="1048576"><c><v>1</v></c></row>'), 2, "1,048,576"))
    return cases


def _four_sheets(d: Path, name: str, far: bytes) -> Path:
    """A1 and a far cell on every data sheet: tiny file, huge grid if read naively. (A place
    on the grid, not a cell under a header: its letters stay.)"""
    def fn(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>", b'<row r="' + far.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                           + b'"><c r="' + far + b'"><v>1</v></c></row></sheetData>')
    parts = [(i, fn(b) if i.filename in (PART["Meetings"], PART["Agreements"], PART["Metrics"],
                                         "xl/worksheets/sheet5.xml") else b)
             for i, b in _sample_parts()]
    return _rezip(d / name, parts)


def _area_cases() -> list[Case]:
    return [
        Case("A1 and CV500000 on four sheets (area)",
             lambda d: _four_sheets(d, "area4.xlsx", b"CV500000"), 2, "area", fix="Delete"),
        Case("A1 and Z300000 on four sheets (area, within the row and column limits)",
             lambda d: _four_sheets(d, "area-l.xlsx", b"Z300000"), 2, "area"),
    ]


def _row_attrs(name: str, sheet: str, row: int, attrs: bytes, prefix: bool = False
               ) -> Callable[[Path], Path]:
    """Add attributes to a row's start tag (optionally writing the row with a prefix)."""
    def fn(xml: bytes) -> bytes:
        start = xml.index(b'<row r="%d"' % row)
        end = xml.index(b">", start)
        close = xml.index(b"</row>", end)
        head = xml[start:end]
        if prefix:
            head = head.replace(b"<row", b'<x:row xmlns:x="' + MAIN.encode() + b'"')
            return xml[:start] + head + attrs + xml[end:close] + b"</x:row>" + xml[close + 6:]
        return xml[:start] + head + attrs + xml[end:]
    return _patched(name, PART[sheet], fn)


def _hidden_cases() -> list[Case]:
    spellings = [(b' hidden="1"', False, "hidden=\"1\""), (b" hidden='1'", False, "single quotes"),
                 (b' hidden="true"', False, "true"), (b'\n\thidden = "1"\n', False, "whitespace"),
                 (b' hidden="&#49;"', False, "character reference"),
                 (b' hidden="1"', True, "namespace prefix")]
    return [Case(f"hidden row: {label}", _row_attrs(f"hidden-{i}.xlsx", "Agreements", 4, attrs,
                                                    prefix), 0, "hidden-rows", "Agreements")
            for i, (attrs, prefix, label) in enumerate(spellings)]


def _error_cases() -> list[Case]:
    m = MAIN.encode()
    spellings = [
        ("single quotes", b"<c r='{ref}' t='e'><v>#REF!</v></c>"),
        ("character reference", b'<c r="{ref}" t="&#101;"><v>#REF!</v></c>'),
        ("namespace prefix", b'<x:c xmlns:x="' + m + b'" r="{ref}" t="e"><x:v>#REF!</x:v></x:c>'),
        ("line breaks", b'<c\nr="{ref}"\nt="e"\n><v>#DIV/0!</v></c>'),
    ]
    cases = [Case(f"error cell: {label}", _metrics_cell(f"err-{i}.xlsx", "Value", 5, xml), 1,
                  "error-cell", "Metrics", ref("Metrics", "Value", 5))
             for i, (label, xml) in enumerate(spellings)]
    # The cell reader takes attribute values as written, and refuses a type it cannot read.
    cases[1] = Case("error cell: character reference in t", cases[1].make, 2, "damaged")
    return cases


def _formula_cases() -> list[Case]:
    m = MAIN.encode()
    spellings = [
        ("namespace prefix",
         b'<c r="{ref}"><x:f xmlns:x="' + m + b'">20000+5000</x:f><v>0</v></c>'),
        ("space in the tag", b'<c r="{ref}"><f >20000+5000</f><v>0</v></c>'),
        ("line break in the tag", b'<c r="{ref}"><f\n>20000+5000</f><v>0</v></c>'),
        ("CDATA formula", b'<c r="{ref}"><f><![CDATA[20000+5000]]></f><v>0</v></c>'),
        ("shared formula", b'<c r="{ref}"><f t="shared" si="0"/><v>0</v></c>'),
    ]
    return [Case(f"formula: {label}", _metrics_cell(f"formula-{i}.xlsx", "Value", 3, xml), 1,
                 "formula-not-calculated", "Metrics", _FORMULA_AT)
            for i, (label, xml) in enumerate(spellings)]


def _control_cases() -> list[Case]:
    """Control characters: reported and removed where XML allows them, refused where it
    does not (a character reference to ESC is not well-formed XML)."""
    warned = [("Excel escape _x001B_", "bad_x001B_[31mtext"), ("DEL as a reference", "bad&#127;x"),
              ("C1 control as a reference", "bad&#x85;x"), ("C1 control typed", "bad\u0085x")]
    cases = [Case(f"control character: {label}",
                  _agreements_cell(f"ctl-{i}.xlsx", "Notes", 2, _raw_inline(text)), 0,
                  "control-characters", "Agreements", ref("Agreements", "Notes", 2))
             for i, (label, text) in enumerate(warned)]
    refused = [("ESC as a decimal reference", "bad&#27;[31mx"),
               ("ESC as a hex reference", "bad&#x1B;x"), ("ESC typed", "bad\x1b[31mx")]
    cases += [Case(f"control character: {label}",
                   _agreements_cell(f"ctl-bad-{i}.xlsx", "Notes", 2, _raw_inline(text)), 2,
                   "not well-formed") for i, (label, text) in enumerate(refused)]
    cases.append(Case("control character in the shared strings",
                      _patched("ctl-sst.xlsx", "xl/sharedStrings.xml",
                               lambda x: x.replace(b"<t>city</t>", b"<t>ci_x001B_ty</t>", 1)),
                      0, "control-characters", "Meetings"))
    return cases


def _raw_inline(text: str) -> Callable[[str], bytes]:
    """An inline string with text written as is (references and all)."""
    return lambda at: (f'<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is>'
                       "</c>").encode()


def _malformed_cases() -> list[Case]:
    def cut(xml: bytes) -> bytes:
        return xml[: len(xml) // 2]

    def cell_tag(xml: bytes, new: bytes) -> bytes:
        """Metrics!Value on row 4 (12,280 in the sample) opened by new ({ref}: its reference)."""
        at = ref("Metrics", "Value", 4).encode()
        old = b'<c r="' + at + b'"'
        assert old in xml, at
        return xml.replace(old, new.replace(b"{ref}", at), 1)
    edits = [
        ("sheet cut in half", PART["Meetings"], cut),
        ("mismatched tag", PART["Meetings"], lambda x: x.replace(b"</row>", b"</rows>", 1)),
        ("unbound prefix", PART["Metrics"], lambda x: cell_tag(x, b'<y:c r="{ref}"')
         .replace(b"<v>12280</v></c>", b"<v>12280</v></y:c>", 1)),
        ("invalid UTF-8", PART["Agreements"],
         lambda x: re.sub(rb"<v>[^<]*</v>", b"<v>\xff</v>", x, count=1)),
        ("two root elements", PART["Meetings"], lambda x: x + b"<worksheet/>"),
        ("shared strings cut", "xl/sharedStrings.xml", cut),
        ("styles cut", "xl/styles.xml", cut),
        ("workbook.xml cut", "xl/workbook.xml", cut),
        ("content types cut", "[Content_Types].xml", cut),
        ("duplicate attribute", PART["Metrics"], lambda x: cell_tag(x, b'<c r="{ref}" r="{ref}"')),
    ]
    return [Case(f"not well-formed: {label}", _patched(f"bad-xml-{i}.xlsx", part, fn), 2,
                 "well-formed")
            for i, (label, part, fn) in enumerate(edits)]


def _dtd_cases() -> list[Case]:
    cases = []
    for i, part in enumerate(("xl/sharedStrings.xml", "xl/styles.xml", "[Content_Types].xml",
                              "xl/_rels/workbook.xml.rels", "docProps/app.xml",
                              "xl/worksheets/sheet1.xml")):
        def fn(xml: bytes) -> bytes:
            body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
            return b'<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE x [<!ENTITY e "x">]>' + body
        cases.append(Case(f"DTD in {part}", _patched(f"dtd-{i}.xlsx", part, fn), 2, "entities"))
    return cases


def _encoding_cases() -> list[Case]:
    """Encodings expat hands to Python's codecs (not one a text codec, multi-byte, unknown)
    crashed the parse with LookupError or ValueError."""
    cases = []
    for i, (part, encoding) in enumerate((
            ("xl/sharedStrings.xml", b"rot13"), (PART["Agreements"], b"shift_jis"),
            ("xl/workbook.xml", b"UTX-8"), ("[Content_Types].xml", b"utf-32"))):
        def fn(xml: bytes, encoding: bytes = encoding) -> bytes:
            return re.sub(rb"encoding=(['\"])[^'\"]*\1", b'encoding="' + encoding + b'"', xml,
                          count=1)
        cases.append(Case(f"encoding {encoding.decode()} in {part}",
                          _patched(f"encoding-{i}.xlsx", part, fn), 2, "character encoding"))
    return cases


def _renamed_sheet(name: str, old: bytes, new: bytes) -> Callable[[Path], Path]:
    return _patched(name, "xl/workbook.xml", lambda x: x.replace(b'name="' + old + b'"',
                                                                  b'name="' + new + b'"', 1))


def _duplicate_member(d: Path, upper: bool) -> Path:
    parts: list[tuple[zipfile.ZipInfo | str, bytes]] = list(_sample_parts())
    name = PART["Metrics"].upper() if upper else PART["Metrics"]
    parts.append((name, _rows_bytes(b'<row r="9999"><c r="XFD9999"><v>1</v></c></row>')))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        return _rezip(d / f"dup-member-{int(upper)}.xlsx", parts)


def _rows_bytes(rows: bytes) -> bytes:
    with zipfile.ZipFile(SAMPLE) as z:
        return z.read(PART["Metrics"]).replace(b"</sheetData>", rows + b"</sheetData>")


def _structure_cases() -> list[Case]:
    return [
        Case("two sheets named Metrics and metrics",
             _renamed_sheet("dup-case.xlsx", b"Lists", b"metrics"), 2, "two sheets"),
        Case("two sheets named Metrics and 'Metrics '",
             _renamed_sheet("dup-space.xlsx", b"README", b"Metrics "), 2, "two sheets"),
        Case("two zip members with one name", lambda d: _duplicate_member(d, False), 2,
             "two parts"),
        Case("two zip members differing in case", lambda d: _duplicate_member(d, True), 2,
             "two parts"),
        Case("sheet target with ..", _patched(
            "dotdot.xlsx", "xl/_rels/workbook.xml.rels",
            lambda x: x.replace(b'Target="worksheets/sheet4.xml"',
                                b'Target="worksheets/../worksheets/sheet4.xml"', 1)), 2, "part"),
        Case("sheet target written absolute (/xl/...)", _patched(
            "absolute.xlsx", "xl/_rels/workbook.xml.rels",
            lambda x: x.replace(b'Target="worksheets/sheet4.xml"',
                                b'Target="/xl/worksheets/sheet4.xml"', 1)), 0, ""),
        Case("10,001 sheets listed in workbook.xml", _patched(
            "many-sheets.xlsx", "xl/workbook.xml", lambda x: x.replace(b"</sheets>", b"".join(
                b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (i, i + 10)
                for i in range(10_001)) + b"</sheets>", 1)), 2, "10,000"),
        Case("sheet named 'metrics ' (case and a trailing space)",
             _renamed_sheet("metrics-space.xlsx", b"Metrics", b"metrics "), 0, ""),
        *[Case(f"shared-text index {index!r}", _sheet_cell(
            f"index-{n}.xlsx", "Meetings", "Title", 2,
            b'<c r="{ref}" t="s"><v>' + index.encode() + b"</v></c>"), 2, "is not a number")
          for n, index in enumerate(["abc", "1.5", "-1", " 3", "18446744073709551617", ""])],
        # python-calamine does not resolve it (an empty cell): never another cell's text
        Case("shared-text index as a character reference (&#49;: 1)", _sheet_cell(
            "index-ref.xlsx", "Meetings", "Title", 2, b'<c r="{ref}" t="s"><v>&#49;</v></c>'),
             1, "required", "Meetings", ref("Meetings", "Title", 2)),
    ]


def _lying_size(d: Path) -> Path:
    """sharedStrings.xml whose deflate stream runs on past the size (and checksum) it declares."""
    import struct
    import zlib

    path = _rezip(d / "lying-size.xlsx", list(_sample_parts()))
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/sharedStrings.xml")
        real = z.read(info)
    extra = real + b"<!--" + b"x" * 200_000 + b"-->"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(extra) + packer.flush()
    blob = bytearray(path.read_bytes())
    # rebuild the archive by hand: same members, this one's data replaced
    out = bytearray()
    central = bytearray()
    with zipfile.ZipFile(path) as z:
        for i in z.infolist():
            raw_start = i.header_offset + 30 + len(i.filename) + len(i.extra)
            data = packed if i.filename == info.filename else bytes(
                blob[raw_start:raw_start + i.compress_size])
            name = i.filename.encode()
            crc, size = zlib.crc32(real) if i.filename == info.filename else i.CRC, i.file_size
            offset = len(out)
            out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 8, 0, 0x21, crc,
                               len(data), size, len(name), 0) + name + data
            central += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0, 8, 0, 0x21,
                                   crc, len(data), size, len(name), 0, 0, 0, 0, 0,
                                   offset) + name
    n = len(z.infolist())
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def _many_parts(d: Path) -> Path:
    parts: list[tuple[zipfile.ZipInfo | str, bytes]] = list(_sample_parts())
    parts += [(f"customXml/item{i}.xml", b"<a/>") for i in range(5001)]
    return _rezip(d / "many-parts.xlsx", parts)


def _fifo(d: Path) -> Path:
    import os

    path = d / "pipe.xlsx"
    os.mkfifo(path)
    return path


def _link(target: str, name: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / name).symlink_to(target)
        return d / name
    return make


def _number_cases() -> list[Case]:
    digits = "1" * 400
    return [
        Case("Value (CNY) of 400 digits",
             _with_openpyxl("cny-digits.xlsx", _set("Agreements", "Value (CNY)", 2, digits, "s")),
             1, "not-a-number", "Agreements", ref("Agreements", "Value (CNY)", 2)),
        Case("Metrics Value of 400 digits",
             _with_openpyxl("metric-digits.xlsx", _set("Metrics", "Value", 3, digits, "s")),
             1, "not-a-quantity", "Metrics", ref("Metrics", "Value", 3)),
        Case("Metrics Value of 400 digits and a magnitude",
             _with_openpyxl("metric-digits-bn.xlsx",
                            _set("Metrics", "Value", 3, digits + " billion")),
             1, "not-a-quantity", "Metrics", ref("Metrics", "Value", 3)),
        Case("number cell of 400 digits (annotated as text)",
             _metrics_cell("digits-number.xlsx", "Value", 4,
                           b'<c r="{ref}"><v>' + b"9" * 400 + b"</v></c>"), 1,
             "not-finite", "Metrics", ref("Metrics", "Value", 4)),
        Case("number cell 0x10", _metrics_cell("hex.xlsx", "Value", 4,
                                               b'<c r="{ref}"><v>0x10</v></c>'), 1,
             "not-a-quantity", "Metrics", ref("Metrics", "Value", 4)),
        # python-calamine does not resolve the reference: an empty cell (openpyxl's NaN)
        Case("number cell NaN written with a character reference",
             _metrics_cell("nan-ref.xlsx", "Value", 4, b'<c r="{ref}"><v>&#78;aN</v></c>'), 1,
             "required", "Metrics", ref("Metrics", "Value", 4)),
        Case("date cell (t=d) that is not a date",
             _metrics_cell("date-garbage.xlsx", "Value", 4,
                           b'<c r="{ref}" t="d"><v>garbage</v></c>'), 1,
             "not-a-quantity", "Metrics", ref("Metrics", "Value", 4)),
        Case("style index past the workbook's styles",
             _metrics_cell("style-oob.xlsx", "Value", 4, b'<c r="{ref}" s="99999"><v>18</v></c>'),
             0, ""),
        Case("number cell 1e400 (infinity)",
             _metrics_cell("inf-e400.xlsx", "Value", 4, b'<c r="{ref}"><v>1e400</v></c>'), 1,
             "not-finite", "Metrics", ref("Metrics", "Value", 4)),
        Case("negative Value (CNY) as a number",
             _with_openpyxl("cny-neg.xlsx", _set("Agreements", "Value (CNY)", 3, -1000)), 1,
             "negative-amount", "Agreements", ref("Agreements", "Value (CNY)", 3)),
        Case("negative Value (CNY) as text",
             _with_openpyxl("cny-neg-text.xlsx",
                            _set("Agreements", "Value (CNY)", 3, "-32.3 billion")), 1,
             "negative-amount", "Agreements", ref("Agreements", "Value (CNY)", 3)),
        Case("negative count",
             _with_openpyxl("count-neg.xlsx", _set("Metrics", "Value", 2, -193)), 1,
             "negative-amount", "Metrics", ref("Metrics", "Value", 2)),
        Case("negative growth in percent is fine",
             _with_openpyxl("growth-neg.xlsx", _set("Metrics", "Value", 7, -60)), 0, ""),
    ]


ISSUE_12_CASES: list[Case] = [
    *_far_cases(), *_area_cases(), *_hidden_cases(), *_error_cases(), *_formula_cases(),
    *_control_cases(), *_malformed_cases(), *_dtd_cases(), *_encoding_cases(), *_structure_cases(),
    *_number_cases(),
    Case("part that unpacks past its declared size", _lying_size, 2, "more than"),
    Case("more than 5,000 zip members", _many_parts, 2, "parts"),
    Case("named pipe (FIFO) as the workbook", _fifo, 2, "named pipe"),
    Case("/dev/zero as the workbook", _link("/dev/zero", "zero.xlsx"), 2, "device"),
    Case("merged cells and a problem inside them",
         _with_openpyxl("merged-problem.xlsx",
                        lambda wb: (_merge(wb["Agreements"], "Title", 5, 6),
                                    _set("Agreements", "Kind", 5, "kind?")(wb))),
         1, "merged-cells", "Agreements", ref("Agreements", "Title", 5)),
]
CASES += ISSUE_12_CASES


def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, case in enumerate(CASES):
        d = out / f"{i:02d}"
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir()
        paths.append(case.make(d))
    return paths


if __name__ == "__main__":
    for p in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")):
        print(p)
