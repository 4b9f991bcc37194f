"""The reports folder: judged, locked, rebuilt beside itself and swapped in whole.

- **Ownership.** reporter replaces only a folder it made (one holding a reporter
  manifest) or an empty one. Any other folder is refused, and so are the current,
  home and root folders and any folder that holds an input, whatever they contain.
- **Links.** A symbolic link given as the folder is followed: the folder it points
  to is judged and rebuilt, and the link is left as it is. The lock file is opened
  without following a link, and inside the folder nothing is followed (safefs.py).
- **Atomic.** Files are written into a staging folder beside the target; people's
  entries are carried into it (keep.py); then the two folders are exchanged in one
  step (Linux renameat2; elsewhere two renames, repaired by the next build). A
  failure or a kill before that leaves the previous folder exactly as it was.
- **One build at a time.** A lock file beside the folder keeps a second build out.
  It also records each swap, so the next build can tell, after a kill, whether a
  leftover folder beside the target is a staging folder (all reporter's: removed) or
  the previous folder (emptied only of what may go, see keep.Sweeper).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import manifest as manifest_file
from . import safefs
from .errors import OutputError
from .keep import Carried, Carrier, Kept, Ownership, Records, Sweeper, place_entry
from .manifest import Manifest
from .safefs import Signature, signature
from .write import describe, write_failure

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2(a: Path, b: Path, flags: int) -> bool:
    """rename a to b with flags (Linux renameat2); False where it is not available."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        fn = ctypes.CDLL(libc_name, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def rename_new(a: Path, b: Path) -> None:
    """rename a to b, never replacing anything at b (FileExistsError if b exists)."""
    if not _renameat2(a, b, _RENAME_NOREPLACE):
        if os.path.lexists(b):
            raise FileExistsError(errno.EEXIST, "exists", str(b))
        os.rename(a, b)


def resolve(out: Path) -> Path:
    """The folder `out` names, symbolic links followed (an absolute path)."""
    given = Path(os.path.abspath(out))
    real = Path(os.path.realpath(given))
    if os.path.islink(real) or (os.path.islink(given) and not os.path.lexists(real)):
        raise OutputError(f"the output folder {out} is a symbolic link to {real}, which does not "
                          "exist; create that folder, or choose another with --out",
                          code="output-broken-link")
    return real


def _protected(t: Path) -> str | None:
    """Why t may never be a reports folder, whatever it holds."""
    if t == Path(t.anchor):
        return "is the root folder"
    for where, whose in ((os.getcwd, "the current folder"), (Path.home, "your home folder")):
        try:
            p = Path(os.path.realpath(where()))
        except (OSError, RuntimeError, KeyError):
            continue
        if t == p:
            return f"is {whose}"
        if t in p.parents:
            return f"holds {whose}"
    return None


def _refuse(out: Path, why: str, code: str) -> OutputError:
    return OutputError(f"the output folder {out} {why}; reporter only replaces a folder it made. "
                       "Choose an empty or new folder with --out", code=code)


def _never(out: Path, why: str) -> OutputError:
    return OutputError(f"the output folder {out} {why}, which a build never replaces (it "
                       "replaces its output folder as a whole). Choose an empty or new folder "
                       "with --out", code="output-protected")


