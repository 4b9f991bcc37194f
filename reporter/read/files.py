"""Reading an input file from disk: only a regular file, and never more than a limit.

Workbooks, briefing templates and fact files all come through here. A path may
name a folder, a named pipe (FIFO) or a device such as /dev/zero: opening a pipe
for reading waits for a writer, and a device can be read for ever. So the file is
opened without waiting (O_NONBLOCK), checked with fstat on the open descriptor (no
race with a rename in between), and read only up to its limit plus one byte, which
enforces the limit on the bytes actually read rather than on what stat said.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@contextmanager
def open_regular(path: Path | str, *, what: str = "file",
                 error: type[InputError] = InputError) -> Iterator[BinaryIO]:
    """An open binary file, refused with a clear InputError unless it is a regular file."""
    path = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        of = "" if what == "file" else f" of the {what}"
        raise error(f"no such file; check the path and the file name{of}", path=path,
                    code="file-not-found") from None
    except IsADirectoryError:
        raise _folder(path, what, error) from None
    except PermissionError:
        raise error(f"the {what} cannot be read (permission denied); check who may read it",
                    path=path, code="permission-denied") from None
    except OSError as exc:
        _refuse_special(path, what, error)  # a socket cannot be opened at all (ENXIO)
        raise error(f"the {what} cannot be opened ({exc.strerror or exc})", path=path,
                    code="unreadable") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise _folder(path, what, error)
        if not stat.S_ISREG(mode):
            raise _special(path, mode, what, error)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads never wait anyway
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def read_regular(path: Path | str, *, limit: int, what: str = "file",
                 error: type[InputError] = InputError) -> bytes:
    """The whole file, or InputError when it is not a regular file or is over `limit` bytes."""
    with open_regular(path, what=what, error=error) as f:
        try:
            data = f.read(limit + 1)
        except OSError as exc:
            raise error(f"the {what} cannot be read ({exc.strerror or exc})", path=path,
                        code="unreadable") from None
    if len(data) > limit:
        raise error(f"the {what} is over {_size(limit)}, more than reporter's limit; "
                    f"{_fix(what)}", path=path, code="too-large")
    return data


def _special(path: Path, mode: int, what: str, error: type[InputError]) -> InputError:
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    return error(f"this is {kind}, not a file, so reporter does not read it (it could "
                 f"block or never end); give the path of the {what} itself",
                 path=path, code="not-a-regular-file")


def _refuse_special(path: Path, what: str, error: type[InputError]) -> None:
    """Raise the not-a-regular-file error if the path names one that could not be opened."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise _special(path, mode, what, error) from None


def _folder(path: Path, what: str, error: type[InputError]) -> InputError:
    return error(f"this is a folder, not a {what}; give the path of the {what} itself",
                 path=path, code="not-a-file")


def _size(limit: int) -> str:
    return f"{limit / 2**20:.3g} MiB"


def _fix(what: str) -> str:
    if what == "workbook":
        return "split the register into several workbooks"
    return f"check that this is the right {what}"
