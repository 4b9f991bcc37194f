"""The grammar for plain rows (read/plainsheet.py) is a shortcut of the sheet scan: for any
part, the scan must find exactly what the full, element-by-element scan finds (or refuse
it in the same words), and the shortcut must actually be taken for the sheets Office and
the usual libraries write."""

from __future__ import annotations

import dataclasses
import io
import os
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from reporter.errors import InputError
from reporter.read import plainsheet, sheetscan
from reporter.read.plainsheet import _column_pattern, read_plain, well_formed
from reporter.read.sheetscan import SheetScan, column_name, scan_sheet
from reporter.schema import LIMITS
from tests.conftest import damaged

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ROOT = Path(__file__).resolve().parents[1]


def _part(body: str, after: str = "", before: str = "", prolog: str = "") -> bytes:
    return (f'{prolog}<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN}" xmlns:x14ac="urn:x14ac" xmlns:xm="urn:xm">{before}'
            f"<sheetData>{body}</sheetData>{after}</worksheet>").encode()


def _plain(data: bytes):
    return read_plain(data, data.index(b"<sheetData>"), most_cells=LIMITS["cells"],
                      most_rows=1_048_576)


def _outcome(data: bytes, plain: bool, cells_before: int = 0):
    sheet = SheetScan("Agreements", "xl/worksheets/sheet3.xml")
    try:
        scan_sheet(Path("book.xlsx"), sheet, sheet.part, [data], cells_before, plain=plain)
    except InputError as exc:
        return ("refused", exc.code, exc.message)
    return dataclasses.astuple(sheet)


_CONTROL_AT = [f.name for f in dataclasses.fields(SheetScan)].index("control")


def _same(data: bytes, cells_before: int = 0):
    """The scan's verdict, checked to be the full scan's. The one difference allowed: rows
    proven well-formed may settle that a part's text holds no control character where
    the full scan, which does not look inside references, cannot."""
    fast, full = _outcome(data, True, cells_before), _outcome(data, False, cells_before)
    if fast[0] != "refused" and full[0] != "refused":
        assert fast[_CONTROL_AT] <= full[_CONTROL_AT]
        fast = full = (*fast[:_CONTROL_AT], None, *fast[_CONTROL_AT + 1:])
    assert fast == full
    return fast


PLAIN = ('<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" s="1" t="s"><v>0</v></c>'
         '<c r="B1" t="inlineStr"><is><t xml:space="preserve"> R&amp;D &#20159; </t></is></c>'
         '<c r="C1" s="2"/></row>\n  <row r="3" ht="30" customHeight="1"><c r="A3" t="n">'
         '<v>45831</v></c><c r="C3" s="4" t="str"><v>x</v></c><c r="D3"></c></row>'
         '<row r="4" hidden="false"/><row r="5" hidden="0" ht="2"><c r="A5"/></row>')


def test_plain_rows_are_read_by_the_grammar_and_found_alike() -> None:
    data = _part(PLAIN, after='<mergeCells count="1"><mergeCell ref="A7:B8"/></mergeCells>')
    rows = _plain(data)
    assert rows is not None and data[rows.end - 12:rows.end] == b"</sheetData>"
    assert (rows.cells, rows.first_row, rows.last_row) == (4, 1, 5)
    assert (rows.last_filled_row, rows.last_filled_column) == (3, 3)
    found = _same(data)
    sheet = SheetScan(*found[:2])
    for f, value in zip(dataclasses.fields(SheetScan), found, strict=True):
        setattr(sheet, f.name, value)
    assert (sheet.valued_cells, sheet.last_row, sheet.last_column) == (4, 3, 3)
    assert sheet.merged == [(6, 0, 7, 1)]
    assert not _outcome(data, True)[_CONTROL_AT]  # the one reference is to 亿, no control


