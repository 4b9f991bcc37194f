"""Shared fixtures: the sample workbook, edited copies of it, and a CLI runner that
fails the test if a command ever ends in a traceback."""

from __future__ import annotations

import hashlib
import os
import shutil
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reporter.cli import app

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


def run_cli(*args: object, env: dict[str, str] | None = None):
    """Run `reporter ARGS` in-process; fail on any exception a user would see as a traceback."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        detail = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"reporter {' '.join(map(str, args))} raised:\n{detail}")
    assert "Traceback" not in result.output
    return result


def header_index(ws, header: str) -> int | None:
    """The 1-based column of a header in row 1 of an openpyxl sheet, or None."""
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    return None


def cell_at(ws, header: str, row: int):
    """The openpyxl cell in the column headed `header`, on an Excel row."""
    column = header_index(ws, header)
    assert column is not None, f"no {header!r} column on {ws.title}"
    return ws.cell(row, column)


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
