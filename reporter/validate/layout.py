"""Where a sheet's data is: its header row, which column holds which field, and its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from ..read import RawSheet, RawWorkbook
from ..schema import Column, Sheet, column_letter, header_key
from ..text import did_you_mean
from .report import Findings

#: How far down a header row is looked for.
HEADER_SEARCH_ROWS = 10


@dataclass(slots=True)
class Layout:
    """One data sheet as this workbook lays it out."""

    spec: Sheet
    raw: RawSheet
    header_row: int  # 1-based
    #: field -> 0-based column index, for the columns the sheet has
    index: dict[str, int]
    letters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.letters = {f: column_letter(j) for f, j in self.index.items()}

    def where(self, field_name: str, row: int, value: Any) -> dict[str, Any]:
        """The place of one cell, as a Problem's keywords."""
        letter = self.letters.get(field_name)
        return {"sheet": self.spec.name, "row": row,
                "column": self.spec.column(field_name).header,
                "cell": f"{letter}{row}" if letter else None, "value": value}


@dataclass(slots=True)
class Body:
    """A sheet's non-blank data rows: their cells in one list, row after row, `width` to a
    row. Columns are taken from it by slicing, which reads each row once (taking a column
    from a list of rows reads every row again: two to three times as long on 100,000 rows)."""

    numbers: list[int]  # Excel row numbers
    cells: list[Any]
    width: int
    #: the declaration's columns: where each is within a row
    at: list[int]

    def column(self, k: int) -> list[Any]:
        """The cells of the declaration's k-th column, a list of their own."""
        return self.cells[self.at[k]::self.width]


def find_layout(spec: Sheet, raw: RawWorkbook, findings: Findings) -> Layout | None:
    """The sheet's layout, or None (reported) when it is missing or unusable."""
    sheet = raw.find(spec.name)
    if sheet is None:
        if spec.required:
            hint = did_you_mean(spec.name, list(raw.sheets))
            fix = (f"rename sheet '{hint}' to '{spec.name}'" if hint else
                   f"add a sheet named '{spec.name}' (copy it from the template: reporter init)")
            findings.add("missing-sheet", f"the workbook has no '{spec.name}' sheet; {fix}",
                         sheet=spec.name)
        return None
    if not sheet.visible:
        findings.add("hidden-sheet", f"sheet '{sheet.name}' is hidden; reporter reads it all the "
                     "same. Unhide it (right-click a sheet tab > Unhide) to see what is checked",
                     sheet=spec.name)
    found = _header(spec, sheet, findings)
    if found is None:
        return None
    return Layout(spec, sheet, *found)


def _header(spec: Sheet, sheet: RawSheet, findings: Findings) -> tuple[int, dict[str, int]] | None:
    lookup: dict[str, Column] = {}
    for c in spec.columns:
        lookup[header_key(c.header)] = c
        for alias in c.aliases:
            lookup.setdefault(header_key(alias), c)
    best: tuple[int, int] | None = None  # (matches, row index)
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        matches = len({lookup[k].field for k in map(header_key, row) if k in lookup})
        if matches and (best is None or matches > best[0]):
            best = (matches, i)
        if matches == len(spec.columns):
            break
    required = [c for c in spec.columns if c.required]
    if best is None or best[0] < min(2, len(required)):
        cols = ", ".join(c.header for c in spec.columns)
        findings.add("missing-column", f"sheet '{sheet.name}' has no header row; put these "
                     f"headers in row 1: {cols}", sheet=spec.name, row=1, cell="A1")
        return None
    hrow = best[1]
    if hrow > 0:
        findings.add("header-moved", f"the header row of '{sheet.name}' is row {hrow + 1}, not "
                     "row 1; reporter ignores the rows above it", sheet=spec.name, row=hrow + 1,
                     cell=f"A{hrow + 1}")
    mapping = _columns(spec, sheet, sheet.rows[hrow], hrow + 1, lookup, findings)
    free = column_letter(len(sheet.rows[hrow]))
    missing = [c for c in required if c.field not in mapping]
    for c in missing:
        findings.add("missing-column", f"sheet '{sheet.name}' has no '{c.header}' column; add it "
                     f"(any position, e.g. {free}{hrow + 1}). {c.help}", sheet=spec.name,
                     row=hrow + 1, column=c.header, cell=f"{free}{hrow + 1}")
    return None if missing else (hrow + 1, mapping)