@pytest.mark.parametrize("body", [
    '<row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row>',  # a formula
    '<row r="1"><c r="A1" t="e"><v>#REF!</v></c></row>',  # an error cell
    '<row r="1" hidden="1"><c r="A1"><v>1</v></c></row>',  # a hidden row
    '<row r="1" hidden="true"><c r="A1"><v>1</v></c></row>',
    '<row r="1" hidden="false" hidden="1"><c r="A1"><v>1</v></c></row>',
    '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"/>',  # rows out of order
    '<row r="2"><c r="A2"><v>1</v></c></row><row r="2"/>',  # a row twice
    '<row r="1"><c r="A2"><v>1</v></c></row>',  # a cell on another row than its own
    '<row r="1"><c r="CW1"><v>1</v></c></row>',  # past the column limit
    '<row r="1"><c r="XFD1"><v>1</v></c></row>',
    '<row r="1"><c r="a1"><v>1</v></c></row>',  # lower case
    '<row r="1"><c><v>1</v></c><c r="B1"><v>1</v></c></row>',  # a cell without reference
    '<row r="1"><c r="A1" t="s"><v>abc</v></c></row>',  # a shared-text index that is not one
    '<row r="1"><c r="A1" t="s"><v>&#51;</v></c></row>',
    '<row r="1"><c r="A1" t="s"><v>12345678901</v></c></row>',
    "<row r='1'><c r='A1'><v>1</v></c></row>",  # other quoting
    '<row  r="1"><c r="A1"><v>1</v></c></row>',  # other spacing
    '<row r="1"><c r="A1" ><v>1</v></c></row>',
    '<row r="1"><x:c r="A1" xmlns:x="' + MAIN + '"><x:v>1</x:v></x:c></row>',  # a prefix
    '<row r="1" xmlns="urn:other"><c r="A1"><v>1</v></c></row>',  # a namespace declared
    '<row r="1"><!-- A1 --><c r="A1"><v>1</v></c></row>',  # a comment
    '<row r="1"><c r="A1"><v><![CDATA[1]]></v></c></row>',  # CDATA
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048577"/>',  # past the grid
    '<row r="01"><c r="A1"><v>1</v></c></row>',  # a leading zero
    '<row r="1" r="1"><c r="A1"><v>1</v></c></row>',  # duplicate attribute
    '<row r="1" spans="1:2" ht="3" spans="1:2"><c r="A1"><v>1</v></c></row>',
    '<row r="1" hidden="0" hidden="false"><c r="A1"><v>1</v></c></row>',
    '<row r="1" x14ac:dyDescent="1" x14ac:dyDescent="1"/>',
    '<row r="1" xm:ht="3"><c r="A1"><v>1</v></c></row>',  # a prefix but Excel's x14ac
    '<row r="1" ht="a>b"><c r="A1"><v>1</v></c></row>',  # ">" in a row's attribute
    '<row r="1"><c r="A1" t="inlineStr"><is><r><t>rich</t></r></is></c></row>',
    '<row r="1"><c r="A1" cm="1"><v>1</v></c></row>',
    '<row r="1"><c r="A1"><v>1</v></c>',  # not closed
])
def test_what_the_grammar_does_not_accept_is_scanned_in_full(body: str) -> None:
    data = _part(body)
    assert _plain(data) is None
    _same(data)


@pytest.mark.parametrize("text", ["]]>", "&#1;", "&#xFFFE;", "&bogus;", "@ff@", "a\x00"])
def test_text_the_grammar_lets_through_is_still_parsed_by_expat(text: str) -> None:
    """The grammar says where elements are; what is in a text is expat's to judge."""
    data = _part(f'<row r="1"><c r="A1"><v>{text}</v></c></row>')
    data = data.replace(b"@ff@", b"\xff")  # not UTF-8
    assert _plain(data) is not None
    verdict = _same(data)
    assert verdict[0] == "refused" and verdict[1] in ("malformed-xml", "xml-entities")


# The rows above, with their text as Excel writes it (UTF-8) rather than as openpyxl does (a
# reference for each Chinese character): both are proven well-formed without expat.
PLAIN_TEXT = PLAIN.replace("&#20159;", "亿")


def _proven(data: bytes) -> bool:
    at = data.index(b"<sheetData>")
    rows = _plain(data)
    assert rows is not None
    return well_formed(data, at, rows.end, encoding="UTF-8", prefixes=frozenset({"x14ac"}),
                       controls=True)


