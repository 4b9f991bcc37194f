"""The check of the largest sheet shared with a second process (reporter/read/shared.py).

A check made of numbered pieces, each recording which process did it, shows the
mechanism: every piece done exactly once, by one process or the other, and the first
process doing what the second could not. Validation's own use of it (the same report)
is tested in test_validate.py and, on every hostile file, in test_corpus.py.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reporter.read import SharedCheck, check_workbook, child, open_package, read_workbook, shared
from tests.conftest import SAMPLE, add_row

PIECES = 6

pytestmark = pytest.mark.skipif(not child.FORKS, reason="a second process needs fork")


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


@pytest.fixture
def shares(monkeypatch) -> None:
    monkeypatch.setattr(shared, "SHARED_CELLS", 0)  # the sample's largest sheet is shared


def test_every_piece_is_done_once_by_one_of_two_processes(shares) -> None:
    out = check_workbook(SAMPLE, _whole, shared=_check())
    pid, theirs, rows = out["theirs"]
    assert out["pid"] != os.getpid() and pid not in (os.getpid(), out["pid"])
    assert sorted(out["mine"] + theirs) == list(range(PIECES))
    # the second process made its own rows of that sheet, the same ones
    assert rows == len(out["rows"][out["sheet"]])


def test_the_shared_sheet_is_the_largest_and_rows_come_in_the_workbooks_order(shares) -> None:
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


def test_a_check_with_no_pieces_on_the_sheet_is_not_shared(shares) -> None:
    assert check_workbook(SAMPLE, _whole, shared=_check(pieces=0))["sheet"] is None


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
def test_a_second_process_that_fails_leaves_its_pieces_to_the_first(shares, monkeypatch,
                                                                    tmp_path: Path, share) -> None:
    monkeypatch.setattr(child, "STALL_SECONDS", 1.0)
    monkeypatch.setenv("REPORTER_TEST_PID", str(tmp_path / "pid"))
    out = check_workbook(SAMPLE, _whole, shared=_check(share))
    assert out["theirs"] is None
    # the piece the second took, if it was first, is gone from the pipe: the first took the
    # others, and its caller (validation) does the rest itself (test_validate.py)
    assert len(set(out["mine"])) == len(out["mine"]) >= PIECES - 1


def test_no_process_is_left_behind(shares, monkeypatch, tmp_path: Path) -> None:
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


def test_without_fork_nothing_is_shared(monkeypatch, shares) -> None:
    monkeypatch.setattr(child, "FORKS", False)
    out = check_workbook(SAMPLE, _whole, shared=_check())
    assert out["sheet"] is None and out["pid"] == os.getpid()


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
