"""The summary workbook of a meeting and the portfolio, read back as staff read them: which
sheets, what each holds (found by header), and how every sheet prints on A4."""

from __future__ import annotations

import datetime as dt
import json
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.build import build
from reporter.codes import Status
from reporter.render.pages import MIN_SCALE, PAGE_PX, column_px
from reporter.render.tables import shown_columns
from reporter.render.textsize import longest_word
from reporter.schema import ACTIONS, DATA_SHEETS, PARTICIPANTS
from tests import registers as R

LATER = "M-SZ-2025"  # a Suzhou meeting after the sample's Suzhou signing (M-SUZHOU)
UNDATED = "M-SZ-NODATE"  # another, undated: one of its figures is possibly a published one
ORDER = ["Summary", "Agreements", "Metrics", "Participants", "Follow-ups", "Checks", "Sources"]


def load(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def rows_of(ws, header_row: int = 1) -> list[dict[str, object]]:
    header = [c.value for c in ws[header_row]]
    return [dict(zip(header, r, strict=True))
            for r in ws.iter_rows(min_row=header_row + 1, values_only=True)]


def cells_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, object, dict]:
    """The sample, with its participants and follow-ups, a figure that differs from its source,
    a later Suzhou meeting (the earlier meeting's follow-ups, one overdue, one done) and an
    undated one (a hint)."""
    root = tmp_path_factory.mktemp("summary")
    undated = json.loads(json.dumps(R.suzhou_2025(dated=False)).replace("SZ25", "SZ26")
                         .replace(LATER, UNDATED))
    rows = R.with_new(R.sample_rows(), R.suzhou_2025(), undated)
    rows["Participants"] = list(R._SAMPLE["PARTICIPANTS"])
    rows["Actions"] = [*R._SAMPLE["ACTIONS"], *[
        {"action_id": "F-SZ-04", "meeting_id": "M-SUZHOU", "action": "Report on the coupons",
         "owner": "Suzhou", "due": dt.date(2025, 1, 31), "status": "in progress"},
        {"action_id": "F-SZ-05", "meeting_id": "M-SUZHOU", "action": "Name contacts",
         "due": dt.date(2024, 12, 1), "status": "done"},
        {"action_id": "F-SZ25-01", "meeting_id": LATER, "action": "Draft the supply-chain "
         "plan", "due": dt.date(2025, 9, 30)},
    ]]
    for f in rows["Metrics"]:
        if f["metric_id"] == "F-HK-03":
            f["value"] = 31_300_000_000  # the source says 32.3 billion
    path = R.write(root / "register.xlsx", rows)
    result = build(path, root / "reports", jobs=1)
    return root / "reports", result.reconciliation, rows


def summary(reports: Path, meeting: str):
    return load(reports / meeting / f"{meeting}-summary.xlsx")


def test_sheets_follow_the_order_and_empty_ones_are_named_on_the_summary(built) -> None:
    reports, outcome, rows = built
    for meeting in ("M-SUZHOU", LATER, "M-G60-2024", "M-TSINGHUA"):
        wb = summary(reports, meeting)
        assert wb.sheetnames == [s for s in ORDER if s in wb.sheetnames]
        for sheet in ("Agreements", "Metrics", "Participants"):
            assert (sheet in wb.sheetnames) == any(r["meeting_id"] == meeting
                                                   for r in rows[sheet]), (meeting, sheet)
        checks = outcome.for_meeting(meeting)
        assert ("Checks" in wb.sheetnames) == any(c.status is not Status.MATCH for c in checks)
        text = cells_text(wb["Summary"])
        for sheet in ORDER[1:]:
            if sheet not in wb.sheetnames:
                assert f"\n{sheet}\nNot included: " in text, (meeting, sheet)
    suzhou = summary(reports, "M-SUZHOU")
    assert {"Participants", "Follow-ups"} <= set(suzhou.sheetnames)
    g60 = summary(reports, "M-G60-2024")
    assert "Participants" not in g60.sheetnames
    assert "the workbook lists no participants for this meeting" in cells_text(g60["Summary"])
    all_match = [m for m in ("M-TSINGHUA", "M-G60-2024", "M-TONGJI")
                 if all(c.status is Status.MATCH for c in outcome.for_meeting(m))]
    assert all_match, "the sample has meetings whose every check matches"
    for meeting in all_match:
        assert "is a match." in cells_text(summary(reports, meeting)["Summary"])


def test_summary_sheet_gives_purpose_and_date_as_known(built) -> None:
    reports, _, _ = built
    details = {r[0]: r[1] for r in summary(reports, "M-SUZHOU")["Summary"].iter_rows(
        min_row=3, max_row=13, values_only=True)}
    assert details["Purpose"] == R._SAMPLE["BRIEF"]["M-SUZHOU"]["purpose"]
    assert details["Date"].startswith("26 October (year not stated)")
    assert "the workbook's Date is blank" in details["Date"]
    later = {r[0]: r[1] for r in summary(reports, LATER)["Summary"].iter_rows(
        min_row=3, max_row=13, values_only=True)}
    assert later["Date"] == "12 June 2025" and later["Purpose"] == "not stated"


