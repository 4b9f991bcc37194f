"""The workbook format, declared once: sheets and their columns, the vocabularies, the limits.

The validator, the template writer, the README sheet, the renderers and the
README's format tables all read these declarations (see `sheets.py`).
"""

from __future__ import annotations

from .columns import NO_FACT, TEXT_KINDS, Column, Kind, Sheet, column_letter, column_number, header_key
from .lists import FOCUS_ALIASES, LISTS, VOCABULARIES, Vocabulary
from .sheets import (
    ACTIONS,
    AGREEMENTS,
    DATA_SHEETS,
    MEETINGS,
    METRICS,
    PARTICIPANTS,
    Action,
    Agreement,
    Meeting,
    Metric,
    Participant,
)

LISTS_SHEET = "Lists"
README_SHEET = "README"
#: Every sheet reporter reads (the README sheet and any others are skipped).
READ_SHEETS: tuple[str, ...] = (*(s.name for s in DATA_SHEETS), LISTS_SHEET)

#: Limits a workbook must keep to; checked before any cell is parsed (filled cells: before
#: any becomes a Python value).
LIMITS = {
    "file_bytes": 100 * 1024 * 1024,  # the .xlsx file itself
    "uncompressed_bytes": 1024 * 1024 * 1024,  # all parts, unzipped
    "compression_ratio": 100,  # unzipped / zipped, for parts over 1 MiB
    "cells": 4_000_000,  # across the sheets read
    "values_bytes": 128 * 2**20,  # the cells' values as the cell reader hands them over
    "rows": 500_000,  # data rows in one sheet
    "columns": 100,  # the rightmost column with a value (CV)
    "text_chars": 32_767,  # Excel's own limit for one cell
    "area": 6_000_000,  # one sheet's rows x columns up to its furthest filled cell
    "parts": 5_000,  # members of the zip archive
}

__all__ = [
    "ACTIONS",
    "AGREEMENTS",
    "DATA_SHEETS",
    "FOCUS_ALIASES",
    "LIMITS",
    "LISTS",
    "LISTS_SHEET",
    "MEETINGS",
    "METRICS",
    "NO_FACT",
    "PARTICIPANTS",
    "README_SHEET",
    "READ_SHEETS",
    "TEXT_KINDS",
    "VOCABULARIES",
    "Action",
    "Agreement",
    "Column",
    "Kind",
    "Meeting",
    "Metric",
    "Participant",
    "Sheet",
    "Vocabulary",
    "column_letter",
    "column_number",
    "header_key",
]