class FolderLock:
    """The lock file beside a reports folder: one build at a time, and its swap journal."""

    def __init__(self, path: Path, target: Path):
        self.path, self.target = path, target
        self.fd: int | None = None

    def acquire(self) -> None:
        flags = (os.O_RDWR | os.O_CREAT | safefs.NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
                 | getattr(os, "O_CLOEXEC", 0))
        unsafe = OutputError(f"the lock file {self.path} is a symbolic link or not a regular file; "
                             "reporter never writes through it. Remove it if no reporter build is "
                             "running", code="output-lock-unsafe")
        try:
            fd = os.open(self.path, flags, 0o644)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO, errno.EMLINK):
                raise unsafe from None
            raise OutputError(f"cannot create the lock file {self.path}: {describe(exc)}",
                              code="output-unwritable") from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            os.close(fd)
            raise unsafe
        try:
            _lock_fd(fd)
        except OSError:
            holder = "another process"
            with contextlib.suppress(OSError):  # Windows forbids reading a locked region
                holder = os.pread(fd, 64, 0).decode("ascii", "replace").split("\n")[0] or holder
            os.close(fd)
            raise OutputError(
                f"another reporter build ({holder}) is writing to {self.target}; wait for it to "
                "finish, or build into another folder with --out", code="output-locked",
            ) from None
        self.fd = fd
        try:  # the pid of this build, and the journal of the last swap as it was
            self.write("".join(ln + "\n" for ln in self.read().splitlines()
                               if not ln.startswith("pid ")))
        except OSError as exc:
            self.release()
            raise OutputError(f"cannot write the lock file {self.path}: {describe(exc)}",
                              code="output-unwritable") from None

    def read(self) -> str:
        assert self.fd is not None
        return os.pread(self.fd, 4096, 0).decode("utf-8", "replace")

    def write(self, journal: str) -> None:
        assert self.fd is not None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"pid {os.getpid()}\n{journal}".encode(), 0)

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                _unlock_fd(self.fd)
            os.close(self.fd)
            self.fd = None


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


def _real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def check_folder(given: Path, target: Path, inputs: Iterable[Path]) -> None:
    """Refuse a folder reporter may not replace (every check that needs no lock)."""
    why = _protected(target)
    if why:
        raise _never(given, why)
    for p in inputs:
        real = Path(os.path.realpath(p))
        if os.path.exists(real) and (real == target or target in real.parents):
            raise OutputError(f"the output folder {given} holds the input {p}; a build replaces "
                              "its output folder, so choose an empty or new folder with --out",
                              code="output-contains-input")
    for p in (target, *target.parents):
        if os.path.lexists(p) and not os.path.isdir(p):
            where = "is" if p == target else f"lies inside {p}, which is"
            raise OutputError(f"the output folder {given} {where} a file; choose another "
                              "folder with --out", code="output-is-file")
    if os.path.isdir(target):
        _judge_contents(given, target)


def _judge_contents(given: Path, target: Path) -> None:
    """An existing folder: reporter's (it has a reporter manifest) or empty, on this disk."""
    try:
        fd = safefs.open_dir(target)
    except OSError as exc:
        raise OutputError(f"cannot open the output folder {given}: {describe(exc)}",
                          code="output-unwritable") from None
    try:
        if os.fstat(fd).st_dev != os.stat(target.parent).st_dev:
            raise OutputError(
                f"the output folder {given} is a mount point (a disk of its own): a build "
                "writes a new folder beside it and swaps the two, which cannot cross disks. "
                f"Build into a folder inside it, e.g. --out {given / 'reports'}",
                code="output-mount-point")
        if not safefs.is_empty(fd) and manifest_file.read(fd) is None:
            raise _refuse(given, "is not empty and has no reporter manifest (manifest.json)",
                          "output-not-reporters")
    finally:
        os.close(fd)


