"""An .xlsx package, opened safely: every check that must pass before a cell is read.

A workbook is a zip of XML parts. `Package` ties the steps together, each in a
module of its own: the file is read as a regular file within its size limit
(files.py), told apart from other kinds of file (sniff.py), its zip members
checked and unpacked within limits (archive.py), its structure read (structure.py),
every XML part parsed with a DTD-refusing parser (xmlsafety.py; the plain items of the
shared strings proven well-formed instead, plainstrings.py), and each sheet
to be read scanned (sheetscan.py) before python-calamine may parse it.

A Package holds no open file or archive: the bytes are in memory, so a refusal
at any step leaves nothing to close. It is a context manager all the same, which
lets go of those bytes on leaving.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..schema import LIMITS
from .archive import Archive
from .files import read_regular
from .plainstrings import check_shared_strings
from .sheetscan import WHOLE_BYTES, SheetScan, scan_sheet
from .sniff import check_magic, check_members, refuse_lock_file
from .structure import RELS_PART, WORKBOOK_PART, read_structure, sheet_key
from .xmlsafety import HEAD, check_well_formed, refuse_dtd_in_head

SHARED_STRINGS = "xl/sharedStrings.xml"


class Package:
    """A checked workbook file: its structure known, its parts verified as they are read."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        self.archive = Archive(path, data)
        check_members(path, set(self.archive.names))
        for name in self._xml_parts():
            refuse_dtd_in_head(path, name, next(self.archive.chunks(name, HEAD), b""))
        parts = set(self.archive.names)
        rels = self.archive.read(RELS_PART) if RELS_PART in parts else None
        structure = read_structure(path, self.archive.read(WORKBOOK_PART), rels, parts)
        self.sheets: list[SheetScan] = structure.sheets
        self.date1904 = structure.date1904
        self.recalc_on_load = structure.recalc_on_load
        #: Text in the shared strings may hold control characters (see ControlHint).
        self.control_in_shared_strings = False
        self.cells = 0  # filled cells in the sheets scanned so far

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.data = b""
        self.archive.data = b""

    def _xml_parts(self) -> list[str]:
        return [n for n in self.archive.names if n.endswith((".xml", ".rels"))]

    def select(self, names: Iterable[str] | None) -> list[SheetScan]:
        """The sheets to read: those named (ignoring case and surrounding spaces), or all."""
        if names is None:
            return list(self.sheets)
        wanted = {sheet_key(n) for n in names}
        return [s for s in self.sheets if sheet_key(s.name) in wanted]

    def check_parts(self, skip: Iterable[str] = ()) -> None:
        """Unpack every part but `skip` in full (its checksum, its declared size, where its
        deflate stream ends) and parse each XML part to its end: refuse a damaged part, or
        one that is not well-formed. (The sheets in `skip` are read by `scan`.)"""
        skipped = set(skip)
        for name in self.archive.names:
            if name in skipped:
                continue
            chunks = self.archive.chunks(name)
            if name == SHARED_STRINGS and self.archive.infos[name].file_size <= WHOLE_BYTES:
                self.control_in_shared_strings = check_shared_strings(
                    self.path, name, bytearray().join(chunks))
            elif name.endswith((".xml", ".rels")):
                control = check_well_formed(self.path, name, chunks)
                if name == SHARED_STRINGS:
                    self.control_in_shared_strings = control
            else:
                for _ in chunks:
                    pass

    def scan(self, sheet: SheetScan) -> None:
        """Parse one sheet's part with the streaming scanner; raise InputError at the first
        thing that must stop the read (see sheetscan.py)."""
        scan_sheet(self.path, sheet, sheet.part, self.archive.chunks(sheet.part), self.cells,
                   plain=self.archive.infos[sheet.part].file_size <= WHOLE_BYTES)
        self.cells += sheet.valued_cells


def open_package(path: Path | str) -> Package:
    """Read and check a workbook file up to its structure; raise InputError naming the fix."""
    path = Path(path)
    refuse_lock_file(path)
    data = read_regular(path, limit=LIMITS["file_bytes"], what="workbook")
    check_magic(path, data)
    return Package(path, data)
