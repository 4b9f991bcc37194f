"""A job in a child process: its results come back, and a child that dies or hangs
cannot take reporter with it."""

from __future__ import annotations

import os
import signal
import time

import pytest

from reporter.read import child
from reporter.read.child import Child, ChildDied

pytestmark = [pytest.mark.skipif(not child.FORKS, reason="fork is used on Linux only"),
              pytest.mark.usefixtures("hang_alarm")]


def test_results_come_back_in_order() -> None:
    with Child(lambda: (("n", i) for i in range(5))) as job:
        assert [payload for _, payload in job.items()] == [0, 1, 2, 3, 4]


def test_a_child_that_dies_is_reported() -> None:
    def job():
        yield ("n", 1)
        os.abort()  # as a failed allocation in Rust does

    with Child(job) as job_, pytest.raises(ChildDied) as exc:
        list(job_.items())
    assert exc.value.signal == signal.SIGABRT


def test_a_child_that_hangs_is_stopped(monkeypatch) -> None:
    """It sends nothing and uses no CPU (as python-calamine did, deadlocked in its own panic
    handler at the memory ceiling): it is stopped, not waited for."""
    monkeypatch.setattr(child, "STALL_SECONDS", 2.0)

    def job():
        time.sleep(3600)
        yield ("n", 1)

    with Child(job) as job_, pytest.raises(ChildDied) as exc:
        list(job_.items())
    assert exc.value.signal == signal.SIGKILL


def test_a_child_waiting_for_a_process_of_its_own_that_works_is_not_stopped(monkeypatch) -> None:
    """The cell reader waits for the second process it started (shared.py): while that one
    uses CPU, neither is stuck."""
    monkeypatch.setattr(child, "STALL_SECONDS", 2.0)

    def busy():
        end = time.monotonic() + 5
        while time.monotonic() < end:
            pass
        yield ("done", 1)

    def job():
        with Child(busy) as second:
            yield from second.items()

    with Child(job) as job_:
        assert list(job_.items()) == [("done", 1)]


def test_a_child_may_be_given_less_time_to_stand_still(monkeypatch) -> None:
    """Past the guard's minute, were its own time ignored."""
    monkeypatch.setattr(child, "STALL_SECONDS", 3600.0)

    def job():
        time.sleep(3600)
        yield ("n", 1)

    with Child(job, stall_seconds=1.0) as job_, pytest.raises(ChildDied) as exc:
        list(job_.items())
    assert exc.value.signal == signal.SIGKILL


def test_the_child_cannot_take_more_memory_than_its_ceiling(monkeypatch) -> None:
    monkeypatch.setattr(child, "CHILD_MEMORY", 256 * 2**20)

    def job():
        blocks = []
        while True:
            blocks.append(bytearray(64 * 2**20))
            yield ("n", len(blocks))

    with Child(job) as job_:
        kinds = [kind for kind, _ in job_.items()]
    assert kinds[-1] == "error" and len(kinds) < 8


@pytest.mark.parametrize("forks", [True, False], ids=["child", "without fork"])
def test_a_job_with_an_inbox_gets_what_the_parent_sends(monkeypatch, forks: bool) -> None:
    """An item reaches the parent as soon as it is made, even while the job then waits for
    the parent: otherwise the two would wait for each other (and the stall watch fire)."""
    monkeypatch.setattr(child, "FORKS", forks)

    def job(receive):
        yield ("ready", os.getpid())
        yield ("got", receive())

    with Child(job, inbox=True) as job_:
        items = job_.items()
        kind, pid = next(items)
        assert kind == "ready" and (pid != os.getpid()) is forks
        job_.send({"scans": [1, 2]})
        assert next(items) == ("got", {"scans": [1, 2]})


def test_without_fork_an_empty_inbox_gives_none(monkeypatch) -> None:
    monkeypatch.setattr(child, "FORKS", False)
    with Child(lambda receive: [("got", receive())], inbox=True) as job_:
        assert list(job_.items()) == [("got", None)]