class Beside:
    """What lives beside a reports folder: its lock, staging folders, previous folders.

    Every folder a build makes beside the target is first written into the lock file's
    journal (`staging NAME`, `swap NAME DEV INO`, `old NAME`), so after a kill the next
    build knows each leftover for what it is, and touches no folder it did not make,
    whatever its name.
    """

    def __init__(self, given: Path, target: Path):
        self.given, self.target, self.parent = given, target, target.parent
        name = target.name
        self.prefix, self.old_prefix = f".{name}.building-", f".{name}.old-"
        self.lock = FolderLock(self.parent / f".{name}.lock", target)
        self.journal: list[str] = []
        self.kept: list[Kept] = []
        self.notes: list[str] = []

    def staging_name(self) -> Path:
        return self.parent / f"{self.prefix}{os.getpid()}-{secrets.token_hex(4)}"

    def old_name(self) -> Path:
        return self.parent / f"{self.old_prefix}{os.getpid()}-{secrets.token_hex(4)}"

    def note(self, *lines: str) -> None:
        """Record folders about to be made (or swapped) in the journal, before making them."""
        self.journal += lines
        self.lock.write("".join(f"{ln}\n" for ln in self.journal))

    def forget(self, *lines: str) -> None:
        self.journal = [ln for ln in self.journal if ln not in lines]
        with contextlib.suppress(OSError):
            self.lock.write("".join(f"{ln}\n" for ln in self.journal))

    def sweep(self, old: Path, records: Records | None) -> bool:
        """Empty the previous folder into the current one (see keep.Sweeper), then remove
        it; True when it is gone."""
        empty, failed = False, []
        try:
            with _dir(old) as old_fd, _dir(self.target) as live_fd:
                sweeper = Sweeper(old_fd, live_fd, records)
                empty = sweeper.run()
                self.kept += sweeper.kept
                failed = sweeper.failed
            if empty:
                os.rmdir(old)
        except OSError:
            empty = False
        if not empty:
            what = f" ({', '.join(failed[:3])}{'...' if len(failed) > 3 else ''})" if failed else ""
            self.notes.append(f"some entries of the previous reports could not be carried into "
                              f"{self.given}{what}; they are still in {old}, and the next build "
                              "tries again")
        return empty

    def cleanup(self) -> None:
        """Deal with what killed builds left beside the folder (call with the lock held).

        A staging folder holds only reporter's files and links to files that are still in
        the reports folder: it is removed. A previous folder (swapped out, not yet
        emptied) is emptied into the reports folder as after a swap; if the reports folder
        is missing (a build died between the two renames of the fallback swap), the
        previous folder is put back. Folders the journal does not name are left alone.
        """
        entries = [ln.split() for ln in self.lock.read().splitlines() if not ln.startswith("pid ")]
        stagings = [self.parent / e[1] for e in entries if len(e) == 2 and e[0] == "staging"]
        olds = [self.parent / e[1] for e in entries if len(e) == 2 and e[0] == "old"]
        for e in entries:
            if len(e) == 4 and e[0] == "swap" and self._swapped(e):
                old = self.old_name()
                self.note(f"old {old.name}")
                rename_new(self.parent / e[1], old)  # it holds the previous reports
                olds.append(old)
        with _dir(self.parent) as parent:
            for p in stagings:
                if p.name.startswith(self.prefix) and _real_dir(p):
                    safefs.remove_tree(parent, p.name)
        olds = [p for p in olds if p.name.startswith(self.old_prefix) and _real_dir(p)]
        if olds and not os.path.lexists(self.target):
            newest = max(olds, key=lambda p: os.lstat(p).st_mtime_ns)
            os.rename(newest, self.target)
            olds.remove(newest)
        left = [p for p in olds if not (_real_dir(self.target) and self.sweep(p, None))]
        self.journal = []
        self.note(*(f"old {p.name}" for p in left))

    def _swapped(self, entry: list[str]) -> bool:
        """Whether the journaled swap happened: the target is now the staging folder."""
        path = self.parent / entry[1]
        try:
            t = os.stat(self.target, follow_symlinks=False)
        except OSError:
            return False
        return (entry[1].startswith(self.prefix) and _real_dir(path)
                and [str(t.st_dev), str(t.st_ino)] == entry[2:])


