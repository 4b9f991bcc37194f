"""Read: turn a file on disk into plain rows, refusing anything that is not a safe workbook."""

from .package import Package, SheetScan, open_package
from .workbook import RawSheet, RawWorkbook, read_package, read_workbook

__all__ = [
    "Package", "RawSheet", "RawWorkbook", "SheetScan", "open_package", "read_package",
    "read_workbook",
]
