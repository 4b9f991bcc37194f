"""Reading: limits checked before parsing, and entity tricks never followed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from reporter.errors import InputError
from reporter.read import check_workbook, child, open_package, read_workbook
from reporter.schema import DATA_SHEETS, LIMITS, MEETINGS
from tests.conftest import SAMPLE, letter
from tests.corpus import PART, _rezip, _sample_parts


def test_reads_the_sample_sheets_and_positions() -> None:
    raw = read_workbook(SAMPLE)
    assert list(raw.sheets) == ["README", *(s.name for s in DATA_SHEETS), "Lists"]
    meetings = raw.sheets["Meetings"]
    # from A1: the header row is index 0, its first header column 0
    assert list(meetings.rows[0]) == [c.header for c in MEETINGS.columns]
    assert meetings.rows[1][meetings.rows[0].index("Meeting ID")] == "M-SUZHOU"  # Excel row 2


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    """The entity points at a FIFO: a reader that followed it would block forever."""
    fifo = tmp_path / "trap"
    os.mkfifo(fifo)
    parts = []
    for info, blob in _sample_parts():
        if info.filename == PART["Meetings"]:
            body = blob.split(b"?>", 1)[1]
            blob = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://'
                    + str(fifo).encode() + b'">]>' + body.replace(b">M-SUZHOU<", b">&e;<", 1))
        parts.append((info, blob))
    path = _rezip(tmp_path / "xxe.xlsx", parts)
    result = subprocess.run([sys.executable, "-m", "reporter", "validate", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "entities" in result.stderr and "Traceback" not in result.stderr


def test_cell_limit_is_checked_before_cells_become_values(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(LIMITS, "cells", 50)
    with pytest.raises(InputError) as exc:
        read_workbook(SAMPLE)
    assert exc.value.code == "too-many-cells" and "50" in exc.value.message


def test_row_limit_names_the_row(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(LIMITS, "rows", 5)
    with pytest.raises(InputError) as exc:
        read_workbook(SAMPLE)
    assert exc.value.code == "cell-out-of-range" and "row" in exc.value.message


def test_uncompressed_size_limit(monkeypatch) -> None:
    monkeypatch.setitem(LIMITS, "uncompressed_bytes", 10_000)
    with pytest.raises(InputError) as exc:
        read_workbook(SAMPLE)
    assert exc.value.code == "too-large"


def test_file_size_limit(monkeypatch) -> None:
    monkeypatch.setitem(LIMITS, "file_bytes", 1000)
    with pytest.raises(InputError) as exc:
        read_workbook(SAMPLE)
    assert exc.value.code == "too-large" and "MiB" in exc.value.message


def test_encrypted_zip_member(tmp_path: Path) -> None:
    path = tmp_path / "enc.xlsx"
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
    blob = bytearray(path.read_bytes())
    # set the "encrypted" flag in the first local header and central directory entry
    blob[6] |= 1
    cd = blob.rfind(b"PK\x01\x02", 0, len(blob))
    first_cd = blob.find(b"PK\x01\x02")
    blob[first_cd + 8] |= 1
    del cd
    path.write_bytes(bytes(blob))
    with pytest.raises(InputError) as exc:
        read_workbook(path)
    assert exc.value.code in ("encrypted", "corrupt-file")


def test_a_dtd_after_a_long_prolog_is_refused(tmp_path: Path) -> None:
    """The DTD check reads a part's head; a prolog longer than that is read whole."""
    parts = []
    for info, blob in _sample_parts():
        if info.filename == "xl/sharedStrings.xml":
            body = blob.split(b"?>", 1)[1]
            blob = (b'<?xml version="1.0"?>\n<!-- ' + b"x" * 100_000 + b' -->\n'
                    b'<!DOCTYPE x [<!ENTITY e "boom">]>' + body)
        parts.append((info, blob))
    with pytest.raises(InputError) as exc:  # open_package: before the fast reader starts
        open_package(_rezip(tmp_path / "prolog.xlsx", parts))
    assert exc.value.code == "xml-entities" and "sharedStrings" in exc.value.message


