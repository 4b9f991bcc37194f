"""python-calamine, reading the cells in a child process with a memory ceiling.

python-calamine builds each sheet in memory before handing it over: a grid as
large as the sheet's area, and a copy of a shared string for every cell that uses
it. Both can be made enormous by a small file (two far-apart cells; one long text
used by 20,000 cells), and an allocation that fails aborts the whole process. So it
runs in a child process whose memory is capped (child.py): whatever a file makes it
do, the child alone pays, and reporter says why. The rows it sends are read within
a limit on their size, which bounds the memory they take in reporter itself, and
used only once every check of the file has passed (workbook.py).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..schema import LIMITS
from .child import CHILD_MEMORY, Child, ChildDied

Rows = list[list[Any]]


class CellReader:
    """The rows of the named sheets, read by python-calamine (see the module's notes)."""

    def __init__(self, path: Path, data: bytes, sheets: list[str]):
        self.path = path
        self.sheets = sheets
        self.child = Child(lambda: _sheets(data, sheets))

    def __enter__(self) -> CellReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.child.close()

    def rows(self) -> list[Rows]:
        """Every sheet's rows, from A1 (as `to_python(skip_empty_area=False)` gives them)."""
        out: list[Rows] = []
        try:
            for kind, payload in self.child.items(lambda pipe: _Limited(pipe, self.path)):
                if kind == "error":
                    raise _error(self.path, *payload)
                out.append(payload)
        except ChildDied as died:
            raise _died(self.path, died) from None
        return out


def _sheets(data: bytes, sheets: list[str]):
    """Each sheet's rows, or the first failure as ("error", (kind, message))."""
    import python_calamine as pc

    try:
        with pc.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            for name in sheets:
                sheet = book.get_sheet_by_name(name)
                rows = sheet.to_python(skip_empty_area=False)
                del sheet  # the grid, before the rows are sent
                yield ("rows", rows)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # CalamineError...; a panic in the Rust reader too
        yield ("error", (_kind(exc), _first_line(exc)))


class _Limited(io.RawIOBase):
    """The pipe from the child, refused past the limit on the values' size."""

    def __init__(self, pipe: BinaryIO, path: Path):
        self.pipe, self.path, self.count = pipe, path, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        return self._counted(self.pipe.read(-1 if n is None else n))

    def readline(self, size: int | None = -1) -> bytes:
        return self._counted(self.pipe.readline(-1 if size is None else size))

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


def _too_much(path: Path) -> InputError:
    return InputError(
        f"reading the cells needs more than {CHILD_MEMORY // 2**30} GiB of memory (the workbook "
        "repeats long texts in very many cells, or holds far too many). Split the register into "
        "several workbooks", path=path, code="too-much-text")


def _died(path: Path, died: ChildDied) -> InputError:
    import signal

    if died.signal == signal.SIGABRT:  # an allocation past the ceiling
        return _too_much(path)
    return InputError(f"the cell reader stopped ({died}); the workbook's contents are damaged. "
                      "Open it in Excel or LibreOffice and save it anew", path=path,
                      code="corrupt-file")


def _error(path: Path, kind: str, message: str) -> InputError:
    if kind == "PasswordError":
        return InputError("the workbook is protected with a password; remove it in Excel and save "
                          "the workbook", path=path, code="encrypted")
    if kind == "MemoryError":
        return _too_much(path)
    return InputError(f"the workbook's contents are damaged and cannot be read ({message}). "
                      "Open it in Excel or LibreOffice and save it anew",
                      path=path, code="corrupt-file")
