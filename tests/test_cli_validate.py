"""`reporter validate`: exit codes, the JSON contract, text output and the annotated copy."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import SAMPLE, cell_at, header_index, next_column, ref, ref_beyond, run_cli

KEYS = {"code", "severity", "sheet", "row", "column", "cell", "value", "message"}


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_sample_exit_0_and_json_shape(sample: Path) -> None:
    result = run_cli("validate", sample, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {"workbook", "ok", "errors", "warnings", "not_listed", "stats"}
    assert data["ok"] is True and data["errors"] == [] and data["workbook"] == str(sample)
    assert data["stats"]["meetings"] > 0


def test_errors_exit_1_with_every_key(edited) -> None:
    path = edited(lambda wb: setattr(cell_at(wb["Metrics"], "Meeting ID", 3), "value", "M-NONE"))
    result = run_cli("validate", path, "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    (err,) = data["errors"]
    assert set(err) == KEYS
    assert err == {**err, "code": "unknown-meeting", "severity": "error", "sheet": "Metrics",
                   "row": 3, "column": "Meeting ID", "cell": ref("Metrics", "Meeting ID", 3),
                   "value": "M-NONE"}


def test_json_equals_the_library_report(edited) -> None:
    from reporter.validate import validate_file

    path = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 4), "value", "corridoor"))
    result = run_cli("validate", path, "--format", "json")
    assert json.loads(result.stdout) == json.loads(json.dumps(
        validate_file(path).report.to_dict(), ensure_ascii=False))


def test_text_output_points_at_the_cell(edited) -> None:
    path = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 4), "value", "corridoor"))
    result = run_cli("validate", path)
    assert result.exit_code == 1
    flat = " ".join(result.stdout.split())  # the message wraps to the terminal's width
    assert f"Meetings!{ref('Meetings', 'Kind', 4)}" in flat and "did you mean 'corridor'" in flat
    assert "has errors - 1 error, no warnings" in flat


def test_unreadable_exit_2_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("Meeting ID,Title\n")
    result = run_cli("validate", path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "notes.xlsx" in result.stderr


def test_default_workbook_is_input_cooperation(tmp_path: Path) -> None:
    (tmp_path / "input").mkdir()
    shutil.copyfile(SAMPLE, tmp_path / "input" / "cooperation.xlsx")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run_cli("validate", "-f", "json")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["workbook"] == "input/cooperation.xlsx"


def _issues(ws) -> list[dict]:
    """The Issues sheet's rows, by its headers."""
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_annotate_marks_every_problem_cell(edited, tmp_path: Path) -> None:
    kind, meeting = ref("Meetings", "Kind", 3), ref("Agreements", "Meeting ID", 4)
    extra = ref_beyond("Agreements", 1)

    def edit(wb) -> None:
        cell_at(wb["Meetings"], "Kind", 3).value = "citty"
        cell_at(wb["Agreements"], "Meeting ID", 4).value = "M-NONE"
        wb["Agreements"].cell(1, next_column(wb["Agreements"]), "Owner")  # a warning

    path = edited(edit)
    before = _sha(path)
    out = tmp_path / "annotated.xlsx"
    result = run_cli("validate", path, "--annotate", out)
    assert result.exit_code == 1
    assert _sha(path) == before

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(out)
    assert wb.sheetnames[0] == "Issues"
    cell = cell_at(wb["Meetings"], "Kind", 3)
    assert cell.coordinate == kind
    assert cell.fill.start_color.rgb.endswith("FFC7CE")
    assert "did you mean 'city'" in cell.comment.text
    assert wb["Agreements"][meeting].fill.start_color.rgb.endswith("FFC7CE")
    warn = wb["Agreements"][extra]
    assert warn.value == "Owner"
    assert warn.fill.start_color.rgb.endswith("FFEB9C") and "extra-column" in warn.comment.text
    issues = wb["Issues"]
    rows = _issues(issues)
    assert {(r["Sheet"], r["Cell"]) for r in rows} == {("Meetings", kind), ("Agreements", meeting),
                                                       ("Agreements", extra)}
    links = {issues.cell(i, header_index(issues, "Cell")).hyperlink.location for i in range(2, len(rows) + 2)}
    assert f"'Meetings'!{kind}" in links
    # the data is otherwise the same
    assert cell_at(wb["Agreements"], "Title", 2).value == cell_at(
        load_workbook(path)["Agreements"], "Title", 2).value