def test_rows_proven_well_formed_never_reach_expat(monkeypatch) -> None:
    data = _part(PLAIN_TEXT, after='<mergeCells count="1"><mergeCell ref="A7:B8"/></mergeCells>')
    fed: list[tuple[object, bytes, bool]] = []
    real = sheetscan.feed
    monkeypatch.setattr(sheetscan, "feed", lambda parser, path, name, chunk, final=False: (
        fed.append((parser, bytes(chunk), final)), real(parser, path, name, chunk, final))[1])
    found = _outcome(data, True)
    # the parser that reads the part to its end (another only finds where the rows start)
    (scanner,) = {parser for parser, _, final in fed if final}
    chunks = [chunk for parser, chunk, _ in fed if parser is scanner]
    rows = data[data.index(b"<sheetData>"):data.index(b"</sheetData>") + 12]
    assert _proven(data) and not any(b"<row" in chunk for chunk in chunks)
    assert sum(map(len, chunks)) < len(data) - len(rows) + 20  # the rest, and a stand-in
    monkeypatch.setattr(sheetscan, "feed", real)
    assert found == _outcome(data, False) and found[0] == "Agreements"


@pytest.mark.parametrize("text", [
    "]]>", "&#1;", "&#65;", "&#xFFFE;", "&#x4EBF;", "&#020159;", "&#55296;", "&#65535;",
    "&#99999999;", "&bogus;", "& ", "&amp", "@ff@", "a\x00", "a\x1b", "\ufffe", "\uffff",
    "@surrogate@", "@overlong@", "@cut@"])
def test_rows_that_may_not_be_well_formed_are_left_to_expat(text: str) -> None:
    """Anything in a text that expat might refuse, and any character reference but the
    common ones (decimal, 1,000 to 49,999): the rows are parsed by expat, which says what is
    wrong in its words, or accepts them."""
    data = _part(PLAIN_TEXT + f'<row r="9"><c r="A9" t="str"><v>{text}</v></c></row>')
    for mark, raw in ((b"@ff@", b"\xff"), (b"@surrogate@", b"\xed\xa0\x80"),
                      (b"@overlong@", b"\xc0\xaf"), (b"@cut@", b"\xe4\xba")):
        data = data.replace(mark, raw)
    assert not _proven(data)
    _same(data)


@pytest.mark.parametrize(("root", "before"), [
    ("", ""),  # x14ac bound nowhere: expat refuses the unbound prefix
    ("", '<sheetPr xmlns:x14ac="urn:x14ac"/>'),  # bound on an element already closed
])
def test_a_prefix_must_be_bound_where_the_rows_are(root: str, before: str) -> None:
    data = _part('<row r="1" x14ac:dyDescent="0.25"><c r="A1"><v>1</v></c></row>',
                 before=before).replace(b' xmlns:x14ac="urn:x14ac"', root.encode())
    verdict = _same(data)
    assert verdict[0] == "refused" and verdict[1] == "malformed-xml"


@pytest.mark.parametrize("after", [
    "<mergeCells><bad></mergeCells>", "<mergeCells/>\n\n  <x", "<pageMargins/></worksheet>",
    '<mergeCells><mergeCell ref="A1:B2" ref="A1"/></mergeCells>', "<pageMargins/>&bogus;"])
def test_damage_after_proven_rows_is_told_at_its_real_line_and_column(after: str) -> None:
    """The proven rows stand in as a short empty element, so expat's count of lines and
    columns after them would be off: such a part is scanned again in full, and told as is."""
    body = PLAIN_TEXT.replace("\n  ", "\n\n\n    ")  # lines and columns inside the rows
    data = _part(body, after=after)
    assert _proven(data)
    verdict = _same(data)
    assert verdict[0] == "refused"
    if verdict[1] == "malformed-xml":  # the rows end on line 5 (in the stand-in's count, 2)
        told = re.search(r"line (\d+), column (\d+)", verdict[2])
        assert told is not None and int(told[1]) >= 5, verdict