def test_sending_to_a_child_that_has_stopped_is_not_an_error() -> None:
    """The cell reader stops without reading its inbox when the file is damaged; what it said
    is read from its items, and the parent's send must not fail first."""
    with Child(lambda receive: [("error", ("CalamineError", "bad"))], inbox=True) as job_:
        items = job_.items()
        assert next(items) == ("error", ("CalamineError", "bad"))
        for _ in range(500):  # until it has exited (a zombie: its pipe and inbox are closed)
            with open(f"/proc/{job_.pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
            time.sleep(0.01)
        job_.send(b"x" * 2**20)  # more than the inbox holds: written to no reader
        assert list(items) == []


def test_more_memory_raises_the_ceiling_of_a_child_only(monkeypatch) -> None:
    """A child may be given more room once what it read has passed its checks; called in
    reporter's own process, it changes nothing."""
    import resource

    monkeypatch.setattr(child, "CHILD_MEMORY", 256 * 2**20)
    before = resource.getrlimit(resource.RLIMIT_AS)
    child.more_memory(2**30)
    assert resource.getrlimit(resource.RLIMIT_AS) == before

    def job():
        try:  # calloc'd: address space, not touched pages
            bytes(512 * 2**20)
            yield ("before", "fits")
        except MemoryError:
            yield ("before", "refused")
        child.more_memory(2**30)
        bytes(512 * 2**20)
        yield ("after", "fits")

    with Child(job) as job_:
        assert list(job_.items()) == [("before", "refused"), ("after", "fits")]


def test_a_child_that_hangs_before_reading_its_inbox_is_stopped(monkeypatch) -> None:
    """The parent sends the scan's findings while the cell reader may still be reading; if
    the reader hangs there, a send larger than the inbox holds must not wait for ever."""
    monkeypatch.setattr(child, "STALL_SECONDS", 2.0)

    def job(receive):
        time.sleep(3600)
        yield ("got", receive())

    with Child(job, inbox=True) as job_:
        job_.send(b"x" * 2**20)
        with pytest.raises(ChildDied) as exc:
            list(job_.items())
    assert exc.value.signal == signal.SIGKILL


def test_sending_to_a_stopped_child_never_raises_sigpipe() -> None:
    """Many command-line programs restore SIGPIPE's default (to end quietly under `| head`);
    in one, a send to a child that has stopped must not kill the program, as writing to a
    pipe with no reader would. Run in a process of its own: the fault ends the process."""
    import subprocess
    import sys

    code = """if True:
        import signal, time
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        from reporter.read.child import Child
        with Child(lambda receive: [("error", "bad")], inbox=True) as job:
            items = job.items()
            assert next(items) == ("error", "bad")
            time.sleep(0.5)  # it exits meanwhile: nobody reads its inbox
            job.send(b"x" * 2**20)
            assert list(items) == []
        print("survived")
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=50)
    assert (done.returncode, done.stdout.strip()) == (0, "survived"), done.stderr


def test_a_child_keeps_ignoring_ctrl_c_when_reporter_does() -> None:
    """A program started in the background by a script ignores Ctrl-C (SIGINT is ignored
    for it); its children must too, or Ctrl-C in the terminal would stop them under it and
    reporter would report a damaged file or a bug."""
    def job():
        os.kill(os.getpid(), signal.SIGINT)
        yield ("alive", True)

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with Child(job) as job_:
            assert list(job_.items()) == [("alive", True)]
    finally:
        signal.signal(signal.SIGINT, previous)
    with Child(job) as job_, pytest.raises(ChildDied) as exc:  # otherwise: Ctrl-C stops it
        list(job_.items())
    assert exc.value.signal == signal.SIGINT


def test_a_child_stops_when_reporter_is_killed() -> None:
    """Killed from outside, reporter closes nothing: its children must not read and check
    on for nobody (seconds of CPU and up to 2 GiB each on a large workbook)."""
    import subprocess
    import sys

    code = """if True:
        import time
        from reporter.read.child import Child
        def job():
            import os
            yield ("pid", os.getpid())
            while True:  # busy: it would never notice that nobody reads
                pass
        job_ = Child(job)
        print(next(job_.items())[1], flush=True)
        time.sleep(3600)
    """
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          text=True) as program:
        assert program.stdout is not None
        pid = int(program.stdout.readline())
        program.kill()
    for _ in range(500):  # gone, or a zombie waiting for init to collect it
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.02)
    else:
        os.kill(pid, signal.SIGKILL)
        pytest.fail("the child went on after reporter was killed")


def test_no_process_to_be_had_leaves_nothing_open(monkeypatch) -> None:
    """fork failing (EAGAIN: too many processes) raises, with no pipe or socket left open."""
    import errno
    import os

    def no_fork() -> int:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    before = set(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_fork)
    for inbox in (False, True):
        with pytest.raises(OSError):
            Child(lambda *_: iter(()), inbox=inbox)
    assert set(os.listdir("/proc/self/fd")) == before
