"""File operations that never follow a symbolic link.

A reports folder may hold links that people (or attackers) put there, pointing
anywhere. Everything reporter does inside a folder goes through these helpers:
folders are opened one component at a time with O_NOFOLLOW and worked on through
their descriptors, so no link is ever followed, read through or written through,
whatever is renamed while a build runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE = os.O_RDONLY | NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)

#: What identifies one version of one file: device, inode, size, modification time.
Signature = tuple[int, int, int, int]


def signature(st: os.stat_result) -> Signature:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def parts(rel: str) -> list[str]:
    return [p for p in rel.split("/") if p]


def open_dir(path: str | os.PathLike[str], *, dir_fd: int | None = None) -> int:
    """Open a folder for *at() calls; OSError (ELOOP, ENOTDIR) if it is a link or a file."""
    return os.open(path, _DIR, dir_fd=dir_fd)


def open_subdir(root: int, rel: str, *, create: bool = False) -> int:
    """Open root/rel one component at a time, never following a link; with create,
    make the folders that are missing. The caller closes the descriptor."""
    fd = os.dup(root)
    try:
        for name in parts(rel):
            try:
                sub = open_dir(name, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o777, dir_fd=fd)
                sub = open_dir(name, dir_fd=fd)
            os.close(fd)
            fd = sub
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def subdir(root: int, rel: str, *, create: bool = False) -> Iterator[int]:
    fd = open_subdir(root, rel, create=create)
    try:
        yield fd
    finally:
        os.close(fd)


def open_regular(dir_fd: int, name: str) -> int | None:
    """Open a regular file for reading; None if it is missing, a link or anything else."""
    try:
        fd = os.open(name, _FILE, dir_fd=dir_fd)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def sha256_fd(fd: int) -> str:
    h = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 20):
        h.update(chunk)
    return h.hexdigest()


def digest(root: int, rel: str) -> str | None:
    """sha256 of the regular file at root/rel, reached without following a link."""
    *folders, name = parts(rel) or [""]
    try:
        with subdir(root, "/".join(folders)) as d:
            fd = open_regular(d, name)
        if fd is None:
            return None
        try:
            return sha256_fd(fd)
        finally:
            os.close(fd)
    except OSError:
        return None


def verify(root: int, rel: str, sha256: str, size: int) -> os.stat_result | None:
    """The stat of the regular file at root/rel (reached without following a link) if its
    bytes are the ones given by sha256 and size; else None."""
    *folders, name = parts(rel) or [""]
    try:
        with subdir(root, "/".join(folders)) as d:
            fd = open_regular(d, name)
    except OSError:
        return None
    if fd is None:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size != size or sha256_fd(fd) != sha256:
            return None
        return st
    except OSError:
        return None
    finally:
        os.close(fd)


def entries(dir_fd: int) -> list[tuple[str, os.stat_result]]:
    """The folder's entries with their lstat, sorted by name."""
    out = []
    with os.scandir(dir_fd) as it:
        for e in it:
            with contextlib.suppress(FileNotFoundError):
                out.append((e.name, e.stat(follow_symlinks=False)))
    return sorted(out)


def is_empty(dir_fd: int) -> bool:
    with os.scandir(dir_fd) as it:
        return next(it, None) is None


def copy_file(src_dir: int, name: str, dst_dir: int, dst_name: str) -> os.stat_result:
    """Copy a regular file (bytes, mode, times) without following links on either side."""
    src = open_regular(src_dir, name)
    if src is None:
        raise OSError(f"{name} is not a regular file")
    try:
        st = os.fstat(src)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        dst = os.open(dst_name, flags, stat.S_IMODE(st.st_mode) | 0o200, dir_fd=dst_dir)
        try:
            while chunk := os.read(src, 1 << 20):
                os.write(dst, chunk)  # partial writes raise on a full disk
            os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.chmod(dst, stat.S_IMODE(st.st_mode))
        except BaseException:
            os.close(dst)
            os.unlink(dst_name, dir_fd=dst_dir)
            raise
        os.close(dst)
        return st
    finally:
        os.close(src)


def copy_meta(st: os.stat_result, dst_dir: int, name: str) -> None:
    """Give a folder or link made by reporter the mode, times and owner of the original."""
    follow = False
    with contextlib.suppress(OSError, NotImplementedError):
        os.chown(name, st.st_uid, st.st_gid, dir_fd=dst_dir, follow_symlinks=follow)
    if not stat.S_ISLNK(st.st_mode):
        with contextlib.suppress(OSError, NotImplementedError):
            os.chmod(name, stat.S_IMODE(st.st_mode), dir_fd=dst_dir)
    with contextlib.suppress(OSError, NotImplementedError):
        os.utime(name, ns=(st.st_atime_ns, st.st_mtime_ns), dir_fd=dst_dir,
                 follow_symlinks=follow)


def remove_tree(dir_fd: int, name: str) -> None:
    """Remove a folder of reporter's own (staging) and all in it, following no link."""
    try:
        fd = open_dir(name, dir_fd=dir_fd)
    except OSError:
        return
    try:
        for child, st in entries(fd):
            if stat.S_ISDIR(st.st_mode):
                remove_tree(fd, child)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(child, dir_fd=fd)
    finally:
        os.close(fd)
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(name, dir_fd=dir_fd)
