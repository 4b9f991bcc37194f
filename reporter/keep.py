"""People's files in a reports folder: what is reporter's, and carrying the rest along.

A build writes a fresh set of files into a staging folder and swaps it in for the
reports folder (see `output.OutputFolder`). reporter owns only the files its last
manifest lists, and only while their bytes are the listed ones. So before the swap,
everything else in the reports folder (a file or folder a person added, a generated
file a person edited, a link) is carried into the staging folder untouched: hard-
linked (the same file, not a copy; copied only where a link is impossible), links
recreated as links, never followed. An entry at a name the new set uses is kept
beside it, as `NAME.edited-DATE.EXT` (a generated file a person changed) or
`NAME.kept-DATE.EXT` (a person's own), dated by its own modification time.

After the swap, the previous folder is emptied of exactly what was recorded: files
reporter wrote and nobody changed, and entries already carried. Anything that
appeared or changed in between is carried into the new folder too; nothing else is
ever deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from . import safefs
from .errors import OutputError
from .manifest import MANIFEST, Manifest
from .manifest import read as read_manifest
from .safefs import Signature, signature
from .write import describe

#: Names at the top of a reports folder that a person's entry can never take.
RESERVED = {MANIFEST.casefold()}
_NO_LINK = (errno.EPERM, errno.EACCES, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP)


@dataclass(frozen=True, slots=True)
class Kept:
    """An entry of a person's that a build kept: where it is now, and where it was."""

    path: str  # relative to the reports folder; a folder ends in '/'
    was: str
    #: a file reporter wrote that a person changed (else a person's own entry)
    edited: bool = False

    def describe(self) -> str:
        if self.path == self.was:
            return f"{self.path} (as it was)"
        why = "edited after reporter wrote it" if self.edited else "yours"
        return f"{self.was} ({why}) is now {self.path}"


#: The longest file name most file systems take, in bytes.
NAME_MAX = 255


def kept_name(name: str, label: str, mtime: float, n: int, *, folder: bool = False) -> str:
    """`M-X-briefing.docx` -> `M-X-briefing.edited-2026-11-30.docx` (n > 1 adds `-n`).

    Dated by the file's own modification time (local, as a file manager shows it), so
    equal builds give equal names; the stem is shortened if the name would be too long.
    """
    try:
        date = dt.date.fromtimestamp(mtime).isoformat()
    except (OverflowError, OSError, ValueError):  # a time no calendar holds
        date = "undated"
    dot = name.rfind(".")
    stem, ext = (name[:dot], name[dot:]) if dot > 0 and not folder else (name, "")
    ext = ext if len(ext) <= 20 else ""
    tail = f".{label}-{date}{f'-{n}' if n > 1 else ''}{ext}"
    while len(os.fsencode(stem + tail)) > NAME_MAX:
        stem = stem[:-1]
    return stem + tail


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


class Ownership:
    """Which files in the reports folder are reporter's, unchanged since it wrote them.

    Each file is hashed at most once; what was found is remembered with the file's
    signature (device, inode, size, time), so the swap can tell if it changed since.
    """

    def __init__(self, root: int, manifest: Manifest | None):
        self.root = root
        self.manifest = manifest
        self._intact: dict[str, Signature | None] = {}

    def owned(self, rel: str) -> bool:
        return self.manifest is not None and rel in self.manifest.files

    def owned_folder(self, rel: str) -> bool:
        return self.manifest is not None and rel in self.manifest.folders

    def intact(self, rel: str) -> Signature | None:
        """The file's signature if reporter wrote it and its bytes are unchanged, else None."""
        if rel not in self._intact:
            record = self.manifest.files.get(rel) if self.manifest else None
            st = safefs.verify(self.root, rel, record.sha256, record.size) if record else None
            self._intact[rel] = signature(st) if st is not None else None
        return self._intact[rel]


#: per entry of the previous folder: its signature when carried, and where it went
Records = dict[str, tuple[Signature, str | None]]


@dataclass(slots=True)
class Carried:
    """What carrying found: per entry of the old folder, its signature then and where it
    went in the new set (None: it is reporter's and not needed, so it goes)."""

    records: Records = field(default_factory=dict)
    kept: list[Kept] = field(default_factory=list)
    #: reporter's unchanged files the new set does without
    dropped: list[str] = field(default_factory=list)


def place(src_dir: int, name: str, st: os.stat_result, dst_root: int, dst_folder: str,
          label: str, *, own_name: bool = True) -> tuple[str, Signature]:
    """Put the entry `name` of src_dir into dst_root/dst_folder under its own name if free
    (and `own_name`), else under a kept name; return where it went and the signature of
    what was placed."""
    with safefs.subdir(dst_root, dst_folder, create=True) as dst:
        for n in range(1 if own_name else 2, 1000):
            target = name if n == 1 else kept_name(name, label, st.st_mtime, n - 1,
                                                    folder=stat.S_ISDIR(st.st_mode))
            if not dst_folder and target.casefold() in RESERVED:
                continue
            try:
                placed = place_entry(src_dir, name, st, dst, target)
            except FileExistsError:
                continue
            return _join(dst_folder, target), placed
    raise OSError(errno.EEXIST, f"no free name for {name}")


