"""Validate: check a workbook against the format and turn it into records.

Every problem is reported in one run, at the cell the user must fix, with a
stable code. The steps, each in its own module:

    lists       the Lists sheet: this workbook's vocabularies
    layout      each sheet's header row, which column is which, its data rows
    columns     every cell typed, a column at a time (cells: one cell), or a problem
    references  list values, Meeting IDs, source ids, unique IDs
    records     the records, assembled by field name
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..memory import paused_gc
from ..models import Workbook
from ..read import RawWorkbook, read_workbook
from ..schema import DATA_SHEETS, MEETINGS, READ_SHEETS
from .columns import type_columns
from .layout import find_layout, read_body
from .lists import read_vocabularies
from .records import build_records
from .references import Names, fact_ids_once
from .report import Findings, Report

__all__ = ["Report", "Validation", "validate_file", "validate_workbook"]


@dataclass(slots=True)
class Validation:
    report: Report
    #: The records, when the workbook has no errors.
    workbook: Workbook | None


def validate_file(path: Path | str, *, sources: Collection[str] | None = None,
                  fact_ids: Mapping[str, str] | None = None,
                  facts_files: Iterable[Path] = ()) -> Validation:
    """Read and validate a workbook file. Raises InputError when it cannot be read.

    Source and Fact ID cells may name what the built-in fact base holds, and what extra
    fact files add (`facts_files`, as `reconcile --facts`); or exactly `sources` and
    `fact_ids` when given.
    """
    extra = tuple(Path(p) for p in facts_files)
    if extra and sources is None and fact_ids is None:
        from ..facts import load_facts

        base = load_facts(extra)
        sources, fact_ids = list(base.sources), base.fact_kinds()
    with paused_gc(long_lived=True):
        raw = read_workbook(path, sheets=READ_SHEETS)
        result = validate_workbook(raw, sources=sources, fact_ids=fact_ids)
        del raw  # while the collector is still paused: it would walk every row first
    return result


def validate_workbook(raw: RawWorkbook, *, sources: Collection[str] | None = None,
                      fact_ids: Mapping[str, str] | None = None) -> Validation:
    """Validate a workbook already read. `sources`: the source ids a Source cell may name;
    `fact_ids`: fact id -> its kind ('agreement', 'figure', 'event'), what a Fact ID cell may
    name. Both default to the built-in fact base's."""
    if sources is None:
        from ..facts import load_sources

        sources = [s.id for s in load_sources()]
    if fact_ids is None:
        from ..facts import load_facts

        fact_ids = load_facts().fact_kinds()
    findings = Findings()
    stats: dict[str, Any] = {"blank_rows_skipped": 0}
    names = Names(read_vocabularies(raw, findings), {s.casefold(): s for s in sources},
                  {k.casefold(): (k, kind) for k, kind in fact_ids.items()})
    records: dict[str, list[Any]] = {}
    letters: dict[str, dict[str, str]] = {}
    read = dict.fromkeys((spec.name.lower() for spec in DATA_SHEETS), 0)  # rows, not records
    for spec in DATA_SHEETS:  # Meetings first: the other sheets refer to its IDs
        records[spec.name] = []
        layout = find_layout(spec, raw, findings)
        if layout is None:
            continue
        letters[spec.name] = layout.letters
        cells = type_columns(layout, read_body(layout, findings, stats), raw, findings)
        read[spec.name.lower()] = len(cells.numbers)
        records[spec.name], ids = build_records(layout, cells, names, findings)
        fact_ids_once(layout, records[spec.name], findings)
        if spec is MEETINGS:
            names.meetings = ids
    stats.update(read)
    report = Report(str(raw.path), findings.sorted([s.name for s in DATA_SHEETS]), stats,
                    findings.not_listed)
    workbook = None
    if report.ok:
        workbook = Workbook(raw.path, *(records[s.name] for s in DATA_SHEETS),
                            names.vocabularies, letters)
    return Validation(report, workbook)