@pytest.mark.parametrize(("before", "after"), [
    ("", '<mergeCells><mergeCell ref="A1:B2"/></mergeCells><extLst><ext><xm:f>Lists!$A$1'
         "</xm:f></ext></extLst>"),  # an extension's formula belongs to no cell
    ("", '<row r="9"><c r="A9"><v>1</v></c></row>'),  # rows after <sheetData>
    ("", '<x:sheetData xmlns:x="urn:x"><row r="20"><c r="Z20"><v>1</v></c></row></x:sheetData>'),
    ("", "<v>7</v>"), ("", "<f>1+1</f><pageMargins/>"), ("", "<pageMargins/><f>1+1</f>"),
    ('<row r="1"><c r="A1"><v>1</v></c></row>', ""),  # a row before <sheetData>
    # merged ranges met before the element that sends the part to the full scan: once
    ('<mergeCells><mergeCell ref="A1:B2"/></mergeCells>', '<row r="9"/>'),
    ("", '<mergeCells><mergeCell ref="E3:E4"/></mergeCells><extLst><ext uri="{x}"><c/></ext>'
         "</extLst>"),
    ("<!-- <sheetData></sheetData> -->", ""),  # the real element, not its likeness in a comment
    ('<dimension ref="A1:XFD1048576"/><sheetPr><tabColor rgb="FFFF0000"/></sheetPr>', ""),
])
def test_what_lies_around_the_rows_is_scanned_as_ever(before: str, after: str) -> None:
    _same(_part(PLAIN, after=after, before=before))


@pytest.mark.parametrize("prolog", ["\ufeff", ""])
@pytest.mark.parametrize("encoding", ["UTF-8", "ISO-8859-1", "UTF-16"])
def test_any_encoding_and_a_byte_order_mark(prolog: str, encoding: str) -> None:
    text = _part(PLAIN).decode().replace('encoding="UTF-8"', f'encoding="{encoding}"')
    codec = {"UTF-8": "utf-8", "ISO-8859-1": "latin-1", "UTF-16": "utf-16"}[encoding]
    data = (prolog.encode("utf-8") if codec == "utf-8" else b"") + text.replace(
        "\ufeff", "").encode(codec)
    assert _same(data)[0] == "Agreements"


def test_the_limits_are_judged_by_the_full_scan_in_its_own_words(monkeypatch) -> None:
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c><c r="C{i}"><v>1</v></c></row>'
                   for i in range(1, 6))
    assert _same(_part(rows))[:1] != ("refused",)
    monkeypatch.setitem(LIMITS, "cells", 9)
    assert _same(_part(rows))[1] == "too-many-cells"
    assert _same(_part(rows), cells_before=0)[1] == "too-many-cells"
    monkeypatch.setitem(LIMITS, "cells", 100)
    assert _same(_part(rows), cells_before=95)[1] == "too-many-cells"
    monkeypatch.setitem(LIMITS, "area", 14)
    assert _same(_part(rows))[1] == "area-too-large"
    monkeypatch.setitem(LIMITS, "area", 10**9)
    monkeypatch.setitem(LIMITS, "rows", 2)
    far = rows + '<row r="40"><c r="B40"><v>1</v></c></row>'
    assert _same(_part(far))[1] == "cell-out-of-range"


@pytest.mark.parametrize("rows", [PLAIN, PLAIN_TEXT])
def test_mutated_parts_are_found_alike(rows: str) -> None:
    """Random damage to a plain part: whatever the bytes become, both ways agree (whether the
    rows are proven well-formed, or left to expat)."""
    base = _part(rows + '<row r="7"><c r="B7" t="s"><v>12</v></c></row>',
                 after='<mergeCells><mergeCell ref="A9:B9"/></mergeCells>')
    alphabet = b'<>/="\' rcvtsis0123456789ABX&#;:!-\n\x01\xc3\xa9'
    outcomes = {_same(data)[0] for data in damaged(base, alphabet, seed=20261130)}
    assert {"refused", "Agreements"} <= outcomes  # the damage was sometimes harmless, not always


