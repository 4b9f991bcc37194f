"""What a build takes from the one before it, and what it records for the next.

- `folder_names`: a folder per meeting, safe, unique ignoring case, and never a name
  reporter writes at the top of the reports folder.
- `Plan`: which meetings are reused (inputs unchanged: their files hard-linked, the
  same bytes), which are rendered, which are carried over untouched (not chosen
  with `--meeting`), which PDFs stay; and the manifest that records it all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import __version__, pdf
from .fingerprint import code_digest, library_versions, python_version
from .manifest import MANIFEST, dumps
from .render import MeetingBriefing
from .text import count, plural, safe_filename
from .write import sha256_file

if TYPE_CHECKING:
    from .output import OutputFolder

PORTFOLIO = "portfolio-summary.xlsx"
#: Every name reporter writes at the top of a reports folder: no meeting folder takes one.
TOP_LEVEL = (MANIFEST, PORTFOLIO)

REBUILT, REUSED, CARRIED = "rebuilt", "reused", "carried over"


def meeting_files(folder: str) -> tuple[str, str]:
    """A meeting's briefing and summary, relative to the reports folder."""
    return f"{folder}/{folder}-briefing.docx", f"{folder}/{folder}-summary.xlsx"


def folder_names(ids: list[str]) -> dict[str, str]:
    """The folder of each meeting: its ID if that is a safe file name, else a safe name
    with a hash of the ID. Names that would clash, ignoring case, with each other or
    with a name reporter writes at the top (`manifest.json`) all take the hashed
    form, longer hashes until none clash; so an ID that equals another ID's hashed
    name (`etc-7baf5cb6`) never shares its folder."""
    names = {i: safe_filename(i) for i in ids}
    reserved = {n.casefold() for n in TOP_LEVEL}
    for digits in (8, 16, 40):
        count = Counter(n.casefold() for n in names.values())
        clash = [i for i, n in names.items() if count[n.casefold()] > 1 or n.casefold() in reserved]
        if not clash:
            break
        for i in clash:
            names[i] = safe_filename(i, hashed=True, digits=digits)
    return names


