"""Which declared columns a rendered table shows, and each cell as a reader sees it.

The summary's and the briefing's tables of a sheet start from the sheet's
declaration (`schema/sheets.py`): a column marked `summary` (or `briefing`) is
shown there with its label, as its kind is shown; renderers add only what the
declaration cannot know (the check against the sources, say).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..quantities import Quantity, format_quantity
from ..schema import Column, Kind, Sheet

#: How an Excel summary writes each kind: text, number, int (grouped) or date.
EXCEL_KINDS = {Kind.DATE: "date", Kind.MONEY: "int", Kind.QUANTITY: "number"}


def shown_columns(sheet: Sheet, where: str, *, leave_out: Iterable[str] = ()) -> list[Column]:
    """The declared columns a table shows: where is 'summary' or 'briefing'."""
    skip = set(leave_out)
    return [c for c in sheet.columns if getattr(c, where) and c.field not in skip]


def excel_value(sheet: Sheet, column: Column, record: Any) -> Any:
    """A record's cell as the summary workbook stores it (numbers and dates as such)."""
    part = sheet.quantity_part(column.field)
    if part is not None:  # a Unit or Qualifier cell: what its quantity was read as
        return getattr(getattr(record, part[0]), part[1])
    value = getattr(record, column.field)
    if isinstance(value, Quantity):
        return value.as_number()
    if isinstance(value, tuple):
        return ("\n" if column.kind is Kind.LINES else "; ").join(value)
    return value


def text_value(sheet: Sheet, column: Column, record: Any, *, empty: str = "") -> str:
    """A record's cell as a sentence would write it ('32.3 billion yuan', '2024-05-24')."""
    value = getattr(record, column.field)
    if isinstance(value, Quantity):
        return format_quantity(value)
    value = excel_value(sheet, column, record)
    if value is None or value == "":
        return empty
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:,.0f}" if column.kind is Kind.MONEY else f"{value:g}"
    return str(value)
