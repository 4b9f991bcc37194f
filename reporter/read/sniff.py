"""What kind of file this is, told from its first bytes and its zip members.

Staff rename files, save web pages and CSV exports with an .xlsx name, or pick
the wrong file; each gets a message that names what the file really is and how
to turn it into an .xlsx workbook.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from ..errors import InputError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def refuse_lock_file(path: Path) -> None:
    """Excel's `~$name.xlsx`, which it keeps beside an open workbook."""
    if path.name.startswith("~$"):
        real = path.with_name(path.name[2:])
        raise InputError(
            f"this is the lock file Excel keeps while a workbook is open, not a workbook. "
            f"Use {real.name} instead",
            path=path, code="lock-file",
        )


def check_magic(path: Path, data: bytes) -> None:
    """Refuse anything that is not a zip archive, naming what it is instead."""
    if not data:
        raise InputError("the file is empty (0 bytes); it may not have finished copying",
                         path=path, code="empty-file")
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or b"E\x00n\x00c\x00r\x00y\x00p\x00t" in data:
            raise InputError(
                "the workbook is protected with a password (encrypted), so it cannot be read. "
                "Open it in Excel, remove the password (File > Info > Protect Workbook) and save",
                path=path, code="encrypted",
            )
        raise InputError(
            "this is an old-format Excel file (.xls, Excel 97-2003) or another legacy Office "
            "file. Open it in Excel and save it as an Excel Workbook (.xlsx)",
            path=path, code="legacy-xls",
        )
    if data.startswith(ZIP_MAGICS):
        return
    head = data[:4096]
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table")) or b"<html" in text[:512]:
        kind, code = "a web page (HTML) saved with a workbook's name", "html-file"
    elif text.startswith(b"<?xml"):
        kind, code = "an XML file (perhaps Excel 2003 XML), not an .xlsx workbook", "xml-file"
    elif _looks_like_text(head):
        kind, code = "a text file (CSV or similar), not an .xlsx workbook", "csv-file"
    else:
        kind, code = "not an .xlsx workbook (its contents are not a zip archive)", "not-a-workbook"
    raise InputError(
        f"this is {kind}. Open it in Excel or LibreOffice and save it as an Excel Workbook "
        "(.xlsx)",
        path=path, code=code,
    )


def _looks_like_text(head: bytes) -> bool:
    try:
        sample = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            sample = head.decode("gb18030")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in sample)
    return printable >= 0.95 * max(1, len(sample))


def check_members(path: Path, names: Collection[str]) -> None:
    """Refuse a zip archive that is another kind of document."""
    if "mimetype" in names and "content.xml" in names:
        raise InputError(
            "this is an OpenDocument file (.ods), not an .xlsx workbook. Open it in LibreOffice "
            "and save it as an Excel 2007-365 workbook (.xlsx)",
            path=path, code="ods-file",
        )
    if "[Content_Types].xml" not in names:
        raise InputError(
            "the file is a zip archive but not an Office document (it has no "
            "[Content_Types].xml). Open the original in Excel and save it as .xlsx",
            path=path, code="not-a-workbook",
        )
    for part, kind in (("word/document.xml", "a Word document"),
                       ("ppt/presentation.xml", "a PowerPoint file")):
        if part in names:
            raise InputError(f"this is {kind} renamed to .xlsx, not a workbook; give the "
                             "path of the cooperation workbook instead",
                             path=path, code="not-a-workbook")
    if "xl/workbook.bin" in names:
        raise InputError(
            "this is an Excel Binary Workbook (.xlsb). Open it in Excel and save it as an "
            "Excel Workbook (.xlsx)",
            path=path, code="xlsb-file",
        )
    if "EncryptedPackage" in names or "EncryptionInfo" in names:
        raise InputError("the workbook is encrypted; remove its password in Excel and save it",
                         path=path, code="encrypted")
    if "xl/workbook.xml" not in names:
        raise InputError(
            "the file has no xl/workbook.xml part, so it is not an Excel workbook; open the "
            "original in Excel and save it as an Excel Workbook (.xlsx)",
            path=path, code="not-a-workbook",
        )
