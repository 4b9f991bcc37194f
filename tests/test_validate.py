"""Validation: every problem in one run, at the right cell; what staff type is understood."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reporter.schema import DATA_SHEETS, Kind
from reporter.validate import validate_file
from reporter.validate.cells import INVALID, REFUSED, column_adapter, convert
from tests.conftest import (
    SAMPLE,
    cell_at,
    header_index,
    letter,
    next_column,
    ref,
    ref_beyond,
    set_cells,
)


def _rows(sheet: str) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(SAMPLE, read_only=True)
        try:
            return sum(1 for row in wb[sheet].iter_rows(min_row=2, values_only=True) if any(row))
        finally:
            wb.close()


def test_sample_is_valid_and_complete() -> None:
    result = validate_file(SAMPLE)
    assert result.report.ok, result.report.errors
    assert not result.report.warnings
    wb = result.workbook
    assert wb is not None
    assert len(wb.meetings) == _rows("Meetings")
    assert len(wb.agreements) == _rows("Agreements")
    assert len(wb.metrics) == _rows("Metrics")
    assert result.report.stats["agreements"] == len(wb.agreements)


def test_every_problem_is_found_in_one_run(edited) -> None:
    mistakes = {
        ("Meetings", "Kind", 3): ("citty", "not-in-list"),
        ("Meetings", "Date", 4): ("31/31/2024", "not-a-date"),
        ("Agreements", "Agreement ID", 5): ("A-HK-01", "duplicate-id"),
        ("Agreements", "Meeting ID", 6): ("M-NOWHERE", "unknown-meeting"),
        ("Agreements", "Focus areas", 7): ("AI", "not-in-list"),
        ("Agreements", "Source", 8): ("people", "unknown-source"),
        ("Metrics", "Value", 9): ("many", "not-a-quantity"),
        ("Metrics", "Unit", 10): ("meters", "not-in-list"),
        ("Metrics", "Metric", 11): (None, "required"),
    }

    def edit(wb) -> None:
        for (sheet, header, row), (value, _) in mistakes.items():
            cell_at(wb[sheet], header, row).value = value

    report = validate_file(edited(edit)).report
    found = {(p.sheet, p.cell): p.code for p in report.errors}
    for (sheet, header, row), (_, code) in mistakes.items():
        at = ref(sheet, header, row)
        assert found.get((sheet, at)) == code, (sheet, at, found)
    assert len(report.errors) == len(mistakes), [p.to_dict() for p in report.errors]


def test_a_problem_names_what_to_do(edited) -> None:
    report = validate_file(edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 2), "value",
                                                     "ctiy"))).report
    (p,) = report.errors
    assert (p.sheet, p.row, p.column, p.cell, p.value) == (
        "Meetings", 2, "Kind", ref("Meetings", "Kind", 2), "ctiy")
    assert "did you mean 'city'" in p.message and "Lists sheet" in p.message


def test_blank_rows_are_skipped(edited) -> None:
    def edit(wb) -> None:
        wb["Agreements"].insert_rows(4, 3)
        wb["Metrics"].insert_rows(2, 1)
        cell_at(wb["Metrics"], "Fact ID", 2).value = "   "  # only spaces: still blank

    result = validate_file(edited(edit))
    assert result.report.ok, result.report.errors
    assert result.report.stats["blank_rows_skipped"] == 4
    assert len(result.workbook.agreements) == _rows("Agreements")


def test_headers_any_case_spacing_and_order(edited) -> None:
    def edit(wb) -> None:
        ws = wb["Agreements"]
        a, b = header_index(ws, "Agreement ID"), header_index(ws, "Meeting ID")
        for row in range(2, ws.max_row + 1):  # the two columns change places
            ws.cell(row, a).value, ws.cell(row, b).value = (ws.cell(row, b).value,
                                                            ws.cell(row, a).value)
        ws.cell(1, a).value, ws.cell(1, b).value = "meeting_id", "AGREEMENT ID"  # and are respelt
        cell_at(ws, "Party A", 1).value = "party_a"

    result = validate_file(edited(edit))
    assert result.report.ok, result.report.errors
    original = validate_file(SAMPLE).workbook
    assert [a.agreement_id for a in result.workbook.agreements] == [
        a.agreement_id for a in original.agreements]
    # found where the Meeting ID column was, and the Meeting IDs where the IDs were
    assert result.workbook.columns["Agreements"]["agreement_id"] == letter("Agreements",
                                                                           "Meeting ID")
    assert result.workbook.columns["Agreements"]["meeting_id"] == letter("Agreements",
                                                                         "Agreement ID")
    assert [a.meeting_id for a in result.workbook.agreements] == [
        a.meeting_id for a in original.agreements]


def test_extra_column_is_kept_and_reported(edited) -> None:
    def edit(wb) -> None:
        ws = wb["Agreements"]
        extra = next_column(ws)
        ws.cell(1, extra, "Budget owner")
        ws.cell(2, extra, "Ms Li")

    result = validate_file(edited(edit))
    assert result.report.ok
    (w,) = result.report.warnings
    assert (w.code, w.sheet, w.cell) == ("extra-column", "Agreements", ref_beyond("Agreements", 1))


def test_lists_sheet_extends_the_vocabulary(edited) -> None:
    def edit(wb) -> None:
        lists = wb["Lists"]
        col = header_index(lists, "Focus areas")
        last = max(r for r in range(1, 200) if lists.cell(r, col).value)
        lists.cell(last + 1, col, "marine science")
        cell_at(wb["Agreements"], "Focus areas", 2).value = "marine science; biomedicine"

    result = validate_file(edited(edit))
    assert result.report.ok, result.report.errors
    assert result.workbook.agreements[0].focus_areas == ("marine science", "biomedicine")


def test_text_numbers_and_dates_are_converted(edited) -> None:
    def edit(wb) -> None:
        set_cells(wb["Agreements"], 2, {"Value (CNY)": "1,234,567", "Signed on": "24 May 2024"})
        set_cells(wb["Agreements"], 3, {"Value (CNY)": "323亿"})
        set_cells(wb["Meetings"], 2, {"Date": "2024/5/24"})
        set_cells(wb["Metrics"], 5, {"Value": "32.3 billion"})

    wb = validate_file(edited(edit)).workbook
    assert wb is not None
    assert wb.agreements[0].value_cny == 1_234_567
    assert wb.agreements[1].value_cny == 32_300_000_000
    assert wb.agreements[0].signed_on == dt.date(2024, 5, 24)
    assert wb.meetings[0].date == dt.date(2024, 5, 24)
    contract = next(m for m in wb.metrics if m.metric_id == "F-HK-03")
    assert contract.value.value == 32_300_000_000 and contract.value.unit == "CNY"


def test_space_around_text_is_trimmed_in_every_row(edited) -> None:
    """Pasted text often ends in spaces all down a column: trimmed, with nothing to report."""
    def edit(wb) -> None:
        ws = wb["Agreements"]
        for row in range(2, ws.max_row + 1):
            party = cell_at(ws, "Party A", row)
            if party.value:
                party.value = f" {party.value}\u3000 "  # ideographic space too
        cell_at(ws, "Source", 2).value = "sh-suzhou\xa0"

    result = validate_file(edited(edit))
    assert result.report.ok and not result.report.warnings, result.report.problems
    original = validate_file(SAMPLE).workbook
    assert [a.party_a for a in result.workbook.agreements] == [
        a.party_a for a in original.agreements]
    assert result.workbook.agreements[0].source == "sh-suzhou"


def test_a_required_cell_of_spaces_is_reported(edited) -> None:
    report = validate_file(edited(lambda wb: setattr(cell_at(wb["Agreements"], "Title", 3),
                                                     "value", "   "))).report
    (p,) = report.errors
    assert (p.code, p.sheet, p.cell) == ("required", "Agreements", ref("Agreements", "Title", 3))


def test_qualifier_and_unit_cells_make_the_quantity() -> None:
    wb = validate_file(SAMPLE).workbook
    scientists = next(m for m in wb.metrics if m.metric_id == "F-HK-01")
    assert (scientists.value.qualifier, scientists.value.unit) == ("about", "count")
    share = next(m for m in wb.metrics if m.metric_id == "F-G60-05")
    assert share.value.unit == "ratio" and share.value.value * 15 == 1


def test_validation_never_writes(tmp_path: Path, sample: Path) -> None:
    before = sample.read_bytes()
    validate_file(sample)
    assert sample.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [sample.name]


# --- the fast path (pydantic-core) and the slow path agree --------------------------------------

COLUMNS = [(c.kind, c.required) for s in DATA_SHEETS for c in s.columns]
cell_values = st.one_of(
    st.text(max_size=40), st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10**12, max_value=10**12), st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2200, 1, 1)),
)


@settings(max_examples=300)
@given(st.sampled_from(COLUMNS), cell_values)
def test_fast_and_slow_paths_agree(column: tuple[Kind, bool], value) -> None:
    """Whatever the fast path accepts, the slow path accepts with the same value."""
    kind, required = column
    if kind is Kind.QUANTITY or kind is Kind.MONEY:
        value = float(value) if isinstance(value, int) and not isinstance(value, bool) else value
    adapter = column_adapter(kind, required)
    (fast,) = adapter.validate_python([value])
    if fast is REFUSED:
        return  # the slow path decides alone
    slow, findings = convert(kind, required, value)
    assert slow is not INVALID, findings
    assert slow == fast
    assert not [f for f in findings if f[0] != "control-characters"]


# Amounts typed as text: grouped or plain digits, and what is close to them.
amount_text = st.one_of(
    st.integers(min_value=0, max_value=10**20).map("{:,}".format),
    st.decimals(min_value=0, max_value=10**16, allow_nan=False, places=3).map("{:,}".format),
    st.text(st.sampled_from("0123456789,.- "), max_size=24))


def test_amounts_typed_plainly_as_text_are_read_in_bulk() -> None:
    typed = column_adapter(Kind.MONEY, False).validate_python(
        ["115,689,654", "2500000.5", "0.25", "1,23", "-5", " 5", "5 billion"])
    assert typed[:3] == [115_689_654.0, 2_500_000.5, 0.25]
    assert all(v is REFUSED for v in typed[3:])


# Dates typed as text: the three forms the fast path reads, with days that may not exist,
# and forms close to them.
_MONTH_WORDS = ["January", "May", "September", "Sept", "may", "December"]
date_text = st.builds(
    lambda y, m, d, word, form, pad: pad + [
        f"{y:04d}-{m:02d}-{d:02d}", f"{y}年{m}月{d}日", f"{d} {word} {y}", f"{y}-{m}-{d}",
        f"{d}/{m}/{y}", f"{y:04d}-{m:02d}-{d:02d}T10:00"][form] + pad,
    st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=13),
    st.integers(min_value=0, max_value=32), st.sampled_from(_MONTH_WORDS),
    st.integers(min_value=0, max_value=5), st.sampled_from(["", "", " "]))


@settings(max_examples=1000)
@given(st.sampled_from([True, False]), st.one_of(amount_text.map(lambda t: (Kind.MONEY, t)),
                                                 date_text.map(lambda t: (Kind.DATE, t))))
def test_amounts_and_dates_typed_as_text_read_by_pydantic_core_are_what_the_slow_path_reads(
        required: bool, typed: tuple[Kind, str]) -> None:
    kind, text = typed
    (fast,) = column_adapter(kind, required).validate_python([text])
    slow, findings = convert(kind, required, text)
    if fast is not REFUSED:
        assert fast == slow and not findings
        assert type(fast) is type(slow)


def test_dates_typed_in_common_forms_are_read_in_bulk() -> None:
    typed = column_adapter(Kind.DATE, True).validate_python(
        ["2023-02-01", "2023年7月23日", "5 September 2015", "2023-02-30", "1970-01-01",
         "5 Sept 2015"])
    assert typed[:3] == [dt.date(2023, 2, 1), dt.date(2023, 7, 23), dt.date(2015, 9, 5)]
    assert all(v is REFUSED for v in typed[3:])


TEXT_COLUMNS = [(c.kind, c.required) for s in DATA_SHEETS for c in s.columns
                if c.kind not in (Kind.DATE, Kind.MONEY, Kind.QUANTITY)]
# Text with spaces of every kind (Python's and Rust's), at either end or inside, and none of
# the control characters a sheet without them cannot hold.
no_control_text = st.text(st.sampled_from(
    ["a", "中", " ", "\t", "\n", "\u3000", "\u00a0", "\u2028", "\u2029", "\u1680",
     "\u2000", "\u200a", "\u202f", "\u205f", "\u200b", "\u180e", "\ufeff", "é",
     "\U0001f600"]), max_size=6)


@settings(max_examples=500)
@given(st.sampled_from(TEXT_COLUMNS), no_control_text)
def test_text_stripped_by_pydantic_core_is_what_the_slow_path_makes(
        column: tuple[Kind, bool], text: str) -> None:
    """Where a sheet cannot hold control characters, pydantic-core strips the text: it takes
    what the slow path takes, as the slow path makes it, and refuses what it refuses."""
    kind, required = column
    (fast,) = column_adapter(kind, required, False).validate_python([text])
    slow, findings = convert(kind, required, text)
    if fast is REFUSED:
        assert slow is INVALID and findings
    else:
        assert fast == slow == text.strip()
        assert not findings


def test_text_stripped_by_pydantic_core_counts_the_characters_left() -> None:
    from reporter.schema import LIMITS

    most = LIMITS["text_chars"]
    adapter = column_adapter(Kind.TEXT, True, False)
    padded = " " * 10 + "x" * most + "\u3000"
    assert adapter.validate_python([padded, " \t ", "x" * (most + 1)]) == [
        "x" * most, REFUSED, REFUSED]


def test_refused_cells_are_counted_as_they_are_refused() -> None:
    from reporter.validate.cells import refusals

    adapter = column_adapter(Kind.DATE, False)
    before = refusals()
    typed = adapter.validate_python(["", dt.date(2024, 5, 1), "soon", 3.5])
    assert refusals() - before == 2
    assert [v is REFUSED for v in typed] == [False, False, True, True]
    adapter.validate_python(["", dt.date(2024, 5, 1)])
    assert refusals() - before == 2


def test_a_column_is_its_cells_whatever_the_rows_widths() -> None:
    """Columns in another order, one reporter does not know, an optional one absent, rows
    of different widths and a blank row: each declared column is its own cells."""
    from reporter.read import RawSheet, RawWorkbook
    from reporter.schema import AGREEMENTS
    from reporter.validate.layout import find_layout, read_body
    from reporter.validate.report import Findings

    headers = [c.header for c in AGREEMENTS.columns if c.field != "notes"]
    headers[0], headers[1] = headers[1], headers[0]
    headers.insert(3, "Our own column")
    rows = [headers]
    for n in range(1, 5):
        rows.append([f"{h} {n}" for h in headers])
    rows.insert(3, [""] * len(headers))  # a blank row
    rows[4] = rows[4][:5]  # a short row: its later cells are empty
    raw = RawWorkbook(Path("x.xlsx"), {"Agreements": RawSheet("Agreements", rows)})
    findings = Findings([s.name for s in DATA_SHEETS])
    layout = find_layout(AGREEMENTS, raw, findings)
    stats = {"blank_rows_skipped": 0}
    body = read_body(layout, findings, stats)
    assert body.numbers == [2, 3, 5, 6] and stats["blank_rows_skipped"] == 1
    for k, column in enumerate(AGREEMENTS.columns):
        expected = [""] * 4 if column.field == "notes" else [
            f"{column.header} {n}" if (n != 3 or headers.index(column.header) < 5) else ""
            for n in (1, 2, 3, 4)]
        assert body.column(k) == expected, column.header


@pytest.mark.parametrize("headers_only_wider", [False, True])
def test_rows_of_one_width_are_read_as_they_are(headers_only_wider: bool) -> None:
    """Rows as python-calamine gives them, all one width (or the header row alone wider):
    each column is its cells, and a row whose first required cell alone is empty is kept."""
    from reporter.read import RawSheet, RawWorkbook
    from reporter.schema import AGREEMENTS
    from reporter.validate.layout import find_layout, read_body
    from reporter.validate.report import Findings

    headers = [c.header for c in AGREEMENTS.columns]
    rows = [headers + (["Extra"] if headers_only_wider else [])]
    rows += [[f"{h} {n}" for h in headers] for n in range(1, 4)]
    key = next(j for j, c in enumerate(AGREEMENTS.columns) if c.required)
    rows[2][key] = ""  # not a blank row: its other cells are filled
    raw = RawWorkbook(Path("x.xlsx"), {"Agreements": RawSheet("Agreements", rows)})
    findings = Findings([s.name for s in DATA_SHEETS])
    stats = {"blank_rows_skipped": 0}
    body = read_body(find_layout(AGREEMENTS, raw, findings), findings, stats)
    assert body.numbers == [2, 3, 4] and stats["blank_rows_skipped"] == 0
    for k, column in enumerate(AGREEMENTS.columns):
        assert body.column(k) == [
            "" if (n == 2 and k == key) else f"{column.header} {n}" for n in (1, 2, 3)]


def test_paused_gc_files_survivors_with_the_oldest_generation() -> None:
    import gc
    import weakref

    from reporter.memory import paused_gc

    class Node:
        pass

    assert gc.isenabled()
    with paused_gc(long_lived=True):
        assert not gc.isenabled()
        kept = [(i, [i]) for i in range(20_000)]
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        ref = weakref.ref(cycle)
        del cycle
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 1000  # not left for the next young collection to walk
    gc.collect()
    assert ref() is None  # cycles made during the pause are still collected
    assert len(kept) == 20_000


def test_paused_gc_leaves_garbage_to_the_next_young_collection() -> None:
    """Without long_lived, a block's cyclic leftovers (a rendered file's objects) stay young."""
    import gc
    import weakref

    from reporter.memory import paused_gc

    class Node:
        pass

    with paused_gc():
        cycle = Node()
        cycle.me = cycle  # type: ignore[attr-defined]
        ref = weakref.ref(cycle)
        del cycle
    gc.collect(0)
    assert ref() is None


def test_did_you_mean_hints_stop_past_their_budget(tmp_path, monkeypatch) -> None:
    """Each bad value is still reported; the hints, each a pass over the list, stop once a
    column has used its comparisons (thousands of near-miss IDs made validate quadratic)."""
    from reporter.validate import references
    from tests import registers as R

    rows = R.sample_rows()
    for i, a in enumerate(rows["Agreements"][:4]):
        a["meeting_id"] = f"M-SUZHOUx{i}"
    path = R.write(tmp_path / "near.xlsx", rows)

    def hinted(result) -> list[bool]:
        return ["did you mean" in p.message for p in result.report.errors
                if p.code == "unknown-meeting"]

    assert hinted(validate_file(path)) == [True] * 4
    monkeypatch.setattr(references, "HINT_COMPARISONS", 2 * len(rows["Meetings"]))
    assert hinted(validate_file(path)) == [True, True, False, False]


def test_the_steps_load_on_first_use() -> None:
    """`validate` starts reading before the steps (pydantic validators, the fact base) are
    loaded; its reader's process loads them while python-calamine reads."""
    import subprocess
    import sys

    code = ("import sys, reporter.validate; "
            "print(sorted(m for m in sys.modules if m.startswith('reporter.validate.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['reporter.validate.report']"


def test_only_the_report_when_no_records_are_wanted(sample: Path) -> None:
    kept, report_only = validate_file(sample), validate_file(sample, records=False)
    assert kept.workbook is not None and report_only.workbook is None
    assert report_only.report.to_dict() == kept.report.to_dict()
    assert report_only.report.stats["agreements"] == len(kept.workbook.agreements) > 0


def test_a_report_larger_than_the_values_is_not_refused_as_values(tmp_path, monkeypatch) -> None:
    """A long wrong value is a problem whose message repeats it: the report can hold more
    than the cells do. Checked where the cells were read, only the report crosses, and it is
    not what the limit on the cells' values is about: a file `build` would check is checked."""
    from reporter.schema import LIMITS
    from reporter.template import write_workbook

    long = "k" * 2_000
    path = write_workbook(tmp_path / "long.xlsx", {"Meetings": [
        {"meeting_id": f"M{i}", "title": "t", "kind": long, "counterpart": "c"}
        for i in range(300)]})
    monkeypatch.setitem(LIMITS, "values_bytes", 900_000)  # above the cells', below the report's
    kept = validate_file(path).report  # the rows cross within the limit
    assert [p.code for p in kept.errors].count("not-in-list") == 300
    assert sum(len(p.value) + len(p.message) for p in kept.errors) > 900_000
    assert validate_file(path, records=False).report.to_dict() == kept.to_dict()


# --- what was found, kept by position; a run shared between two processes -------------------

def _problems(n: int, seed: int) -> list[tuple[str, int, str]]:
    """n problems on the Agreements sheet: (code, row, header), in an order set by `seed`."""
    import random

    headers = [c.header for c in DATA_SHEETS[1].columns]
    spots = [("not-a-date", 2 + i // len(headers), headers[i % len(headers)]) for i in range(n)]
    random.Random(seed).shuffle(spots)
    return spots


def test_the_problems_listed_are_the_first_by_position_whatever_the_order_found(
        monkeypatch) -> None:
    from reporter.validate import report

    monkeypatch.setattr(report, "LISTED", 7)
    seen = []
    for seed in range(4):
        findings = report.Findings([s.name for s in DATA_SHEETS])
        for code, row, header in _problems(40, seed):
            findings.add(code, header, sheet="Agreements", row=row,
                         cell=ref("Agreements", header, row))
        listed = findings.sorted()
        seen.append([(p.row, p.cell) for p in listed])
        assert findings.not_listed == {"errors": 33, "warnings": 0}
    first = sorted(((r, h) for _, r, h in _problems(40, 0)),
                   key=lambda rh: (rh[0], header_index_of(rh[1])))[:7]
    assert seen[0] == [(r, ref("Agreements", h, r)) for r, h in first]
    assert all(s == seen[0] for s in seen)


def header_index_of(header: str) -> int:
    return [c.header for c in DATA_SHEETS[1].columns].index(header)


def test_merged_findings_are_what_one_run_would_keep(monkeypatch) -> None:
    from reporter.validate import report

    monkeypatch.setattr(report, "LISTED", 5)
    order = [s.name for s in DATA_SHEETS]
    spots = _problems(30, 1)
    whole, one, other = (report.Findings(order) for _ in range(3))
    for i, (code, row, header) in enumerate(spots):
        where = {"sheet": "Agreements", "row": row, "cell": ref("Agreements", header, row)}
        whole.add(code, header, **where)
        (one if i % 3 else other).add(code, header, **where)
    one.merge(other)
    assert one.sorted() == whole.sorted() and one.not_listed == whole.not_listed


def _troubled(tmp_path: Path) -> Path:
    """The sample with a problem in nearly every Agreements column, some rows refused twice."""
    wb = load_workbook(SAMPLE)
    ws = wb["Agreements"]
    set_cells(ws, 3, {"Signed on": "31 February 2024", "Value (CNY)": -5, "Kind": "Treaty"})
    set_cells(ws, 4, {"Status": "Dreaming", "Source": "nowhere", "Focus areas": "AI, physics"})
    set_cells(ws, 5, {"Agreement ID": cell_at(ws, "Agreement ID", 6).value, "Title": " spaced "})
    set_cells(ws, 7, {"Party A": None, "Meeting ID": "NO-SUCH", "Fact ID": "no-such-fact"})
    fact = cell_at(ws, "Fact ID", 2).value or "none"
    set_cells(ws, 8, {"Meeting ID": cell_at(ws, "Meeting ID", 2).value, "Fact ID": fact,
                      "Signed on": "=TODAY()"})
    path = tmp_path / "troubled.xlsx"
    wb.save(path)
    return path


def _schedules():
    """How two processes may split the shareable columns: (the first's share of the tickets
    when it asks, whether the second's result arrives)."""
    yield "first takes all", lambda n: n, True
    yield "second takes all", lambda n: 0, True
    yield "half each", lambda n: n // 2, True
    yield "second fails", lambda n: n // 2, False
    yield "second fails having taken all", lambda n: 0, False


def test_a_shared_run_reports_what_one_run_reports(tmp_path: Path) -> None:
    from reporter.read import read_workbook
    from reporter.schema import READ_SHEETS
    from reporter.validate.workbook import Shared, run, share, shareable

    raw = read_workbook(_troubled(tmp_path), sheets=READ_SHEETS)
    expected = run(raw).report.to_dict()
    spare = len(shareable(DATA_SHEETS[1]))
    headers = {c.header for c in DATA_SHEETS[1].columns if c.field in shareable(DATA_SHEETS[1])}
    found = {p["column"] for p in expected["errors"] + expected["warnings"]}
    assert len(found & headers) >= 6 and found - headers, found  # both kinds of column
    for name, first_takes, arrives in _schedules():
        tickets = iter(range(spare))
        second_takes = spare - first_takes(spare)
        taken_by_second = [next(tickets) for _ in range(second_takes)]  # it asked first
        pool = iter(taken_by_second)

        def theirs(pool=pool, arrives=arrives):
            result = share(read_workbook(raw.path, sheets=READ_SHEETS), "Agreements",
                           lambda: next(pool, None))
            return result if arrives else None

        shared = Shared("Agreements", lambda tickets=tickets: next(tickets, None), theirs)
        assert run(raw, records=False, shared=shared).report.to_dict() == expected, name


def test_validate_shares_the_largest_sheet_and_reports_what_build_would(
        tmp_path: Path, monkeypatch) -> None:
    """Through the second process, with problems on both sides of the split and more of
    them than are listed."""
    from reporter.read import child, shared
    from reporter.validate import report

    wb = load_workbook(_troubled(tmp_path))
    ws = wb["Agreements"]
    meeting = cell_at(ws, "Meeting ID", 2).value
    for i in range(150):  # Agreements becomes the largest part
        row = ws.max_row + 1
        set_cells(ws, row, {"Agreement ID": f"AG-{i % 100:03d}", "Meeting ID": meeting,
                            "Title": f"Agreement {i} " + "on joint research " * 8,
                            "Party A": "Shanghai", "Kind": "MoU" if i % 7 else "Pact",
                            "Signed on": "someday" if i % 5 == 0 else dt.date(2024, 1, 1)})
    path = tmp_path / "large-agreements.xlsx"
    wb.save(path)
    from reporter.read import open_package
    from reporter.schema import READ_SHEETS

    with open_package(path) as package:
        size = {s.name: package.archive.infos[s.part].file_size
                for s in package.select(READ_SHEETS)}
    assert max(size, key=size.__getitem__) == "Agreements"
    monkeypatch.setattr(shared, "SHARED_CELLS", 0)
    monkeypatch.setattr(report, "LISTED", 25)
    one = validate_file(path, records=True).report.to_dict()
    assert sum(one["not_listed"].values()) > 0 and len(one["errors"]) == 25
    # problems in columns only the first process checks, and in shareable ones
    assert {"Agreement ID", "Kind", "Signed on"} <= {p["column"] for p in one["errors"]}
    assert validate_file(path, records=False).report.to_dict() == one
    monkeypatch.setattr(child, "FORKS", False)
    assert validate_file(path, records=False).report.to_dict() == one