def test_a_refused_file_leaves_no_reader_thread(monkeypatch) -> None:
    monkeypatch.setitem(LIMITS, "rows", 5)
    with pytest.raises(InputError):
        read_workbook(SAMPLE)
    assert not [t for t in threading.enumerate() if t.name == "reporter-read"]
    monkeypatch.setitem(LIMITS, "rows", 500_000)
    meetings = read_workbook(SAMPLE).sheets["Meetings"]
    assert meetings.rows[1][meetings.rows[0].index("Meeting ID")] == "M-SUZHOU"


def test_a_panic_in_the_cell_reader_is_a_clear_message(monkeypatch) -> None:
    """python-calamine reports a bug in its Rust code as a BaseException (PanicException)."""
    import python_calamine as pc

    class Panic(BaseException):
        pass

    class Exploding:
        @staticmethod
        def from_filelike(_):
            raise Panic("index out of bounds")

    monkeypatch.setattr(pc, "CalamineWorkbook", Exploding)
    with pytest.raises(InputError) as exc:
        read_workbook(SAMPLE)
    assert exc.value.code == "corrupt-file" and "index out of bounds" in exc.value.message
    assert not [t for t in threading.enumerate() if t.name == "reporter-read"]


_MEASURE = """
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
sys.stderr.write(r.stderr)
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _peak_rss(args: list[str]) -> tuple[int, float, str]:
    """Run `reporter ARGS` in a fresh process: (exit code, the peak RSS in MiB of it and of
    any process it starts, whichever is largest, stderr)."""
    r = subprocess.run([sys.executable, "-c", _MEASURE, sys.executable, "-m", "reporter", *args],
                       capture_output=True, text=True, timeout=600)
    code, peak = r.stdout.split()
    return int(code), int(peak) / 1024, r.stderr


def _far_apart(tmp_path: Path, name: str, ref: bytes, sheets: int = 4) -> Path:
    from tests.corpus import _four_sheets

    assert sheets == 4
    return _four_sheets(tmp_path, name, ref)


def test_far_apart_cells_are_refused_before_the_grid_is_built(tmp_path: Path) -> None:
    """A1 and CV500000 on four sheets: a small file inside the row and column limits, which
    read naively costs gigabytes. Refused by the scan, in the memory of a small read."""
    path = _far_apart(tmp_path, "far.xlsx", b"CV500000")
    assert path.stat().st_size < 40_000
    code, peak, err = _peak_rss(["validate", str(path)])
    assert code == 2 and "area" in err and "Traceback" not in err
    baseline_code, baseline, _ = _peak_rss(["validate", str(SAMPLE)])
    assert baseline_code == 0
    assert peak < baseline + 50, (peak, baseline)


@pytest.mark.slow
def test_a_sheet_at_the_area_limit_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """Four sheets, each A1 and Z230000 (5,980,000 cells of grid, just inside the area
    limit): read, and validated, in well under a gibibyte."""
    path = _far_apart(tmp_path, "area.xlsx", b"Z230000")
    code, peak, err = _peak_rss(["validate", str(path), "--format", "json"])
    assert code in (0, 1) and "Traceback" not in err, err
    assert peak < 1024, peak


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the cell reader's ceiling is Linux's")
def test_validate_reads_every_sheet_at_the_area_limit_as_build_does(tmp_path: Path) -> None:
    """A1 and Z230000 on every data sheet: python-calamine's grid of each takes about 190 MB.
    The reader that checks keeps no more of them than the one that sends the rows, so a
    file `build` reads is not refused by `validate` as needing more than 1 GiB."""
    from reporter.validate import validate_file

    def far(xml: bytes) -> bytes:
        return xml.replace(b"</sheetData>",
                           b'<row r="230000"><c r="Z230000"><v>1</v></c></row></sheetData>')

    data = {f"xl/worksheets/sheet{i}.xml" for i in range(2, 2 + len(DATA_SHEETS))}
    path = _rezip(tmp_path / "area5.xlsx", [(info, far(blob) if info.filename in data else blob)
                                            for info, blob in _sample_parts()])
    kept = validate_file(path).report
    assert [p.row for p in kept.errors if p.code == "required"][:1] == [230000]
    assert validate_file(path, records=False).report.to_dict() == kept.to_dict()


def _shared_string_bomb(tmp_path: Path, cells: int) -> Path:
    """One 32,000-character shared string, used by `cells` cells: a file of a few kilobytes."""
    first, second = (letter("Agreements", h).encode() for h in ("Agreement ID", "Meeting ID"))
    rows = b"".join(b'<row r="%d"><c r="%s%d" t="s"><v>0</v></c><c r="%s%d" t="s"><v>0</v></c>'
                    b"</row>" % (i, first, i, second, i) for i in range(30, 30 + cells // 2))
    parts = []
    for info, blob in _sample_parts():
        if info.filename == "xl/sharedStrings.xml":
            blob = blob.replace(b"<si><t>Meeting kinds</t></si>",
                                b"<si><t>" + "\u4e0a".encode() * 32000 + b"</t></si>", 1)
        elif info.filename == PART["Agreements"]:
            blob = blob.replace(b"</sheetData>", rows + b"</sheetData>")
        parts.append((info, blob))
    return _rezip(tmp_path / "strings.xlsx", parts)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the cell reader's ceiling is Linux's")
def test_one_long_text_in_many_cells_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """20,000 copies of a 32,000-character text would take gigabytes; the cell reader's
    process stops at its ceiling, and reporter refuses the file with a clear line."""
    path = _shared_string_bomb(tmp_path, 20_000)
    assert path.stat().st_size < 200_000
    code, peak, err = _peak_rss(["validate", str(path)])
    assert code == 2 and "memory" in err, err
    assert "Traceback" not in err and "panicked" not in err and len(err.strip().splitlines()) == 1
    assert peak < 1400, peak


def test_control_characters_never_reach_the_terminal_or_the_reports(tmp_path: Path) -> None:
    from tests.conftest import run_cli
    from tests.corpus import _agreements_cell, _raw_inline

    path = _agreements_cell("esc.xlsx", "Title", 2, _raw_inline("Title_x001B_[31m red"))(
        tmp_path)
    result = run_cli("validate", path)
    assert result.exit_code == 0 and "invisible control characters" in " ".join(
        result.output.split())
    assert "\x1b" not in result.output
    out = tmp_path / "reports"
    assert run_cli("build", path, "--out", out, "-q").exit_code == 0
    seen = False
    for f in out.rglob("*.*"):
        if f.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(f) as z:
                for name in z.namelist():
                    if name.endswith((".xml", ".rels")):
                        xml = z.read(name)
                        assert b"\x1b" not in xml, (f, name)
                        seen = seen or b"Title[31m red" in xml
    assert seen, "the cleaned title is in the reports"


def test_without_fork_the_scan_runs_first_in_this_process(monkeypatch, tmp_path: Path) -> None:
    """Where there is no fork (not Linux), python-calamine runs here, after the scan: a file
    the scan refuses never reaches it."""
    import python_calamine as pc

    from reporter.read import child
    from tests.corpus import _far_cell

    monkeypatch.setattr(child, "FORKS", False)
    raw = read_workbook(SAMPLE)
    book = pc.CalamineWorkbook.from_path(SAMPLE)
    for name, sheet in raw.sheets.items():
        assert sheet.rows == book.get_sheet_by_name(name).to_python(skip_empty_area=False)

    opened = []
    monkeypatch.setattr(pc.CalamineWorkbook, "from_filelike",
                        classmethod(lambda cls, f: opened.append(f) or 1 / 0))
    with pytest.raises(InputError) as exc:
        read_workbook(_far_cell(tmp_path))
    assert exc.value.code == "cell-out-of-range" and not opened


def test_the_rows_are_python_calamines_from_a1(tmp_path: Path) -> None:
    import python_calamine as pc

    from tests.corpus import _styled_tail

    path = _styled_tail(tmp_path)
    raw = read_workbook(path)
    book = pc.CalamineWorkbook.from_path(path)
    for name, sheet in raw.sheets.items():
        assert sheet.rows == book.get_sheet_by_name(name).to_python(skip_empty_area=False)


# --- checking the rows where they were read (validate) -------------------------------------

def _where_and_rows(raw) -> tuple[int, dict[str, list]]:
    return os.getpid(), {name: sheet.rows for name, sheet in raw.sheets.items()}


@pytest.mark.parametrize("forks", [True, False], ids=["child", "without fork"])
def test_check_workbook_checks_the_rows_read_workbook_reads(monkeypatch, forks: bool) -> None:
    from reporter.read import child

    monkeypatch.setattr(child, "FORKS", forks and child.FORKS)
    where, rows = check_workbook(SAMPLE, _where_and_rows)
    assert rows == {name: sheet.rows for name, sheet in read_workbook(SAMPLE).sheets.items()}
    assert (where != os.getpid()) is child.FORKS


def _refusal(read) -> tuple[str, str]:
    with pytest.raises(InputError) as exc:
        read()
    return exc.value.code, exc.value.message


def test_check_workbook_refuses_what_read_workbook_refuses(tmp_path: Path, monkeypatch) -> None:
    """The same refusal, word for word, and the check never runs: a far-off cell (the
    scan), a row past the limit, and python-calamine failing on the cells."""
    import python_calamine as pc

    from tests.corpus import _far_cell

    never = _never_called
    far = _far_cell(tmp_path)
    assert _refusal(lambda: check_workbook(far, never)) == _refusal(lambda: read_workbook(far))
    monkeypatch.setitem(LIMITS, "rows", 5)
    assert _refusal(lambda: check_workbook(SAMPLE, never)) == _refusal(
        lambda: read_workbook(SAMPLE))
    monkeypatch.setitem(LIMITS, "rows", 500_000)

    class Exploding:
        @staticmethod
        def from_filelike(_):
            raise ValueError("cannot read the cells")

    monkeypatch.setattr(pc, "CalamineWorkbook", Exploding)
    code, message = _refusal(lambda: check_workbook(SAMPLE, never))
    assert (code, message) == _refusal(lambda: read_workbook(SAMPLE))
    assert code == "corrupt-file" and "cannot read the cells" in message


def _never_called(raw) -> None:
    raise AssertionError("the check ran on a refused file")


def _faulty(raw) -> None:
    raise ValueError("a fault in reporter's own check")


def test_a_fault_in_the_check_is_an_internal_error_with_its_traceback() -> None:
    with pytest.raises(RuntimeError) as exc:
        check_workbook(SAMPLE, _faulty)
    assert "ValueError: a fault in reporter's own check" in str(exc.value)
    assert any("raise ValueError" in note for note in exc.value.__notes__)


@pytest.mark.skipif(not child.FORKS, reason="the values are counted only when they would cross")
def test_a_fault_of_reporters_own_code_while_reading_is_not_the_files(monkeypatch) -> None:
    """Outside python-calamine (whose failures the reader reports as the file's), a fault in
    the reader's own loop is reporter's: an internal error, not a damaged file."""
    from reporter.read import calamine

    def faulty(item):
        raise TypeError("a fault in reporter's own reading loop")

    monkeypatch.setattr(calamine, "sent_size", faulty)  # the reader counts each sheet's rows
    with pytest.raises(RuntimeError) as exc:
        check_workbook(SAMPLE, _never_called)
    assert "TypeError: a fault in reporter's own reading loop" in str(exc.value)


_PREPARED: list[str] = []


def _prepare() -> None:
    _PREPARED.append("ready")


def _prepared(raw) -> list[str]:
    return list(_PREPARED)


def test_what_prepare_makes_ready_is_there_for_the_check() -> None:
    assert check_workbook(SAMPLE, _prepared, prepare=_prepare) == ["ready"]


def _map(size: int):
    def check(raw) -> bool:
        bytes(size)  # calloc'd: address space, not touched pages
        return True
    return check


@pytest.mark.skipif(sys.platform != "linux", reason="the cell reader's ceiling is Linux's")
def test_the_check_has_room_beyond_the_reading_ceiling_and_a_ceiling_of_its_own() -> None:
    """Checking a workbook at the cell limit takes about 1 GiB in the reader's process, on
    top of what reading took; past that, the file is refused as too large, not a crash."""
    from reporter.read.calamine import CHECK_MEMORY
    from reporter.read.child import CHILD_MEMORY

    assert check_workbook(SAMPLE, _map(CHILD_MEMORY + CHECK_MEMORY // 2)) is True
    past = CHILD_MEMORY + CHECK_MEMORY + 256 * 2**20  # the ceiling counts from the start
    code, message = _refusal(lambda: check_workbook(SAMPLE, _map(past)))
    assert code == "too-much-text" and message.startswith("checking the cells needs more than")


def _aborts(raw) -> None:
    os.abort()  # as an allocation that fails in Rust (pydantic-core's) does


def _killed(raw) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _unpicklable(raw):
    return lambda: None


@pytest.mark.skipif(sys.platform != "linux", reason="the cell reader is a child on Linux")
def test_a_check_that_stops_is_not_blamed_on_the_file() -> None:
    """Once every sheet is read, the file has passed: the check running out of memory in
    Rust (an abort) is said as checking's, and any other end (a result that cannot cross,
    a kill) is reporter's own failure, not a damaged file."""
    code, message = _refusal(lambda: check_workbook(SAMPLE, _aborts))
    assert code == "too-much-text" and message.startswith("checking the cells needs more than")
    for check in (_killed, _unpicklable):
        with pytest.raises(RuntimeError, match="checking the cells"):
            check_workbook(SAMPLE, check)


