"""Every file in the hostile and damaged corpus gets the right exit code and a message that
names the file and (for data problems) the sheet and cell, with no traceback, and the
input is left exactly as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from reporter.errors import InputError
from reporter.validate import validate_file
from tests.conftest import run_cli
from tests.corpus import CASES, Case


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_corpus(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    before = _digest(path)
    listing = sorted(p.name for p in tmp_path.rglob("*"))

    result = run_cli("validate", path, "--format", "json")

    assert result.exit_code == case.exit_code, result.output
    assert _digest(path) == before, "the input file was changed"
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing, "validate wrote a file"
    payload = json.loads(result.stdout)
    if case.exit_code == 2:
        # One clear line on stderr that names the file and the reason.
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, result.stderr
        assert path.name in lines[0] and case.expect in lines[0], lines[0]
        assert payload["ok"] is False and payload["error"]["code"]
        assert case.expect in payload["error"]["message"], payload  # not just in the file name
        if case.fix:
            assert case.fix in lines[0]
        return
    problems = payload["errors"] + payload["warnings"]
    assert payload["ok"] is (case.exit_code == 0)
    if not case.expect:
        assert not payload["errors"], payload["errors"]
        return
    hits = [p for p in problems if p["code"] == case.expect]
    assert hits, f"no {case.expect} in {problems}"
    hit = hits[0]
    assert hit["sheet"] == case.sheet
    if case.cell:
        assert hit["cell"] == case.cell, hit
    if case.fix:
        assert case.fix in hit["message"], hit["message"]
    assert set(hit) == {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}


@pytest.mark.parametrize("shared", [False, True], ids=["one reader", "shared"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_reports_the_same_where_the_cells_are_read(case: Case, tmp_path: Path,
                                                            monkeypatch, shared: bool) -> None:
    """`validate` checks the cells in the reader's process (records=False), sharing the
    largest sheet with a second process when it is large (here: always, when `shared`);
    build takes the rows in and checks them here. Every file gets the same report, or the
    same refusal."""
    from reporter.read import shared as sharing

    if shared:
        monkeypatch.setattr(sharing, "SHARED_CELLS", 0)
    path = case.make(tmp_path)

    def outcome(records: bool) -> object:
        try:
            return validate_file(path, records=records).report.to_dict()
        except InputError as exc:
            return exc.code, exc.message

    assert outcome(records=False) == outcome(records=True)


# Words that start the fix in a message: every refusal says what to do.
FIX_WORDS = ("save", "remove", "use ", "copy", "check", "delete", "open", "split", "give",
             "type", "unmerge", "add", "rename", "fix", "choose", "fill in", "make them",
             "pick", "shorten", "unhide", "format", "put these", "restore", "leave")


def _has_fix(message: str) -> bool:
    low = message.lower()
    return any(w in low for w in FIX_WORDS) or "reads them like the others" in low


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_build_corpus_writes_nothing_on_failure(case: Case, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    path = case.make(src)
    before = _digest(path)
    out = tmp_path / "reports"
    result = run_cli("build", path, "--out", out, "-q")
    assert result.exit_code == case.exit_code, result.output
    assert _digest(path) == before
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".reports.")
                 and p.name != ".reports.lock"]
    assert leftovers == []
    if case.exit_code != 0:
        assert not out.exists(), "a failed build created the output folder"
        assert "Traceback" not in result.stderr and result.stderr.strip()
        if case.exit_code == 2:
            assert path.name in result.stderr
    else:
        assert (out / "manifest.json").is_file()


@pytest.mark.parametrize("case", [c for c in CASES if c.exit_code != 0],
                         ids=[c.name for c in CASES if c.exit_code != 0])
def test_every_refusal_says_how_to_fix_it(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    result = run_cli("validate", path, "--format", "json")
    payload = json.loads(result.stdout)
    messages = [payload["error"]["message"]] if "error" in payload else [
        p["message"] for p in payload["errors"]]
    for message in messages:
        assert _has_fix(message), message


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


# Every workbook validate reads, but one: openpyxl takes over a minute to load a million
# styled rows, and that case has no problem at a cell to mark.
READ_CASES = [c for c in CASES if c.exit_code in (0, 1) and not c.name.startswith("trailing blank")]


@pytest.mark.parametrize("case", READ_CASES, ids=[c.name for c in READ_CASES])
def test_annotate_marks_every_problem(case: Case, tmp_path: Path) -> None:
    """Every problem validate reports at a cell is marked in the annotated copy, on the sheet
    validate read (found ignoring case and surrounding spaces), merged cells included; and
    every problem is listed on the Issues sheet."""
    import warnings

    from openpyxl import load_workbook

    path = case.make(tmp_path)
    before = _digest(path)
    out = tmp_path / "annotated.xlsx"
    result = run_cli("validate", path, "--format", "json", "--annotate", out)
    assert result.exit_code == case.exit_code, result.output
    assert _digest(path) == before
    payload = json.loads(result.stdout)
    problems = payload["errors"] + payload["warnings"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(out)
    by_key = {n.strip().casefold(): n for n in wb.sheetnames}
    for p in problems:
        if not (p["sheet"] and p["cell"]):
            continue
        ws = wb[by_key[p["sheet"].strip().casefold()]]
        cell = ws[p["cell"]]
        for merged in ws.merged_cells.ranges:  # a merged cell is marked at its range's first
            if p["cell"] in merged:
                cell = ws.cell(merged.min_row, merged.min_col)
        assert cell.comment is not None and f"[{p['code']}]" in cell.comment.text, (p, cell)
        assert cell.fill.fgColor.rgb.endswith(("FFC7CE", "FFEB9C")), p
    issues = wb["Issues"]
    if not problems:  # the sheet says so, rather than show an empty table
        assert issues["A1"].value == "No problems found"
        return
    header = [c.value for c in issues[1]]
    codes = [row[header.index("Code")] for row in issues.iter_rows(min_row=2, values_only=True)]
    assert sorted(codes) == sorted(p["code"] for p in problems)


def test_corpus_varies_each_attack() -> None:
    """The issue-12 cases spell each check many ways (not one example each)."""
    from tests.corpus import ISSUE_12_CASES

    names = " ".join(c.name for c in ISSUE_12_CASES)
    for variation in ("single quotes", "line breaks", "namespace prefix", "character reference",
                      "lower case", "_x001B_", "FIFO", "/dev/zero", "400 digits"):
        assert variation in names, variation
    assert len(ISSUE_12_CASES) >= 80
