"""Write: put finished files in place safely and reproducibly.

- `atomic_file` writes a single file beside its target and renames it into place.
- `write_failure` turns a failure to write (full disk, read-only disk, no permission)
  into one OutputError (exit 3, one line), whichever library met it.
- `pinned_time` and `normalise_zip` make Office files byte-for-byte reproducible.

A whole reports folder is written by `output.OutputFolder`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import secrets
import struct
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError

#: Used for document dates when SOURCE_DATE_EPOCH is not set and nothing better is known.
FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


def pinned_time(default: dt.datetime | None = None) -> dt.datetime:
    """The time stamped into generated documents: SOURCE_DATE_EPOCH if set, else default."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            pass
    return default or FIXED_TIME


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large for this disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ELOOP: "a part of the path is a symbolic link",
    errno.EIO: "the disk reported an error",
    errno.EXDEV: "it is on another disk",
    errno.EMLINK: "too many links",
}


def describe(exc: OSError) -> str:
    """What went wrong, in a few words a user understands."""
    return _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def os_error(exc: BaseException) -> OSError | None:
    """The OSError behind an exception, if there is one.

    Libraries wrap it: xlsxwriter raises FileCreateError(the OSError), others raise
    their own error from it.
    """
    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or any(e is s for s in seen) or len(seen) > 8:
            continue
        if isinstance(e, OSError) and e.errno is not None:
            return e
        seen.append(e)
        todo += [e.__cause__, e.__context__, *e.args[:1]]
    return None


def write_failure(exc: BaseException, what: Path | str) -> OutputError | None:
    """The one-line error for a failure to write `what`, or None if exc is not one."""
    err = os_error(exc)
    if err is None:
        return None
    return OutputError(f"cannot write {what}: {describe(err)}", code="output-unwritable")


def quiet_failed_closes() -> None:
    """Keep a failed write to one line.

    When a disk fills up while python-docx, openpyxl or xlsxwriter writes a file, the
    library's zip file is left open; when Python collects it, closing it fails again,
    and Python prints "Exception ignored in ZipFile.__del__" with a traceback, after
    reporter has already said what went wrong. This drops that echo, and nothing else.
    """
    previous = sys.unraisablehook
    if getattr(previous, "reporter", False):
        return

    def hook(unraisable) -> None:  # type: ignore[no-untyped-def]
        exc = unraisable.exc_value
        if unraisable.object is zipfile.ZipFile.__del__ and isinstance(exc, OSError | ValueError):
            return
        previous(unraisable)

    hook.reporter = True  # type: ignore[attr-defined]
    sys.unraisablehook = hook


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it to `path`.

    Any failure to write is an OutputError (exit 3) naming `path`, and the
    temporary file is removed: `path` is either the old file or the new one.
    """
    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name ending in {path.suffix or '.xlsx'}",
                          code="output-is-folder")
    for p in (parent, *parent.parents):
        if os.path.lexists(p) and not p.is_dir():
            raise OutputError(f"cannot write {path}: {p} is a file, not a folder",
                              code="output-is-file")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {parent}: {describe(exc)}",
                          code="output-unwritable") from None
    tmp = parent / f".{path.name[:80]}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
    try:
        yield tmp
        os.replace(tmp, path)
    except Exception as exc:
        failure = write_failure(exc, path)
        if failure is None:
            raise
        raise failure from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write data to path through `atomic_file` (one OSError, never a half-written file)."""
    with atomic_file(path) as tmp, open(tmp, "xb") as f:
        f.write(data)


def normalise_zip(path: Path) -> None:
    """Set every zip entry's time to 1980-01-01 so equal content gives equal bytes.

    The times are patched in place (local headers and central directory), which
    costs nothing like unpacking and packing the file again.
    """
    with open(path, "r+b") as f, zipfile.ZipFile(f) as z:
        infos = z.infolist()
        for info in infos:
            f.seek(info.header_offset + 10)  # local file header: mod time, mod date
            f.write(_DOS_TIME)
        f.seek(z.start_dir)
        directory = bytearray(f.read())
        pos = 0
        while directory[pos:pos + 4] == b"PK\x01\x02":
            directory[pos + 12:pos + 16] = _DOS_TIME  # central directory: mod time, mod date
            name_len, extra_len, comment_len = struct.unpack_from("<HHH", directory, pos + 28)
            pos += 46 + name_len + extra_len + comment_len
        f.seek(z.start_dir)
        f.write(directory)


_DOS_TIME = struct.pack("<HH", 0, (0 << 9) | (1 << 5) | 1)  # 00:00:00, 1980-01-01


def sha256_file(path: Path) -> str:
    from .read.files import open_regular  # a FIFO or /dev/zero: refused, never read for ever

    h = hashlib.sha256()
    with open_regular(path) as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