def _read_refused_at(limit: int, monkeypatch) -> bool:
    monkeypatch.setitem(LIMITS, "values_bytes", limit)
    try:
        read_workbook(SAMPLE)
    except InputError as exc:
        assert exc.code == "too-much-text"
        return True
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="the values cross from a child on Linux")
def test_check_workbook_refuses_past_the_values_limit_exactly_as_read_workbook(
        monkeypatch) -> None:
    """The rows do not cross when they are checked where they were read, but the limit on
    what they would take crossing is the same: `validate` refuses the files `build` does,
    in the same words, and no other."""
    low, high = 0, 2**24  # read_workbook refuses at low and accepts at high
    assert _read_refused_at(low, monkeypatch) and not _read_refused_at(high, monkeypatch)
    while high - low > 1:
        middle = (low + high) // 2
        if _read_refused_at(middle, monkeypatch):
            low = middle
        else:
            high = middle
    monkeypatch.setitem(LIMITS, "values_bytes", low)
    assert _refusal(lambda: check_workbook(SAMPLE, _never_called)) == _refusal(
        lambda: read_workbook(SAMPLE))
    monkeypatch.setitem(LIMITS, "values_bytes", high)
    assert check_workbook(SAMPLE, _prepared) == list(_PREPARED)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the cell reader's ceiling is Linux's")
