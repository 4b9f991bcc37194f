"""The table rows reporter writes as XML text read back as the values they were."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.render.pages import EASY_SCALE, MIN_SCALE, PAGE_PX, PagePlan, column_px, plan_pages
from reporter.render.textsize import laid_out_lines, longest_word
from reporter.render.xlsx import Formats, TableColumn, TableSheet, new_workbook, write_table
from tests.conftest import cell_at

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
    assert cell_at(cells, "Signed", 2).number_format == "yyyy-mm-dd"
    assert cell_at(cells, "Value", 2).number_format == "#,##0.####"
    assert cell_at(cells, "Title", 5).data_type == "s"  # text that looks like a formula stays text


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


# --- printing ------------------------------------------------------------------------------

def _px(widths) -> float:
    return sum(map(column_px, widths))


def test_a_narrow_table_prints_portrait_as_it_is() -> None:
    plan = plan_pages([12, 30, 20])
    assert plan == PagePlan((12.0, 30.0, 20.0), (12.0, 30.0, 20.0), False, True, 100)
    assert not plan.narrowed


def test_a_table_a_little_too_wide_is_scaled_not_narrowed() -> None:
    widths = [40.0] * 3 + [15.0] * 2  # too wide for a page at full size, not at 85 percent
    assert PAGE_PX["landscape"] < _px(widths) <= PAGE_PX["landscape"] / EASY_SCALE
    asked = []
    plan = plan_pages(widths, wrapped=lambda j: asked.append(j) or 5.0)
    assert plan.landscape and plan.fit_width and plan.widths == tuple(widths)
    assert asked == [], "nothing narrowed, so no column is read for its words"


def test_a_wide_table_narrows_its_widest_text_no_further_than_its_longest_word() -> None:
    widths = [14.0, 48.0, 48.0, 48.0, 12.0, 40.0, 30.0, 10.0, 16.0]
    words = {1: 12.0, 2: 30.0, 3: 9.0, 5: 11.0, 6: 8.0}  # text columns: their longest word
    asked: list[int] = []

    def wrapped(j: int) -> float | None:
        asked.append(j)
        return words.get(j)

    plan = plan_pages(widths, wrapped=wrapped)
    assert plan.fit_width and plan.landscape
    assert _px(plan.widths) <= PAGE_PX["landscape"] / MIN_SCALE
    assert plan.narrowed and plan.narrowed <= set(words)
    for j, w in enumerate(plan.widths):
        assert w >= min(widths[j], words.get(j, widths[j])), f"column {j} breaks a word"
        if j not in words:
            assert w == widths[j]
    assert plan.widths[2] == 30.0  # held at its longest word; the others narrowed more
    assert len(asked) == len(set(asked)), "each column is read once at most"


def test_a_table_too_wide_for_any_page_prints_across_with_its_first_column() -> None:
    widths = [30.0] + [14.0] * 40  # a focus area and forty meetings
    plan = plan_pages(widths, free=lambda j: widths[j], wrapped=lambda j: None, key_columns=1)
    assert not plan.fit_width and plan.landscape
    assert plan.scale == round(EASY_SCALE * 100) and plan.repeat_columns == 1
    assert plan.widths == tuple(widths)


def test_header_only_narrowing_comes_first() -> None:
    """Columns whose header alone is wider than their cells give way before any text wraps."""
    widths = [20.0] * 10 + [30.0]  # numbers under long headers, and one text column
    plan = plan_pages(widths, free=lambda j: 8.0 if j < 10 else 30.0,
                      wrapped=lambda j: 6.0 if j == 10 else None)
    assert plan.fit_width and plan.widths[10] == 30.0  # the text column kept whole
    assert all(w < 20.0 for w in plan.widths[:10])


def test_longest_word() -> None:
    assert longest_word(["Shanghai–Hong Kong dialogue", "Baoshan District–Shanghai"]) == 9
    # IDs are not broken; capitals and m, w are wider than a digit, i, l, dashes narrower
    assert longest_word(["M-G60-2024 and M-HK-FORUM-2024"]) == 17
    assert longest_word(["memorandum", "agreement"]) == 12 > len("memorandum")
    assert longest_word(["illicit"]) == 5
    assert longest_word(["上海交通大学 and Fudan"]) == 5  # a Chinese character breaks anywhere
    assert longest_word(["上海交通大学"]) == 2
    assert longest_word([None, 7, "", "a\nbcd"]) == 3 and longest_word([]) == 0


def test_lines_of_wrapped_text() -> None:
    assert laid_out_lines("Value (CNY)", 6) == 2
    assert laid_out_lines("one two three four five six seven eight nine ten", 20) == 3
    assert laid_out_lines("first\nsecond", 40) == 2
    assert laid_out_lines("x" * 50, 10) == 5  # a word longer than a line takes more
    assert laid_out_lines("", 10) == laid_out_lines(None, 10) == 1


def test_a_dash_does_not_make_a_row_taller(tmp_path: Path) -> None:
    """Rows are as tall as their text: a title with an en dash takes the lines of its
    plain twin (it used to be measured like Chinese, a row half empty); Chinese text of
    the same length takes more."""
    title = "Shanghai-Suzhou science and technology cooperation signing"
    rows = [["A-1", title], ["A-2", title.replace("-", "–")], ["A-3", "上海苏州科技合作签约" * 3]]
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path, CREATED, "test")
    write_table(wb.add_worksheet("Rows"), 0, [TableColumn("ID"), TableColumn("Title", width=14)],
                rows, "Rows", Formats(wb))
    wb.close()
    heights = [_load(path)["Rows"].row_dimensions[r].height for r in (2, 3, 4)]
    assert heights[0] == heights[1] > 15
    assert heights[2] > heights[1]


def test_a_narrowed_table_never_breaks_a_short_word(tmp_path: Path) -> None:
    """A table too wide for the page is narrowed, but a column of short words stays as
    wide as its widest word weighed by its letters ('memorandum' broke as 'memorandu/m')."""
    text = ["Title", "Party A", "Party B", "Focus areas", "Notes", "Published as"]
    cols = [TableColumn("ID"), *[TableColumn(h) for h in text], TableColumn("Kind"),
            TableColumn("Signed on", "date"), TableColumn("Value (CNY)", "number")]
    rows = [[f"A-{i}", *["a fairly long text that has to wrap in its column " * 2] * len(text),
             "memorandum" if i % 2 else "project", dt.date(2024, 1, 1), 32e9] for i in range(30)]
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path, CREATED, "test")
    write_table(wb.add_worksheet("Agreements"), 0, cols, rows, "Agreements", Formats(wb))
    wb.close()
    ws = _load(path)["Agreements"]
    width = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
    assert width["Title"] < 40  # narrowed to fit the page
    assert width["Kind"] >= longest_word(["memorandum"]) + 1 > len("memorandum") + 1


def _load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def test_a_written_table_prints_by_the_plan(tmp_path: Path) -> None:
    long = "a long text that has to wrap within its column " * 3
    rows = [[f"A-{i}", long, "上海交通大学与复旦大学合作的研究项目" * 2, i, dt.date(2024, 5, i + 1)]
            for i in range(8)]
    rows.append(["A-9", "short", "short", 9, None])
    cols = [TableColumn("ID"), TableColumn("Notes", width=60), TableColumn("Parties", width=60),
            TableColumn("Paragraph", "int"), TableColumn("Signed on", "date")]
    many = [TableColumn("Focus area"), *[TableColumn(f"M-{i:04}", "int") for i in range(60)]]
    path = tmp_path / "t.xlsx"
    wb = new_workbook(path, CREATED, "test")
    fmt = Formats(wb)
    write_table(wb.add_worksheet("Table"), 0, cols, rows, "Table", fmt)
    write_table(wb.add_worksheet("Matrix"), 2, many, [["area", *range(60)]], "Matrix", fmt)
    wb.close()
    book = _load(path)
    ws = book["Table"]
    assert ws.page_setup.paperSize == "9" or int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToHeight == 0 and ws.oddFooter.right.text == "Page &P of &N"
    notes = cell_at(ws, "Notes", 2)
    assert notes.alignment.wrap_text and notes.alignment.vertical == "top"
    assert not cell_at(ws, "Paragraph", 2).alignment.wrap_text  # numbers do not wrap
    for row in range(2, 10):  # a row of wrapped text is as tall as its lines
        assert ws.row_dimensions[row].height >= 3 * 15 - 3, row
    assert not ws.row_dimensions[10].height  # a short row keeps its one line
    assert book["Matrix"].print_title_cols == "$A:$A"
    assert book["Matrix"].print_title_rows == "$3:$3"
    assert int(book["Matrix"].page_setup.scale) == 85
    assert book["Matrix"].page_setup.pageOrder == "overThenDown"
