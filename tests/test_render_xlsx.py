"""The table rows reporter writes as XML text read back as the values they were."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.render.xlsx import Formats, TableColumn, TableSheet, new_workbook, write_table

CREATED = dt.datetime(2024, 1, 1)


def _read(path: Path, sheet: str, read_only: bool = False) -> list[tuple]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=read_only)
        try:
            return list(wb[sheet].iter_rows(values_only=True))
        finally:
            wb.close()


def test_rows_read_back_as_written(tmp_path: Path) -> None:
    rows = [
        ["A-1", "R&D <centre> & \"lab\"", dt.date(2024, 5, 24), 32_300_000_000.0, 7],
        ["A-2", "  spaced  ", None, None, None],
        ["A-3", "上海交通大学\nsecond line", dt.date(1980, 1, 1), 0.1, 0],
        ["A-4", "bell\x07 and =SUM(A1:A2)", "", 1e-7, 12],
    ]
    cols = [TableColumn("ID"), TableColumn("Title"), TableColumn("Signed", "date"),
            TableColumn("Value", "number"), TableColumn("Paragraph", "int")]
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path, CREATED, "test")
    fmt = Formats(wb)
    ws = wb.add_worksheet("Rows")
    assert isinstance(ws, TableSheet)
    assert write_table(ws, 0, cols, rows, "Rows", fmt) == len(rows) + 1  # the row after it
    wb.close()
    for read_only in (False, True):  # read-only mode trusts the sheet's dimension
        got = _read(path, "Rows", read_only)
        assert got[0] == ("ID", "Title", "Signed", "Value", "Paragraph")
        assert len(got) == len(rows) + 1
        assert got[1] == ("A-1", 'R&D <centre> & "lab"', dt.datetime(2024, 5, 24),
                          32_300_000_000, 7)
        assert got[2] == ("A-2", "  spaced  ", None, None, None)
        assert got[3] == ("A-3", "上海交通大学\nsecond line", dt.datetime(1980, 1, 1), 0.1, 0)
        assert got[4][1] == "bell and =SUM(A1:A2)" and got[4][3] == 1e-7
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = load_workbook(path)["Rows"]
    assert cells["C2"].number_format == "yyyy-mm-dd" and cells["D2"].number_format == "#,##0.####"
    assert cells["B5"].data_type == "s"  # text that looks like a formula stays text


def test_cells_among_the_rows_are_refused(tmp_path: Path) -> None:
    wb = new_workbook(tmp_path / "t.xlsx", CREATED, "test")
    fmt = Formats(wb)
    ws = wb.add_worksheet("Rows")
    write_table(ws, 0, [TableColumn("ID")], [["A-1"], ["A-2"]], "Rows", fmt)
    ws.write_string(2, 0, "over A-2")
    with pytest.raises(ValueError, match="cells written at or below"):
        wb.close()


@pytest.mark.parametrize("intrusion", ["cell below", "set_row", "comment"])
def test_anything_but_plain_rows_in_a_table_body_is_refused(tmp_path: Path,
                                                              intrusion: str) -> None:
    wb = new_workbook(tmp_path / "t.xlsx", CREATED, "test")
    fmt = Formats(wb)
    ws = wb.add_worksheet("Rows")
    write_table(ws, 0, [TableColumn("ID")], [["A-1"], ["A-2"]], "Rows", fmt)
    if intrusion == "cell below":
        ws.write_string(7, 0, "after the table")
    elif intrusion == "set_row":
        ws.set_row(1, 30)
    else:
        ws.write_comment(2, 0, "a note")
    with pytest.raises(ValueError, match="at or below the rows"):
        wb.close()


def _cells(path: Path) -> dict[str, tuple[str, str, str]]:
    """Every cell of the first sheet: ref -> (style index, kind, value), strings resolved."""
    import zipfile

    from lxml import etree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        sheet = etree.fromstring(z.read("xl/worksheets/sheet1.xml"))
        shared = ([si.xpath("string(.)") for si in etree.fromstring(
            z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
            if "xl/sharedStrings.xml" in z.namelist() else [])
    out = {}
    for c in sheet.iterfind(".//m:sheetData/m:row/m:c", ns):
        t = c.get("t", "n")
        if t == "s":
            kind, value = "text", shared[int(c.findtext("m:v", namespaces=ns))]
        elif t == "inlineStr":
            kind, value = "text", c.xpath("string(m:is)", namespaces=ns)
        else:
            kind, value = t, c.findtext("m:v", namespaces=ns)
        out[c.get("r")] = (c.get("s", "0"), kind, value)
    return out


def test_rows_say_what_xlsxwriter_would_have_written(tmp_path: Path) -> None:
    """TableSheet's XML against xlsxwriter's own, cell for cell: style, kind, value."""
    rows = [
        ["A-1", "R&D <centre> & \"lab\"", dt.date(2024, 5, 24), 32_300_000_000.0, 7],
        ["A-2", "  spaced  ", None, 0.1, None],
        ["A-3", "上海交通大学\nsecond line", dt.date(1980, 1, 1), 1e-7, 0],
        ["A-4", "=SUM(A1:A2)", dt.date(2100, 12, 31), -2.5, 12],
    ]
    cols = [TableColumn("ID"), TableColumn("Title"), TableColumn("Signed", "date"),
            TableColumn("Value", "number"), TableColumn("Paragraph", "int")]
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    wb = new_workbook(ours, CREATED, "test")
    write_table(wb.add_worksheet("Rows"), 0, cols, rows, "Rows", Formats(wb))
    wb.close()
    wb = new_workbook(theirs, CREATED, "test")
    fmt = Formats(wb)
    ws = wb.add_worksheet("Rows")
    for j, c in enumerate(cols):
        ws.write_string(0, j, c.header)
    formats = {"text": fmt.wrap, "date": fmt.date, "number": fmt.number, "int": fmt.int}
    for i, row in enumerate(rows, start=1):
        for j, (c, v) in enumerate(zip(cols, row, strict=True)):
            if v is None:
                continue
            if c.kind == "date":
                ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), formats["date"])
            elif c.kind in ("number", "int"):
                ws.write_number(i, j, v, formats[c.kind])
            else:
                ws.write_string(i, j, v, formats["text"])
    wb.close()
    a, b = _cells(ours), _cells(theirs)
    header = {ref for ref in b if ref.endswith("1") and len(ref) == 2}
    assert {k: v for k, v in a.items() if k not in header} == {
        k: v for k, v in b.items() if k not in header}
    assert len(a) == len(b) == 5 + sum(v is not None for row in rows for v in row)


def test_an_xlsxwriter_that_skips_the_rows_fails_loudly(tmp_path: Path, monkeypatch) -> None:
    """Should a new xlsxwriter write sheets another way, no summary goes out with empty tables."""
    from xlsxwriter.worksheet import Worksheet

    monkeypatch.setattr(TableSheet, "_write_rows", Worksheet._write_rows)
    wb = new_workbook(tmp_path / "t.xlsx", CREATED, "test")
    write_table(wb.add_worksheet("Rows"), 0, [TableColumn("ID")], [["A-1"]], "Rows", Formats(wb))
    with pytest.raises(RuntimeError, match="xlsxwriter"):
        wb.close()
