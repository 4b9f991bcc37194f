"""What a reader of the briefings finds when rows are, and are not, published items: no row
is cited as an item it is not, no difference is an artefact of a wrong pairing, and hints
reach staff (the summary, the portfolio) but never a briefing."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from reporter.build import build
from tests import registers as R
from tests.conftest import run_cli

NEW = ("M-SZ-2025", "M-G60-2025", "M-HK-2025")


def briefing(reports: Path, meeting: str) -> tuple[str, list[list[list[str]]]]:
    d = docx.Document(str(reports / meeting / f"{meeting}-briefing.docx"))
    text = "\n".join(p.text for p in d.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return text, tables


def table(tables: list[list[list[str]]], first: str) -> list[dict[str, str]]:
    """The briefing table whose first header is `first`, as rows by header."""
    found = next(t for t in tables if t[0][0] == first)
    return [dict(zip(found[0], row, strict=True)) for row in found[1:]]


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture(scope="module")
def new_meetings(tmp_path_factory) -> Path:
    """The sample with three new meetings of known counterparts, and a row like a published
    memorandum under other parties in place of the memorandum's own; built."""
    root = tmp_path_factory.mktemp("new")
    rows = R.with_new(R.sample_rows(), R.suzhou_2025(dated=False), R.g60_2025(), R.hk_2025())
    rows["Agreements"] = [a for a in rows["Agreements"] if a["agreement_id"] != "A-HK-03"]
    rows["Agreements"].append(R._agreement(
        "A-HK-09", "M-HK-FORUM-2024", "Memorandum on science and technology innovation "
        "cooperation", "Fudan University", "HKUST", kind="memorandum"))
    path = R.write(root / "new.xlsx", rows)
    out = root / "reports"
    build(path, out, jobs=1)
    return out


@pytest.mark.parametrize("meeting", NEW)
def test_new_meetings_briefings_cite_nothing_they_are_not(new_meetings: Path,
                                                          meeting: str) -> None:
    text, tables = briefing(new_meetings, meeting)
    notes = re.findall(r"^\[(\d+)\] (.*)$", text, flags=re.M)
    figures = table(tables, "Figure")
    cited = [r for r in figures if r.get("Source", "").startswith("[")]
    if meeting == "M-G60-2025":
        # the one published figure it quotes: the 2023 share of GDP, with its paragraph
        (row,) = cited
        assert row["Figure"] == "Share of national GDP" and row["Value"] == "1/15"
        (note,) = notes
        assert "Paragraph 16." in note[1] and "People's Daily" in note[1]
    else:
        assert cited == [] and notes == []
        assert "\nSources\n" not in text
    agreements = table(tables, "Agreement")
    assert agreements and not any(re.search(r"\[\d+\]", r["Agreement"]) for r in agreements)
    assert "possibly" not in text.lower() and "Fact ID" not in text
    assert "differs" not in text


