"""Helpers for tests of the reports folder: snapshots that follow no link, people's files
planted at every level, and the checks every such test makes.

A snapshot maps each entry below a folder (relative path) to what it is: a file by its
sha256, a link by its target text, a folder; nothing is followed. Comparing snapshots
byte for byte is how the tests show that nothing reporter did not write was deleted,
overwritten or written through.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from reporter.manifest import MANIFEST

Entry = tuple[str, str]


def snapshot(root: Path, *, skip: tuple[str, ...] = ()) -> dict[str, Entry]:
    """Every entry below root, not following links."""
    out: dict[str, Entry] = {}
    if not root.is_dir() or root.is_symlink():
        return out
    for dirpath, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if rel.split("/")[0] in skip:
                continue
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", "")
            elif stat.S_ISREG(st.st_mode):
                out[rel] = ("file", hashlib.sha256(p.read_bytes()).hexdigest())
            else:
                out[rel] = ("other", oct(stat.S_IFMT(st.st_mode)))
    return out


def plant(reports: Path, outside: Path, meeting: str = "M-SUZHOU") -> dict[str, Entry]:
    """People's entries at every level of a reports folder (`meeting` is one of its meeting
    folders), and links to a sentinel folder outside it. Returns a snapshot of just these
    entries."""
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "secret.txt").write_text("outside: never to be written or deleted\n")
    (reports / "talking-points.txt").write_text("points for the minister\n")
    (reports / ".hidden-notes").write_text("hidden\n")
    (reports / "drafts" / "deep" / "deeper").mkdir(parents=True)
    (reports / "drafts" / "deep" / "deeper" / "plan.docx").write_bytes(b"PK\x03\x04 a draft")
    (reports / "drafts" / "empty").mkdir()
    (reports / "drafts" / "to-secret").symlink_to(outside / "secret.txt")
    (reports / "link-out").symlink_to(outside)
    (reports / "dangling").symlink_to(reports / "nothing-here")
    m = reports / meeting
    (m / "minister-notes.txt").write_text("notes in a meeting's folder\n")
    (m / "photos").mkdir()
    (m / "photos" / "p1.jpg").write_bytes(b"\xff\xd8\xff jpeg")
    (m / "secret-link").symlink_to(outside / "secret.txt")
    (m / f"{meeting}-briefing.docx.bak").write_bytes(b"a backup Word made")
    os.mkfifo(reports / "a-fifo")
    planted = ("talking-points.txt", ".hidden-notes", "drafts", "link-out", "dangling", "a-fifo",
               *(f"{meeting}/{n}" for n in ("minister-notes.txt", "photos", "secret-link",
                                             f"{meeting}-briefing.docx.bak")))
    return {rel: e for rel, e in snapshot(reports).items()
            if any(rel == p or rel.startswith(p + "/") for p in planted)}


def assert_people_kept(before: dict[str, Entry], after: dict[str, Entry],
                       moved: dict[str, str] | None = None) -> None:
    """Every entry in `before` is in `after`, the same, at its path or where `moved` says
    (moved maps old path to new path, for a file or a whole folder)."""
    moved = moved or {}
    for rel, entry in before.items():
        where = rel
        for old, new in moved.items():
            if rel == old or rel.startswith(old + "/"):
                where = new + rel[len(old):]
        assert after.get(where) == entry, f"{rel} (looked for at {where}) was lost or changed"


def generated(root: Path) -> set[str]:
    """The paths the folder's manifest lists, and the manifest."""
    import json

    data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    return {f["path"] for f in data["files"]} | {MANIFEST}


def leftovers(parent: Path, name: str) -> list[str]:
    """Staging or previous folders a build left beside `name` (its lock aside)."""
    return sorted(p.name for p in parent.iterdir()
                  if p.name.startswith(f".{name}.") and p.name != f".{name}.lock")


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{text}"
    assert "Traceback" not in text and "Exception ignored" not in text
    return lines[0]
