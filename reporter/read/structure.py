"""A workbook's structure: its sheets, where each is stored, and workbook settings.

xl/workbook.xml and its relationships are read with the same DTD-refusing expat
parser as every other part, and read the way python-calamine reads them (the
same attribute names, the same rule from a relationship's target to a part), so
that the part scanned for a sheet is the part python-calamine then reads for it.
Anything that the two could read differently is refused: two relationships with
one Id, a target outside the package or with `..` in it, two sheets whose names
differ only in case or surrounding spaces (reporter finds sheets ignoring both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .sheetscan import SheetScan
from .xmlsafety import feed, make_parser, stop

WORKBOOK_PART = "xl/workbook.xml"
RELS_PART = "xl/_rels/workbook.xml.rels"
_SAFE_TARGET = re.compile(r"[A-Za-z0-9_./-]+")


@dataclass(slots=True)
class Structure:
    sheets: list[SheetScan]
    date1904: bool = False
    #: The writer asked for formulas to be recalculated on opening: saved results are guesses.
    recalc_on_load: bool = False


@dataclass(slots=True)
class _Element:
    name: str  # the qualified name as written
    attrs: dict[str, str] = field(default_factory=dict)

    @property
    def local(self) -> str:
        return self.name.rpartition(":")[2]


#: More sheets or relationships than this is not a register (Excel's own files have tens).
MAX_ENTRIES = 10_000


def _elements(path: Path, part: str, xml: bytes, wanted: frozenset[str]) -> list[_Element]:
    """The part's root element and those with a wanted local name, in document order."""
    found: list[_Element] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if not found or name.rpartition(":")[2] in wanted:
            found.append(_Element(name, attrs))
            if len(found) > MAX_ENTRIES:
                raise stop(InputError(
                    f"{part} lists more than {MAX_ENTRIES:,} sheets or parts, which no register "
                    "has; ask for a fresh copy, or save the workbook anew", path=path,
                    code="too-many-parts"))

    parser = make_parser(path, part, namespaces=False)
    parser.StartElementHandler = start
    feed(parser, path, part, xml, True)
    return found


def read_structure(path: Path, workbook_xml: bytes, rels_xml: bytes | None,
                   parts: set[str]) -> Structure:
    elements = _elements(path, WORKBOOK_PART, workbook_xml,
                         frozenset({"sheet", "workbookPr", "calcPr"}))
    if not elements or elements[0].local != "workbook":
        raise InputError("xl/workbook.xml is not a workbook's part list; the file is damaged. "
                         "Open it in Excel and save it anew", path=path, code="corrupt-file")
    targets = _relationships(path, rels_xml)
    structure = Structure(sheets=[])
    for el in elements:
        if el.local == "sheet":
            structure.sheets.append(_sheet(path, el, targets, parts))
        elif el.name == "workbookPr":  # python-calamine honours only the unprefixed one
            structure.date1904 = el.attrs.get("date1904", "0") in ("1", "true")
        elif el.local == "calcPr":
            structure.recalc_on_load = el.attrs.get("fullCalcOnLoad", "0") in ("1", "true")
    _refuse_duplicates(path, structure.sheets)
    return structure


def _relationships(path: Path, rels_xml: bytes | None) -> dict[str, tuple[str, str]]:
    """Relationship Id -> (target, target mode)."""
    if rels_xml is None:
        raise InputError(f"the file has no {RELS_PART} part, so its sheets cannot be found; "
                         "the workbook is damaged. Open it in Excel and save it anew",
                         path=path, code="corrupt-file")
    targets: dict[str, tuple[str, str]] = {}
    for el in _elements(path, RELS_PART, rels_xml, frozenset({"Relationship"})):
        if el.local != "Relationship":
            continue
        rid = el.attrs.get("Id", "")
        if rid in targets:
            raise InputError(f"{RELS_PART} gives two parts the Id {rid!r}; the workbook is "
                             "damaged or was tampered with. Open it in Excel and save it anew",
                             path=path, code="corrupt-file")
        targets[rid] = (el.attrs.get("Target", ""), el.attrs.get("TargetMode", "Internal"))
    return targets


def _sheet(path: Path, el: _Element, targets: dict[str, tuple[str, str]],
           parts: set[str]) -> SheetScan:
    name = el.attrs.get("name", "")
    rid = ""
    for key, value in el.attrs.items():  # the attributes python-calamine reads, last one wins
        if key in ("r:id", "relationships:id"):
            rid = value
    target, mode = targets.get(rid, ("", ""))
    part = calamine_part(target)
    if (mode != "Internal" or not _SAFE_TARGET.fullmatch(target) or ".." in target.split("/")
            or part not in parts):
        raise InputError(
            f"sheet {name!r} points to a part ({target[:80] or 'none'}) that is not in the file "
            "or not a plain part name; the workbook is damaged. Open it in Excel and save it "
            "anew", path=path, code="corrupt-file")
    return SheetScan(name=name, part=part, state=el.attrs.get("state", "visible"))


def calamine_part(target: str) -> str:
    """The part a sheet's relationship target names, by python-calamine's rule."""
    if target.startswith("/xl/"):
        return target[1:]
    if target.startswith("xl/"):
        return target
    return "xl/" + target


def sheet_key(name: str) -> str:
    """How reporter finds a sheet: ignoring case and surrounding spaces."""
    return name.strip().casefold()


def _refuse_duplicates(path: Path, sheets: list[SheetScan]) -> None:
    seen: dict[str, str] = {}
    for sheet in sheets:
        key = sheet_key(sheet.name)
        if key in seen:
            raise InputError(
                f"the workbook has two sheets named {seen[key]!r} and {sheet.name!r}, which "
                "reporter cannot tell apart (it ignores case and spaces at either end); rename "
                "or delete one of them", path=path, code="duplicate-sheet")
        seen[key] = sheet.name
