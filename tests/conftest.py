"""Shared fixtures: the sample workbook, edited copies of it, a CLI runner that fails the
test if a command ever ends in a traceback, and how tests find a cell: by its header.

Tests never name a cell under a header by its column letter. In an openpyxl sheet a cell
is found by its header (`cell_at`, `set_cells`, `add_row`); where a test needs a reference itself
(raw sheet XML, or the `cell` a problem is reported at), `ref` computes it from the
declaration in reporter.schema, whose order the sample and every workbook
reporter.template.write_workbook writes are laid out in (test_template checks that).
A column added to the declaration therefore moves every test's cells with it. (Letters
left in tests name places on the grid, such as XFD9999 past the column limit, not columns.)
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reporter.cli import app
from reporter.schema import DATA_SHEETS, column_letter

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "input" / "cooperation.xlsx"
TEMPLATE = ROOT / "templates" / "cooperation-template.xlsx"


def find_seeds() -> Path | None:
    """shared/seeds/, where the five published articles are (not part of this repository)."""
    candidates = [os.environ.get("REPORTER_SEEDS"), ROOT.parent / "shared" / "seeds",
                  Path("/work/shared/seeds")]
    for c in candidates:
        if c and (Path(c) / "INDEX.md").is_file():
            return Path(c)
    return None


SEEDS = find_seeds()
needs_seeds = pytest.mark.skipif(SEEDS is None, reason="shared/seeds/ (the source articles) is "
                                 "not beside this checkout; set REPORTER_SEEDS to its path")


def tree(folder: Path) -> dict[str, str]:
    """Every file below folder, by relative path, with its sha256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def damaged(base: bytes, alphabet: bytes, seed: int, count: int = 1500):
    """`count` copies of `base`, each damaged at random in one to three places: a byte
    changed, a few deleted, or a few from `alphabet` inserted (the same ones for a seed)."""
    rng = random.Random(seed)
    for _ in range(count):
        data = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            change = rng.random()
            if change < 0.4:
                data[at] = rng.choice(alphabet)
            elif change < 0.7:
                del data[at:at + rng.randint(1, 6)]
            else:
                data[at:at] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
        yield bytes(data)


def run_cli(*args: object, env: dict[str, str] | None = None):
    """Run `reporter ARGS` in-process; fail on any exception a user would see as a traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        detail = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"reporter {' '.join(map(str, args))} raised:\n{detail}")
    assert "Traceback" not in result.output
    return result


def header_index(ws, header: str, header_row: int = 1) -> int | None:
    """The 1-based column of a header in a header row (row 1 unless told) of an openpyxl
    sheet, or None."""
    for cell in ws[header_row]:
        if cell.value == header:
            return cell.column
    return None


def cell_at(ws, header: str, row: int, header_row: int = 1):
    """The openpyxl cell in the column headed `header`, on an Excel row."""
    column = header_index(ws, header, header_row)
    assert column is not None, f"no {header!r} column on {ws.title}"
    return ws.cell(row, column)


def set_cells(ws, row: int, values: dict[str, object], data_type: str | None = None) -> None:
    """Write values into an Excel row of an openpyxl sheet, each under its header
    (data_type 's' keeps text that looks like a formula as text)."""
    for header, value in values.items():
        cell = cell_at(ws, header, row)
        cell.value = value
        if data_type:
            cell.data_type = data_type


def add_row(ws, values: dict[str, object]) -> int:
    """Append a row to an openpyxl sheet, each value under its header; its Excel row."""
    row = ws.max_row + 1
    set_cells(ws, row, values)
    return row


def next_column(ws) -> int:
    """The 1-based column just right of the last header in row 1 of an openpyxl sheet."""
    return max((c.column for c in ws[1] if c.value is not None), default=0) + 1


def _declared(sheet: str):
    spec = next((s for s in DATA_SHEETS if s.name == sheet), None)
    assert spec is not None, f"no data sheet {sheet!r} is declared"
    return spec


def column_number(sheet: str, header: str) -> int:
    """The 1-based column of a header on a data sheet, as declared (template order)."""
    headers = [c.header for c in _declared(sheet).columns]
    assert header in headers, f"no {header!r} column is declared on {sheet}"
    return headers.index(header) + 1


def letter(sheet: str, header: str) -> str:
    """The letters of a header's column on a data sheet laid out as declared."""
    return column_letter(column_number(sheet, header) - 1)


def ref(sheet: str, header: str, row: int) -> str:
    """The reference ('D5') of the cell under a header on an Excel row of a data sheet laid
    out as declared: the sample, the template, any workbook write_workbook writes."""
    return f"{letter(sheet, header)}{row}"


def ref_beyond(sheet: str, row: int) -> str:
    """The reference of the cell just right of a data sheet's last declared column."""
    return f"{column_letter(len(_declared(sheet).columns))}{row}"


def rename_meeting(wb, old: str, new: str) -> None:
    """Change a Meeting ID everywhere it appears (every sheet with a Meeting ID column)."""
    for ws in wb.worksheets:
        column = header_index(ws, "Meeting ID")
        if column is None:
            continue
        for row in ws.iter_rows(min_row=2, min_col=column, max_col=column):
            if row[0].value == old:
                row[0].value = new


@pytest.fixture
def hang_alarm():
    """A hang fails the test (a minute's alarm) instead of stopping the suite."""
    signal.alarm(60)
    yield
    signal.alarm(0)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A private copy of the sample workbook."""
    dest = tmp_path / "cooperation.xlsx"
    shutil.copyfile(SAMPLE, dest)
    return dest


@pytest.fixture
def edited(tmp_path: Path) -> Callable[..., Path]:
    """edited(fn) -> a copy of the sample saved by openpyxl after fn(workbook) changed it."""
    import warnings

    from openpyxl import load_workbook

    counter = iter(range(1000))

    def make(edit: Callable, name: str | None = None) -> Path:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(SAMPLE)
            edit(wb)
            dest = tmp_path / (name or f"edited-{next(counter)}.xlsx")
            wb.save(dest)
        return dest

    return make
