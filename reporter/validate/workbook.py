"""The steps of validation, in order, over a workbook already read (see __init__)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ..models import Workbook
from ..read import RawWorkbook
from ..schema import DATA_SHEETS, MEETINGS
from . import Validation
from .columns import type_columns
from .layout import find_layout, read_body
from .lists import read_vocabularies
from .records import build_records
from .references import Names, fact_ids_once
from .report import Findings, Report


def run(raw: RawWorkbook, *, sources: Collection[str] | None = None,
        fact_ids: Mapping[str, str] | None = None) -> Validation:
    """validate_workbook's work (see there)."""
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
