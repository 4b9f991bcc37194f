"""Read: turn a file on disk into plain rows, refusing anything that is not a safe workbook.

files.py (a regular file, within its size limit), sniff.py (what kind of file),
archive.py (zip members within limits, unpacked and verified), xmlsafety.py (no
DTD, well-formed parts), structure.py (the sheets and where they are stored),
sheetscan.py (each sheet parsed before its cells are used; plainsheet.py, its
shortcut for plain rows; plainstrings.py, the shared strings'), package.py (those
steps together), child.py (a job in a child process with a memory ceiling),
calamine.py (the cells, with python-calamine), shared.py (a check shared with a
second process), workbook.py (the rows),
template.py (the Word briefing template).
"""

from .package import Package, open_package
from .sheetscan import SheetScan
from .workbook import RawSheet, RawWorkbook, SharedCheck, check_workbook, read_package, read_workbook

__all__ = [
    "Package", "RawSheet", "RawWorkbook", "SharedCheck", "SheetScan", "check_workbook",
    "open_package", "read_package", "read_workbook",
]
