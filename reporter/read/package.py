"""Open an .xlsx file safely: every check that must pass before a cell is parsed.

A workbook is a zip of XML parts. Before the fast reader (python-calamine)
touches it, this module makes sure that it is one: not a renamed .xls, .csv or
.docx, not encrypted, not truncated, no entity tricks in its XML, no zip bomb,
and no cell so far away that reading the sheet would need more memory than the
machine has (`open_package`). It also collects what the fast reader does not report:
formulas, error cells, hidden rows, rows out of order and control characters
(`scan_details`, which the reader runs while python-calamine parses).
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..errors import InputError
from ..schema import LIMITS

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_STRICT_MAIN = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"

# Cell-level patterns, on raw sheet XML bytes. Prefixes such as <x:c> are allowed.
_CELL_START = rb"<(?:\w+:)?c\s"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ERROR_CELL = re.compile(_CELL_START + rb'[^>]*?\bt="e"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\s[^>]*?\bhidden="(?:1|true)"')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d+)"')
_ROW_NUMBER_FAST = re.compile(rb'<row r="(\d+)"')
_PREFIXED_ROOT = re.compile(rb"<\w+:worksheet\b")
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')
# Column CW (101) or further: three letters, or two letters from DA, or CW..CZ.
_FAR_COLUMN = re.compile(rb'\sr="(?:[A-Z]{3}|[D-Z][A-Z]|C[W-Z])\d')
# The same with a literal first character, which the regex engine finds far faster.
_FAR_COLUMN_FAST = re.compile(rb' r="(?:[A-Z]{3}|[D-Z][A-Z]|C[W-Z])\d')
_CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_C1 = re.compile(rb"\xc2[\x80-\x9f]")
_VALUE_OPEN = re.compile(rb"<(?:\w+:)?(?:v|is)>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>|/>")


@dataclass(slots=True)
class SheetScan:
    """What the raw XML of one worksheet says beyond its values."""

    name: str
    part: str
    state: str = "visible"
    #: cell ref -> (formula as typed, saved result text or '' when there is none)
    formulas: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: cell ref -> error text such as '#REF!'
    errors: dict[str, str] = field(default_factory=dict)
    hidden_rows: list[int] = field(default_factory=list)
    valued_cells: int = 0
    #: The sheet's XML may hold control characters (see may_hold_control_characters).
    control: bool = False
    last_row: int = 0


@dataclass(slots=True)
class Package:
    path: Path
    sheets: list[SheetScan]
    date1904: bool = False
    #: The writer asked for formulas to be recalculated on opening: saved results are guesses.
    recalc_on_load: bool = False
    #: The shared strings may hold control characters.
    control_in_shared_strings: bool = False
    data: bytes = b""
    #: The open archive and the parts unpacked so far (see check_sheets, scan_details).
    archive: zipfile.ZipFile | None = field(default=None, repr=False)
    parts: dict[str, bytes] = field(default_factory=dict, repr=False)


def open_package(path: Path) -> Package:
    """Check a workbook file; raise InputError naming the fix.

    With `check_sheets`, these are the checks that must pass before the fast reader
    parses anything: the file is a readable workbook, its XML declares no DTD (so no
    entities), and no sheet reaches so far that parsing it would exhaust memory.
    """
    data = _read_file(path)
    _check_magic(path, data)
    import io

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(
            "the file is damaged: it is not a complete zip archive (it may have been cut off "
            "while copying). Copy it again or open it in Excel and save it anew",
            path=path, code="corrupt-file",
        ) from None
    try:
        infos = {i.filename: i for i in zf.infolist()}
        _check_members(path, infos)
        for name, info in _xml_parts(infos):
            _check_prolog(path, zf, name, info)
        parts = {name: _read_part(path, zf, name, infos[name])
                 for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") if name in infos}
        workbook_xml = parts.get("xl/workbook.xml")
        if workbook_xml is None:
            raise InputError(
                "the file has no xl/workbook.xml part, so it is not an Excel workbook; open the "
                "original in Excel and save it as an Excel Workbook (.xlsx)",
                path=path, code="not-a-workbook",
            )
        sheets, date1904, recalc = _workbook_structure(path, workbook_xml, parts.get(
            "xl/_rels/workbook.xml.rels"))
        for sheet in sheets:
            if sheet.part not in infos:
                raise InputError(
                    f"sheet {sheet.name!r} points to a part ({sheet.part}) that is not in the "
                    "file; the workbook is damaged. Open it in Excel and save it anew",
                    path=path, code="corrupt-file",
                )
    except BaseException:
        zf.close()
        raise
    return Package(path=path, sheets=sheets, date1904=date1904, recalc_on_load=recalc, data=data,
                   archive=zf, parts=parts)


def check_sheets(package: Package) -> None:
    """Unpack every sheet and refuse cells too far away.

    The fast reader sizes a sheet by its furthest cell, so this must pass before a
    sheet is parsed. (A DTD, the other danger, was refused by `open_package`.)
    """
    assert package.archive is not None
    try:
        for sheet in package.sheets:
            with _unpacking(package.path, sheet.part):
                xml = package.archive.read(sheet.part)
            package.parts[sheet.part] = xml
            _check_extent(package.path, sheet, xml)
    except BaseException:
        package.parts = {}
        package.archive.close()
        raise


def scan_details(package: Package) -> None:
    """Collect what the fast reader does not report (formulas, error cells, hidden rows,
    control characters); raise InputError for rows out of order, too many cells, a
    damaged part. Closes the archive.

    Needs the GIL but not the cells, so the reader runs it while python-calamine,
    which releases the GIL while parsing, reads the same file on another thread.
    """
    assert package.archive is not None
    path = package.path
    try:
        total_cells = 0
        for sheet in package.sheets:
            xml = package.parts[sheet.part]
            _refuse_entities(path, sheet.part, xml)
            _scan_sheet(path, sheet, xml)
            total_cells += sheet.valued_cells
        # Too many cells would take too much memory as Python values (parsed, they are not yet).
        if total_cells > LIMITS["cells"]:
            raise InputError(
                f"the workbook holds {total_cells:,} filled cells, more than reporter's limit of "
                f"{LIMITS['cells']:,}. Split the register into several workbooks",
                path=path, code="too-many-cells",
            )
        # The other parts: unpacked whole, which checks them for damage.
        infos = {i.filename: i for i in package.archive.infolist()}
        for name, info in _xml_parts(infos):
            if name in package.parts:
                continue
            control = _stream_part(path, package.archive, name, info)
            if name.lower().endswith("sharedstrings.xml"):
                package.control_in_shared_strings = control
    finally:
        package.parts = {}
        package.archive.close()


def _read_file(path: Path) -> bytes:
    if path.name.startswith("~$"):
        real = path.with_name(path.name[2:])
        raise InputError(
            f"this is the lock file Excel keeps while a workbook is open, not a workbook. "
            f"Use {real.name} instead",
            path=path, code="lock-file",
        )
    try:
        if not path.exists():
            raise InputError("no such file; check the path and the file name", path=path,
                             code="file-not-found")
        if path.is_dir():
            raise InputError("this is a folder, not a workbook; give the path of the .xlsx "
                             "file", path=path, code="not-a-file")
        size = path.stat().st_size
        if size > LIMITS["file_bytes"]:
            raise InputError(
                f"the file is {size / 2**20:.0f} MiB, more than reporter's limit of "
                f"{LIMITS['file_bytes'] // 2**20} MiB. Split the register into several workbooks",
                path=path, code="too-large",
            )
        return path.read_bytes()
    except PermissionError:
        raise InputError("the file cannot be read (permission denied); check who may read it",
                         path=path, code="permission-denied") from None
    except OSError as exc:
        raise InputError(f"the file cannot be read ({exc.strerror or exc})", path=path,
                         code="unreadable") from None


def _check_magic(path: Path, data: bytes) -> None:
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
    if any(data.startswith(m) for m in _ZIP_MAGICS):
        return
    head = data[:4096]
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if text.startswith((b"<html", b"<!doctype html", b"<table")) or b"<html" in text[:512]:
        kind = "a web page (HTML) saved with a workbook's name"
        code = "html-file"
    elif text.startswith(b"<?xml"):
        kind = "an XML file (perhaps Excel 2003 XML), not an .xlsx workbook"
        code = "xml-file"
    elif _looks_like_text(head):
        kind = "a text file (CSV or similar), not an .xlsx workbook"
        code = "csv-file"
    else:
        kind = "not an .xlsx workbook (its contents are not a zip archive)"
        code = "not-a-workbook"
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


def _check_members(path: Path, infos: dict[str, zipfile.ZipInfo]) -> None:
    names = set(infos)
    if "mimetype" in names and any(n == "content.xml" for n in names):
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
    if "word/document.xml" in names:
        raise InputError("this is a Word document renamed to .xlsx, not a workbook; give the "
                         "path of the cooperation workbook instead",
                         path=path, code="not-a-workbook")
    if "ppt/presentation.xml" in names:
        raise InputError("this is a PowerPoint file renamed to .xlsx, not a workbook; give the "
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
    total = 0
    for info in infos.values():
        if info.flag_bits & 0x1:
            raise InputError(
                f"part {info.filename} is encrypted; remove the password in Excel and save",
                path=path, code="encrypted",
            )
        total += info.file_size
        if (
            info.file_size > 2**20
            and info.file_size > LIMITS["compression_ratio"] * max(1, info.compress_size)
        ):
            raise InputError(
                f"part {info.filename} unpacks to {info.file_size / 2**20:.0f} MiB from "
                f"{info.compress_size / 2**10:.0f} KiB (more than {LIMITS['compression_ratio']} "
                "times), which real workbooks never do, so reporter refuses it as a zip bomb. "
                "Ask for a fresh copy, or open it in Excel and save it as a new .xlsx",
                path=path, code="zip-bomb",
            )
    if total > LIMITS["uncompressed_bytes"]:
        raise InputError(
            f"the workbook unpacks to {total / 2**20:.0f} MiB, more than reporter's limit of "
            f"{LIMITS['uncompressed_bytes'] // 2**20} MiB. Split the register into several "
            "workbooks",
            path=path, code="too-large",
        )


def _xml_parts(infos: dict[str, zipfile.ZipInfo]) -> list[tuple[str, zipfile.ZipInfo]]:
    return [(name, info) for name, info in infos.items()
            if name.endswith((".xml", ".rels")) and not info.is_dir()]


@contextmanager
def _unpacking(path: Path, name: str) -> Iterator[None]:
    try:
        yield
    except zipfile.BadZipFile as exc:
        raise InputError(
            f"part {name} is damaged ({exc}); the file was changed or cut off after it was "
            "saved. Copy it again or open it in Excel and save it anew",
            path=path, code="corrupt-file",
        ) from None
    except (EOFError, OSError, ValueError, NotImplementedError, zlib.error) as exc:
        raise InputError(f"part {name} cannot be unpacked ({exc}); the file is damaged. "
                         "Copy it again, or open it in Excel and save it anew",
                         path=path, code="corrupt-file") from None


def _entities(path: Path, name: str) -> InputError:
    return InputError(
        f"part {name} declares XML entities or a DTD, which Excel never writes and "
        "which can be used to attack the reader, so reporter refuses the file. Ask for "
        "a fresh copy, or open it in Excel and save it as a new .xlsx",
        path=path, code="xml-entities",
    )


# What may come before an XML document's root element, other than a DTD.
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_HEAD = 65536


def _check_prolog(path: Path, zf: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> None:
    """Refuse a part that declares a DTD, reading only its first bytes.

    Entities can only be declared in a DTD, and a DTD only comes before the root
    element; so the head of a part is enough, and the fast reader never meets one.
    """
    with _unpacking(path, name), zf.open(info) as f:
        head = f.read(_HEAD)
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    end = _PROLOG.match(text).end()  # type: ignore[union-attr]
    if text.startswith(b"<!", end):
        raise _entities(path, name)
    if end == len(text) and len(head) == _HEAD:  # all prolog so far: look at the whole part
        _read_part(path, zf, name, info)


def _read_part(path: Path, zf: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> bytes:
    """One XML part, read whole (which checks its CRC) and checked for DTDs."""
    with _unpacking(path, name):
        xml = zf.read(info)
    _refuse_entities(path, name, xml)
    return xml


_CHUNK = 1 << 20


def _stream_part(path: Path, zf: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> bool:
    """Unpack a part piece by piece (which checks its CRC at the end) and look for DTDs;
    return whether it may hold control characters.

    Never holding the whole part keeps memory (and the parser running alongside) free.
    """
    control = False
    tail = b""
    with _unpacking(path, name), zf.open(info) as f:
        while piece := f.read(_CHUNK):
            joined = tail + piece  # pieces overlap so that no marker is split
            if (b"<!ENTITY" in joined or b"<!DOCTYPE" in joined
                    or (not tail and b"<!DOCTYPE" in joined[:_HEAD].upper())):
                raise _entities(path, name)
            control = control or may_hold_control_characters(joined)
            tail = piece[-16:]
    return control


def _refuse_entities(path: Path, name: str, xml: bytes) -> None:
    if b"<!DOCTYPE" in xml[:_HEAD].upper() or b"<!ENTITY" in xml:
        raise _entities(path, name)


def _workbook_structure(path: Path, workbook_xml: bytes, rels_xml: bytes | None) -> tuple[
        list[SheetScan], bool, bool]:
    try:
        root = SafeET.fromstring(workbook_xml, forbid_dtd=True)
        rels = SafeET.fromstring(rels_xml, forbid_dtd=True) if rels_xml else None
    except DefusedXmlException:
        raise InputError("the workbook's XML uses entities, so reporter refuses the file. Ask "
                         "for a fresh copy, or open it in Excel and save it as a new .xlsx",
                         path=path, code="xml-entities") from None
    except SafeET.ParseError as exc:
        raise InputError(f"xl/workbook.xml is not well-formed XML ({exc}); the file is damaged. "
                         "Open it in Excel or LibreOffice and save it anew",
                         path=path, code="corrupt-file") from None
    ns = _STRICT_MAIN if root.tag.startswith(_STRICT_MAIN) else _NS_MAIN
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            full = target.lstrip("/") if target.startswith("/") else str(
                PurePosixPath("xl") / target)
            targets[rel.get("Id", "")] = _normalise_part(full)
    sheets: list[SheetScan] = []
    for el in root.iter(f"{ns}sheet"):
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), "")
        part = targets.get(rid, "")
        sheets.append(SheetScan(name=el.get("name", ""), part=part,
                                state=el.get("state", "visible")))
    pr = root.find(f"{ns}workbookPr")
    date1904 = pr is not None and pr.get("date1904", "0") in ("1", "true")
    calc = root.find(f"{ns}calcPr")
    recalc = calc is not None and calc.get("fullCalcOnLoad", "0") in ("1", "true")
    return sheets, date1904, recalc


def _normalise_part(name: str) -> str:
    parts: list[str] = []
    for p in name.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def may_hold_control_characters(xml: bytes) -> bool:
    """Whether XML text may hold characters an Office file cannot keep.

    A byte-level test (deleting the bad bytes and comparing lengths) that costs a
    fraction of a regex over tens of megabytes; cells are then checked one by one
    only where this says they might need it.
    """
    view = memoryview(xml)
    for start in range(0, len(xml), _CHUNK):
        # A piece at a time: the parser runs meanwhile, and allocating (and so faulting in)
        # a copy of a whole sheet slows it down.
        piece = bytes(view[start:start + _CHUNK])
        if len(piece.translate(None, _CONTROL_BYTES)) != len(piece):
            return True
    if b"_x00" in xml:  # _x0001_ ... _x007F_: control characters escaped the OOXML way
        return True
    return b"\xc2" in xml and _C1.search(xml) is not None


def _prefixed(xml: bytes) -> bool:
    """Whether the sheet prefixes element names (<x:c>): rare, and given the general patterns."""
    return _PREFIXED_ROOT.search(xml, 0, 4096) is not None


def _check_extent(path: Path, sheet: SheetScan, xml: bytes) -> None:
    """Refuse far-off cells before parsing: the fast reader sizes a sheet by its furthest cell."""
    prefixed = _prefixed(xml)
    for m in (_FAR_COLUMN if prefixed else _FAR_COLUMN_FAST).finditer(xml):
        if _cell_has_value(xml, m.end()):
            ref = _ref_at(xml, m.start())
            raise InputError(
                f"sheet {sheet.name!r} has a value in cell {ref}, beyond column CV (the limit "
                f"is {LIMITS['columns']} columns). Delete that cell or move its value",
                path=path, code="cell-out-of-range",
            )
    last = _rfind_any(xml, (b"<v>", b"<is>", b":v>"))
    if last >= 0:
        start = _rfind_any(xml, (b"<c ", b":c "), last)
        m = _REF.search(xml, start, last) if start >= 0 else None
        if m is None:  # cells without references: the row they are in
            start = _rfind_any(xml, (b"<row ", b":row "), last)
            m = _ROW_NUMBER.search(xml, xml.rfind(b"<", 0, start + 1), last) if start >= 0 else None
            sheet.last_row = int(m.group(1)) if m else 0
        else:
            sheet.last_row = int(m.group(2))
    if sheet.last_row > LIMITS["rows"] + 20:
        raise InputError(
            f"sheet {sheet.name!r} has a value on row {sheet.last_row:,}, beyond reporter's limit "
            f"of {LIMITS['rows']:,} rows. Delete the stray cells below the data, or split the "
            "register into several workbooks",
            path=path, code="cell-out-of-range",
        )


def _scan_sheet(path: Path, sheet: SheetScan, xml: bytes) -> None:
    prefixed = _prefixed(xml)
    sheet.valued_cells = xml.count(b"<v>") + xml.count(b"<is>")
    if prefixed:
        sheet.valued_cells += xml.count(b":v>") // 2 + xml.count(b":is>") // 2
    sheet.control = may_hold_control_characters(xml)
    if not _rows_in_order(xml, prefixed):
        raise InputError(
            f"sheet {sheet.name!r} stores its rows out of order, which Excel never does; the "
            "file was damaged or made by a faulty program. Open it in Excel and save it anew",
            path=path, code="corrupt-file",
        )
    # Formulas, error cells and hidden rows are rare: look for them only when a cheap
    # substring search says they may be there.
    if prefixed or b"</f>" in xml or b"<f " in xml:
        for m in _FORMULA.finditer(xml):
            ref = _ref_at(xml, m.start())
            if ref:
                sheet.formulas[ref] = (_formula_text(xml, m.start()),
                                       _saved_value(xml, m.start()))
    if prefixed or b't="e"' in xml:
        for m in _ERROR_CELL.finditer(xml):
            ref = _ref_at(xml, m.end())
            if ref:
                sheet.errors[ref] = _saved_value(xml, m.end()) or "#ERROR"
    if prefixed or b"hidden=" in xml:
        for m in _HIDDEN_ROW.finditer(xml):
            rm = re.search(rb'\br="(\d+)"', m.group(0))
            if rm:
                sheet.hidden_rows.append(int(rm.group(1)))


def _rows_in_order(xml: bytes, prefixed: bool) -> bool:
    """Whether row numbers only ever increase. One at a time: a list of a hundred
    thousand would be memory to fault in while the parser runs alongside."""
    pattern = _ROW_NUMBER if prefixed else _ROW_NUMBER_FAST
    previous = seen = 0
    for m in pattern.finditer(xml):
        n = int(m.group(1))
        if n <= previous:
            return False
        previous = n
        seen += 1
    if not prefixed and seen != xml.count(b"<row "):  # attributes in another order
        return _rows_in_order(xml, True)
    return True


def _rfind_any(xml: bytes, needles: tuple[bytes, ...], end: int | None = None) -> int:
    """The last position of any of the needles before end (-1 if none).

    Searched back from end in growing windows: the answer is nearly always close by,
    and a needle the sheet does not use at all would otherwise cost a pass over it.
    """
    end = len(xml) if end is None else end
    window = 1 << 16
    while True:
        start = max(0, end - window)
        found = max(xml.rfind(n, start, end) for n in needles)
        if found >= 0 or start == 0:
            return found
        window *= 4


def _ref_at(xml: bytes, pos: int) -> str:
    """The r="" reference of the cell element that contains position pos."""
    start = _rfind_any(xml, (b"<c ", b":c "), pos + 1)
    if start < 0:
        return ""
    m = _REF.search(xml, start, start + 200)
    return (m.group(1) + m.group(2)).decode("ascii") if m else ""


def _cell_has_value(xml: bytes, pos: int) -> bool:
    end = _CELL_END.search(xml, pos)
    if end is None:
        return False
    head = xml[pos:end.start()]
    if end.group(0) == b"/>" and b">" not in head:
        return False  # <c r="XFD9" s="1"/>: styled but empty
    return bool(_VALUE_OPEN.search(xml, pos, end.end()))


def _formula_text(xml: bytes, pos: int) -> str:
    """'=SUM(A1:A3)' for the <f> element at pos ('=' alone for a shared-formula reference)."""
    m = re.match(rb"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)<", xml[pos:pos + 8192])
    text = m.group(1).decode("utf-8", "replace") if m else ""
    return "=" + html.unescape(text)


def _saved_value(xml: bytes, pos: int) -> str:
    """The text of the <v> element of the cell at pos ('' when it has none)."""
    end = xml.find(b"</c>", pos)
    if end < 0:
        end = xml.find(b":c>", pos)
    if end < 0:
        return ""
    m = re.search(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</", xml[pos:end])
    return m.group(1).decode("utf-8", "replace") if m else ""
