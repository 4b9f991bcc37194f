"""The sheet scan reads a worksheet part with a real XML parser: what it finds does not
depend on how the XML is spelt, and it errs only towards refusing."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.errors import InputError
from reporter.read.sheetscan import SheetScan, scan_sheet
from reporter.schema import LIMITS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _scan(body: str, after: str = "", chunk: int = 0) -> SheetScan:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" '
           f'xmlns:x14="urn:x14" xmlns:xm="urn:xm"><sheetData>{body}</sheetData>{after}'
           "</worksheet>").encode()
    chunks = [xml[i:i + chunk] for i in range(0, len(xml), chunk)] if chunk else [xml]
    sheet = SheetScan("Metrics", "xl/worksheets/sheet1.xml")
    # In pieces, as a part too large to hold whole is scanned (never by the grammar).
    scan_sheet(Path("book.xlsx"), sheet, sheet.part, chunks, plain=not chunk)
    return sheet


def _refused(body: str, code: str, after: str = "") -> InputError:
    with pytest.raises(InputError) as exc:
        _scan(body, after)
    assert exc.value.code == code, exc.value.message
    return exc.value


@pytest.mark.parametrize("chunk", [0, 1, 7])  # whole, a byte at a time, odd pieces
def test_formulas_errors_hidden_rows_and_merges(chunk: int) -> None:
    sheet = _scan('<row r="1"><c r="A1"><f>SUM(B1:B2)</f><v>3</v></c>'
                  '<c r="B1" t="e"><f>NA()</f><v>#N/A</v></c>'
                  "<c r='C1' t='e'><v>#REF!</v></c></row>"
                  '<row r="2" hidden="1"><c r="A2"><f t="shared" si="0"/></c></row>'
                  '<row r="3" hidden="true"><c r="A3"><v>1</v></c></row>',
                  after='<mergeCells count="1"><mergeCell ref="A5:B6"/></mergeCells>',
                  chunk=chunk)
    assert sheet.formulas == {"A1": ("=SUM(B1:B2)", "3"), "B1": ("=NA()", "#N/A"),
                              "A2": ("=", "")}
    assert sheet.errors == {"B1": "#N/A", "C1": "#REF!"}
    assert sheet.hidden_rows == [2, 3]
    assert sheet.merged == [(4, 0, 5, 1)]
    assert (sheet.valued_cells, sheet.last_row, sheet.last_column) == (4, 3, 3)


def test_styled_empty_cells_far_away_are_not_values() -> None:
    sheet = _scan('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="3"/></row>'
                  '<row r="1048576" s="1" customFormat="1"><c r="XFD1048576" s="1"></c></row>',
                  after='<extLst><ext><x14:dataValidations><x14:dataValidation><x14:formula1>'
                        "<xm:f>Lists!$A$2:$A$9</xm:f></x14:formula1></x14:dataValidation>"
                        "</x14:dataValidations></ext></extLst>")
    assert (sheet.valued_cells, sheet.last_row, sheet.last_column) == (1, 1, 1)
    assert sheet.formulas == {}  # an extension's <xm:f> is not a cell's formula


def test_a_value_after_a_sheet_level_element_inside_a_cell_still_counts() -> None:
    _refused('<row r="1"><c r="XFD1"><mergeCells/><v>1</v></c></row>', "cell-out-of-range")
    _refused('<row r="1"><c r="XFD1"><foo><v>1</v></foo></c></row>', "cell-out-of-range")


def test_cells_without_references_are_placed_by_counting() -> None:
    sheet = _scan('<row r="4"><c><v>1</v></c><c><v>2</v></c><c><f>1+1</f><v>2</v></c></row>'
                  "<row><c><v>1</v></c></row>")
    assert (sheet.last_row, sheet.last_column) == (5, 3)
    assert sheet.formulas == {"C4": ("=1+1", "2")}


@pytest.mark.parametrize("ref", ["A0", "1", "", "AAAA1", "A1B", "A 1", "A-1", "A1048577",
                                 "XFE1", "A١"])
def test_references_that_are_not_cells_are_refused(ref: str) -> None:
    with pytest.raises(InputError) as exc:
        _scan(f'<row r="1"><c r="{ref}"><v>1</v></c></row>')
    assert exc.value.code in ("corrupt-file", "cell-out-of-range")


@pytest.mark.parametrize("row", ["0", "x", "1.5", "-3", "１", "1048577"])
def test_row_numbers_that_are_not_rows_are_refused(row: str) -> None:
    _refused(f'<row r="{row}"><c><v>1</v></c></row>', "corrupt-file")


def test_rows_out_of_order_are_refused() -> None:
    _refused('<row r="5"><c r="A5"><v>1</v></c></row><row r="3"/>', "corrupt-file")


def test_the_limits(monkeypatch) -> None:
    e = _refused('<row r="1"><c r="CW1"><v>1</v></c></row>', "cell-out-of-range")
    assert "CW1" in e.message and "Metrics" in e.message
    e = _refused(f'<row r="{LIMITS["rows"] + 21}"><c><v>1</v></c></row>', "cell-out-of-range")
    assert f"{LIMITS['rows'] + 21:,}" in e.message
    e = _refused('<row r="1"><c r="A1"><v>1</v></c></row>'
                 '<row r="500000"><c r="CV500000"><v>1</v></c></row>', "area-too-large")
    assert "CV500000" in e.message and "50,000,000" in e.message
    monkeypatch.setitem(LIMITS, "cells", 2)
    _refused('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>1</v></c><c r="C1"><v>1</v></c></row>',
             "too-many-cells")


@pytest.mark.parametrize("xml", [
    '<row r="1"><c r="A1"><v>1</v></row>',  # not closed
    '<row r="1"><y:c r="A1"><v>1</v></y:c></row>',  # unbound prefix
    '<row r="1"><c r="A1" r="A1"><v>1</v></c></row>',  # duplicate attribute
    '<row r="1"><c r="A1"><v>&#27;</v></c></row>',  # a reference to a character XML forbids
    '<row r="1"><c r="A1"><v>&undefined;</v></c></row>',  # an entity nobody declared
])
def test_parts_that_are_not_well_formed_are_refused(xml: str) -> None:
    with pytest.raises(InputError) as exc:
        _scan(xml)
    assert exc.value.code in ("malformed-xml", "xml-entities")


def test_a_dtd_is_refused_wherever_the_parser_meets_it() -> None:
    xml = (f'<?xml version="1.0"?>\n<!-- first -->\n<!DOCTYPE worksheet [<!ENTITY a "x">]>'
           f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>').encode()
    with pytest.raises(InputError) as exc:
        scan_sheet(Path("b.xlsx"), SheetScan("S", "p"), "p", [xml[:30], xml[30:]])
    assert exc.value.code == "xml-entities"


@pytest.mark.parametrize(("text", "control"), [
    ("plain", False), ("_x001B_", True), ("&#127;", True), ("&#x85;", True), ("\u0085", True),
    ("caf\u00e9 \u4e0a\u6d77", False),
])
def test_the_control_character_hint(text: str, control: bool) -> None:
    sheet = _scan(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>')
    assert sheet.control is control


def test_what_the_scan_keeps_is_bounded(monkeypatch) -> None:
    """Formulas, error cells, merged ranges and hidden rows are kept, so they count against
    the cell limit: a sheet of a million merged ranges cannot exhaust memory."""
    monkeypatch.setitem(LIMITS, "cells", 2)
    merges = "".join(f'<mergeCell ref="A{i}:B{i}"/>' for i in range(1, 4))
    _refused('<row r="1"><c r="A1"><v>1</v></c></row>', "too-many-cells",
             after=f"<mergeCells>{merges}</mergeCells>")
    _refused("".join(f'<row r="{i}" hidden="1"/>' for i in range(1, 4)), "too-many-cells")


@pytest.mark.parametrize("chunk", [0, 1, 2, 3, 5, 7, 11])  # the value over a chunk's edge too
def test_a_shared_text_index_must_be_a_number(chunk: int) -> None:
    good = ('<row r="1"><c r="A1" s="1" t="s"><v>12</v></c><c r="B1" t="s" s="2"><v>0</v></c>'
            "<c r='C1' t='s'><v>&#51;</v></c><x:c r='D1' t='s' xmlns:x='" + MAIN + "'>"
            "<x:v>4294967295</x:v></x:c></row>")
    assert _scan(good, chunk=chunk).valued_cells == 4
    for index in ("abc", "1.5", "-1", " 3", "3 ", "", "12345678901", "&#97;"):
        with pytest.raises(InputError) as exc:
            _scan(f'<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="s"><v>{index}</v></c></row>',
                  chunk=chunk)
        assert exc.value.code == "corrupt-file" and "B1" in exc.value.message, index


@pytest.mark.parametrize("at", [0, 1, 2])  # where the marker falls against the hint's pieces
def test_the_control_hint_sees_past_its_first_piece(at: int) -> None:
    """The hint reads a large part a piece at a time: a marker far in, or split across two
    pieces, is still seen."""
    from reporter.read.xmlsafety import _PIECE, ControlHint

    hint = ControlHint()
    data = bytearray(b"x" * (2 * _PIECE + 10))
    data[_PIECE + at - 1:_PIECE + at + 1] = b"&#"
    hint.feed(data)
    assert hint.found
    hint = ControlHint()
    hint.feed(bytes(2 * _PIECE + 10))  # NUL bytes are controls, from the start
    assert hint.found
    hint = ControlHint()
    hint.feed(b"x" * (2 * _PIECE + 10))
    assert not hint.found