def test_the_hint_reaches_staff_in_the_summary_not_the_briefing(new_meetings: Path) -> None:
    text, tables = briefing(new_meetings, "M-SZ-2025")
    (row,) = [r for r in table(tables, "Figure") if r["Figure"] == "Cooperation projects signed"]
    assert row["Value"] == "45 (a)" and not row.get("Source")
    assert "(a) Cooperation projects signed: no published source gives this figure." in text
    assert "suzhou-projects" not in text and "possibly" not in text.lower()
    summary = new_meetings / "M-SZ-2025" / "M-SZ-2025-summary.xlsx"
    (hint,) = [r for r in sheet_rows(summary, "Checks") if r["Status"] == "hint"]
    assert hint["Code"] == "figure-possible" and "suzhou-projects" in hint["What it says"]
    (metric,) = [r for r in sheet_rows(summary, "Metrics") if r["Metric ID"] == "F-SZ25-01"]
    assert metric["Check"] == "unsourced" and not metric["Published"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = load_workbook(summary).sheetnames
    assert "Sources" not in names  # a hint is not a citation: no source is cited


def test_a_row_like_a_published_one_shows_no_false_difference(new_meetings: Path) -> None:
    text, tables = briefing(new_meetings, "M-HK-FORUM-2024")
    memo = next(r for r in table(tables, "Agreement") if r["Parties"].startswith("Fudan"))
    assert not re.search(r"\[\d+\]", memo["Agreement"])
    assert "differs" not in text
    summary = new_meetings / "M-HK-FORUM-2024" / "M-HK-FORUM-2024-summary.xlsx"
    (row,) = [r for r in sheet_rows(summary, "Agreements") if r["Agreement ID"] == "A-HK-09"]
    assert row["Check"] == "hint" and not row["Published as"]
    # the published memorandum is reported missing to staff, as it is
    checks = sheet_rows(summary, "Checks")
    assert any(r["Code"] == "agreement-missing" and "Memorandum on science and technology "
               "innovation cooperation" in r["What it says"] for r in checks)
    assert not any(r["Status"] == "mismatch" for r in checks)


def test_the_sample_briefings_cite_the_same_with_or_without_source_cells(tmp_path: Path) -> None:
    with_src = R.write(tmp_path / "with.xlsx", R.sample_rows())
    without = R.write(tmp_path / "without.xlsx", R.blank_sources(R.sample_rows()))
    build(with_src, tmp_path / "a", jobs=1)
    build(without, tmp_path / "b", jobs=1)
    for meeting in ("M-SUZHOU", "M-G60-2024", "M-TONGJI", "M-BAOSHAN-2024"):
        a_text, a_tables = briefing(tmp_path / "a", meeting)
        b_text, b_tables = briefing(tmp_path / "b", meeting)
        assert a_tables == b_tables
        notes = re.findall(r"^\[\d+\] .*$", a_text, flags=re.M)
        assert notes and notes == re.findall(r"^\[\d+\] .*$", b_text, flags=re.M)


def test_the_issue_case_builds_strictly_with_the_published_agreement_missing(
        tmp_path: Path) -> None:
    rows = R.sample_rows()
    rows["Agreements"][0].update(title="Joint action plan for integrated-circuit supply-chain "
                                 "innovation", source=None)
    path = R.write(tmp_path / "issue.xlsx", rows)
    out = tmp_path / "reports"
    assert run_cli("build", path, "--out", out, "--strict", "--quiet").exit_code == 0
    _, tables = briefing(out, "M-SUZHOU")
    (row,) = table(tables, "Agreement")
    title = row["Agreement"].split("\n")[0]  # (its focus areas on the next line)
    assert title == "Joint action plan for integrated-circuit supply-chain innovation"
    checks = sheet_rows(out / "M-SUZHOU" / "M-SUZHOU-summary.xlsx", "Checks")
    (missing,) = [r for r in checks if r["Code"] == "agreement-missing"]
    assert "Shanghai–Suzhou science and technology cooperation agreement" in (
        missing["What it says"])
    assert not any(r["Status"] == "mismatch" for r in checks)
    assert "Joint action plan" not in missing["What it says"]


def test_published_items_no_meeting_is_are_in_the_portfolio_only(tmp_path: Path) -> None:
    empty: R.Rows = {"Meetings": [], "Agreements": [], "Metrics": []}
    path = R.write(tmp_path / "only.xlsx", R.with_new(empty, R.suzhou_2025()))
    out = tmp_path / "reports"
    build(path, out, jobs=1)
    text, _ = briefing(out, "M-SZ-2025")
    assert "Published, but not in the workbook" not in text
    checks = sheet_rows(out / "portfolio-summary.xlsx", "Reconciliation")
    unattached = {r["Code"] for r in checks if not r["Meeting ID"]}
    assert unattached == {"meeting-missing", "figure-missing", "agreement-missing"}