def test_a_long_text_in_thousands_of_cells_is_not_called_damaged(tmp_path: Path) -> None:
    """Fewer copies than the test above: python-calamine fails to make a Python text at its
    ceiling and panics ("PyObject pointer is null") rather than raising MemoryError. The
    file is not damaged; it needs more memory than reporter allows, in either mode."""
    path = _shared_string_bomb(tmp_path, 9_000)
    for read in (lambda: read_workbook(path), lambda: check_workbook(path, _never_called)):
        code, message = _refusal(read)
        assert code == "too-much-text" and message.startswith(
            "reading the cells needs more than 1 GiB of memory"), message


class _FailingAtTheCeiling:
    """python-calamine as it fails when its process reaches the memory ceiling: with
    MemoryError, or, making a Python object, with a panic that does not say why."""

    error: BaseException = MemoryError("cannot allocate")

    @classmethod
    def from_filelike(cls, _):
        blocks = []
        try:
            while True:
                blocks.append(bytes(2**20))  # calloc'd: address space, not touched pages
        except MemoryError:
            pass
        del blocks
        raise cls.error


@pytest.mark.skipif(sys.platform != "linux", reason="the cell reader's ceiling is Linux's")
@pytest.mark.parametrize("error", [MemoryError("cannot allocate"),
                                   ValueError("PyObject pointer is null")])
