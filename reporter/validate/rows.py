"""Typing a sheet's rows: every cell becomes its column's type, or a problem at the cell.

Rows go to pydantic in bulk first (`cells.row_adapter`, run in pydantic-core);
the rows it rejects, and cells holding formulas or errors, go cell by cell
through `cells.convert`, which accepts what staff commonly type and explains the
rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..read import RawWorkbook
from .cells import INVALID, convert, row_adapter
from .layout import Body, Layout
from .report import Findings


@dataclass(slots=True)
class TypedRows:
    """A sheet's rows typed: values in the declaration's column order."""

    numbers: list[int]  # Excel row numbers
    values: list[tuple[Any, ...]]
    #: indexes of rows with a cell in error (which holds INVALID)
    bad: set[int]


def type_rows(layout: Layout, body: Body, raw: RawWorkbook, findings: Findings) -> TypedRows:
    """Type every row; report every cell that cannot be read."""
    spec, numbers, picked = layout.spec, body.numbers, body.rows
    flagged = _flagged_cells(layout, numbers)
    adapter = row_adapter(tuple((c.kind, c.required) for c in spec.columns), layout.raw.control)
    slow: set[int] = {i for i, _ in flagged}
    fast = [i for i in range(len(picked)) if i not in slow] if slow else range(len(picked))
    try:
        typed = adapter.validate_python(picked if not slow else [picked[i] for i in fast])
    except ValidationError as exc:
        failing = sorted(_failed_rows(exc, fast))
        # Text with space at either end is the usual reason, and costly on the slow path
        # when a whole column has it: trim such rows and try them once more.
        trimmed = {i: tuple(v.strip() if type(v) is str else v for v in picked[i])
                   for i in failing}
        try:
            adapter.validate_python([trimmed[i] for i in failing])
            still: set[int] = set()
        except ValidationError as again:
            still = _failed_rows(again, failing)
        picked = list(picked)
        for i in failing:
            if i not in still:
                picked[i] = trimmed[i]
        slow |= still
        fast = [i for i in range(len(picked)) if i not in slow]
        typed = adapter.validate_python([picked[i] for i in fast])
    if not slow:
        return TypedRows(numbers, typed, set())
    good = iter(typed)
    out: list[tuple[Any, ...]] = []
    bad: set[int] = set()
    for i, row in enumerate(picked):
        if i not in slow:
            out.append(next(good))
            continue
        values = _type_cells(layout, numbers[i], row, flagged, i, raw, findings)
        if INVALID in values:
            bad.add(i)
        out.append(values)
    return TypedRows(numbers, out, bad)


def _type_cells(layout: Layout, n: int, row: Sequence[Any], flagged: dict[tuple[int, int], Any],
                i: int, raw: RawWorkbook, findings: Findings) -> tuple[Any, ...]:
    """One row, cell by cell, with every problem reported."""
    values: list[Any] = []
    for k, (col, value) in enumerate(zip(layout.spec.columns, row, strict=True)):
        where = layout.where(col.field, n, None if value == "" else value)
        flag = flagged.get((i, k))
        if flag is not None:
            value, keep = _formula_or_error(flag, value, where, raw, findings)
            if not keep:
                values.append(INVALID)
                continue
        out, problems = convert(col.kind, col.required, value, date1904=raw.date1904,
                                header=col.header)
        for code, message in problems:
            findings.add(code, message, **where)
        values.append(out)
    return tuple(values)


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


def _failed_rows(exc: ValidationError, rows: Sequence[int]) -> set[int]:
    """The rows (indexes into `rows`' items) a bulk validation rejected."""
    return {rows[err["loc"][0]]  # type: ignore[index]
            for err in exc.errors(include_url=False, include_context=False, include_input=False)}


def _split_ref(ref: str, where: dict[str, int], pos: dict[int, int]
               ) -> tuple[int | None, int | None]:
    letters = ref.rstrip("0123456789")
    number = int(ref[len(letters):] or 0)
    return where.get(letters), pos.get(number)