class OutputFolder:
    """A reports folder rebuilt as a whole: readers see the old one or the new one, never half.

    Use as a context manager: write the new files under `staging`, link reporter's
    unchanged files from the current folder with `place`; leaving the block normally
    carries people's entries over and swaps the staging folder in (then `kept` says
    what was kept where); an exception (or a kill) leaves the current folder as it was.
    """

    def __init__(self, out: Path | str, *, inputs: Iterable[Path] = ()):
        self.given = Path(out)
        self.target = resolve(self.given)
        self.parent = self.target.parent
        self.beside = Beside(self.given, self.target)
        self.lock = self.beside.lock
        self.staging = self.beside.staging_name()
        self.inputs = [Path(p) for p in inputs]
        #: the current folder's manifest (None: no folder yet, or an empty one)
        self.previous: Manifest | None = None
        self.ownership: Ownership | None = None
        self.placed: dict[str, Signature] = {}
        #: folders left as they were (meetings not chosen with --meeting)
        self.in_place: set[str] = set()
        #: reporter's unchanged files that the new set does without (they went)
        self.dropped: list[str] = []
        self._live: int | None = None
        self._live_id: tuple[int, int] | None = None
        self._staging_fd: int | None = None
        self._swapped = False

    @property
    def kept(self) -> list[Kept]:
        """People's entries kept, and where (after the block, or after `unchanged`)."""
        return self.beside.kept

    @property
    def notes(self) -> list[str]:
        return self.beside.notes

    def check(self) -> None:
        """Refuse a folder reporter may not replace (every check that needs no lock)."""
        check_folder(self.given, self.target, self.inputs)

    # --- the build's block -------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        self.check()
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.parent}: {describe(exc)}",
                              code="output-unwritable") from None
        self.lock.acquire()
        try:
            with _write_failures(self.given):
                self.beside.cleanup()
                self.check()  # again, now that no other build can change it
                self._open_live()
                self.beside.note(f"staging {self.staging.name}")
                os.mkdir(self.staging, 0o777)
                self._staging_fd = safefs.open_dir(self.staging)
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            with _write_failures(self.given):
                if exc_type is None:
                    self._finish()
                elif isinstance(exc, Exception):  # rendering failed to write: one line
                    raise exc
        finally:
            self._close()

    def _open_live(self) -> None:
        if not os.path.isdir(self.target):
            return
        self._live = safefs.open_dir(self.target)
        st = os.fstat(self._live)
        self._live_id = (st.st_dev, st.st_ino)
        self.previous = manifest_file.read(self._live)
        self.ownership = Ownership(self._live, self.previous)

    def _close(self) -> None:
        if self._staging_fd is not None:
            os.close(self._staging_fd)
            self._staging_fd = None
        if not self._swapped and _real_dir(self.staging):
            with contextlib.suppress(OSError), _dir(self.parent) as parent:
                safefs.remove_tree(parent, self.staging.name)
        if self.lock.fd is not None and not _real_dir(self.staging):
            self.beside.forget(f"staging {self.staging.name}")
        if self._live is not None:
            os.close(self._live)
            self._live = None
        self.lock.release()

    def intact(self, rel: str) -> bool:
        """Whether reporter wrote rel in the current folder and nobody has changed it."""
        return self.ownership is not None and self.ownership.intact(rel) is not None

    def place(self, rel: str) -> bool:
        """Link reporter's unchanged file rel from the current folder into staging."""
        if self.ownership is None or self._live is None or self._staging_fd is None:
            return False
        sig = self.ownership.intact(rel)
        if sig is None:
            return False
        folder, _, name = rel.rpartition("/")
        with safefs.subdir(self._live, folder) as src, \
                safefs.subdir(self._staging_fd, folder, create=True) as dst:
            st = os.stat(name, dir_fd=src, follow_symlinks=False)
            if signature(st) != sig:
                return False
            if place_entry(src, name, st, dst, name) != sig:  # changed while being copied
                os.unlink(name, dir_fd=dst)
                return False
        self.placed[rel] = sig
        return True

    def unplace(self, rel: str) -> None:
        """Take back a link made by `place` (before anything is rendered at its name)."""
        folder, _, name = rel.rpartition("/")
        assert self._staging_fd is not None
        with safefs.subdir(self._staging_fd, folder) as dst:
            os.unlink(name, dir_fd=dst)
        self.placed.pop(rel, None)

    # --- the swap ----------------------------------------------------------------------

    def _finish(self) -> None:
        carried = Carried()
        if self._live is not None and self.ownership is not None:
            assert self._staging_fd is not None
            carried = Carrier(self._live, self._staging_fd, self.ownership, self.placed,
                              self.in_place).run()
            os.chmod(self._staging_fd, stat.S_IMODE(os.fstat(self._live).st_mode))
        self.kept.extend(carried.kept)
        self.dropped = carried.dropped
        if self._live is None:
            try:
                rename_new(self.staging, self.target)
            except FileExistsError:
                raise OutputError(f"the output folder {self.given} appeared while reporter was "
                                  "building; build again", code="output-unwritable") from None
            self._swapped = True
            return
        st = os.stat(self.target, follow_symlinks=False)
        if (st.st_dev, st.st_ino) != self._live_id:
            raise OutputError(f"the output folder {self.given} was replaced while reporter was "
                              "building; build again", code="output-unwritable")
        self._exchange(carried.records)

    def _exchange(self, records: Records) -> None:
        """Swap staging and target, then empty the previous folder into the new one.

        Each step is in the journal before it is taken (see Beside), so that a kill at
        any moment leaves the next build knowing where everything is.
        """
        assert self._staging_fd is not None
        st = os.fstat(self._staging_fd)
        swap, old = f"swap {self.staging.name} {st.st_dev} {st.st_ino}", self.beside.old_name()
        self.beside.note(swap, f"old {old.name}")
        try:
            if _renameat2(self.staging, self.target, _RENAME_EXCHANGE):
                previous = self.staging  # the exchange put the previous reports here
            else:
                os.rename(self.target, old)
                os.rename(self.staging, self.target)
                previous = old
        except BaseException:
            self._swapped = _same_folder(self.target, st)
            if not self._swapped and not os.path.lexists(old):  # nothing moved
                self.beside.forget(swap, f"old {old.name}")
            raise
        self._swapped = True
        if previous == self.staging:
            with contextlib.suppress(OSError):
                rename_new(self.staging, old)
                previous = old
        if previous == old:
            self.beside.forget(f"staging {self.staging.name}", swap)
        if self.beside.sweep(previous, records):
            self.beside.forget(f"old {old.name}", swap)


