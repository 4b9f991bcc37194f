"""Typing a sheet's cells: each becomes its column's type, or a problem at the cell.

A column at a time: its cells go to pydantic in bulk first (`cells.column_adapter`,
run in pydantic-core); only the cells it refuses (REFUSED in its place), and cells
holding formulas or errors, go one by one through `cells.convert`, which accepts what
staff commonly type and explains the rest.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..read import RawWorkbook
from .cells import INVALID, REFUSED, column_adapter, convert, refusals
from .layout import Body, Layout
from .report import Findings


@dataclass(slots=True)
class TypedColumns:
    """A sheet's cells typed, column by column (by field name)."""

    numbers: list[int]  # Excel row numbers
    columns: dict[str, list[Any]]
    #: indexes of rows with a cell in error (which holds INVALID)
    bad: set[int]


def type_columns(layout: Layout, body: Body, raw: RawWorkbook, findings: Findings,
                 fields: Collection[str] | None = None) -> TypedColumns:
    """Type every cell (of the columns named in `fields`, or all); report every cell that
    cannot be read."""
    spec, numbers = layout.spec, body.numbers
    wanted = [k for k, c in enumerate(spec.columns) if fields is None or c.field in fields]
    flagged = _flagged_cells(layout, numbers)
    out: dict[str, list[Any]] = {}
    bad: set[int] = set()
    for k in wanted:
        column = spec.columns[k]
        values = body.column(k)
        adapter = column_adapter(column.kind, column.required, layout.raw.control)
        before = refusals()
        typed = adapter.validate_python(values)  # a new list
        slow = {i for (i, j) in flagged if j == k}
        if refusals() != before:
            slow.update(i for i, v in enumerate(typed) if v is REFUSED)
        for i in sorted(slow):
            cell = _one_cell(layout, k, numbers[i], values[i], flagged.get((i, k)), raw, findings)
            if cell is INVALID:
                bad.add(i)
            typed[i] = cell
        out[column.field] = typed
    return TypedColumns(numbers, out, bad)


def _one_cell(layout: Layout, k: int, n: int, value: Any, flag: Any, raw: RawWorkbook,
              findings: Findings) -> Any:
    """One cell the bulk check refused (or a formula or error), with its problems reported."""
    column = layout.spec.columns[k]
    if flag is not None:
        value, keep = _formula_or_error(flag, value, _where(layout, column.field, n, value),
                                        raw, findings)
        if not keep:
            return INVALID
    typed, problems = convert(column.kind, column.required, value, date1904=raw.date1904,
                              header=column.header)
    if problems:  # the place is made only for a cell with something to say
        where = _where(layout, column.field, n, value)
        for code, message in problems:
            findings.add(code, message, **where)
    return typed


def _where(layout: Layout, field: str, n: int, value: Any) -> dict[str, Any]:
    return layout.where(field, n, None if value == "" else value)


def _flagged_cells(layout: Layout, numbers: list[int]) -> dict[tuple[int, int], Any]:
    """(row index, column index) -> ('error' | 'formula', text, saved), from the XML scan:
    these override what the cell reader returned."""
    sheet = layout.raw
    if not (sheet.formulas or sheet.errors):
        return {}
    pos = {n: i for i, n in enumerate(numbers)}
    where = {layout.letters[c.field]: k for k, c in enumerate(layout.spec.columns)
             if c.field in layout.letters}
    flagged: dict[tuple[int, int], Any] = {}
    for ref, text in sheet.errors.items():
        k, i = _split_ref(ref, where, pos)
        if k is not None and i is not None:
            flagged[(i, k)] = ("error", text, text)
    for ref, (formula, saved) in sheet.formulas.items():
        k, i = _split_ref(ref, where, pos)
        if k is not None and i is not None and (i, k) not in flagged:
            flagged[(i, k)] = ("formula", formula, saved)
    return flagged


def _formula_or_error(flag: tuple[str, str, str], value: Any, where: dict[str, Any],
                      raw: RawWorkbook, findings: Findings) -> tuple[Any, bool]:
    """Report a formula or error cell; return the value to use and whether to use it."""
    kind, typed, saved = flag
    where = {**where, "value": typed}
    if kind == "error":
        findings.add("error-cell", f"the cell shows the error {saved}; fix the formula or type "
                     "the value", **where)
        return value, False
    if raw.recalc_on_load:
        findings.add("formula-not-calculated", f"the cell holds the formula {typed}, and the "
                     "program that saved the workbook did not calculate it, so its saved result "
                     f"({saved or 'none'}) cannot be trusted. Open the workbook in Excel or "
                     "LibreOffice and save it, or type the value", **where)
        return value, False
    if saved == "":
        findings.add("formula-no-result", f"the cell holds the formula {typed} with no saved "
                     "result; open the workbook in Excel or LibreOffice and save it, or type the "
                     "value", **where)
        return value, False
    findings.add("formula-result", f"the cell holds the formula {typed}; reporter uses its saved "
                 f"result ({saved}). Type the value instead if it should not change", **where)
    return value, True


def _split_ref(ref: str, where: dict[str, int], pos: dict[int, int]
               ) -> tuple[int | None, int | None]:
    letters = ref.rstrip("0123456789")
    number = int(ref[len(letters):] or 0)
    return where.get(letters), pos.get(number)
