"""Run a piece of the read in a forked child process, with a memory ceiling.

Reading a large workbook is two long jobs that hold Python's lock: scanning the
sheets (sheetscan.py) and python-calamine turning them into rows. In two child
processes they run side by side, and whatever a hostile file makes either do (an
allocation of gigabytes, a crash in Rust), the child pays, not reporter: its
address space is capped (RLIMIT_AS), and a child that dies is reported. Results
come back pickled through a pipe; the child is this same program, so the pickle
is trusted. A job that needs something only known later (the cell reader waits for
the scan's verdict) takes an inbox: what the parent sends, it receives, in order. The
inbox is a socket, not a pipe, so that sending to a child that has stopped fails
quietly (MSG_NOSIGNAL) even in a program that lets SIGPIPE end it, as many do.
Where there is no fork (not Linux), the job runs here instead.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import os
import pickle
import select
import signal
import socket
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

#: Each child's ceiling, above the address space it starts with.
CHILD_MEMORY = 2**30
FORKS = sys.platform == "linux"


class Child:
    """`job()`'s items, produced in a child process (or here, without fork).

    With `inbox=True` the job is called as `job(receive)`: `receive()` returns the next
    item the parent `send`s, or None once the parent will send nothing more (without fork,
    once it has sent nothing more by the time the job asks: send before reading items)."""

    def __init__(self, job: Callable[..., Iterable[Any]], *, cpu_seconds: int | None = None,
                 inbox: bool = False, stall_seconds: float | None = None):
        self.job = job
        self.cpu_seconds = cpu_seconds  # a ceiling on the child's CPU time, if any
        #: how long it may stand still before it is stopped (STALL_SECONDS unless told)
        self.stall_seconds = stall_seconds
        self.inbox = inbox
        self.pid = 0
        self.pipe: BinaryIO | None = None
        self.outbox: socket.socket | None = None  # to the child's inbox (non-blocking)
        self.sent: deque[Any] = deque()  # without fork: what the job will receive
        if FORKS:
            self._start()

    def __enter__(self) -> Child:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def items(self, source: Callable[[Any], Any] | None = None) -> Iterator[Any]:
        """The job's items in order. `source` may wrap the pipe (to count what is read).

        A child that stops without saying why, or that waits for ever, raises ChildDied."""
        if not FORKS:
            yield from self._job(lambda: self.sent.popleft() if self.sent else None)()
            return
        assert self.pipe is not None
        watched = io.BufferedReader(_Watched(self.pipe, self.pid, self.stall_seconds), 1 << 16)
        pipe = source(watched) if source else watched
        while True:
            try:
                item = pickle.load(pipe)
            except (EOFError, pickle.UnpicklingError):
                raise self._died() from None
            if item == END:
                return
            yield item

    def send(self, item: Any) -> None:
        """Give the job's inbox an item. A child that has already stopped is not an error
        here, nor one that hangs (it is stopped): what it said is read from its items."""
        assert self.inbox, "send needs a Child made with inbox=True"
        if not FORKS:
            self.sent.append(item)
            return
        assert self.outbox is not None
        _write_watched(self.outbox, pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL),
                       self.pid, self.stall_seconds)

    def close(self) -> None:
        if self.outbox is not None:
            self.outbox.close()
            self.outbox = None
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0

    def _job(self, receive: Callable[[], Any]) -> Callable[[], Iterable[Any]]:
        return (lambda: self.job(receive)) if self.inbox else self.job

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        if self.inbox:
            outbox, inbox = socket.socketpair()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # no process to be had: nothing of this one is left open
            os.close(read_end)
            os.close(write_end)
            if self.inbox:
                outbox.close()
                inbox.close()
            raise
        if pid == 0:  # the child: never returns
            os.close(read_end)
            job = self.job
            if self.inbox:
                outbox.close()
                job = self._job(_Inbox(inbox.detach()))
            _run(write_end, job, parent, self.cpu_seconds)
        os.close(write_end)
        self.pid = pid
        self.pipe = os.fdopen(read_end, "rb", buffering=0)  # read through _Watched
        if self.inbox:
            inbox.close()
            outbox.setblocking(False)
            self.outbox = outbox

    def _died(self) -> ChildDied:
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return ChildDied(os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0, status)


#: A child that sends nothing and uses no CPU for this long is stuck: it is stopped.
STALL_SECONDS = 10.0


class _Watched(io.RawIOBase):
    """The pipe from a child, read so that a child that hangs cannot hang reporter.

    One did: python-calamine, failing an allocation at its memory ceiling, panicked, and
    Rust's panic handler, needing memory to report it, waited for a lock it held itself.
    So while no data comes, the child's CPU time is watched (_Stall); when it stands still
    for STALL_SECONDS, the child is stopped and the read ends as if it had died."""

    def __init__(self, pipe: BinaryIO, pid: int, seconds: float | None = None):
        self.pipe, self.pid, self.seconds = pipe, pid, seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        stall = _Stall(self.pid, self.seconds)
        while not select.select([self.pipe], [], [], stall.look)[0]:
            if stall.stopped():
                return 0  # end of file: the caller finds the child dead
        return self.pipe.readinto(buffer)


def _write_watched(outbox: socket.socket, data: bytes, pid: int,
                   seconds: float | None = None) -> None:
    """Write to a child's inbox (non-blocking) as it reads; a child that stands still
    meanwhile is stopped (as _Watched), and what it said is then read as a death."""
    view, stall = memoryview(data), _Stall(pid, seconds)
    while view:
        if not select.select([], [outbox], [], stall.look)[1]:
            if stall.stopped():
                return
            continue
        try:
            view = view[outbox.send(view, socket.MSG_NOSIGNAL):]
        except BlockingIOError:
            continue
        except ConnectionError:  # it has stopped (a broken pipe, a reset): its items say why
            return


class _Stall:
    """Whether a child that has sent or taken nothing for a while still uses CPU (it, or a
    process it started: the cell reader waits for its second process, shared.py)."""

    def __init__(self, pid: int, seconds: float | None = None):
        self.pid, self.last, self.since = pid, _cpu_time(pid), time.monotonic()
        self.seconds = STALL_SECONDS if seconds is None else seconds
        self.look = min(1.0, self.seconds / 4)  # the wait between two looks

    def stopped(self) -> bool:
        """Called after each `look` of silence: True (and the child stopped) once it has
        used no CPU for its seconds."""
        now = _cpu_time(self.pid)
        if now != self.last:
            self.last, self.since = now, time.monotonic()
            return False
        if time.monotonic() - self.since < self.seconds:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        return True


def _cpu_time(pid: int) -> int:
    """A process's CPU time so far, with that of the processes it started and has not
    waited for, in clock ticks (-1 once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        own = int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return -1
    return own + sum(max(_cpu_time(c), 0) for c in _children(pid))


def _children(pid: int) -> list[int]:
    """The processes `pid` started (every thread's), as far as /proc says (none when the
    kernel does not list them)."""
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                out += map(int, f.read().split())
    return out


class _Inbox:
    """In the child: the parent's items, one at a time; None once the parent has closed."""

    def __init__(self, fd: int):
        self.pipe = os.fdopen(fd, "rb")

    def __call__(self) -> Any:
        try:
            return pickle.load(self.pipe)
        except (EOFError, pickle.UnpicklingError):
            return None


class ChildDied(Exception):
    """The child stopped without a result: `signal` is what killed it (0 if none)."""

    def __init__(self, signal_number: int, status: int):
        super().__init__(f"child stopped (status {status})")
        self.signal = signal_number


END = ("end", None)  # items are (kind, payload) pairs; this one is sent last


def sent_size(item: Any) -> int:
    """The bytes `item` takes crossing from a child to reporter (as _run sends it), for a
    child that keeps what it would otherwise send and still holds it to the same limit."""
    counter = _Counter()
    _pickler(counter).dump(item)
    return counter.count


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> None:
        self.count += len(data)


def _pickler(out: Any) -> pickle.Pickler:
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: results hold no cycles, and it would double them
    return pickler


def _run(fd: int, job: Callable[[], Iterable[Any]], parent: int,
         cpu_seconds: int | None = None) -> None:
    """In the child: send every item of the job, then the end; exit without running
    anything of the parent's (no atexit handlers, no buffers flushed twice)."""
    code = 0
    try:
        _die_with(parent)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # as reporter does
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        os.environ["RUST_BACKTRACE"] = "0"  # a panic's backtrace needs memory it may not have
        quiet = os.open(os.devnull, os.O_WRONLY)  # what a library prints is not for users
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        faulthandler.disable()  # it writes a crash report on a descriptor of its own
        _cap_memory()
        if cpu_seconds is not None:  # past it, SIGXCPU stops the child
            import resource

            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        with os.fdopen(fd, "wb") as out:
            pickler = _pickler(out)
            try:
                for item in job():
                    pickler.dump(item)
                    out.flush()  # now: what the job does next may take a while
            except MemoryError:  # the ceiling: said as such, for the parent to report
                pickler.dump(("error", ("MemoryError", "")))
            pickler.dump(END)
    except BaseException:  # the parent reports a child that stops without its end
        code = 1
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """In a child: be stopped when reporter is. Killed from outside, it closes nothing, and
    a child would read and check on for nobody. (The signal comes when the thread that
    forked ends; a Child is closed before the call that made it returns.)"""
    with contextlib.suppress(Exception):  # without prctl, the child ends at its next send
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # reporter died before that took effect
        os._exit(1)


_capped = False  # in a child, once its ceiling is set


def _cap_memory() -> None:
    global _capped

    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _set_ceiling(size + CHILD_MEMORY)
    _capped = True


def more_memory(extra: int) -> None:
    """In a child: raise its ceiling by `extra`, for work whose size something checked
    since has bounded (the cell reader, once the file has passed, to check the rows).
    Elsewhere: nothing."""
    if _capped:
        import resource

        _set_ceiling(resource.getrlimit(resource.RLIMIT_AS)[0] + extra)


#: How near its ceiling a child's address space must have come for a failure there to be
#: put down to memory: more than any one allocation python-calamine makes a Python object
#: with (a text of 32,767 characters takes 128 KiB).
CEILING_MARGIN = 16 * 2**20


def at_ceiling() -> bool:
    """In a child: whether its address space has come within CEILING_MARGIN of its ceiling,
    so that an allocation failed there, whatever a library then made of it. Elsewhere:
    False."""
    if not _capped:
        return False
    import resource

    with open("/proc/self/status") as f:
        peak = next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmPeak:")), 0)
    return peak > resource.getrlimit(resource.RLIMIT_AS)[0] - CEILING_MARGIN


def _set_ceiling(ceiling: int) -> None:
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