def test_checks_lists_every_check_that_is_not_a_match_in_workbook_order(built) -> None:
    reports, outcome, rows = built
    sheets = [s.name for s in DATA_SHEETS]
    for meeting in ("M-HK-FORUM-2024", UNDATED, "M-SUZHOU"):
        rows = rows_of(summary(reports, meeting)["Checks"])
        expected = [c for c in outcome.for_meeting(meeting) if c.status is not Status.MATCH]
        assert sorted((r["Code"], r["Workbook cell"] or "") for r in rows) == sorted(
            (c.code, f"{c.sheet}!{c.cell}" if c.cell else "") for c in expected)
        assert all(r["What to do"] and r["What it says"] for r in rows)
        at_cells = [r["Workbook cell"] for r in rows if r["Workbook cell"]]
        places = [(sheets.index(cell.split("!")[0]), int(cell.split("!")[1].lstrip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))) for cell in at_cells]
        assert places == sorted(places), f"{meeting}: not in workbook order"
        # checks with no cell (published items the workbook lacks) come after
        blank = [i for i, r in enumerate(rows) if not r["Workbook cell"]]
        assert blank == list(range(len(rows) - len(blank), len(rows)))
    hk = rows_of(summary(reports, "M-HK-FORUM-2024")["Checks"])
    (differs,) = [r for r in hk if r["Code"] == "figure-differs"]
    assert differs["Status"] == "mismatch" and differs["Published"] == "32.3 billion yuan"
    assert differs["Workbook cell"].startswith("Metrics!") and differs["Source paragraph"] == 12
    hints = [r for r in rows_of(summary(reports, UNDATED)["Checks"]) if r["Status"] == "hint"]
    assert hints and all("Fact ID" in r["What to do"] for r in hints)
    assert [r["Code"] for r in hints] == [c.code for c in outcome.for_meeting(UNDATED)
                                          if c.status is Status.HINT]


def test_follow_ups_hold_the_meetings_own_and_the_earlier_open_ones(built) -> None:
    reports, _, _ = built
    ws = summary(reports, LATER)["Follow-ups"]
    declared = [c.title.en for c in shown_columns(ACTIONS, "summary")]
    assert [c.value for c in ws[1]] == [*declared, "Meeting date", "Overdue"]
    rows = rows_of(ws)
    assert [r["Action ID"] for r in rows] == ["F-SZ25-01", "F-SZ-01", "F-SZ-02", "F-SZ-03",
                                             "F-SZ-04"]  # own first; done F-SZ-05 left out
    assert rows[0]["Meeting ID"] == LATER and rows[0]["Due"] == dt.datetime(2025, 9, 30)
    assert {r["Action ID"] for r in rows if r["Overdue"] == "overdue"} == {"F-SZ-04"}
    assert all(r["Meeting date"] == "26 October (year not stated)" for r in rows[1:])
    # The signing's date is not known: no meeting is known to come before it, so it lists
    # its own follow-ups only (as its briefing does); none is overdue on an unknown day.
    signing = rows_of(summary(reports, "M-SUZHOU")["Follow-ups"])
    assert [r["Action ID"] for r in signing] == ["F-SZ-01", "F-SZ-02", "F-SZ-03", "F-SZ-04",
                                                "F-SZ-05"]
    assert not any(r["Overdue"] for r in signing)


def test_participants_follow_the_declaration(built) -> None:
    reports, _, _ = built
    ws = summary(reports, "M-SUZHOU")["Participants"]
    assert [c.value for c in ws[1]] == [c.title.en for c in shown_columns(PARTICIPANTS,
                                                                          "summary")]
    assert [r["Name"] for r in rows_of(ws)] == [p["name"] for p in R._SAMPLE["PARTICIPANTS"]
                                               if p["meeting_id"] == "M-SUZHOU"]


def _fit(ws) -> bool:
    props = ws.sheet_properties.pageSetUpPr
    return bool(props is not None and props.fitToPage)


def _widths(ws) -> list[float]:
    widths = []
    for dim in sorted(ws.column_dimensions.values(), key=lambda d: d.min or 0):
        widths += [dim.width - 0.71] * ((dim.max or dim.min) - dim.min + 1)
    return widths


def check_prints_on_a4(ws, header_row: int | None) -> None:
    """A4; one page wide at a scale that keeps text 8 pt or larger, or across pages at 85
    percent with its first column on each; the header row on every page."""
    setup = ws.page_setup
    assert int(setup.paperSize) == 9, ws.title
    assert ws.oddFooter.right.text == "Page &P of &N"
    widths = sum(map(column_px, _widths(ws)))
    if _fit(ws):
        assert (setup.fitToWidth or 1) == 1 and setup.fitToHeight == 0, ws.title
        room = PAGE_PX["landscape" if setup.orientation == "landscape" else "portrait"]
        assert widths <= room / MIN_SCALE + 1, f"{ws.title} prints below 8 pt"
    else:
        assert int(setup.scale) == 85 and setup.orientation == "landscape", ws.title
        assert ws.print_title_cols and widths > PAGE_PX["landscape"] / MIN_SCALE, ws.title
        assert setup.pageOrder == "overThenDown"
    if header_row is not None:
        assert ws.print_title_rows == f"${header_row}:${header_row}", ws.title


