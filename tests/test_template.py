"""`reporter init` and the committed blank template."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from openpyxl import load_workbook

from reporter.facts import load_sources
from reporter.schema import DATA_SHEETS, VOCABULARIES, column_letter
from reporter.validate import validate_file
from tests.conftest import SAMPLE, TEMPLATE, cell_at, ref, run_cli


def _load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def test_init_writes_the_committed_template(tmp_path: Path) -> None:
    out = tmp_path / "new.xlsx"
    result = run_cli("init", out)
    assert result.exit_code == 0
    assert out.read_bytes() == TEMPLATE.read_bytes(), (
        "templates/cooperation-template.xlsx is out of step with `reporter init`; "
        "run `make template`")


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "mine.xlsx"
    out.write_bytes(b"staff's own work")
    result = run_cli("init", out)
    assert result.exit_code == 3 and "--force" in result.stderr
    assert out.read_bytes() == b"staff's own work"
    assert run_cli("init", out, "--force").exit_code == 0
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(
        TEMPLATE.read_bytes()).digest()


def test_template_is_valid_and_empty() -> None:
    result = validate_file(TEMPLATE)
    assert result.report.ok and not result.report.problems
    assert result.workbook.meetings == []


def test_template_sheets_headers_and_help() -> None:
    wb = _load(TEMPLATE)
    assert wb.sheetnames == ["README", *[s.name for s in DATA_SHEETS], "Lists"]
    for spec in DATA_SHEETS:
        ws = wb[spec.name]
        assert [c.value for c in ws[1]][: len(spec.columns)] == [c.header for c in spec.columns]
        assert ws.freeze_panes == "A2"
        messages = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation
                    if dv.promptTitle}
        for c in spec.columns:
            at = cell_at(ws, c.header, 1)
            assert messages[at.coordinate].prompt, f"{spec.name}!{at.coordinate} has no input message"
            assert ws.column_dimensions[at.column_letter].width > 8


def test_the_sample_and_the_template_are_laid_out_as_declared() -> None:
    """Tests reach into the sample's and the template's cells through the declaration
    (tests.conftest.ref): that holds only while both are laid out in its order."""
    for path in (SAMPLE, TEMPLATE):
        wb = _load(path)
        for spec in DATA_SHEETS:
            ws = wb[spec.name]
            assert [c.value for c in ws[1]] == [c.header for c in spec.columns], path.name
            for c in spec.columns:
                assert cell_at(ws, c.header, 2).coordinate == ref(spec.name, c.header, 2)


def test_template_dropdowns_come_from_lists() -> None:
    wb = _load(TEMPLATE)
    lists = wb["Lists"]
    headers = [c.value for c in lists[1]]
    for name, values in VOCABULARIES.items():
        col = headers.index(name)
        assert [lists.cell(r + 2, col + 1).value for r in range(len(values))] == list(values)
    kinds = [dv for dv in wb["Meetings"].data_validations.dataValidation if dv.type == "list"]
    kind = ref("Meetings", "Kind", 2)
    assert any(dv.formula1 == "ListMeetingKinds" and kind in str(dv.sqref) for dv in kinds)
    assert "OFFSET(Lists!$A$2" in wb.defined_names["ListMeetingKinds"].attr_text
    dates = [dv for dv in wb["Meetings"].data_validations.dataValidation if dv.type == "date"]
    assert dates and ref("Meetings", "Date", 2) in str(dates[0].sqref)


def test_readme_sheet_explains_columns_and_sources() -> None:
    ws = _load(TEMPLATE)["README"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for spec in DATA_SHEETS:
        for c in spec.columns:
            assert c.header in text and c.help in text
    for s in load_sources():
        assert s.id in text and s.file in text


def test_template_prints_readably_and_a_blank_sheet_prints_nothing() -> None:
    from reporter.render.pages import MIN_SCALE, PAGE_PX, column_px

    wb = _load(TEMPLATE)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert int(setup.paperSize) == 9 and setup.orientation == "landscape", ws.title
        widths = [(d.width - 0.71) * ((d.max or d.min) - d.min + 1)
                  for d in ws.column_dimensions.values()]
        if ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage:
            assert setup.fitToHeight == 0
            assert sum(column_px(w) for w in widths) <= PAGE_PX["landscape"] / MIN_SCALE + 1
        else:  # too wide for a page: across pages, its ID column on each
            assert int(setup.scale) == 85 and ws.print_title_cols == "$A:$A", ws.title
    for spec in DATA_SHEETS:
        ws = wb[spec.name]
        last = column_letter(len(spec.columns) - 1)
        # Only the rows below the header print (the header repeats above them): a sheet with
        # no rows prints no page, and every row staff add is printed.
        assert ws.print_area == f"'{spec.name}'!$A$2:${last}$1048576"
        assert ws.print_title_rows == "$1:$1"
        widths = {i: d.width - 0.71 for d in list(ws.column_dimensions.values())
                  for i in range(d.min, (d.max or d.min) + 1)}
        for j, c in enumerate(spec.columns, start=1):  # text to type: never narrower than 24
            assert widths[j] >= min(c.width, 24), (spec.name, c.header)