def test_the_annotated_copy_is_the_same_bytes_each_time(edited, tmp_path: Path,
                                                        monkeypatch) -> None:
    """The same workbook gives the same copy, whenever it is made: it keeps the workbook's
    own "modified" time (SOURCE_DATE_EPOCH's when set), and its parts carry no time of
    saving."""
    import time

    path = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 3), "value", "citty"))
    copies = []
    for n in range(2):
        copies.append(tmp_path / f"copy-{n}.xlsx")
        assert run_cli("validate", path, "--annotate", copies[-1]).exit_code == 1
        time.sleep(1.1)  # the zip format counts time in two-second steps: cross one
        time.sleep(1.0)
    assert _sha(copies[0]) == _sha(copies[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert load_workbook(copies[0]).properties.modified == load_workbook(
            path).properties.modified
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pinned = tmp_path / "pinned.xlsx"
    assert run_cli("validate", path, "--annotate", pinned).exit_code == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert load_workbook(pinned).properties.modified.isoformat() == "2023-11-14T22:13:20"
    with zipfile.ZipFile(pinned) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_issues_sheet_shows_numbers_as_their_cells_do(edited, tmp_path: Path) -> None:
    """-5000 typed in a cell is -5000 in the Issues sheet, not the -5000.0 it is stored as."""
    def edit(wb) -> None:
        cell_at(wb["Agreements"], "Value (CNY)", 2).value = -5000
        cell_at(wb["Agreements"], "Value (CNY)", 3).value = -2.5

    out = tmp_path / "annotated.xlsx"
    assert run_cli("validate", edited(edit), "--annotate", out).exit_code == 1
    shown = {r["Cell"]: r["Value"] for r in _issues(_book(out)["Issues"])
             if r["Code"] == "negative-amount"}
    assert shown == {ref("Agreements", "Value (CNY)", 2): "-5000",
                     ref("Agreements", "Value (CNY)", 3): "-2.5"}


def test_annotate_keeps_formula_text_as_text(edited, tmp_path: Path) -> None:
    path = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 3), "value",
                                     "=HYPERLINK(\"http://x\")"))
    out = tmp_path / "a.xlsx"
    run_cli("validate", path, "--annotate", out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        issues = load_workbook(out)["Issues"]
    value = header_index(issues, "Value")
    values = [issues.cell(r, value) for r in range(1, issues.max_row + 1)]
    assert any(isinstance(c.value, str) and "HYPERLINK" in c.value for c in values)
    assert all(c.data_type != "f" for c in values)


def test_annotate_never_overwrites_the_input(sample: Path) -> None:
    before = _sha(sample)
    result = run_cli("validate", sample, "--annotate", sample)
    assert result.exit_code == 3
    assert "never modifies" in result.stderr
    assert _sha(sample) == before


@pytest.mark.parametrize("kind", ["file", "link"])
def test_annotate_never_replaces_a_file_without_force(sample: Path, tmp_path: Path,
                                                      kind: str) -> None:
    theirs = tmp_path / "thesis.xlsx"
    theirs.write_bytes(b"my precious notes")
    out = theirs if kind == "file" else tmp_path / "link.xlsx"
    if kind == "link":
        out.symlink_to(theirs)
    result = run_cli("validate", sample, "--annotate", out, "--format", "json")
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 3 and error["code"] == "exists" and error["path"] == str(out)
    assert theirs.read_bytes() == b"my precious notes" and os.path.lexists(out)
    again = run_cli("validate", sample, "--annotate", out, "--force")
    assert again.exit_code == 0 and "Issues" in _book(out).sheetnames
    assert theirs.read_bytes() == b"my precious notes" or kind == "file"  # a link is replaced


def _book(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path)


def test_annotated_copy_of_a_clean_workbook_says_so_and_keeps_its_print_settings(
        sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.xlsx"
    assert run_cli("validate", sample, "--annotate", out).exit_code == 0
    wb, original = _book(out), _book(sample)
    issues = wb["Issues"]
    assert issues["A1"].value == "No problems found" and issues.max_row == 2
    assert sample.name in issues["A2"].value
    for name in original.sheetnames:  # the template's print settings, as they were
        a, b = wb[name], original[name]
        assert (a.print_area, a.print_title_rows, a.print_title_cols) == (
            b.print_area, b.print_title_rows, b.print_title_cols), name
        assert a.page_setup.orientation == b.page_setup.orientation, name


def test_annotated_copy_prints_its_issues_and_sets_up_sheets_that_have_no_settings(
        edited, tmp_path: Path) -> None:
    def edit(wb) -> None:
        cell_at(wb["Meetings"], "Kind", 3).value = "citty"
        cell_at(wb["Metrics"], "Value", 3).value = (
            "a great deal of money, more than anyone can count " * 3)
        notes = wb.create_sheet("Notes")  # a sheet of staff's own, with no print settings
        notes.append(["Topic", "What was said", "By"])
        for i in range(30):
            notes.append([f"T{i}", "words " * 40, "staff"])
        for col in "ABC":
            notes.column_dimensions[col].width = 60
        mine = wb.create_sheet("Mine")  # print settings staff chose
        mine.append(["x"])
        mine.page_setup.orientation = "portrait"
        mine.page_setup.scale = 55

    path = edited(edit)
    out = tmp_path / "checked.xlsx"
    assert run_cli("validate", path, "--annotate", out).exit_code == 1
    wb = _book(out)
    issues = wb["Issues"]
    header = [c.value for c in issues[1]]
    message = header.index("What is wrong and how to fix it") + 1
    assert issues.print_title_rows == "$1:$1" and int(issues.page_setup.paperSize) == 9
    assert issues.sheet_properties.pageSetUpPr.fitToPage and issues.page_setup.fitToHeight == 0
    long_row = next(r for r in range(2, issues.max_row + 1)
                    if "a great deal" in str(issues.cell(r, header.index("Value") + 1).value))
    assert issues.cell(long_row, message).alignment.wrap_text
    assert issues.row_dimensions[long_row].height > 30  # as tall as its wrapped text
    notes = wb["Notes"]
    assert int(notes.page_setup.paperSize) == 9 and notes.page_setup.orientation == "landscape"
    assert notes.print_title_rows == "$1:$1"
    assert notes.sheet_properties.pageSetUpPr.fitToPage  # 180 characters: one page wide
    assert [notes.column_dimensions[c].width for c in "ABC"] == [60, 60, 60]  # not narrowed
    mine = wb["Mine"]
    assert mine.page_setup.orientation == "portrait" and int(mine.page_setup.scale) == 55


def test_annotated_copy_rows_are_as_tall_as_their_wrapped_text(edited, tmp_path: Path) -> None:
    """A workbook written by a program that sets no row heights: the copy gives each row of
    wrapped text its height (LibreOffice printed such rows cut to one line), and keeps the
    height of a row that has one."""
    def edit(wb) -> None:
        meetings = wb["Meetings"]
        for r in range(2, meetings.max_row + 1):
            meetings.row_dimensions[r].height = None
        meetings.row_dimensions[3].height = 20  # set by staff: kept
        cell_at(meetings, "Kind", 4).value = "citty"

    out = tmp_path / "checked.xlsx"
    assert run_cli("validate", edited(edit), "--annotate", out).exit_code == 1
    meetings = _book(out)["Meetings"]
    background = cell_at(meetings, "Background", 2)
    assert background.alignment.wrap_text and len(background.value) > 200
    assert meetings.row_dimensions[2].height >= 4 * 13.5
    assert meetings.row_dimensions[3].height == 20


def test_annotate_refuses_merged_ranges_of_millions_of_cells(tmp_path: Path) -> None:
    """On a sheet validate does not read: openpyxl makes an object per merged cell, so
    A2:CV500000 (50 million) took gigabytes. Refused before openpyxl starts."""
    import zipfile

    path = tmp_path / "merged.xlsx"
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            blob = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":  # the README sheet
                first = blob.index(b"<mergeCell ")
                blob = blob[:first] + b'<mergeCell ref="A40:CV500000"/>' + blob[first:]
            zout.writestr(info, blob)
    assert run_cli("validate", path).exit_code == 0  # a README sheet is not checked
    out = tmp_path / "annotated.xlsx"
    result = run_cli("validate", path, "--annotate", out)
    assert result.exit_code == 2 and "merged ranges cover more than" in result.stderr
    assert not out.exists()


def test_past_a_limit_problems_are_counted_not_listed(edited, monkeypatch) -> None:
    """Every problem is counted; the first LISTED are listed (JSON), the first SHOWN shown."""
    from reporter import terminal
    from reporter.validate import report

    def edit(wb) -> None:
        for r in range(2, 9):
            cell_at(wb["Meetings"], "Kind", r).value = "citty"  # 7 errors, one per meeting

    path = edited(edit)
    full = json.loads(run_cli("validate", path, "--format", "json").stdout)
    assert len(full["errors"]) == 7 and full["not_listed"] == {"errors": 0, "warnings": 0}
    monkeypatch.setattr(report, "LISTED", 3)
    monkeypatch.setattr(terminal, "SHOWN", 2)
    capped = json.loads(run_cli("validate", path, "--format", "json").stdout)
    assert capped["errors"] == full["errors"][:3] and capped["not_listed"]["errors"] == 4
    assert capped["ok"] is False
    text = run_cli("validate", path)
    assert text.exit_code == 1
    flat = " ".join(text.stdout.split())
    assert "The first 2 of 7 problems are shown; --format json lists the first 3" in flat
    assert "has errors - 7 errors" in flat


def test_a_socket_is_not_a_regular_file(tmp_path: Path) -> None:
    import socket
    import tempfile

    with tempfile.TemporaryDirectory(dir="/tmp") as short:  # a socket's path is short
        path = Path(short) / "s.xlsx"
        with socket.socket(socket.AF_UNIX) as s:
            s.bind(str(path))
            result = run_cli("validate", path, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "not-a-regular-file"


# --- a plain `reporter validate`, run without typer (entry.plain_validate) -----------------

@pytest.mark.parametrize("args, plain", [
    (["validate", "{wb}"], ("{wb}", "text")),
    (["validate"], ("input/cooperation.xlsx", "text")),
    (["validate", "{wb}", "--format", "json"], ("{wb}", "json")),
    (["validate", "-f", "JSON", "{wb}"], ("{wb}", "json")),
    (["validate", "--format=text", "{wb}"], ("{wb}", "text")),
    (["validate", "{wb}", "--format", "xml"], None),
    (["validate", "{wb}", "--format"], None),
    (["validate", "{wb}", "-f", "--help"], None),
    (["validate", "{wb}", "-fjson"], None),
    (["validate", "{wb}", "--format", "json", "--format", "text"], None),
    (["validate", "{wb}", "--help"], None),
    (["validate", "{wb}", "--annotate", "copy.xlsx"], None),
    (["validate", "{wb}", "--facts", "extra.toml"], None),
    (["validate", "--", "{wb}"], None),
    (["validate", "{wb}", "{wb}"], None),
    (["Validate", "{wb}"], None),
    (["build", "{wb}"], None),
    (["--version", "validate"], None),
    ([], None),
])
def test_only_validate_in_its_plain_form_is_run_without_typer(sample: Path, args: list[str],
                                                               plain) -> None:
    from reporter.entry import plain_validate

    got = plain_validate([a.format(wb=sample) for a in args])
    want = None if plain is None else (Path(plain[0].format(wb=sample)), plain[1])
    assert (None if got is None else (got[0], got[1].value)) == want


def _reporter(*args: object, timeout: float = 120, env: dict[str, str] | None = None):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "reporter", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "120", **(env or {})})


def test_a_plain_validate_says_word_for_word_what_typer_s_would(edited, tmp_path: Path) -> None:
    """The plain form and the same command through typer (`--` before the workbook, which
    only typer reads) give the same output on both streams and the same exit code: a clean
    workbook, one with errors, and files that cannot be read, in either format."""
    wrong = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 4), "value", "corridoor"))
    text = tmp_path / "notes.xlsx"
    text.write_text("Meeting ID,Title\n")
    cases = [(SAMPLE, 0), (wrong, 1), (text, 2), (tmp_path / "none.xlsx", 2), (tmp_path, 2)]
    for path, code in cases:
        for fmt in ("text", "json"):
            plain = _reporter("validate", path, "--format", fmt)
            typed = _reporter("validate", "--format", fmt, "--", path)
            assert plain.returncode == code, (path, fmt, plain.stderr)
            assert (plain.returncode, plain.stdout, plain.stderr) == (
                typed.returncode, typed.stdout, typed.stderr), (path, fmt)
            if fmt == "json":
                assert json.loads(plain.stdout)["workbook"] == str(path)


