"""A corpus of hostile, damaged and awkward workbooks, written by code (no opaque fixtures).

Each `Case` writes one file and says what `reporter validate` must do with it:
the exit code, a problem code or message fragment, and (for data problems) the
sheet and cell the message must point at. tests/test_corpus.py runs them all.

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


def _cell_xml(part: bytes, ref: str, new: bytes) -> bytes:
    """Replace the <c> element for ref (which must exist) with new XML."""
    pattern = re.compile(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', re.S)
    out, n = pattern.subn(new, part, count=1)
    assert n == 1, f"cell {ref} not found"
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
    rows = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (i, i)
                    for i in range(40, 1048577))
    return _rows_appended("styled-tail.xlsx", "Agreements", rows)(d)


_rows_out_of_order = _rows_appended("unordered.xlsx", "Metrics", b'<row r="3"><c r="A3" '
                                    b't="inlineStr"><is><t>x</t></is></c></row>')


def _xlsxwriter_formula(d: Path) -> Path:
    """A formula as xlsxwriter saves it: a saved result of 0 that nobody calculated."""
    def fn(xml: bytes) -> bytes:
        return _cell_xml(xml, "D3", b'<c r="D3"><f>20000+5000</f><v>0</v></c>')
    return _patched("xlsxwriter-formula.xlsx", PART["Metrics"], fn)(d)


def _calculated_formula(d: Path) -> Path:
    """A formula as Excel saves it (no recalculation flag): its saved result is used."""
    def strip_calc(xml: bytes) -> bytes:
        return re.sub(rb"<calcPr[^>]*/>", b"", xml)

    def fn(xml: bytes) -> bytes:
        return _cell_xml(xml, "D3", b'<c r="D3"><f>20000+5000</f><v>25000</v></c>')
    path = d / "excel-formula.xlsx"
    parts = []
    for info, blob in _sample_parts():
        if info.filename == PART["Metrics"]:
            blob = fn(blob)
        elif info.filename == "xl/workbook.xml":
            blob = strip_calc(blob)
        parts.append((info, blob))
    return _rezip(path, parts)


def _metrics_cell(name: str, ref: str, xml: bytes) -> Callable[[Path], Path]:
    return _patched(name, PART["Metrics"], lambda x: _cell_xml(x, ref, xml))


def _agreements_cell(name: str, ref: str, xml: bytes) -> Callable[[Path], Path]:
    return _patched(name, PART["Agreements"], lambda x: _cell_xml(x, ref, xml))


def _inline(ref: str, text: str) -> bytes:
    from xml.sax.saxutils import escape

    return (f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
            ).encode()


def _set(sheet: str, ref: str, value: object, data_type: str | None = None):
    def edit(wb) -> None:
        wb[sheet][ref] = value
        if data_type:
            wb[sheet][ref].data_type = data_type
    return edit


def _header_moved(wb) -> None:
    wb["Agreements"].insert_rows(1, 2)
    wb["Agreements"]["A1"] = "Agreements signed, as recorded by the commission"


def _duplicate_header(wb) -> None:
    wb["Metrics"]["J1"] = "Value"
    wb["Metrics"]["J2"] = 1


def _hidden(wb) -> None:
    wb["Agreements"].row_dimensions[4].hidden = True
    wb["Metrics"].sheet_state = "hidden"


def _merged(wb) -> None:
    wb["Agreements"].merge_cells("H5:H6")


def _many_dates(wb) -> None:
    ws = wb["Meetings"]
    ws["D2"] = "2024-05-24"
    ws["D3"] = "24 May 2024"
    ws["D4"] = "May 24, 2024"
    ws["D5"] = "2024年5月24日"
    ws["D6"] = "24/05/2024"
    ws["D7"] = 45436  # a serial number in a General cell
    ws["D7"].number_format = "General"


def _number_texts(wb) -> None:
    ws = wb["Agreements"]
    ws["I2"] = "1,234,567"
    ws["I3"] = "1\u00a0234\u00a0567"
    ws["I4"] = "32.3 billion"
    ws["I5"] = "323亿"
    ws["A6"] = "007"


def _chinese(wb) -> None:
    ws = wb["Agreements"]
    ws["C2"] = "上海与苏州科技合作协议 🤝"
    ws["D3"] = "上海交通大学"
    ws["E3"] = "香港城市大学"


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
    Case("header row not on row 1", _with_openpyxl("header.xlsx", _header_moved), 0,
         "header-moved", "Agreements", "A3"),
    Case("hidden sheet and hidden row", _with_openpyxl("hidden.xlsx", _hidden), 0,
         "hidden-sheet", "Metrics"),
    Case("_x000D_ escape in text",
         _agreements_cell("escape.xlsx", "L2", _inline("L2", "line one_x000D_line two")), 0, ""),
    Case("formula with a saved result (as Excel saves it)", _calculated_formula, 0,
         "formula-result", "Metrics", "D3"),
    # --- data problems: exit 1, reported at the cell
    Case("formula with no saved result (as openpyxl saves it)",
         _with_openpyxl("formula.xlsx", _set("Metrics", "D4", "=SUM(1,2)")), 1,
         "formula-not-calculated", "Metrics", "D4", fix="save it"),
    Case("formula with a saved 0 (as xlsxwriter saves it)", _xlsxwriter_formula, 1,
         "formula-not-calculated", "Metrics", "D3", fix="type the value"),
    Case("#REF! error cell",
         _metrics_cell("ref.xlsx", "D5", b'<c r="D5" t="e"><v>#REF!</v></c>'), 1,
         "error-cell", "Metrics", "D5"),
    Case("#N/A error cell",
         _metrics_cell("na.xlsx", "D6", b'<c r="D6" t="e"><f>NA()</f><v>#N/A</v></c>'), 1,
         "error-cell", "Metrics", "D6"),
    Case("merged cells in the data", _with_openpyxl("merged.xlsx", _merged), 1,
         "merged-cells", "Agreements", "H5", fix="unmerge"),
    Case("absurd date serial", _with_openpyxl("serial.xlsx", _set("Meetings", "D3", 99999999)),
         1, "date-out-of-range", "Meetings", "D3"),
    Case("date in 1900", _with_openpyxl("1900.xlsx", _set("Meetings", "D3",
                                                          dt.datetime(1900, 1, 5))), 1,
         "date-out-of-range", "Meetings", "D3"),
    Case("ambiguous text date", _with_openpyxl("ambiguous.xlsx",
                                               _set("Meetings", "D4", "05/06/2024")), 1,
         "ambiguous-date", "Meetings", "D4", fix="2024-05-24"),
    Case("not a date", _with_openpyxl("notdate.xlsx", _set("Agreements", "G3", "next spring")),
         1, "not-a-date", "Agreements", "G3"),
    Case("NaN in a number cell", _metrics_cell("nan.xlsx", "D7", b'<c r="D7"><v>NaN</v></c>'),
         1, "not-finite", "Metrics", "D7"),
    Case("infinity in a number cell",
         _metrics_cell("inf.xlsx", "D8", b'<c r="D8"><v>INF</v></c>'), 1, "not-finite",
         "Metrics", "D8"),
    Case("text longer than 32,767 characters",
         _agreements_cell("long.xlsx", "L3", _inline("L3", "x" * 40_000)), 1, "text-too-long",
         "Agreements", "L3"),
    Case("lone surrogate escape in text",
         _agreements_cell("surrogate.xlsx", "L2", _inline("L2", "half a pair _xD800_ here")), 0,
         ""),
    Case("control characters in text",
         _agreements_cell("control.xlsx", "L2", _inline("L2", "bad_x0001_char")), 0,
         "control-characters", "Agreements", "L2"),
    Case("duplicate header", _with_openpyxl("dupheader.xlsx", _duplicate_header), 1,
         "duplicate-column", "Metrics", "J1"),
    Case("missing required column",
         _with_openpyxl("nocol.xlsx", lambda wb: wb["Meetings"].delete_cols(6)), 1,
         "missing-column", "Meetings"),
    Case("missing sheet", _with_openpyxl("nosheet.xlsx", lambda wb: wb.remove(wb["Metrics"])),
         1, "missing-sheet", "Metrics"),
    Case("duplicate ID", _with_openpyxl("dupid.xlsx", _set("Agreements", "A3", "A-SZ-01")), 1,
         "duplicate-id", "Agreements", "A3"),
    Case("unknown Meeting ID", _with_openpyxl("unknown.xlsx",
                                              _set("Metrics", "B4", "M-HK-FORUM-2025")), 1,
         "unknown-meeting", "Metrics", "B4", fix="M-HK-FORUM-2024"),
    Case("list value in another case", _with_openpyxl("case.xlsx",
                                                    _set("Meetings", "C2", "City")), 0, ""),
    Case("value outside the list (typo)",
         _with_openpyxl("typo.xlsx", _set("Meetings", "C2", "cty")), 1, "not-in-list",
         "Meetings", "C2", fix="city"),
    Case("required cell empty", _with_openpyxl("empty.xlsx", _set("Agreements", "D4", None)), 1,
         "required", "Agreements", "D4"),
    Case("TRUE in a text cell", _with_openpyxl("bool.xlsx", _set("Agreements", "C4", True)), 1,
         "not-text", "Agreements", "C4"),
    Case("text where a number belongs",
         _with_openpyxl("nan-text.xlsx", _set("Agreements", "I2", "a lot")), 1, "not-a-number",
         "Agreements", "I2"),
    Case("unknown source id", _with_openpyxl("source.xlsx", _set("Metrics", "H3", "shhk")), 1,
         "unknown-source", "Metrics", "H3", fix="sh-hk"),
    Case("unit disagrees with the value",
         _with_openpyxl("unit.xlsx", _set("Metrics", "D4", "12,280 yuan")), 1,
         "unit-conflict", "Metrics", "E4"),
]


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