def test_reading_past_the_ceiling_is_said_as_such(monkeypatch, error: BaseException) -> None:
    import python_calamine as pc

    from reporter.read import child

    monkeypatch.setattr(child, "CHILD_MEMORY", 256 * 2**20)
    monkeypatch.setattr(_FailingAtTheCeiling, "error", error)
    monkeypatch.setattr(pc, "CalamineWorkbook", _FailingAtTheCeiling)
    for read in (lambda: read_workbook(SAMPLE), lambda: check_workbook(SAMPLE, _never_called)):
        code, message = _refusal(read)
        assert code == "too-much-text" and message.startswith(
            "reading the cells needs more than"), message


def test_what_the_check_of_the_parts_finds_in_the_shared_strings_reaches_the_cells(
        tmp_path: Path) -> None:
    """The parts are checked in the scan's process: that a shared text may hold a control
    character (Excel's `_x001B_`) must still reach the cell check, in both readers."""
    from reporter.validate import validate_file

    raw = read_workbook(SAMPLE)
    rows = raw.sheets["Agreements"].rows
    title = rows[1][rows[0].index("Title")]
    shared = f"<t>{title}</t>".encode()
    parts = []
    for info, blob in _sample_parts():
        if info.filename == "xl/sharedStrings.xml":
            assert blob.count(shared) == 1
            blob = blob.replace(shared, f"<t>{title}_x001B_[31m</t>".encode())
        parts.append((info, blob))
    path = _rezip(tmp_path / "esc.xlsx", parts)
    for records in (True, False):  # read here, or checked where it was read
        report = validate_file(path, records=records).report
        found = [(p.code, p.sheet, p.cell) for p in report.problems
                 if p.code == "control-characters"]
        assert found == [("control-characters", "Agreements", f"{letter('Agreements', 'Title')}2")
                         ], (records, found)