def test_a_plain_validate_does_not_start_typer(tmp_path: Path) -> None:
    import subprocess
    import sys

    seen = tmp_path / "modules"
    code = f"""if True:
        import os, sys
        leave = os._exit
        def _exit(status):
            open({str(seen)!r}, "w").write(" ".join(sorted(sys.modules)))
            leave(status)
        os._exit = _exit
        sys.argv = ["reporter", "validate", {str(SAMPLE)!r}, "--format", "json"]
        from reporter.entry import main
        main()
    """
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and json.loads(run.stdout)["ok"] is True
    modules = seen.read_text().split()
    assert "reporter.validate" in modules
    assert "typer" not in modules and "reporter.cli" not in modules


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
def test_json_goes_out_in_utf8_whatever_the_locale_says(edited, encoding: str) -> None:
    """JSON is exchanged in UTF-8: so it is written, in either lane, whatever the terminal's
    encoding; and the text report shows what that encoding cannot as "?" (no exit 4)."""
    import subprocess
    import sys

    path = edited(lambda wb: setattr(cell_at(wb["Meetings"], "Kind", 4), "value", "会议"))
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for args in (["validate", path, "--format", "json"],
                 ["validate", "--format", "json", "--", path]):
        run = subprocess.run([sys.executable, "-m", "reporter", *map(str, args)],
                             capture_output=True, timeout=120, env=env)
        assert run.returncode == 1, run.stderr
        found = json.loads(run.stdout.decode("utf-8"))
        assert any(p["value"] == "会议" for p in found["errors"]), args
    run = subprocess.run([sys.executable, "-m", "reporter", "validate", str(path)],
                         capture_output=True, timeout=120, env=env)
    assert run.returncode == 1, run.stderr
    assert ("会议" if encoding == "utf-8" else "??") in run.stdout.decode(encoding)


