"""Write: put finished files in place safely, reproducibly, and one build at a time.

- `atomic_file` writes a single file beside its target and renames it into place.
- `OutputFolder` builds a whole reports folder in a temporary folder beside it
  and swaps it in only when every file is complete; a lock keeps a second build
  out, and leftovers of a killed build are cleaned up by the next one.
- `pinned_time` and `normalise_zip` make Office files byte-for-byte reproducible.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import errno
import hashlib
import os
import secrets
import shutil
import struct
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


def _describe(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return exc.strerror or str(exc)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it to `path`."""
    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name ending in {path.suffix or '.xlsx'}",
                          code="output-is-folder")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {parent}: {_describe(exc)}",
                          code="output-unwritable") from None
    tmp = parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_describe(exc)}",
                          code="output-unwritable") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


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


# --- a whole output folder ----------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def _lock_fd(fd: int) -> None:
    """Take an exclusive lock without waiting; OSError if another process holds it.

    The kernel drops the lock when the process dies, so a killed build never leaves
    the folder locked.
    """
    if os.name == "nt":  # pragma: no cover - CI runs on Linux
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_fd(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


class OutputFolder:
    """A reports folder rebuilt as a whole: readers see the old one or the new one, never half.

    Use as a context manager: files are written under `.staging`; leaving the
    block normally swaps the staging folder in; an exception (or a kill) leaves
    the previous folder as it was.
    """

    def __init__(self, target: Path):
        self.target = Path(target).absolute()
        self.parent = self.target.parent
        name = self.target.name
        self.prefix = f".{name}.building-"
        self.old_prefix = f".{name}.old-"
        self.lock_path = self.parent / f".{name}.lock"
        self.staging = self.parent / f"{self.prefix}{os.getpid()}-{secrets.token_hex(4)}"
        self._lock_fd: int | None = None

    def _check_target(self) -> None:
        t = self.target
        for p in (t, *t.parents):
            if p.exists() and not p.is_dir():
                where = "is" if p == t else f"lies inside {p}, which is"
                raise OutputError(f"the output folder {t} {where} a file; choose another "
                                  "folder with --out", code="output-is-file")
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.parent}: {_describe(exc)}",
                              code="output-unwritable") from None

    def __enter__(self) -> OutputFolder:
        self._check_target()
        self._lock()
        self.cleanup()
        try:
            self.staging.mkdir()
        except OSError as exc:
            self._unlock()
            raise OutputError(f"cannot write in {self.parent}: {_describe(exc)}",
                              code="output-unwritable") from None
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self._swap()
        finally:
            with contextlib.suppress(OSError):
                if self.staging.exists():
                    shutil.rmtree(self.staging)
            self._unlock()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock without building (to read it consistently)."""
        self._lock()
        try:
            yield
        finally:
            self._unlock()

    def _lock(self) -> None:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"cannot create the lock file {self.lock_path}: {_describe(exc)}",
                              code="output-unwritable") from None
        try:
            _lock_fd(fd)
        except OSError:
            holder = "another process"
            with contextlib.suppress(OSError):  # Windows forbids reading a locked region
                holder = os.read(fd, 64).decode("ascii", "replace").strip() or holder
            os.close(fd)
            raise OutputError(
                f"another reporter build ({holder}) is writing to {self.target}; wait for it to "
                "finish, or build into another folder with --out", code="output-locked",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                _unlock_fd(self._lock_fd)
            os.close(self._lock_fd)
            self._lock_fd = None

    def cleanup(self) -> None:
        """Remove what killed builds left: staging folders, and old folders already replaced.

        If a build died between the two renames of the fallback swap, the previous
        reports sit in an `.old-` folder and the target is missing: put them back.
        """
        for p in sorted(self.parent.glob(f"{self.old_prefix}*")):
            if not self.target.exists():
                with contextlib.suppress(OSError):
                    os.rename(p, self.target)
                    continue
            shutil.rmtree(p, ignore_errors=True)
        for p in self.parent.glob(f"{self.prefix}*"):
            if p != self.staging:
                shutil.rmtree(p, ignore_errors=True)

    def _swap(self) -> None:
        try:
            if self.target.exists():
                if not _exchange(self.staging, self.target):
                    old = self.parent / f"{self.old_prefix}{os.getpid()}"
                    os.rename(self.target, old)
                    os.rename(self.staging, self.target)
                    shutil.rmtree(old, ignore_errors=True)
                # After the exchange the staging path holds the previous reports.
            else:
                os.rename(self.staging, self.target)
        except OSError as exc:
            raise OutputError(f"cannot put the new reports in place at {self.target}: "
                              f"{_describe(exc)}", code="output-unwritable") from None

    def previous(self) -> Path | None:
        """The current (previous build's) folder, for reusing unchanged files."""
        return self.target if self.target.is_dir() else None
