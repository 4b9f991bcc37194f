"""python-calamine, reading the cells in a child process with a memory ceiling.

python-calamine builds each sheet in memory before handing it over: a grid as
large as the sheet's area, and a copy of a shared string for every cell that uses
it. Both can be made enormous by a small file (two far-apart cells; one long text
used by 20,000 cells), and an allocation that fails aborts the whole process. So
on Linux it runs in a forked child whose address space is capped
(RLIMIT_AS): whatever a file makes it do, the child alone pays, and reporter
reports it. Meanwhile the parent scans the same sheets with its own parser
(sheetscan.py), which names what is wrong with a refused file; the child's rows
are used only once every check has passed. They come back pickled through a pipe
(the child is this same program, so the pickle is trusted), read within a limit on
their size, which bounds the memory they take in reporter itself.

Elsewhere (no fork), python-calamine runs in this process after the scan, which
refuses far cells and too large areas first.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import sys
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..schema import LIMITS

Rows = list[list[Any]]
#: The child's ceiling, above the address space it starts with.
CHILD_MEMORY = 2**30
_FORK = sys.platform == "linux"


class CellReader:
    """The rows of the named sheets, read by python-calamine (see the module's notes)."""

    def __init__(self, path: Path, data: bytes, sheets: list[str]):
        self.path, self.data, self.sheets = path, data, sheets
        self.pid = 0
        self.pipe: BinaryIO | None = None
        if _FORK:
            self._start()

    def __enter__(self) -> CellReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self) -> list[Rows]:
        """Every sheet's rows, from A1 (as `to_python(skip_empty_area=False)` gives them)."""
        if not _FORK:
            return _read(self.data, self.sheets, self.path)
        assert self.pipe is not None
        source = _Limited(self.pipe, self.path)
        out: list[Rows] = []
        try:
            for _ in self.sheets:
                kind, payload = pickle.load(source)
                if kind == "error":
                    raise _error(self.path, *payload)
                out.append(payload)
        except (EOFError, pickle.UnpicklingError):
            raise self._died() from None
        return out

    def close(self) -> None:
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            _child(write_end, self.data, self.sheets)
        os.close(write_end)
        self.pid = pid
        self.pipe = os.fdopen(read_end, "rb")

    def _died(self) -> InputError:
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        if sig == signal.SIGABRT:  # an allocation past the ceiling
            return InputError(
                f"reading the cells needs more than {CHILD_MEMORY // 2**30} GiB of memory (the "
                "workbook repeats long texts in very many cells, or holds far too many). Split "
                "the register into several workbooks", path=self.path, code="too-much-text")
        return InputError(f"the cell reader stopped (status {status}); the workbook's contents "
                          "are damaged. Open it in Excel or LibreOffice and save it anew",
                          path=self.path, code="corrupt-file")


def _child(fd: int, data: bytes, sheets: list[str]) -> None:
    """Read the sheets and send their rows; exit without running anything of the parent's."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it
        quiet = os.open(os.devnull, os.O_WRONLY)  # what the child might print is not for users
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        _cap_memory()
        with os.fdopen(fd, "wb") as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = True  # no memo: the rows hold no cycles, and it would double them
            try:
                for rows in _sheets(data, sheets):
                    pickler.dump(("rows", rows))
                    pickler.clear_memo()
            except BaseException as exc:  # any failure becomes a message
                pickler.dump(("error", (_kind(exc), _first_line(exc))))
    except BaseException:  # the parent reports a silent child
        code = 1
    finally:
        os._exit(code)


def _cap_memory() -> None:
    import resource

    with open("/proc/self/statm") as f:
        size = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = size + CHILD_MEMORY
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _sheets(data: bytes, sheets: list[str]):
    import python_calamine as pc

    with pc.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
        for name in sheets:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            del sheet  # the grid, before the rows are sent
            yield rows


def _read(data: bytes, sheets: list[str], path: Path) -> list[Rows]:
    try:
        return list(_sheets(data, sheets))
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:  # CalamineError...; a panic in the Rust reader too
        raise _error(path, _kind(exc), _first_line(exc)) from None


class _Limited(io.RawIOBase):
    """The pipe from the child, refused past the limit on the values' size."""

    def __init__(self, pipe: BinaryIO, path: Path):
        self.pipe, self.path, self.count = pipe, path, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        return self._counted(self.pipe.read(n))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self.pipe.readline(size if size is not None else -1))

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _counted(self, data: bytes) -> bytes:
        self.count += len(data)
        if self.count > LIMITS["values_bytes"]:
            raise InputError(
                f"the workbook's cells hold more than {LIMITS['values_bytes'] // 2**20} MiB of "
                "values (it repeats long texts in very many cells, or holds far too many), more "
                "than reporter's limit. Split the register into several workbooks",
                path=self.path, code="too-much-text")
        return data


def _kind(exc: BaseException) -> str:
    """The exception's name; MemoryError when one led to it (python-calamine may panic on
    the way out of an allocation that failed)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError):
            return "MemoryError"
        seen = seen.__context__
    return type(exc).__name__


def _first_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _error(path: Path, kind: str, message: str) -> InputError:
    if kind == "PasswordError":
        return InputError("the workbook is protected with a password; remove it in Excel and save "
                          "the workbook", path=path, code="encrypted")
    if kind == "MemoryError":
        return InputError(f"reading the cells needs more than {CHILD_MEMORY // 2**30} GiB of "
                          "memory. Split the register into several workbooks", path=path,
                          code="too-much-text")
    return InputError(f"the workbook's contents are damaged and cannot be read ({message}). "
                      "Open it in Excel or LibreOffice and save it anew",
                      path=path, code="corrupt-file")