def _parts_of(book: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        return [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]


def _accepted(part: bytes) -> bool:
    return _plain(part) is not None


def test_the_usual_writers_sheets_take_the_grammar(tmp_path: Path) -> None:
    """The shortcut is taken for what people actually have (else it quietly never runs)."""
    rows = [["Agreement ID", "Title", "Signed", "Value (CNY)"],
            ["AG-1", "长三角 G60 科创走廊 & R&D <pilot>", 45831, 1.5e9],
            ["AG-2", " leading space", None, -3], ["AG-3", "", 1, True]]
    path = tmp_path / "x.xlsx"
    with xlsxwriter.Workbook(path) as book:
        sheet = book.add_worksheet()
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)
    assert all(map(_accepted, _parts_of(path.read_bytes())))
    assert all(map(_proven, _parts_of(path.read_bytes())))
    with xlsxwriter.Workbook(path, {"constant_memory": True}) as book:
        sheet = book.add_worksheet()
        for i, row in enumerate(rows):
            sheet.write_row(i, 0, row)
    assert all(map(_accepted, _parts_of(path.read_bytes())))
    assert all(map(_proven, _parts_of(path.read_bytes())))  # its text inline, as UTF-8
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    assert all(map(_accepted, _parts_of(path.read_bytes())))
    assert all(map(_proven, _parts_of(path.read_bytes())))  # Chinese text as references
    for name in ("input/cooperation.xlsx", "templates/cooperation-template.xlsx"):
        parts = _parts_of((ROOT / name).read_bytes())
        assert parts and all(map(_accepted, parts)) and all(map(_proven, parts)), name


def test_the_column_pattern_spells_exactly_the_columns_up_to_the_limit() -> None:

    names = [column_name(n) for n in range(1, 703)]
    for limit in (1, 25, 26, 27, 51, 52, 53, 100, LIMITS["columns"], 701, 702):
        pattern = re.compile(_column_pattern(limit))
        assert [n for n in names if pattern.fullmatch(n)] == names[:limit], limit
    with pytest.raises(ValueError):
        _column_pattern(703)
    assert _column_pattern(LIMITS["columns"]).encode() == plainsheet._COLUMN


def test_what_is_made_of_the_rows_stays_small_whatever_the_part_holds() -> None:
    """Row numbers and columns are read a slice at a time: a part of many rows or cells
    needs little memory beyond itself (it once needed several times its size)."""
    import tracemalloc

    cells = "".join(f'<row r="{i}"><c r="AB{i}"><v></v></c><c r="CV{i}"><v>1</v></c></row>'
                    for i in range(1, 250_001))
    data = _part(cells)
    tracemalloc.start()
    try:
        rows = _plain(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows is not None and (rows.cells, rows.last_filled_column) == (500_000, 100)
    assert len(data) > 16 * plainsheet.SLICE and peak < 8 * plainsheet.SLICE, peak
    out_of_order = _part("".join(f'<row r="{n}"/>' for n in range(1_000_000, 0, -1)))
    tracemalloc.start()
    try:
        assert _plain(out_of_order) is None
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(out_of_order) > 16 * plainsheet.SLICE and peak < 8 * plainsheet.SLICE, peak


def test_a_part_declared_too_large_to_hold_whole_is_scanned_in_pieces(monkeypatch) -> None:
    from reporter.read import package, sheetscan
    from reporter.read.package import open_package

    offered: list[int] = []
    real = sheetscan.read_plain
    monkeypatch.setattr(sheetscan, "read_plain", lambda *a, **k: offered.append(1) or real(*a, **k))
    found = {}
    for whole in (package.WHOLE_BYTES, 100):
        monkeypatch.setattr(package, "WHOLE_BYTES", whole)
        offered.clear()
        with open_package(ROOT / "input" / "cooperation.xlsx") as book:
            for sheet in book.sheets:
                book.scan(sheet)
            found[whole] = [dataclasses.astuple(s) for s in book.sheets]
        assert bool(offered) is (whole > 100)
    assert found[100] == found[package.WHOLE_BYTES]


def test_libreoffice_sheets_take_the_grammar(tmp_path: Path) -> None:
    import shutil
    import subprocess

    from reporter.pdf import soffice

    if soffice() is None:
        if os.environ.get("REPORTER_REQUIRE_SOFFICE") == "1":
            pytest.fail("REPORTER_REQUIRE_SOFFICE=1 but LibreOffice (soffice) is not on PATH")
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it")
    source = tmp_path / "in" / "cooperation.xlsx"
    source.parent.mkdir()
    shutil.copy(ROOT / "input" / "cooperation.xlsx", source)
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(tmp_path / "out"),
                    str(source)], check=True, capture_output=True, timeout=120)
    parts = _parts_of((tmp_path / "out" / "cooperation.xlsx").read_bytes())
    assert parts and b'hidden="false"' in parts[0] and all(map(_accepted, parts))


