"""Reconciliation: the right status at the right cell for altered, removed and added figures."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from reporter.facts import load_facts
from reporter.reconcile import Reconciliation, reconcile
from reporter.validate import validate_file
from tests.conftest import SAMPLE, add_row, cell_at, ref, run_cli, set_cells

FACTS = load_facts()


def run(path: Path) -> Reconciliation:
    result = validate_file(path)
    assert result.workbook is not None, result.report.errors
    return reconcile(result.workbook, FACTS)


def at(outcome: Reconciliation, sheet: str, cell: str) -> list:
    return [c for c in outcome.checks if c.sheet == sheet and c.cell == cell]


def metrics_row(metric_id: str) -> int:
    wb = validate_file(SAMPLE).workbook
    return next(m.row for m in wb.metrics if m.metric_id == metric_id)


def test_sample_reconciles_completely() -> None:
    outcome = run(SAMPLE)
    assert outcome.ok and outcome.summary["mismatch"] == 0
    assert outcome.summary["missing"] == 0 and outcome.summary["unsourced"] == 0
    figures = {c.fact_id for c in outcome.checks if c.kind == "figure" and c.status == "match"}
    assert figures == {f.id for f in FACTS.figures}
    named = {c.fact_id for c in outcome.checks if c.kind == "agreement" and c.status == "match"}
    assert named == {a.id for a in FACTS.agreements}
    # every meeting is matched to the event its source reports
    assert all(outcome.events.values())


def test_published_count_is_reported_not_an_error() -> None:
    (count,) = [c for c in run(SAMPLE).checks if c.kind == "count"]
    assert count.status == "info" and count.meeting_id == "M-SUZHOU"
    assert count.workbook_value == 1 and count.fact_value == 193
    assert "193" in count.message


@pytest.mark.parametrize(("metric_id", "value", "status"), [
    ("F-HK-03", 31_300_000_000, "mismatch"),
    ("F-HK-03", 32_260_000_000, "match"),   # within 32.3 billion's own precision
    ("F-HK-03", 32_360_000_000, "mismatch"),
    ("F-HK-03", "323亿", "match"),
    ("F-HK-02", 12_281, "mismatch"),
    ("F-HK-01", 26_000, "match"),           # 'about 25,000'
    ("F-HK-01", 27_000, "mismatch"),
    ("F-G60-03", 12, "match"),              # 'more than 10'
    ("F-G60-03", 10, "mismatch"),
    ("F-G60-03", 9, "mismatch"),
    ("F-G60-05", 0.0667, "match"),          # 1/15
    ("F-G60-05", "1/14", "mismatch"),
    ("F-G60-18", "3 trillion", "match"),    # more than 2.9 trillion
    ("F-G60-18", "2.8 trillion", "mismatch"),
    ("F-G60-18", "more than 2.8 trillion", "match"),  # weaker, but what the source supports
    ("F-G60-18", "more than 3 trillion", "mismatch"),  # stronger than the source
])
def test_altered_figure_gets_the_right_status_at_the_value_cell(edited, metric_id, value,
                                                               status) -> None:
    row = metrics_row(metric_id)

    def edit(wb) -> None:
        cell_at(wb["Metrics"], "Value", row).value = value
        if metric_id in ("F-G60-03", "F-HK-01", "F-G60-18"):
            # blank: exact, unless the value says otherwise
            cell_at(wb["Metrics"], "Qualifier", row).value = None

    outcome = run(edited(edit))
    value_cell = ref("Metrics", "Value", row)
    (check,) = [c for c in at(outcome, "Metrics", value_cell) if c.kind == "figure"]
    assert check.status == status, check.message
    if status == "mismatch":
        fact = next(f for f in FACTS.figures if f.id == check.fact_id)
        assert fact.as_written in check.message and f"Metrics!{value_cell}" in check.message
        assert check.source == fact.source and check.paragraph == fact.paragraph


def test_qualifier_cells_are_understood(edited) -> None:
    row = metrics_row("F-G60-03")  # more than 10

    def edit(wb) -> None:
        cell_at(wb["Metrics"], "Qualifier", row).value = "at most"

    (check,) = at(run(edited(edit)), "Metrics", ref("Metrics", "Value", row))
    assert check.status == "mismatch"


def test_percent_for_a_ratio_is_converted(edited) -> None:
    row = metrics_row("F-G60-05")

    def edit(wb) -> None:
        set_cells(wb["Metrics"], row, {"Value": "6.67%", "Unit": None})

    (check,) = at(run(edited(edit)), "Metrics", ref("Metrics", "Value", row))
    assert check.status == "match"


def test_wrong_unit_is_a_mismatch_at_the_unit_cell(edited) -> None:
    row = metrics_row("F-HK-02")
    outcome = run(edited(lambda wb: set_cells(wb["Metrics"], row, {"Unit": "percent"})))
    (check,) = at(outcome, "Metrics", ref("Metrics", "Unit", row))
    assert check.status == "mismatch" and "count" in check.message


def test_usd_figure_is_compared_with_the_usd_fact(edited) -> None:
    row = metrics_row("F-HK-04")
    outcome = run(edited(lambda wb: set_cells(wb["Metrics"], row, {"Value": 32_300_000_000})))
    (check,) = at(outcome, "Metrics", ref("Metrics", "Value", row))
    assert check.status == "mismatch" and check.fact_id == "hk-contract-value-usd"


def test_removed_figure_is_missing_for_its_meeting(edited) -> None:
    row = metrics_row("F-G60-11")
    outcome = run(edited(lambda wb: wb["Metrics"].delete_rows(row)))
    (check,) = [c for c in outcome.checks if c.status == "missing"]
    assert check.kind == "figure" and check.fact_id == "g60-alliances"
    assert check.meeting_id == "M-G60-2024" and check.cell is None
    assert "g60 paragraph 25" in check.message


def test_added_figure_is_unsourced(edited) -> None:
    def edit(wb) -> None:
        add_row(wb["Metrics"], {"Metric ID": "F-NEW", "Meeting ID": "M-SUZHOU",
                                "Metric": "Co-authored papers", "Value": 500, "Unit": "count",
                                "Qualifier": "exact", "Period": "2024", "Source": "sh-suzhou"})

    path = edited(edit)
    outcome = run(path)
    unsourced = [c for c in outcome.checks if c.status == "unsourced"]
    assert len(unsourced) == 1
    assert unsourced[0].meeting_id == "M-SUZHOU"
    assert unsourced[0].row == validate_file(path).workbook.metrics[-1].row
    assert unsourced[0].cell == ref("Metrics", "Value", unsourced[0].row)


def test_unknown_counterpart_leaves_figures_unsourced(edited) -> None:
    def edit(wb) -> None:
        set_cells(wb["Meetings"], 2, {"Counterpart": "Atlantis"})
        set_cells(wb["Agreements"], 2, {"Source": None})
        set_cells(wb["Metrics"], 2, {"Source": None})

    outcome = run(edited(edit))
    assert outcome.scopes["M-SUZHOU"] is None
    (check,) = [c for c in outcome.checks if c.meeting_id == "M-SUZHOU"]
    assert check.status == "unsourced" and "Atlantis" in check.message


def _agreement_row(agreement_id: str) -> int:
    wb = validate_file(SAMPLE).workbook
    return next(a.row for a in wb.agreements if a.agreement_id == agreement_id)


def test_removed_agreement_is_missing(edited) -> None:
    outcome = run(edited(lambda wb: wb["Agreements"].delete_rows(_agreement_row("A-HK-02"))))
    (check,) = [c for c in outcome.checks if c.status == "missing"]
    assert check.kind == "agreement" and check.fact_id == "hk-sjtu-cityu-partnership"
    assert check.meeting_id == "M-HK-FORUM-2024"


def test_wrong_party_is_a_mismatch_at_its_cell(edited) -> None:
    row = _agreement_row("A-HK-02")
    outcome = run(edited(lambda wb: set_cells(wb["Agreements"], row, {"Party B": "HKU"})))
    (check,) = at(outcome, "Agreements", ref("Agreements", "Party B", row))
    assert check.status == "mismatch" and "City University of Hong Kong" in check.message


def test_wrong_date_is_a_mismatch_at_signed_on(edited) -> None:
    row = _agreement_row("A-G60-04")
    outcome = run(edited(lambda wb: set_cells(wb["Agreements"], row,
                                              {"Signed on": dt.datetime(2023, 5, 26)})))
    (check,) = at(outcome, "Agreements", ref("Agreements", "Signed on", row))
    assert check.status == "mismatch" and "25 May 2023" in check.message


def test_a_date_consistent_with_a_partial_date_matches(edited) -> None:
    row = _agreement_row("A-THU-01")  # the source says only 'Monday'
    monday = edited(lambda wb: set_cells(wb["Agreements"], row,
                                         {"Signed on": dt.datetime(2019, 11, 4)}))
    friday = edited(lambda wb: set_cells(wb["Agreements"], row,
                                         {"Signed on": dt.datetime(2019, 11, 8)}))
    assert [c.status for c in at(run(monday), "Agreements",
                                 ref("Agreements", "Agreement ID", row))] == ["match"]
    assert [c.status for c in at(run(friday), "Agreements",
                                 ref("Agreements", "Signed on", row))] == ["mismatch"]


def test_parties_in_chinese_and_abbreviations_match(edited) -> None:
    row = _agreement_row("A-HK-02")

    def edit(wb) -> None:
        set_cells(wb["Agreements"], row, {"Party A": "上海交通大学", "Party B": "香港城市大学"})

    assert [c.status for c in at(run(edited(edit)), "Agreements",
                                 ref("Agreements", "Agreement ID", row))] == ["match"]


def test_wrong_meeting_date_is_a_mismatch(edited) -> None:
    outcome = run(edited(lambda wb: set_cells(wb["Meetings"], 6,
                                              {"Date": dt.datetime(2023, 5, 26)})))
    (check,) = at(outcome, "Meetings", ref("Meetings", "Date", 6))
    assert check.status == "mismatch" and check.kind == "meeting"


def test_json_contract_and_exit_codes(edited) -> None:
    result = run_cli("reconcile", SAMPLE, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {"workbook", "ok", "checks", "summary"} <= set(data)
    keys = {"code", "status", "kind", "meeting_id", "metric", "sheet", "row", "cell",
            "workbook_value", "workbook_text", "fact_id", "fact_value", "fact_text", "unit",
            "source", "paragraph", "message", "details"}
    assert all(keys <= set(c) for c in data["checks"])
    assert data["summary"] == {s: sum(c["status"] == s for c in data["checks"])
                               for s in data["summary"]}
    assert data == json.loads(json.dumps(run(SAMPLE).to_dict(), ensure_ascii=False))

    row = metrics_row("F-HK-02")
    bad = edited(lambda wb: set_cells(wb["Metrics"], row, {"Value": 999}))
    assert run_cli("reconcile", bad).exit_code == 0
    strict = run_cli("reconcile", bad, "--strict", "-f", "json")
    assert strict.exit_code == 1 and json.loads(strict.stdout)["ok"] is False
    assert "mismatch" in run_cli("reconcile", bad).stdout


def test_invalid_workbook_is_refused_with_its_errors(edited) -> None:
    bad = edited(lambda wb: set_cells(wb["Meetings"], 2, {"Kind": "citty"}))
    result = run_cli("reconcile", bad)
    assert result.exit_code == 1
    assert f"Meetings!{ref('Meetings', 'Kind', 2)}" in result.stdout
    assert "validation error" in result.stderr


def test_extra_facts_check_new_sources(tmp_path: Path, edited) -> None:
    from tests.test_facts import EXTRA

    extra = tmp_path / "xiamen.toml"
    extra.write_text(EXTRA, encoding="utf-8")

    def edit(wb) -> None:
        add_row(wb["Meetings"], {"Meeting ID": "M-XM", "Title": "Shanghai–Xiamen signing",
                                 "Kind": "city", "Counterpart": "Xiamen"})
        add_row(wb["Metrics"], {"Metric ID": "F-XM", "Meeting ID": "M-XM",
                                "Metric": "Cooperation projects signed", "Value": 41,
                                "Unit": "count", "Source": "sh-xm"})

    path = edited(edit)
    assert run_cli("reconcile", path).exit_code == 1  # sh-xm is unknown without the file
    result = run_cli("reconcile", path, "--facts", extra, "-f", "json")
    assert result.exit_code == 0, result.output
    checks = [c for c in json.loads(result.stdout)["checks"] if c["meeting_id"] == "M-XM"]
    assert any(c["status"] == "mismatch" and c["fact_id"] == "xm-projects" for c in checks)
