"""A job in a child process: its results come back, and a child that dies or hangs
cannot take reporter with it."""

from __future__ import annotations

import os
import signal
import time

import pytest

from reporter.read import child
from reporter.read.child import Child, ChildDied

pytestmark = pytest.mark.skipif(not child.FORKS, reason="fork is used on Linux only")


@pytest.fixture(autouse=True)
def _guard():
    """A hang fails the test (a minute's alarm) instead of stopping the suite."""
    signal.alarm(60)
    yield
    signal.alarm(0)


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