def test_a_character_cut_by_a_piece_of_plain_bytes_is_not_proven() -> None:
    """well_formed reads the bytes a piece at a time and lets plain ASCII pieces by: a
    character's first byte ending one piece and its last bytes starting the piece after an
    ASCII one must not be read as whole (expat sees the bytes between)."""
    piece = plainsheet._PIECE
    data = _part(PLAIN_TEXT + '<row r="9"><c r="A9" t="str"><v>@</v></c></row>')
    at, hole = data.index(b"<sheetData>"), data.index(b"@")
    text = b"a" * (piece - 1 - (hole - at)) + b"\xe4" + b"b" * piece + b"\xba\xbf"
    data = data.replace(b"@", text)
    assert data[at + piece - 1:at + piece] == b"\xe4"
    assert data[at + 2 * piece:at + 2 * piece + 2] == b"\xba\xbf"
    assert not _proven(data)
    assert _same(data)[:2] == ("refused", "malformed-xml")


def test_a_row_of_many_attributes_is_not_a_quadratic_search() -> None:
    """Each row attribute looks ahead to the tag's end for its name again: a row of a great
    many attributes (Excel writes at most a dozen) goes to the full scan at once, rather
    than searched in time growing with the square of its length (20,000 took seconds)."""
    import time

    many = "".join(f' a{i}="1"' for i in range(20_000))
    data = _part(f'<row r="1"{many}><c r="A1"><v>1</v></c></row>')
    began = time.perf_counter()
    assert _plain(data) is None
    assert time.perf_counter() - began < 0.5
    _same(data)
    excel = (' spans="1:3" s="1" customFormat="1" ht="30" hidden="0" customHeight="1"'
             ' outlineLevel="1" collapsed="0" thickTop="0" thickBot="0" ph="0"'
             ' x14ac:dyDescent="0.25"')
    assert _plain(_part(f'<row r="1"{excel}><c r="A1"><v>1</v></c></row>')) is not None


@pytest.mark.parametrize("rows", [PLAIN, PLAIN_TEXT])
@pytest.mark.parametrize(("before", "after"), [
    ('<c r="A1"><f>SUM(', ")</f></c>"),  # a formula's text, open when the rows start
    ('<c r="B2"><f>x', "</f></c>"),
    ('<c r="A1"><f>x</f><is>', "</is></c>"),
])
def test_a_text_being_collected_when_the_rows_start_is_collected_as_ever(
        rows: str, before: str, after: str) -> None:
    """The full scan collects a formula's text up to the next end tag, inside the rows: with
    the rows standing in as an empty <sheetData/>, it ended there, with less text."""
    _same(_part(rows, before=before, after=after))


def test_what_is_proven_well_formed_expat_accepts(monkeypatch) -> None:
    """Random text in the rows (pieces of characters, references, "]]", controls), read a
    few bytes at a time so that characters are cut between pieces: whatever well_formed
    proves, expat accepts."""
    from xml.parsers import expat

    atoms = [b"a", b" ", b"\n", b"\r", b">", b"]", b"]]", b"&amp;", b"&#1000;", b"&#20159;", b"&",
             b"#", b";", b"\xc3\xa9", b"\xe4\xba\xbf", b"\xf0\x9f\x98\x80", b"\xef\xbf\xbe",
             b"\xed\xa0\x80", b"\xc0\xaf", b"\xe4", b"\xba", b"\xbf", b"\xf0", b"\x00", b"\x1b",
             b"\x7f", b"\xff"]
    rng = random.Random(20261201)
    proven = 0
    for _ in range(20_000):
        monkeypatch.setattr(plainsheet, "_PIECE", rng.randint(1, 12))
        texts = [b"".join(rng.choices(atoms, k=rng.randint(0, 6))) for _ in range(3)]
        value = re.sub(rb'[&"<>]', b"", texts[0])
        data = _part("@").replace(b"@", b'<row r="1" ht="' + value + b'"><c r="A1" t="str"><v>'
                                  + texts[1] + b'</v></c><c r="B1" t="inlineStr"><is><t>'
                                  + texts[2] + b"</t></is></c></row>")
        if _plain(data) is None or not _proven(data):
            continue
        proven += 1
        expat.ParserCreate(namespace_separator=" ").Parse(data, True)  # raises if not
    assert proven > 300


