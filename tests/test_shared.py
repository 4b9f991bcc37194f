"""The check of the largest sheet shared with a second process (read/shared.py).

A check made of numbered pieces, each recording which process did it, shows the
mechanism: every piece done exactly once, by one process or the other, and the first
process doing what the second could not. Whatever the second process does, `validate`
says what one process would have said (below, and on every hostile file in
test_corpus.py).
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.errors import InputError
from reporter.read import SharedCheck, check_workbook, child, open_package, read_workbook, shared
from reporter.template import write_workbook
from reporter.validate import validate_file
from tests.conftest import SAMPLE, add_row

pytestmark = [pytest.mark.skipif(not child.FORKS, reason="fork is used on Linux only"),
              pytest.mark.usefixtures("hang_alarm")]


@pytest.fixture
def sharing(monkeypatch) -> None:
    """Every sheet large enough to share, however small."""
    monkeypatch.setattr(shared, "SHARED_CELLS", 1)


def _register(tmp_path: Path, rows: int = 300) -> Path:
    """Agreements (the largest part) with problems in shared and unshared columns."""
    meetings = [{"meeting_id": f"M{i}", "title": "t", "kind": "forum", "counterpart": "c"}
                for i in range(5)]
    agreements = [{"agreement_id": f"A{i}", "meeting_id": f"M{i % 7}", "title": "x",
                   "party_a": "p", "kind": "weird" if i % 3 == 0 else "agreement",
                   "signed_on": "32/13/2020" if i % 4 == 0 else None,
                   "status": "zzz" if i % 2 else "signed", "source": "nosuch" if i % 5 == 0
                   else None} for i in range(rows)]
    return write_workbook(tmp_path / "register.xlsx",
                          {"Meetings": meetings, "Agreements": agreements}, force=True)


def _outcome(path: Path, records: bool) -> object:
    try:
        return json.dumps(validate_file(path, records=records).report.to_dict(),
                          sort_keys=True, default=str)
    except InputError as exc:
        return exc.code, exc.message


def _second_does(monkeypatch, tmp_path: Path, job) -> Path:
    """The second process's part replaced by `job(raw, sheet, take, real)`; the file
    returned is written when the second process starts on it."""
    from reporter.validate import workbook

    real, started = workbook.share, tmp_path / "second-started"

    def share(raw, sheet, take, **kw):
        started.write_text(sheet)
        return job(raw, sheet, take, lambda: real(raw, sheet, take, **kw))

    monkeypatch.setattr(workbook, "share", share)
    return started


def test_a_failure_to_prepare_is_reporters_not_the_files(tmp_path, monkeypatch,
                                                        sharing) -> None:
    """What `prepare` raises is reporter's own failure (exit 4), shared or not: the
    workbook is not called damaged."""
    import reporter.validate as validate

    def broken(*_):
        raise RuntimeError("the fact base broke")

    monkeypatch.setattr(validate, "_prepare", broken)
    path = _register(tmp_path)
    with pytest.raises(RuntimeError, match="the fact base broke"):
        validate_file(path, records=False)


def test_a_second_process_slower_than_the_stall_is_waited_for(tmp_path, monkeypatch,
                                                              sharing) -> None:
    """While the reader waits for a second process that works, the reader is not stuck."""
    monkeypatch.setattr(child, "STALL_SECONDS", 2.0)

    def slow(raw, sheet, take, real):
        end = time.monotonic() + 5
        while time.monotonic() < end:  # busy, as a long column keeps it
            pass
        return real()

    started = _second_does(monkeypatch, tmp_path, slow)
    path = _register(tmp_path)
    assert _outcome(path, records=False) == _outcome(path, records=True)
    assert started.read_text() == "Agreements"


def test_a_second_process_that_hangs_is_stopped_and_its_columns_checked(
        tmp_path, monkeypatch, sharing) -> None:
    monkeypatch.setattr(child, "STALL_SECONDS", 2.0)

    def hangs(raw, sheet, take, real):
        take()
        time.sleep(3600)

    started = _second_does(monkeypatch, tmp_path, hangs)
    path = _register(tmp_path)
    for _ in range(3):  # the reader's watch and reporter's must not race
        assert _outcome(path, records=False) == _outcome(path, records=True)
    assert started.read_text() == "Agreements"
    assert started.read_text() == "Agreements"


@pytest.mark.parametrize("how", ["raises", "dies", "exits", "unpicklable", "no memory",
                                 "wrong result"])
def test_a_second_process_that_fails_leaves_its_columns_to_the_first(
        tmp_path, monkeypatch, sharing, how: str) -> None:
    def fails(raw, sheet, take, real):
        while take() is not None:  # every column taken, none checked
            pass
        if how == "raises":
            raise ValueError("a bug")
        if how == "dies":
            os.kill(os.getpid(), signal.SIGKILL)
        if how == "exits":
            os._exit(0)
        if how == "unpicklable":
            return lambda: None
        if how == "wrong result":  # a bug: something that pickles, but is not a Share
            return {"findings": [], "refused": set()}
        blocks = []
        while True:
            blocks.append(bytearray(2**24))

    started = _second_does(monkeypatch, tmp_path, fails)
    path = _register(tmp_path)
    assert _outcome(path, records=False) == _outcome(path, records=True)
    assert started.read_text() == "Agreements"


def test_without_fork_no_second_process_is_made(tmp_path, monkeypatch, sharing) -> None:
    """Without fork a Child runs its job here, when its items are read: a second process
    would make the largest sheet's rows a second time in this process, for nothing."""
    made = []
    real = shared.Child

    def counted(*args, **kwargs):
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(shared, "Child", counted)
    path = _register(tmp_path)
    want = _outcome(path, records=True)
    monkeypatch.setattr(child, "FORKS", False)
    assert _outcome(path, records=False) == want
    assert made == []


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_reporter_stopped_stops_both_readers(tmp_path, how: signal.Signals) -> None:
    """reporter killed (or interrupted) while the second process works: the cell reader and
    its second process end too, nothing is left checking for nobody."""
    import subprocess
    import sys

    path, pids = _register(tmp_path), tmp_path / "pids"
    code = f"""if True:
        import os, time
        from reporter.read import shared
        from reporter.validate import validate_file, workbook
        shared.SHARED_CELLS = 1
        def share(raw, sheet, take, **kw):
            with open({str(pids)!r}, "w") as f:
                f.write(f"{{os.getppid()}} {{os.getpid()}}")
            while True:  # busy: neither process is stopped as stuck
                pass
        workbook.share = share
        validate_file({str(path)!r}, records=False)
    """
    run = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    try:
        while not (pids.exists() and pids.read_text()):
            assert run.poll() is None, "reporter ended before the second process started"
            time.sleep(0.05)
        reader, second = map(int, pids.read_text().split())
        assert not _gone(reader) and not _gone(second)
        run.send_signal(how)
        assert run.wait(30) != 0
        deadline = time.monotonic() + 20
        while not (_gone(reader) and _gone(second)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(reader) and _gone(second)
    finally:
        run.kill()
        run.wait()


def test_no_second_process_to_be_had_the_reader_checks_alone(tmp_path, monkeypatch,
                                                              sharing) -> None:
    import errno

    def refused(*_, **__):
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    path = _register(tmp_path)
    want = _outcome(path, records=True)
    monkeypatch.setattr(shared, "Child", refused)
    assert _outcome(path, records=False) == want


@pytest.mark.parametrize("second", ["measures", "fails before measuring"])
def test_the_values_limit_refuses_exactly_what_build_refuses(tmp_path, monkeypatch,
                                                             sharing, second: str) -> None:
    """The rows are held to the values limit where the check is shared as where it is not:
    at the last size `build` refuses, and the first it reads; whether the second process
    measures the last sheet's rows or the reader must (the second failed first)."""
    from reporter.read import calamine, read_workbook
    from reporter.schema import LIMITS, READ_SHEETS

    log = tmp_path / "measured"  # one line each time the second process measures
    log.touch()
    if second == "fails before measuring":
        def measure(rows):
            raise RuntimeError("a fault in the second process")
    else:
        def measure(rows, measure=calamine._Sent.measure):
            with log.open("a") as out:
                out.write(f"{os.getpid()}\n")
            return measure(rows)
    monkeypatch.setattr(calamine._Sent, "measure", staticmethod(measure))
    path = _register(tmp_path)

    def refused_at(limit: int) -> bool:
        monkeypatch.setitem(LIMITS, "values_bytes", limit)
        try:
            read_workbook(path, sheets=READ_SHEETS)
        except InputError:
            return True
        return False

    low, high = 0, 2**24
    assert refused_at(low) and not refused_at(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if refused_at(middle) else (low, middle)
    outcomes = []
    for limit in (low, high):
        monkeypatch.setitem(LIMITS, "values_bytes", limit)
        outcomes.append(_outcome(path, records=False))
        assert outcomes[-1] == _outcome(path, records=True)
    assert outcomes[0][0] == "too-much-text" and outcomes[1].startswith("{")
    pids = log.read_text().split()
    assert len(pids) == (2 if second == "measures" else 0)  # once in each shared check
    assert str(os.getpid()) not in pids


# --- the mechanism, with a check of numbered pieces ----------------------------------------

PIECES = 6


def _share(raw, sheet: str, take) -> tuple[int, list[int], int]:
    got = []
    while (k := take()) is not None:
        got.append(k)
    return os.getpid(), got, len(raw.sheets[sheet].rows)


def _rest(raw, sheet: str, take, theirs) -> dict:
    mine = []
    while (k := take()) is not None:
        mine.append(k)
    return {"pid": os.getpid(), "sheet": sheet, "mine": mine, "theirs": theirs(),
            "rows": {name: s.rows for name, s in raw.sheets.items()}}


def _whole(raw) -> dict:
    return {"pid": os.getpid(), "sheet": None, "rows": {n: s.rows for n, s in raw.sheets.items()}}


def _check(share=_share, pieces: int = PIECES) -> SharedCheck:
    return SharedCheck(lambda sheet: pieces, share, _rest)


def test_every_piece_is_done_once_by_one_of_two_processes(sharing) -> None:
    out = check_workbook(SAMPLE, _whole, shared=_check())
    pid, theirs, rows = out["theirs"]
    assert out["pid"] != os.getpid() and pid not in (os.getpid(), out["pid"])
    assert sorted(out["mine"] + theirs) == list(range(PIECES))
    # the second process made its own rows of that sheet, the same ones
    assert rows == len(out["rows"][out["sheet"]])


def test_the_shared_sheet_is_the_largest_and_rows_come_in_the_workbooks_order(sharing) -> None:
    out = check_workbook(SAMPLE, _whole, shared=_check())
    raw = read_workbook(SAMPLE)
    assert out["rows"] == {name: s.rows for name, s in raw.sheets.items()}
    assert list(out["rows"]) == list(raw.sheets)
    with open_package(SAMPLE) as package:
        size = {s.name: package.archive.infos[s.part].file_size for s in package.sheets}
    assert size[out["sheet"]] == max(size.values())


def test_a_sheet_below_the_size_is_checked_by_one_process() -> None:
    out = check_workbook(SAMPLE, _whole, shared=_check())
    assert out["sheet"] is None and out["pid"] != os.getpid()


def test_a_check_with_no_pieces_on_the_sheet_is_not_shared(sharing) -> None:
    assert check_workbook(SAMPLE, _whole, shared=_check(pieces=0))["sheet"] is None


def _out_of_memory(raw, sheet: str, take, theirs):
    theirs()
    raise MemoryError


@pytest.mark.parametrize("past", [True, False])
def test_a_check_out_of_memory_on_values_past_the_limit_is_refused_for_the_values(
        sharing, monkeypatch, past: bool) -> None:
    """The second process measures the shared sheet's rows while the first checks: a check
    that runs out of memory first is refused as `build` refuses the file, for its values,
    when they are past the limit; else for the memory checking needs."""
    from reporter.schema import LIMITS

    def refusal() -> tuple[str, str]:
        try:
            check_workbook(SAMPLE, _whole,
                           shared=SharedCheck(lambda sheet: PIECES, _share, _out_of_memory))
        except InputError as exc:
            return exc.code, exc.message
        raise AssertionError("not refused")

    def read_refused() -> bool:
        try:
            read_workbook(SAMPLE)
        except InputError:
            return True
        return False

    from reporter.read.child import END, sent_size

    # Just below what every sheet's rows take: only the last (the largest, shared) tips it.
    total = sum(sent_size(("rows", s.rows)) for s in read_workbook(SAMPLE).sheets.values())
    monkeypatch.setitem(LIMITS, "values_bytes", total + sent_size(END) - (1 if past else 0))
    assert read_refused() is past
    code, message = refusal()
    assert code == "too-much-text"
    assert message.startswith("the workbook's cells hold more than" if past
                              else "checking the cells needs more than"), message


def _raises(raw, sheet, take):
    take()
    raise ValueError("a fault in the second process")


def _killed(raw, sheet, take):
    take()
    os.kill(os.getpid(), signal.SIGKILL)


def _hangs(raw, sheet, take):
    Path(os.environ["REPORTER_TEST_PID"]).write_text(str(os.getpid()))
    take()
    time.sleep(60)


def _unpicklable(raw, sheet, take):
    take()
    return lambda: None


@pytest.mark.parametrize("share", [_raises, _killed, _hangs, _unpicklable],
                         ids=["raises", "killed", "hangs", "unpicklable"])
def test_a_second_process_that_fails_leaves_its_pieces_to_the_first(sharing, monkeypatch,
                                                                    tmp_path: Path, share) -> None:
    monkeypatch.setattr(child, "STALL_SECONDS", 1.0)
    monkeypatch.setenv("REPORTER_TEST_PID", str(tmp_path / "pid"))
    out = check_workbook(SAMPLE, _whole, shared=_check(share))
    assert out["theirs"] is None
    # the piece the second took, if it was first, is gone from the pipe: the first took the
    # others, and its caller (validation) does the rest itself (test_validate.py)
    assert len(set(out["mine"])) == len(out["mine"]) >= PIECES - 1


def test_no_process_is_left_behind(sharing, monkeypatch, tmp_path: Path) -> None:
    """Not the reader (this process's child), nor the second process (the reader's)."""
    monkeypatch.setattr(child, "STALL_SECONDS", 1.0)
    monkeypatch.setenv("REPORTER_TEST_PID", str(tmp_path / "pid"))
    before = _children()
    check_workbook(SAMPLE, _whole, shared=_check(_hangs))
    assert _children() == before
    second = Path("/proc") / (tmp_path / "pid").read_text()
    for _ in range(50):  # killed with the reader; gone once its new parent reaps it
        if not second.exists() or _state(second) == "Z":
            break
        time.sleep(0.1)
    assert not second.exists() or _state(second) == "Z"


def _state(proc: Path) -> str:
    try:
        return (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_build_reads_the_rows_in_the_workbooks_order_whatever_their_size(tmp_path: Path
                                                                          ) -> None:
    """The largest part is read last, for `build` too; the rows come back in order."""
    wb = load_workbook(SAMPLE)
    for i in range(300):  # Meetings, the first sheet, becomes the largest part
        add_row(wb["Meetings"], {"Meeting ID": f"M-{i:04d}", "Title": "x" * 200})
    path = tmp_path / "big-first.xlsx"
    wb.save(path)
    raw = read_workbook(path)
    assert list(raw.sheets) == wb.sheetnames
    assert [r[0] for r in raw.sheets["Meetings"].rows[-300:]] == [f"M-{i:04d}" for i in range(300)]


def _children() -> set[int]:
    """The processes whose parent is this one."""
    me, out = str(os.getpid()), set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me:
                out.add(int(entry.name))
    return out


def test_the_longest_columns_are_shared_first() -> None:
    """Columns are handed out the likeliest to take longest first; every kind has its place
    in that order, and every column that needs only its own cells is shared, once."""
    from reporter.schema import DATA_SHEETS, Kind
    from reporter.validate.workbook import _WORK, shareable

    assert sorted(_WORK) == sorted(Kind)
    for spec in DATA_SHEETS:
        spare = shareable(spec)
        kinds = [spec.column(f).kind for f in spare]
        assert [_WORK.index(k) for k in kinds] == sorted(_WORK.index(k) for k in kinds)
        assert len(set(spare)) == len(spare)
        assert spec.id_column is None or spec.id_column.field not in spare
    agreements = shareable(next(s for s in DATA_SHEETS if s.name == "Agreements"))
    assert agreements[0] == "focus_areas" and agreements[-1] == "source"