def _columns(spec: Sheet, sheet: RawSheet, header: list[Any], row: int,
             lookup: dict[str, Column], findings: Findings) -> dict[str, int]:
    """Which field each header names; unknown and repeated headers are reported."""
    mapping: dict[str, int] = {}
    for j, h in enumerate(header):
        text = str(h).strip() if h is not None else ""
        if not text:
            continue
        where = {"sheet": spec.name, "row": row, "column": text,
                 "cell": f"{column_letter(j)}{row}", "value": h}
        col = lookup.get(header_key(text))
        if col is None:
            hint = did_you_mean(text, [c.header for c in spec.columns])
            taken = {spec.column(f).header for f in mapping}
            extra = f" If you meant '{hint}', rename it." if hint and hint not in taken else ""
            findings.add("extra-column", f"column '{text}' is not part of the {spec.name} "
                         f"format; reporter keeps it but does not check or use it.{extra}",
                         **where)
        elif col.field in mapping:
            first = column_letter(mapping[col.field])
            findings.add("duplicate-column", f"'{text}' is a second '{col.header}' column (the "
                         f"first is column {first}); delete or rename one of them", **where)
        else:
            mapping[col.field] = j
    return mapping


def read_body(layout: Layout, findings: Findings, stats: dict[str, Any]) -> Body:
    """The data rows below the header, blank ones skipped; merged cells and hidden rows
    among them are reported."""
    rows = layout.raw.rows
    first = layout.header_row
    last = len(rows)
    while last > first and _blank(rows[last - 1]):
        last -= 1
    _structure(layout, first, last, findings)
    lengths = set(map(len, rows))  # python-calamine's rows are all one length
    width = max(lengths, default=0)
    # An absent optional column reads from one cell past the widest row: always empty.
    at = [layout.index.get(c.field, width) for c in layout.spec.columns]
    body = rows[first:last]
    # Every row as wide as the widest, so that a column is every wide-th cell.
    wide = max(max(at) + 1, width)
    if lengths != {wide}:
        for row in body:
            if len(row) < wide:
                row.extend([""] * (wide - len(row)))
    cells = list(chain.from_iterable(body))
    # A row is blank when its first required cell is, and every other cell too.
    key = layout.index[next(c.field for c in layout.spec.columns if c.required)]
    if "" not in cells[key::wide]:  # the usual case: no blank rows at all
        return Body(list(range(first + 1, last + 1)), cells, wide, at)
    kept, numbers = [], []
    for n, row in enumerate(body, start=first + 1):
        if row[key] == "" and _blank(row):
            stats["blank_rows_skipped"] += 1
            continue
        kept.append(row)
        numbers.append(n)
    return Body(numbers, list(chain.from_iterable(kept)), wide, at)


def _structure(layout: Layout, first: int, last: int, findings: Findings) -> None:
    """Merged cells and hidden rows within the data (rows first..last, 1-based)."""
    sheet, name = layout.raw, layout.spec.name
    for r0, c0, r1, c1 in sorted(sheet.merged):
        if r1 + 1 < first or r0 + 1 > last:
            continue
        ref = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
        findings.add("merged-cells", f"cells {ref} are merged; unmerge them (Home > Merge & "
                     "Center) and type the value in every row it applies to",
                     sheet=name, row=r0 + 1, cell=f"{column_letter(c0)}{r0 + 1}")
    hidden = [r for r in sheet.hidden_rows if first < r <= last]
    if hidden:
        shown = ", ".join(map(str, hidden[:10])) + (" ..." if len(hidden) > 10 else "")
        findings.add("hidden-rows", f"{len(hidden)} hidden row{'s' if len(hidden) > 1 else ''} "
                     f"in '{sheet.name}' (rows {shown}); reporter reads them like the others. "
                     "Unhide them to check", sheet=name, row=hidden[0])


def _blank(row: list[Any]) -> bool:
    for v in row:
        if v == "" or v is None:
            continue
        if isinstance(v, str) and not v.strip():
            continue
        return False
    return True