def _texts(data: bytes) -> list[str]:
    """The text of each element, as an XML reader gives it."""
    from xml.parsers import expat

    found: list[list[str]] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attributes: found.append([])
    parser.CharacterDataHandler = lambda text: found[-1].append(text)
    parser.Parse(data, True)
    return ["".join(node) for node in found]


def test_a_control_character_in_proven_rows_is_always_seen() -> None:
    """Random text in the rows: whenever what a reader makes of it holds a character an
    Office file cannot keep (a C0 or C1 control, DEL, or an Excel escape such as _x001B_,
    which python-calamine decodes), the scan says so; and text with none but references to
    common characters is not sent to the slow path for nothing."""
    atoms = [b"a", b" ", b"\n", b"&amp;", b"&#1000;", b"&#20159;", b"&#127;", b"&#133;",
             b"&#x85;", b"&#9;", b"\x7f", b"\xc2\x85", b"\xc2\xa0", b"\xe4\xba\xbf", b"_x001B_",
             b"_x", b"_", b"x001B_", b"\t"]
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|_x[0-9A-Fa-f]{4}_")
    rng = random.Random(20261203)
    quiet = 0
    for _ in range(4_000):
        texts = [b"".join(rng.choices(atoms, k=rng.randint(0, 5))) for _ in range(2)]
        data = _part("@").replace(b"@", b'<row r="1"><c r="A1" t="str"><v>' + texts[0]
                                  + b'</v></c><c r="B1" t="inlineStr"><is><t>' + texts[1]
                                  + b"</t></is></c></row>")
        held = any(map(control.search, _texts(data)))
        _same(data)
        said = _outcome(data, True)[_CONTROL_AT]
        assert said or not held, texts
        quiet += not said
    assert quiet > 200


def test_elements_open_around_the_rows_are_found_alike() -> None:
    """<sheetData> inside whatever a hostile part opens before it (a cell, a formula, an
    inline text, a row) and closes after it, with other elements on either side."""
    opened = ['<c r="A1">', '<c r="B2" t="e">', '<c r="C1" t="s">', "<c>", "<f>", "<f>x", "<is>",
              "<t>", "<extLst>", "<sheetPr>", '<y:f xmlns:y="urn:y">', "<mergeCells>",
              '<row r="1">', "<v>", "<a>"]
    leaves = ['<mergeCell ref="A1:B2"/>', '<c r="A1"/>', "<f>1</f>", "<v>1</v>", "text",
              '<row r="3"/>', "<pageMargins/>", '<c r="D4"><v>2</v></c>', "<sheetData/>",
              '<c r="A1" t="e"><v>#N/A</v></c>', '<c r="A1"><f>y</f></c>', "<!-- c -->"]
    rng = random.Random(20261202)
    for _ in range(600):
        stack, before, after = [], "", ""
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.5:
                tag = rng.choice(opened)
                before += tag
                stack.append(tag[1:].split(" ")[0].split(">")[0])
            else:
                before += rng.choice(leaves)
        for _ in range(rng.randint(0, 3)):
            after += f"</{stack.pop()}>" if stack and rng.random() < 0.6 else rng.choice(leaves)
        after += "".join(f"</{name}>" for name in reversed(stack))
        rows = rng.choice([PLAIN, PLAIN_TEXT, '<row r="5"><c r="A5"><v>1</v></c></row>', ""])
        _same(_part(rows, before=before, after=after))
