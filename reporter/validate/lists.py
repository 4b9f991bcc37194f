"""The Lists sheet: the controlled vocabularies as this workbook extends them."""

from __future__ import annotations

from ..read import RawWorkbook
from ..schema import LISTS, LISTS_SHEET, Kind, header_key
from .cells import INVALID, convert
from .report import Findings


def read_vocabularies(raw: RawWorkbook, findings: Findings) -> dict[str, tuple[str, ...]]:
    """Every vocabulary: the Lists sheet's column where it has one, else the built-in list."""
    vocab = {name: v.values for name, v in LISTS.items()}
    sheet = raw.find(LISTS_SHEET)
    if sheet is None:
        findings.add("lists-missing", f"there is no {LISTS_SHEET} sheet, so reporter uses its "
                     "built-in lists. Add the sheet from the template to keep your own lists",
                     sheet=LISTS_SHEET)
        return vocab
    if not sheet.visible:
        findings.add("hidden-sheet", f"the {LISTS_SHEET} sheet is hidden; reporter reads it all "
                     "the same", sheet=sheet.name)
    header = sheet.rows[0] if sheet.rows else []
    keys = {header_key(h): j for j, h in enumerate(header) if str(h).strip()}
    for name, declared in LISTS.items():
        j = keys.get(header_key(name))
        if j is None:
            if declared.expected:
                findings.add("lists-missing", f"the {LISTS_SHEET} sheet has no column '{name}'; "
                             "reporter uses its built-in list", sheet=sheet.name, row=1)
            continue
        values: list[str] = []
        seen: set[str] = set()
        for row in sheet.rows[1:]:
            text = convert(Kind.TEXT, False, row[j] if j < len(row) else "")[0]
            if text in ("", INVALID) or text.casefold() in seen:
                continue
            seen.add(text.casefold())
            values.append(text)
        if values:
            vocab[name] = tuple(values)
    return vocab