def test_every_sheet_prints_readably(built) -> None:
    reports, _, _ = built
    for folder in sorted(p for p in reports.iterdir() if p.is_dir()):
        wb = summary(reports, folder.name)
        for ws in wb.worksheets:
            check_prints_on_a4(ws, None if ws.title == "Summary" else 1)
    portfolio = load(reports / "portfolio-summary.xlsx")
    for ws, header in zip(portfolio.worksheets, (4, 3, 1, 1), strict=True):
        check_prints_on_a4(ws, header)


def test_narrowed_text_wraps_whole_words_and_rows_grow(built) -> None:
    reports, _, _ = built
    ws = summary(reports, "M-SUZHOU")["Agreements"]
    header = [c.value for c in ws[1]]
    widths = _widths(ws)
    narrowed = 0
    for j, name in enumerate(header):
        values = [c.value for c in ws[ws.cell(1, j + 1).column_letter][1:]]
        texts = [v for v in values if isinstance(v, str)]
        if not texts:
            continue
        assert ws.cell(2, j + 1).alignment.wrap_text, name
        assert widths[j] >= longest_word(texts) + 1, f"{name}: a word would break"
        if widths[j] + 1 < max(len(t) for t in texts):
            narrowed += 1
    assert narrowed >= 3, "the agreements table fits the page by wrapping its text columns"
    assert ws.row_dimensions[2].height and ws.row_dimensions[2].height >= 45


def test_portfolio_total_stands_beside_the_focus_area(built) -> None:
    reports, _, _ = built
    ws = load(reports / "portfolio-summary.xlsx")["Focus areas"]
    header = [c.value for c in ws[3]]
    assert header[:2] == ["Focus area", "Total"]
    for row in rows_of(ws, 3):
        assert row["Total"] == sum(v for k, v in row.items() if k not in ("Focus area",
                                                                          "Total"))


def test_a_portfolio_of_many_meetings_prints_across_pages(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    path = generate(tmp_path / "many.xlsx", meetings=45, agreements=300, metrics=45, seed=2)
    build(path, tmp_path / "r", jobs=1)
    portfolio = tmp_path / "r" / "portfolio-summary.xlsx"
    wb = load(portfolio)
    focus = wb["Focus areas"]
    check_prints_on_a4(focus, 3)
    assert not _fit(focus) and focus.print_title_cols == "$A:$A"
    assert [c.value for c in focus[3]][:2] == ["Focus area", "Total"]
    overview = wb["Overview"]
    check_prints_on_a4(overview, 4)
    assert "Not included: the chart of reconciliation by meeting" in overview["A2"].value
    with zipfile.ZipFile(portfolio) as z:
        assert not any(n.startswith("xl/charts/") for n in z.namelist())


def test_a_portfolio_leaves_out_what_it_has_nothing_for(tmp_path: Path) -> None:
    rows = {"Meetings": [R._meeting("M-X", "Workshop", "city", "Hangzhou")],
            "Agreements": [R._agreement("A-X", "M-X", "Exchange of visits", "Hangzhou")],
            "Metrics": []}
    build(R.write(tmp_path / "r.xlsx", rows), tmp_path / "out", jobs=1)
    wb = load(tmp_path / "out" / "portfolio-summary.xlsx")
    assert wb.sheetnames == ["Overview"]
    note = wb["Overview"]["A2"].value
    for left_out in ("Focus areas (no agreement names a focus area)",
                     "Figures (no meeting has figures)", "Reconciliation (there are no checks)"):
        assert left_out in note
    meeting = summary(tmp_path / "out", "M-X")
    assert meeting.sheetnames == ["Summary", "Agreements"]
    text = cells_text(meeting["Summary"])
    assert "Metrics\nNot included: no figure is recorded for this meeting." in text
    assert "Sources\nNot included: no published source is cited" in text


def test_a_meeting_with_nothing_to_check_says_so_without_a_table_of_zeros(
        tmp_path: Path) -> None:
    rows = {"Meetings": [R._meeting("M-X", "Workshop", "city", "Hangzhou")],
            "Agreements": [], "Metrics": []}
    build(R.write(tmp_path / "r.xlsx", rows), tmp_path / "out", jobs=1)
    ws = summary(tmp_path / "out", "M-X")["Summary"]
    text = cells_text(ws)
    assert "Reconciliation\nNothing to check: the meeting has no figures or agreements" in text
    assert "Status" not in [c.value for row in ws.iter_rows() for c in row]
