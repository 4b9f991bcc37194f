"""The check of the largest sheet shared with a second process (read/shared.py): whatever
the second process does, `validate` says what one process would have said."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from reporter.errors import InputError
from reporter.read import child, shared
from reporter.template import write_workbook
from reporter.validate import validate_file

pytestmark = pytest.mark.skipif(not child.FORKS, reason="fork is used on Linux only")


@pytest.fixture(autouse=True)
def _guard():
    """A hang fails the test (a minute's alarm) instead of stopping the suite."""
    signal.alarm(60)
    yield
    signal.alarm(0)


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


@pytest.mark.parametrize("how", ["raises", "dies", "exits", "unpicklable", "no memory"])
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


def test_the_values_limit_refuses_exactly_what_build_refuses(tmp_path, monkeypatch,
                                                             sharing) -> None:
    """The rows are held to the values limit where the check is shared as where it is not:
    at the last size `build` refuses, and the first it reads."""
    from reporter.read import read_workbook
    from reporter.schema import LIMITS, READ_SHEETS

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