def test_a_file_name_that_is_not_utf8_is_valid_json_all_the_same(tmp_path: Path) -> None:
    """A byte a file name holds that UTF-8 cannot decode is written as the JSON escape of
    what Python makes of it: the output is valid UTF-8, and reads back as the same name."""
    import subprocess
    import sys

    name = os.fsdecode(bytes(tmp_path) + b"/register-\xff.xlsx")
    shutil.copyfile(SAMPLE, name)
    run = subprocess.run([sys.executable, "-m", "reporter", "validate", name, "-f", "json"],
                         capture_output=True, timeout=120,
                         env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.decode("utf-8"))["workbook"] == name


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_output_that_cannot_be_written_is_exit_3_not_a_bug(fmt: str) -> None:
    import subprocess
    import sys

    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-m", "reporter", "validate", str(SAMPLE), "-f",
                              fmt], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 3
    assert run.stderr.strip() == ("error: reporter's output cannot be written (No space left "
                                  "on device)")


def test_typer_leaves_a_workbook_it_cannot_read_to_reporter(sample: Path, monkeypatch) -> None:
    """A workbook the user may not read is reporter's to say, with its code, in JSON too: as
    the plain validate says it (typer would look first, and say it as a usage error)."""
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    result = run_cli("validate", "--format", "json", "--", sample)
    assert result.exit_code == 0 and json.loads(result.stdout)["ok"] is True


def test_a_shell_asking_for_completions_is_answered_by_typer(sample: Path) -> None:
    """As the installed command, whose completion variable is _REPORTER_COMPLETE."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "reporter"
    if not script.exists():
        pytest.skip("reporter is not installed beside this Python")
    env = {**os.environ, "_REPORTER_COMPLETE": "bash_complete"}
    plain, typed = (subprocess.run([str(script), "validate", *args], capture_output=True,
                                   text=True, timeout=120, env=env)
                    for args in ([str(sample)], ["--", str(sample)]))
    assert "not supported" in typed.stdout + typed.stderr  # typer's answer, not a report
    assert (plain.returncode, plain.stdout, plain.stderr) == (
        typed.returncode, typed.stdout, typed.stderr)
