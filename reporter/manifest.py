"""The manifest: reporter's record of what it wrote into a reports folder.

`manifest.json` lists every file a build wrote (path, sha256, size) and, for each
meeting, its folder, its files, a hash of its inputs and which build made them.
It is the record of ownership: reporter deletes or overwrites only files listed
there whose bytes are still the listed ones. A folder whose manifest is missing or
cannot be read as reporter's is not reporter's folder.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from . import safefs

MANIFEST = "manifest.json"
#: Far more than any real manifest (a file of a hundred thousand entries is ~15 MB).
MAX_BYTES = 64 << 20
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class FileRecord:
    path: str
    sha256: str
    size: int


@dataclass(slots=True)
class Manifest:
    """A manifest read back: the files reporter owns in the folder, and its meetings."""

    data: dict[str, Any]
    files: dict[str, FileRecord]
    meetings: dict[str, dict[str, Any]]
    #: stat of manifest.json itself when it was read
    stat: os.stat_result | None = None
    folders: set[str] = field(default_factory=set)

    @property
    def build_id(self) -> str:
        return str(self.data.get("build_id") or "")

    @property
    def build_key(self) -> str:
        return str(self.data.get("build_key") or "")

    def meeting_build(self, mid: str) -> str:
        """The id of the build that rendered a meeting's files ('' if not recorded)."""
        return str(self.meetings.get(mid, {}).get("build_id") or self.build_id)


def safe_rel(path: object) -> bool:
    """A relative path inside the folder: not absolute, no '..', no empty part."""
    if not isinstance(path, str) or not path or "\\" in path or "\0" in path:
        return False
    parts = path.split("/")
    return all(p and p not in (".", "..") for p in parts) and path != MANIFEST


def parse(raw: bytes) -> Manifest | None:
    """The manifest in raw, or None if it is not a well-formed reporter manifest."""
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("tool", {}).get("name") != "reporter":
            return None
        files = {}
        for f in data["files"]:
            path, sha, size = f["path"], f["sha256"], f["size"]
            if not (safe_rel(path) and isinstance(sha, str) and _SHA.fullmatch(sha)
                    and type(size) is int and size >= 0):
                return None
            files[path] = FileRecord(path, sha, size)
        meetings = data.get("meetings", {})
        if not isinstance(meetings, dict):
            return None
        for info in meetings.values():
            if not (isinstance(info, dict) and isinstance(info.get("folder"), str)
                    and all(p in files for p in info.get("files", []))):
                return None
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    folders = {"/".join(p.split("/")[:k]) for p in files for k in range(1, p.count("/") + 1)}
    return Manifest(data, files, meetings, folders=folders)


def read(dir_fd: int) -> Manifest | None:
    """The manifest of the folder open at dir_fd; None if there is none that is reporter's.

    manifest.json is opened without following a link and must be a regular file.
    """
    fd = safefs.open_regular(dir_fd, MANIFEST)
    if fd is None:
        return None
    try:
        st = os.fstat(fd)
        if st.st_size > MAX_BYTES:
            return None
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    manifest = parse(b"".join(chunks))
    if manifest is not None:
        manifest.stat = st
    return manifest


def dumps(data: dict[str, Any]) -> bytes:
    """The manifest's bytes: sorted keys, so equal builds give equal bytes."""
    return (json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