def _same_folder(path: Path, st: os.stat_result) -> bool:
    try:
        now = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)


def unchanged(folder: OutputFolder, build_key: str) -> Manifest | None:
    """The folder's manifest, if it records this build key and every file it lists is
    there with its listed bytes (checked under the lock, after cleaning up)."""
    folder.check()
    if not os.path.isdir(folder.target):
        return None
    with _dir(folder.target) as fd:
        found = manifest_file.read(fd)
    if found is None or found.build_key != build_key:
        return None
    folder.lock.acquire()
    try:
        folder.beside.cleanup()
        with _dir(folder.target) as fd:
            found = manifest_file.read(fd)
            if found is None or found.build_key != build_key or any(
                    safefs.verify(fd, f.path, f.sha256, f.size) is None
                    for f in found.files.values()):
                return None
            return found
    finally:
        folder.lock.release()


@contextlib.contextmanager
def _write_failures(given: Path) -> Iterator[None]:
    """Any failure to write, whichever library met it, as one OutputError (exit 3)."""
    try:
        yield
    except OutputError:
        raise
    except Exception as exc:
        failure = write_failure(exc, given)
        if failure is None:
            raise
        raise failure from None


@contextlib.contextmanager
def _dir(path: Path) -> Iterator[int]:
    fd = safefs.open_dir(path)
    try:
        yield fd
    finally:
        os.close(fd)
