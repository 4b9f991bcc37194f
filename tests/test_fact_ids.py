"""The Fact ID column: staff say which published item a row is, or that it is none; ids are
checked against the fact base at their cell. Cells are found by header, never by letter."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.codes import Status
from reporter.facts import load_facts
from reporter.reconcile import Reconciliation, reconcile
from reporter.validate import validate_file
from tests import registers as R
from tests.conftest import SAMPLE, TEMPLATE, run_cli

FACTS = load_facts()


def run(path: Path) -> Reconciliation:
    result = validate_file(path)
    assert result.workbook is not None, [p.message for p in result.report.errors]
    return reconcile(result.workbook, FACTS)


def set_fact_id(rows: R.Rows, sheet: str, row_id: str, value: str | None) -> R.Rows:
    key = {"Agreements": "agreement_id", "Metrics": "metric_id"}[sheet]
    next(r for r in rows[sheet] if r[key] == row_id)["fact_id"] = value
    return rows


def checks_of(outcome: Reconciliation, path: Path, row_id: str) -> list:
    wb = validate_file(path).workbook
    rows = {("Agreements", a.row): a.agreement_id for a in wb.agreements}
    rows |= {("Metrics", f.row): f.metric_id for f in wb.metrics}
    return [c for c in outcome.checks if rows.get((c.sheet, c.row)) == row_id]


def header_letter(path: Path, sheet: str, header: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = load_workbook(path)[sheet]
    return next(c.column_letter for c in ws[1] if c.value == header)


def test_the_template_and_the_sample_have_the_column_with_its_help() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(TEMPLATE)
    for sheet in ("Agreements", "Metrics"):
        ws = wb[sheet]
        letter = next(c.column_letter for c in ws[1] if c.value == "Fact ID")
        (message,) = [dv for dv in ws.data_validations.dataValidation
                      if str(dv.sqref) == f"{letter}1" and dv.promptTitle]
        assert "none" in message.prompt and "reporter facts" in message.prompt
    readme = "\n".join(str(c.value) for row in wb["README"].iter_rows() for c in row if c.value)
    assert readme.count("Fact ID") == 2
    assert header_letter(SAMPLE, "Metrics", "Fact ID")


def test_a_fact_id_ties_a_row_outright(tmp_path: Path) -> None:
    rows = R.sample_rows()
    rows["Agreements"][0].update(title="Joint action plan for integrated-circuit supply-chain "
                                 "innovation", source=None)
    path = R.write(tmp_path / "plain.xlsx", rows)
    assert checks_of(run(path), path, "A-SZ-01") == []  # on the evidence alone: no citation
    tied = R.write(tmp_path / "tied.xlsx", set_fact_id(rows, "Agreements", "A-SZ-01",
                                                       "Suzhou-Cooperation-Agreement"))
    (check,) = checks_of(run(tied), tied, "A-SZ-01")
    assert check.code == "agreement-matches" and check.fact_id == "suzhou-cooperation-agreement"
    assert "as its Fact ID says" in check.message
    assert check.details["evidence"] == {"fact_id_cell": True}


@pytest.mark.parametrize("none", ["none", "NONE", "None"])
def test_none_says_a_row_is_not_a_published_item(tmp_path: Path, none: str) -> None:
    rows = set_fact_id(R.sample_rows(), "Agreements", "A-SZ-01", none)
    rows = set_fact_id(rows, "Metrics", "F-SZ-01", none)
    path = R.write(tmp_path / "none.xlsx", rows)
    outcome = run(path)
    assert checks_of(outcome, path, "A-SZ-01") == []
    (figure,) = checks_of(outcome, path, "F-SZ-01")
    assert figure.code == "figure-marked-unpublished" and figure.status is Status.UNSOURCED
    missing = {c.fact_id for c in outcome.checks if c.status is Status.MISSING}
    assert missing == {"suzhou-cooperation-agreement", "suzhou-projects"}


def test_a_fact_id_settles_a_hint_either_way(tmp_path: Path) -> None:
    def rows() -> R.Rows:
        return R.with_new(R.sample_rows(), R.suzhou_2025(dated=False))

    path = R.write(tmp_path / "hint.xlsx", rows())
    (hint,) = [c for c in checks_of(run(path), path, "F-SZ25-01") if c.status is Status.HINT]
    assert hint.code == "figure-possible" and hint.fact_id == "suzhou-projects"
    letter = header_letter(path, "Metrics", "Fact ID")
    assert hint.cell == f"{letter}{hint.row}" and f"Metrics!{hint.cell}" in hint.message

    yes = R.write(tmp_path / "yes.xlsx", set_fact_id(rows(), "Metrics", "F-SZ25-01",
                                                     "suzhou-projects"))
    (check,) = checks_of(run(yes), yes, "F-SZ25-01")
    assert check.code == "figure-differs" and check.fact_id == "suzhou-projects"  # 45 vs 193
    no = R.write(tmp_path / "no.xlsx", set_fact_id(rows(), "Metrics", "F-SZ25-01", "none"))
    assert [c.code for c in checks_of(run(no), no, "F-SZ25-01")] == ["figure-marked-unpublished"]


def test_a_fact_id_of_another_metric_is_a_difference_at_the_metric_cell(tmp_path: Path) -> None:
    path = R.write(tmp_path / "metric.xlsx", set_fact_id(R.sample_rows(), "Metrics", "F-G60-01",
                                                         "g60-years"))
    (check,) = checks_of(run(path), path, "F-G60-01")
    assert check.code == "figure-metric-differs" and check.status is Status.MISMATCH
    assert check.cell.startswith(header_letter(path, "Metrics", "Metric"))
    assert "Years of corridor construction" in check.message


@pytest.mark.parametrize(("sheet", "row_id", "value", "code", "fragment"), [
    ("Agreements", "A-SZ-01", "suzhou-cooperation-agreemnt", "unknown-fact-id",
     "did you mean 'suzhou-cooperation-agreement'"),
    ("Metrics", "F-G60-01", "g60-member-city", "unknown-fact-id",
     "did you mean 'g60-member-cities'"),
    ("Agreements", "A-SZ-01", "suzhou-projects", "wrong-fact-kind",
     "a published figure, not an agreement"),
    ("Metrics", "F-SZ-01", "suzhou-signing", "wrong-fact-kind", "a published event"),
])
def test_a_bad_fact_id_is_a_validation_error_at_its_cell(tmp_path: Path, sheet: str,
                                                        row_id: str, value: str, code: str,
                                                        fragment: str) -> None:
    path = R.write(tmp_path / "bad.xlsx", set_fact_id(R.sample_rows(), sheet, row_id, value))
    letter = header_letter(path, sheet, "Fact ID")
    for command in ("validate", "reconcile"):
        result = run_cli(command, path, "--format", "json")
        assert result.exit_code == 1, result.output
        (error,) = json.loads(result.stdout)["errors"]
        assert error["code"] == code and error["sheet"] == sheet
        assert error["cell"] == f"{letter}{error['row']}" and error["value"] == value
        assert fragment in error["message"] and "reporter facts" in error["message"]
    out = tmp_path / "reports"
    result = run_cli("build", path, "--out", out)
    assert result.exit_code == 1 and f"{sheet}!{letter}" in result.output
    assert not out.exists()


def test_a_fact_id_is_one_row_of_a_meeting_but_two_meetings_may_share_it(tmp_path: Path) -> None:
    rows = set_fact_id(R.sample_rows(), "Metrics", "F-G60-05", "g60-gdp-share")
    rows["Metrics"].append(R._figure("F-G60-98", "M-G60-2023", "Share of national GDP", "1/15",
                                     "ratio", fact_id="g60-gdp-share"))
    fine = R.write(tmp_path / "two-meetings.xlsx", rows)
    outcome = run(fine)
    assert [c.code for c in checks_of(outcome, fine, "F-G60-98")] == ["figure-matches"]
    rows["Metrics"].append(R._figure("F-G60-99", "M-G60-2023", "Share of national GDP", 0.07,
                                     "ratio", fact_id="G60-GDP-SHARE"))
    twice = R.write(tmp_path / "twice.xlsx", rows)
    result = run_cli("validate", twice, "--format", "json")
    assert result.exit_code == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert error["code"] == "duplicate-fact-id" and error["sheet"] == "Metrics"
    assert error["cell"] == f"{header_letter(twice, 'Metrics', 'Fact ID')}{error['row']}"
    assert "M-G60-2023" in error["message"]


def test_fact_ids_from_a_facts_file_are_known_only_with_it(tmp_path: Path) -> None:
    from tests.test_facts import EXTRA

    extra = tmp_path / "xiamen.toml"
    extra.write_text(EXTRA, encoding="utf-8")
    rows = R.sample_rows()
    rows["Metrics"].append(R._figure("F-XM-01", "M-SUZHOU", "Cooperation projects signed", 42,
                                     "count", fact_id="xm-projects"))
    path = R.write(tmp_path / "xm.xlsx", rows)
    assert run_cli("reconcile", path).exit_code == 1
    result = run_cli("reconcile", path, "--facts", extra, "--format", "json")
    assert result.exit_code == 0, result.output
    (check,) = [c for c in json.loads(result.stdout)["checks"] if c["fact_id"] == "xm-projects"]
    assert check["code"] == "figure-matches" and check["source"] == "sh-xm"


def test_a_workbook_without_the_column_is_valid_and_reconciles_as_before(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(SAMPLE)
        for sheet in ("Agreements", "Metrics"):
            ws = wb[sheet]
            ws.delete_cols(next(c.column for c in ws[1] if c.value == "Fact ID"))
        old = tmp_path / "old.xlsx"
        wb.save(old)
    result = validate_file(old)
    assert result.report.ok and result.report.problems == []
    before, after = run(SAMPLE), run(old)
    assert [(c.code, c.cell, c.fact_id) for c in before.checks] == [
        (c.code, c.cell, c.fact_id) for c in after.checks]


@pytest.mark.parametrize(("text", "fragment"), [
    ('[[figures]]\nid = "none"\nsource = "g60"\nparagraph = 1\nscope = "g60-corridor"\n'
     'event = "g60-conference-2024"\nmetric = "Member cities"\nas_written = "9"\nvalue = 9\n'
     'unit = "count"\n', "'none' is reserved"),
    ('[[figures]]\nid = "suzhou-signing"\nsource = "g60"\nparagraph = 1\n'
     'scope = "g60-corridor"\nevent = "g60-conference-2024"\nmetric = "Member cities"\n'
     'as_written = "9"\nvalue = 9\nunit = "count"\n', "also the id of an event"),
])
def test_a_fact_file_cannot_make_a_fact_id_ambiguous(tmp_path: Path, text: str,
                                                    fragment: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    result = run_cli("reconcile", "--facts", bad)
    assert result.exit_code == 2 and fragment in result.stderr


def test_a_meeting_possibly_an_event_is_settled_by_a_rows_fact_id(tmp_path: Path) -> None:
    def rows() -> R.Rows:
        made = R.blank_sources(R.sample_rows())
        next(m for m in made["Meetings"] if m["meeting_id"] == "M-TSINGHUA")["title"] = (
            "Shanghai–Tsinghua talks in Beijing")
        return made

    path = R.write(tmp_path / "talks.xlsx", rows())
    outcome = run(path)
    assert outcome.events["M-TSINGHUA"] is None
    hints = {c.code: c for c in outcome.checks if c.status is Status.HINT}
    assert hints["meeting-possible"].fact_id == "tsinghua-signing"
    assert hints["agreement-possible"].fact_id == "tsinghua-cooperation-agreement"
    assert "Fact ID" in hints["meeting-possible"].message
    assert not [c for c in outcome.checks if c.meeting_id == "M-TSINGHUA" and c.cites]

    settled = R.write(tmp_path / "settled.xlsx", set_fact_id(
        rows(), "Agreements", "A-THU-01", "tsinghua-cooperation-agreement"))
    outcome = run(settled)
    assert outcome.events["M-TSINGHUA"] == "tsinghua-signing"
    assert not [c for c in outcome.checks if c.status is Status.HINT]
    assert {c.code for c in outcome.checks if c.meeting_id == "M-TSINGHUA"} == {
        "meeting-matches", "agreement-matches"}


def test_a_fact_id_does_not_make_a_later_year_meeting_the_event(tmp_path: Path) -> None:
    """A 2025 meeting that quotes a 2024 figure by its Fact ID is still not the 2024
    conference: a year apart rules the event out, and the 2024 meeting keeps it."""
    rows = R.sample_rows()
    g60 = next(m for m in rows["Meetings"] if m["meeting_id"] == "M-G60-2024")
    before = run(R.write(tmp_path / "before.xlsx", rows)).events["M-G60-2024"]
    assert before is not None
    g60["date"] = dt.date(2024, 5, 24)
    rows["Meetings"].append(R._meeting(
        "M-G60-2025", "Yangtze River Delta G60 corridor conference on the innovation ecosystem",
        "corridor", "G60 corridor", dt.date(2025, 5, 20), "Songjiang District, Shanghai"))
    rows["Metrics"].append(R._figure("F-G60-25", "M-G60-2025", "Innovation enclaves in Songjiang",
                                     20, "count", "2025", fact_id="g60-enclaves"))
    path = R.write(tmp_path / "later.xlsx", rows)
    outcome = run(path)
    assert outcome.events["M-G60-2024"] == before
    assert outcome.events["M-G60-2025"] is None
    # the row is still the figure staff named: compared with it, at its own cell
    (check,) = checks_of(outcome, path, "F-G60-25")
    assert check.fact_id == "g60-enclaves" and check.status is Status.MISMATCH
    assert not [c for c in outcome.checks if c.meeting_id == "M-G60-2025"
                and c.code in ("meeting-matches", "meeting-differs", "figure-missing")]