# reporter run with a lower ceiling for its children (they take it when they fork)
_LOW_CEILING = ("import sys\nfrom reporter.read import child\nchild.CHILD_MEMORY = 32 * 2**20\n"
                "from reporter.entry import main\nsys.argv[0] = 'reporter'\nmain()\n")


def test_an_enormous_text_in_another_part_is_said_to_need_memory(tmp_path: Path) -> None:
    """The other parts are checked in the scan's process, under its memory ceiling: expat
    running out there on one enormous attribute is a memory refusal, not damage. (In a
    fresh process with a lower ceiling: the ceiling counts address space, which a long-lived
    process's free heap would lend.)"""
    parts = []
    for info, blob in _sample_parts():
        if info.filename == "docProps/app.xml":
            blob = blob.replace(b"<Application>", b'<Application x="' + b"x" * 80_000_000
                                + b'">', 1)
            assert len(blob) > 80_000_000
        parts.append((info, blob))
    path = _rezip(tmp_path / "big.xlsx", parts, zipfile.ZIP_STORED)  # no zip bomb
    for args in (["validate", path], ["build", path, "--out", tmp_path / "out", "-q"]):
        r = subprocess.run([sys.executable, "-c", _LOW_CEILING, *map(str, args)],
                           capture_output=True, text=True, timeout=120)
        text = " ".join(r.stderr.split())
        assert r.returncode == 2, (args[0], r.returncode, text)
        assert "needs more memory" in text and "docProps/app.xml" in text, (args[0], text)
        assert "not well-formed" not in text and "Traceback" not in text