class Plan:
    """What this build writes, reuses and carries over, meeting by meeting."""

    def __init__(self, folder: OutputFolder, briefings: list[MeetingBriefing], *, force: bool,
                 partial: bool, inputs_hash: Callable[[MeetingBriefing], str], build_id: str):
        self.folder = folder
        self.build_id = build_id
        self.previous = folder.previous
        self.briefings = {b.meeting.meeting_id: b for b in briefings}
        self.inputs: dict[str, str] = {}
        self.files: dict[str, list[str]] = {}
        self.origin: dict[str, str] = {}
        self.build_of: dict[str, str] = {}
        self.sha: dict[str, str] = {}
        #: meetings not chosen with --meeting, left as they were: their manifest entries
        self.carried: dict[str, dict[str, Any]] = {}
        self.todo = [b for b in briefings if force or not self._reuse(b, inputs_hash)]
        if partial:
            self._carry_over()

    @property
    def reused(self) -> list[str]:
        return [m for m, o in self.origin.items() if o == REUSED]

    def _reuse(self, b: MeetingBriefing, inputs_hash: Callable[[MeetingBriefing], str]) -> bool:
        mid = b.meeting.meeting_id
        record = self.previous.meetings.get(mid) if self.previous else None
        if record is None or record.get("folder") != b.folder:
            return False
        wanted = list(meeting_files(b.folder))
        if not set(wanted) <= set(record.get("files", ())):
            return False
        digest = inputs_hash(b)
        if record.get("inputs") != digest or not all(self.folder.intact(f) for f in wanted):
            return False
        placed = []
        for f in wanted:
            if not self.folder.place(f):  # changed since it was checked
                for p in placed:
                    self.folder.unplace(p)
                return False
            placed.append(f)
        self._take(mid, wanted, REUSED)
        self.inputs[mid] = digest
        return True

    def _take(self, mid: str, files: list[str], origin: str) -> None:
        """Files of a meeting linked from the previous folder: their record stands."""
        assert self.previous is not None
        self.files[mid] = files
        self.origin[mid] = origin
        self.build_of[mid] = self.previous.meeting_build(mid)
        for f in files:
            self.sha[f] = self.previous.files[f].sha256

    def _carry_over(self) -> None:
        """--meeting: every other meeting of the previous build stays as it was."""
        if self.previous is None:
            return
        taken = {b.folder.casefold() for b in self.briefings.values()}
        for mid, info in sorted(self.previous.meetings.items()):
            if mid in self.briefings or str(info["folder"]).casefold() in taken:
                continue  # built now, or its folder now belongs to a meeting built now
            self.folder.in_place.add(str(info["folder"]))
            files = [f for f in info.get("files", ()) if self.folder.place(f)]
            if files:
                self.carried[mid] = info
                self._take(mid, files, CARRIED)

    def rendered(self, mid: str, files: list[str], digest: str) -> None:
        self.files[mid] = list(files)
        self.origin[mid] = REBUILT
        self.build_of[mid] = self.build_id
        self.inputs[mid] = digest

    # --- PDFs --------------------------------------------------------------------------

    def pdfs(self, make: bool, force: bool, say: Callable[..., None]) -> list[str]:
        """Keep each PDF whose briefing has not changed; with `make`, convert the others.

        Returns notes for the build's output.
        """
        todo = []
        for mid in self.briefings:
            docx = self.files[mid][0]
            if not (make and force) and self._keep_pdf(docx):
                self.files[mid].append(pdf.pdf_name(docx))
            elif make:
                todo.append((mid, docx))
        made, notes = pdf.convert(self.folder.staging, todo, say)
        for mid, _ in todo:
            name = pdf.pdf_name(self.files[mid][0])
            if name in made:
                self.files[mid].append(name)
        return notes

    def _keep_pdf(self, docx: str) -> bool:
        """The previous PDF stays if it was made from a briefing with these very bytes."""
        name, prev = pdf.pdf_name(docx), self.previous
        if prev is None or name not in prev.files or docx not in prev.files:
            return False
        return prev.files[docx].sha256 == self.digest(docx) and self.folder.place(name)

    def digest(self, rel: str) -> str:
        if rel not in self.sha:
            self.sha[rel] = sha256_file(self.folder.staging / rel)
        return self.sha[rel]

    def dropped_notes(self, dropped: list[str], on_sheet: set[str]) -> list[str]:
        """What the build's output says about reporter's files that went (`on_sheet`: the
        IDs on the Meetings sheet now)."""
        notes = []
        written = {f for files in self.files.values() for f in files}
        folders = {f.split("/")[0] for f in written}
        for rel in dropped:  # a PDF made again (--pdf --force) was replaced, not removed
            if rel.endswith("-briefing.pdf") and rel not in written and \
                    rel.split("/")[0] in folders:
                notes.append(f"{rel} was out of date (its briefing changed) and was removed; "
                             "build with --pdf to make it again")
        if self.previous is not None:
            gone = sorted(set(self.previous.meetings) - set(self.files) - on_sheet)
            if gone:
                notes.append(f"{count(len(gone), 'meeting')} of the previous build "
                             f"{plural('is', len(gone))} no longer on the Meetings sheet, and "
                             f"{'its' if len(gone) == 1 else 'their'} files were removed: "
                             f"{', '.join(gone)}")
        return notes

    # --- the record --------------------------------------------------------------------

    #: Meeting ID -> its place on the Meetings sheet (set by the build; carried-over
    #: meetings interleave with rebuilt ones in that order)
    positions: dict[str, int] | None = None

    def order(self) -> list[str]:
        found = [*self.briefings, *self.carried]
        if self.positions is None:
            return found
        return sorted(found, key=lambda mid: self.positions.get(mid, len(found)))

    def manifest(self, ins: Any, outcome: Any, warnings: int) -> dict[str, Any]:
        """The manifest of the new set (see manifest.py)."""
        files = sorted([*[f for m in self.order() for f in self.files[m]], PORTFOLIO])
        meetings = {}
        for mid in self.order():
            b = self.briefings.get(mid)
            info = self.carried.get(mid, {})
            meetings[mid] = {
                "folder": b.folder if b else info["folder"],
                "files": sorted(self.files[mid]),
                "inputs": self.inputs.get(mid, info.get("inputs")),
                "reconciliation": b.status_counts() if b else info.get("reconciliation"),
                "build_id": self.build_of[mid],
                "origin": self.origin[mid],
                "position": (self.positions or {}).get(mid),
            }
        return {
            "tool": {"name": "reporter", "version": __version__, "code": code_digest(),
                     "libraries": library_versions(), "python": python_version()},
            "build_id": ins.build_id,
            "build_key": ins.key,
            "created": ins.created.isoformat(),
            "workbook": {"name": ins.workbook.name, "sha256": ins.workbook_sha},
            "facts": {"version": ins.facts.version, "digest": ins.facts.digest},
            "template": {"name": ins.template.name, "sha256": ins.template_sha},
            "files": [{"path": f, "sha256": self.digest(f),
                       "size": (self.folder.staging / f).stat().st_size} for f in files],
            "meetings": meetings,
            "reconciliation": outcome.summary,
            "validation": {"warnings": warnings},
        }

    def results(self) -> list[Any]:
        from .build import MeetingResult

        out = []
        for mid in self.order():
            b = self.briefings.get(mid)
            summary = b.status_counts() if b else dict(self.carried[mid].get("reconciliation")
                                                       or {})
            folder = b.folder if b else self.carried[mid]["folder"]
            out.append(MeetingResult(mid, folder, sorted(self.files[mid]), summary,
                                     self.origin[mid] != REBUILT, self.origin[mid],
                                     self.build_of[mid]))
        return out


def manifest_bytes(data: dict[str, Any]) -> bytes:
    return dumps(data)