def place_entry(src_dir: int, name: str, st: os.stat_result, dst: int, target: str
               ) -> Signature:
    """One entry, placed as it is: a link recreated, a file linked (else copied)."""
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(name, dir_fd=src_dir), target, dir_fd=dst)
        safefs.copy_meta(st, dst, target)
        return signature(st)
    try:
        os.link(name, target, src_dir_fd=src_dir, dst_dir_fd=dst, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        if stat.S_ISREG(st.st_mode):
            return signature(safefs.copy_file(src_dir, name, dst, target))
        # A pipe, socket or device node: made anew, the same kind with the same mode.
        os.mknod(target, st.st_mode, st.st_rdev, dir_fd=dst)
        safefs.copy_meta(st, dst, target)
        return signature(st)
    return signature(os.stat(target, dir_fd=dst, follow_symlinks=False))


class Carrier:
    """Carries everything in the reports folder that is not reporter's into staging.

    `placed` are reporter's files already linked into staging (reused meetings), with
    the signature they had. A generated file a person edited always takes an `edited`
    name (its own name is reporter's), except in `in_place`, the folders of meetings
    that are left as they were (--meeting).
    """

    def __init__(self, live: int, staging: int, ownership: Ownership,
                 placed: dict[str, Signature], in_place: set[str] | None = None):
        self.live, self.staging, self.own, self.placed = live, staging, ownership, placed
        self.in_place = in_place or set()
        self.root_dev = os.fstat(live).st_dev
        self.out = Carried()

    def run(self) -> Carried:
        self._folder(self.live, "")
        return self.out

    def _folder(self, fd: int, rel_dir: str) -> None:
        for name, st in safefs.entries(fd):
            rel = _join(rel_dir, name)
            if not rel_dir and name == MANIFEST:
                self.out.records[rel] = (signature(st), None)  # the new set has its own
            elif stat.S_ISDIR(st.st_mode):
                self._subfolder(fd, name, rel, st)
            else:
                self._file(fd, name, rel, st)

    def _subfolder(self, fd: int, name: str, rel: str, st: os.stat_result) -> None:
        if st.st_dev != self.root_dev:
            with _carrying(rel + "/"):
                raise OSError(errno.EXDEV, "a disk is mounted there", rel)
        if self.own.owned_folder(rel) or self._staging_has_folder(rel):
            with safefs.subdir(fd, name) as sub:  # judged entry by entry
                self._folder(sub, rel)
            return
        with _carrying(rel + "/"):
            dest = carry_folder(fd, name, st, self.staging, _parent(rel), self._record, rel)
        self.out.kept.append(Kept(dest + "/", rel + "/"))

    def _record(self, rel: str, placed: Signature, dest: str) -> None:
        self.out.records[rel] = (placed, dest)

    def _staging_has_folder(self, rel: str) -> bool:
        try:
            return stat.S_ISDIR(os.stat(rel, dir_fd=self.staging, follow_symlinks=False).st_mode)
        except OSError:
            return False

    def _file(self, fd: int, name: str, rel: str, st: os.stat_result) -> None:
        sig = self.own.intact(rel) if self.own.owned(rel) else None
        if sig is not None and sig == signature(st):
            self.out.records[rel] = (sig, rel if rel in self.placed else None)
            if rel not in self.placed:
                self.out.dropped.append(rel)
            return
        edited = self.own.owned(rel)
        own_name = not edited or rel.split("/")[0] in self.in_place
        with _carrying(rel):
            dest, placed = place(fd, name, st, self.staging, _parent(rel),
                                 "edited" if edited else "kept", own_name=own_name)
        self.out.records[rel] = (placed, dest)
        self.out.kept.append(Kept(dest, rel, edited))


@contextlib.contextmanager
def _carrying(rel: str) -> Iterator[None]:
    """A failure to carry an entry stops the build, naming the entry (nothing is lost:
    the reports folder is not touched until everything has been carried)."""
    try:
        yield
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise OutputError(f"{rel} in the reports folder is a mount point (another disk), "
                              "which reporter cannot carry into the new reports; unmount it or "
                              "move it out of the folder, and build again",
                              code="output-mount-point") from None
        raise OutputError(f"cannot keep {rel} in the new reports ({describe(exc)}); nothing "
                          "was changed", code="output-unwritable") from None


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


Record = Callable[[str, Signature, str], None]


def carry_folder(src_dir: int, name: str, st: os.stat_result, dst_root: int, dst_folder: str,
                 record: Record, rel: str) -> str:
    """Carry a person's folder whole into dst_root/dst_folder (under a kept name if its
    own is taken): folders made anew with the same mode and times, every entry placed
    as it is. record(rel, signature, dest) is told of every entry; returns the dest."""
    with safefs.subdir(dst_root, dst_folder, create=True) as dst:
        for n in range(1, 1000):
            target = name if n == 1 else kept_name(name, "kept", st.st_mtime, n - 1,
                                                    folder=True)
            if not dst_folder and target.casefold() in RESERVED:
                continue
            try:
                os.mkdir(target, 0o700, dir_fd=dst)
                break
            except FileExistsError:
                continue
        else:
            raise OSError(errno.EEXIST, f"no free name for {name}")
        with safefs.subdir(src_dir, name) as src, safefs.subdir(dst, target) as into:
            _fill(src, into, rel, _join(dst_folder, target), st.st_dev, record)
        safefs.copy_meta(st, dst, target)
    return _join(dst_folder, target)


def _fill(src: int, dst: int, rel: str, dest: str, dev: int, record: Record) -> None:
    for child, st in safefs.entries(src):
        child_rel, child_dest = _join(rel, child), _join(dest, child)
        if stat.S_ISDIR(st.st_mode):
            if st.st_dev != dev:
                raise OSError(errno.EXDEV, "a disk is mounted there", child_rel)
            os.mkdir(child, 0o700, dir_fd=dst)
            with safefs.subdir(src, child) as s, safefs.subdir(dst, child) as d:
                _fill(s, d, child_rel, child_dest, dev, record)
            safefs.copy_meta(st, dst, child)
        else:
            record(child_rel, place_entry(src, child, st, dst, child), child_dest)


class Sweeper:
    """Empties the previous folder after the swap, deleting only what it may.

    With `records` (the carrying of this build), an entry goes if it is what was
    recorded; without (cleaning up after a build killed after its swap), if it is a
    file reporter wrote and nobody changed, or the new folder already holds it (the
    same file, or the same bytes at the same place). Anything else is carried into
    the new folder first.
    """

    def __init__(self, old: int, live: int, records: Records | None):
        self.old, self.live, self.records = old, live, records
        self.own = Ownership(old, read_manifest(old))
        self.kept: list[Kept] = []
        self.failed: list[str] = []
        self._live_inodes: set[tuple[int, int]] | None = None

    def run(self) -> bool:
        """Sweep; True when the previous folder is empty (and can go)."""
        self._folder(self.old, "")
        return safefs.is_empty(self.old)

    def _folder(self, fd: int, rel_dir: str) -> None:
        for name, st in safefs.entries(fd):
            rel = _join(rel_dir, name)
            if stat.S_ISDIR(st.st_mode):
                with safefs.subdir(fd, name) as sub:
                    self._folder(sub, rel)
                with contextlib.suppress(OSError):
                    os.rmdir(name, dir_fd=fd)
            elif self._known(rel, st):
                os.unlink(name, dir_fd=fd)
            else:
                self._carry(fd, name, rel, st)

    def _known(self, rel: str, st: os.stat_result) -> bool:
        sig = signature(st)
        if self.records is not None:
            sig_then, dest = self.records.get(rel, (None, None))
            return sig == sig_then or (dest is not None and self._in_live(dest, st))
        manifest = self.own.manifest
        if rel == MANIFEST and manifest is not None and manifest.stat is not None:
            return sig == signature(manifest.stat)
        if self.own.owned(rel) and self.own.intact(rel) == sig:
            return True
        return (st.st_dev, st.st_ino) in self.live_inodes() or self._same_in_live(rel, st)

    def _in_live(self, dest: str, st: os.stat_result) -> bool:
        try:
            there = os.stat(dest, dir_fd=self.live, follow_symlinks=False)
        except OSError:
            return False
        return (there.st_dev, there.st_ino) == (st.st_dev, st.st_ino)

    def live_inodes(self) -> set[tuple[int, int]]:
        if self._live_inodes is None:
            self._live_inodes = set()
            _inodes(self.live, self._live_inodes)
        return self._live_inodes

    def _same_in_live(self, rel: str, st: os.stat_result) -> bool:
        """A copy the killed build carried: the same bytes (or link) at the same place."""
        if stat.S_ISLNK(st.st_mode):
            *folder, name = safefs.parts(rel)
            try:
                with safefs.subdir(self.old, "/".join(folder)) as a, \
                        safefs.subdir(self.live, "/".join(folder)) as b:
                    return os.readlink(name, dir_fd=a) == os.readlink(name, dir_fd=b)
            except OSError:
                return False
        if not stat.S_ISREG(st.st_mode):
            return False
        mine = safefs.digest(self.old, rel)
        return mine is not None and safefs.verify(self.live, rel, mine, st.st_size) is not None

    def _carry(self, fd: int, name: str, rel: str, st: os.stat_result) -> None:
        edited = self.own.owned(rel)
        try:
            dest, _ = place(fd, name, st, self.live, _parent(rel), "edited" if edited else "kept",
                            own_name=not edited)
            os.unlink(name, dir_fd=fd)
        except OSError:
            self.failed.append(rel)
            return
        self.kept.append(Kept(dest, rel, edited))


def _inodes(fd: int, out: set[tuple[int, int]]) -> None:
    for name, st in safefs.entries(fd):
        if stat.S_ISDIR(st.st_mode):
            with safefs.subdir(fd, name) as sub:
                _inodes(sub, out)
        else:
            out.add((st.st_dev, st.st_ino))
