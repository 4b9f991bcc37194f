"""Validate: check a workbook against the format and turn it into records.

Every problem is reported in one run, at the cell the user must fix, with a
stable code. The steps, each in its own module:

    lists       the Lists sheet: this workbook's vocabularies
    layout      each sheet's header row, which column is which, its data rows
    columns     every cell typed, a column at a time (cells: one cell), or a problem
    references  list values, Meeting IDs, source ids, unique IDs
    records     the records, assembled by field name
    workbook    those steps in order (validate_workbook)

The steps need pydantic and compile a validator per column: they are imported on
first use (`validate_workbook`), so that `validate` can start reading first and,
checking the cells in the reader's process, import them there while it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..memory import paused_gc
from ..read import RawWorkbook, SharedCheck, check_workbook, read_workbook
from ..schema import READ_SHEETS
from .report import Report

if TYPE_CHECKING:
    from ..models import Workbook

__all__ = ["Report", "Validation", "validate_file", "validate_workbook"]


@dataclass(slots=True)
class Validation:
    report: Report
    #: The records, when the workbook has no errors.
    workbook: Workbook | None


def validate_file(path: Path | str, *, sources: Collection[str] | None = None,
                  fact_ids: Mapping[str, str] | None = None,
                  facts_files: Iterable[Path] = (), records: bool = True) -> Validation:
    """Read and validate a workbook file. Raises InputError when it cannot be read.

    Source and Fact ID cells may name what the built-in fact base holds, and what extra
    fact files add (`facts_files`, as `reconcile --facts`); or exactly `sources` and
    `fact_ids` when given. `records=False` when only the report is wanted (the
    Validation's workbook is then None): the cells are checked in the process that read
    them, so they never cross into this one, which is faster.
    """
    extra = tuple(Path(p) for p in facts_files)
    if extra and sources is None and fact_ids is None:
        from ..facts import load_facts

        base = load_facts(extra)
        sources, fact_ids = list(base.sources), base.fact_kinds()
    if not records:
        with paused_gc():  # the reader's process, forked within, inherits the pause
            return Validation(_checked(path, sources, fact_ids), None)
    with paused_gc(long_lived=True):
        raw = read_workbook(path, sheets=READ_SHEETS)
        result = validate_workbook(raw, sources=sources, fact_ids=fact_ids)
        del raw  # while the collector is still paused: it would walk every row first
    return result


def _checked(path: Path | str, sources: Collection[str] | None,
             fact_ids: Mapping[str, str] | None) -> Report:
    """The report, made in the processes that read the workbook (check_workbook)."""
    given = {"sources": sources, "fact_ids": fact_ids}
    return check_workbook(path, partial(_report, **given), sheets=READ_SHEETS,
                          prepare=partial(_prepare, sources, fact_ids),
                          shared=SharedCheck(_pieces, partial(_share, **given),
                                             partial(_rest, **given)))


def validate_workbook(raw: RawWorkbook, *, sources: Collection[str] | None = None,
                      fact_ids: Mapping[str, str] | None = None) -> Validation:
    """Validate a workbook already read. `sources`: the source ids a Source cell may name;
    `fact_ids`: fact id -> its kind ('agreement', 'figure', 'event'), what a Fact ID cell may
    name. Both default to the built-in fact base's."""
    from .workbook import run

    return run(raw, sources=sources, fact_ids=fact_ids)


def _prepare(sources: Collection[str] | None, fact_ids: Mapping[str, str] | None) -> None:
    """What `_report` needs, made ready while the cells are read: the steps and the fact
    base (both kept once loaded)."""
    from . import workbook  # noqa: F401

    if sources is None or fact_ids is None:
        from ..facts import load_facts

        load_facts()


def _report(raw: RawWorkbook, *, sources: Collection[str] | None,
            fact_ids: Mapping[str, str] | None) -> Report:
    from .workbook import run

    return run(raw, sources=sources, fact_ids=fact_ids, records=False).report


# The report's work on the largest sheet, shared with a second process (read/shared.py):
# a piece is one of the sheet's columns that can be checked on its own.

def _pieces(sheet: str) -> int:
    from .workbook import shareable, spec_of

    spec = spec_of(sheet)
    return len(shareable(spec)) if spec is not None else 0


def _share(raw: RawWorkbook, sheet: str, take: Callable[[], int | None], *,
           sources: Collection[str] | None, fact_ids: Mapping[str, str] | None) -> Any:
    from .workbook import share

    return share(raw, sheet, take, sources=sources, fact_ids=fact_ids)


def _rest(raw: RawWorkbook, sheet: str, take: Callable[[], int | None],
          theirs: Callable[[], Any], *, sources: Collection[str] | None,
          fact_ids: Mapping[str, str] | None) -> Report:
    from .workbook import Shared, run

    return run(raw, sources=sources, fact_ids=fact_ids, records=False,
               shared=Shared(sheet, take, theirs)).report
