"""The steps of validation, in order, over a workbook already read (see __init__).

A report-only run can share the columns of one large sheet with a second process
(`share` there, `run(shared=...)` here): each column is typed and resolved on its own,
so either process may take it, and what each found is merged by position (Findings).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..models import Workbook
from ..read import RawWorkbook
from ..read.structure import sheet_key
from ..schema import DATA_SHEETS, MEETINGS, Kind, Sheet
from . import Validation
from .columns import type_columns
from .layout import Body, Layout, find_layout, read_body
from .lists import read_vocabularies
from .records import Resolution, build_records, resolve_columns
from .references import Names, fact_ids_once
from .report import Findings, Report

SHEET_ORDER = [s.name for s in DATA_SHEETS]


@dataclass(slots=True)
class Share:
    """What the second process found in the columns it took."""

    findings: Findings
    #: rows with a problem in those columns
    refused: set[int]


@dataclass(slots=True)
class Shared:
    """For the first process: the sheet whose columns are shared (the workbook's name for
    it), `take()` for the index of the next shareable column no process has taken yet
    (None once all are taken), and `theirs()` for the second process's Share (None when it
    gave none: its columns are then checked here)."""

    sheet: str
    take: Callable[[], int | None]
    theirs: Callable[[], Share | None]


def shareable(spec: Sheet) -> list[str]:
    """The columns of a sheet that need nothing but their own cells and the lists: not the
    ID (other sheets name it), a Meeting ID or a Fact ID (checked together, across rows), nor
    a quantity and the Unit and Qualifier read with it. The likeliest to take longest come
    first (_WORK), so that the two processes, each taking the next when free, end together
    rather than one waiting while the other checks a long column last."""
    together = {f for c in spec.columns if c.kind is Kind.QUANTITY
                for f in (c.field, c.unit_field, c.qualifier_field) if f}
    return [c.field for c in sorted(spec.columns, key=lambda c: _WORK.index(c.kind))
            if c is not spec.id_column and c.kind not in (Kind.MEETING, Kind.FACT)
            and c.field not in together]


#: Kinds by the work a column of them takes, the most first: several values split and
#: looked up; long free text; values often typed as text, each read by the slow path; one
#: value looked up; the rest.
_WORK = [Kind.CHOICES, Kind.LINES, Kind.TEXT, Kind.MONEY, Kind.DATE, Kind.QUANTITY,
         Kind.CHOICE, Kind.SOURCE, Kind.MEETING, Kind.FACT, Kind.ID]


def spec_of(sheet: str) -> Sheet | None:
    """The data sheet a workbook's sheet name stands for (as reporter finds sheets)."""
    return next((s for s in DATA_SHEETS if sheet_key(s.name) == sheet_key(sheet)), None)


def run(raw: RawWorkbook, *, sources: Collection[str] | None = None,
        fact_ids: Mapping[str, str] | None = None, records: bool = True,
        shared: Shared | None = None) -> Validation:
    """validate_workbook's work (see there); with `records=False`, the report alone, which
    may share a sheet (`shared`)."""
    assert not (records and shared), "a shared run makes a report, not records"
    findings = Findings(SHEET_ORDER)
    names = _names(raw, findings, sources, fact_ids)
    stats: dict[str, Any] = {"blank_rows_skipped": 0}
    made: dict[str, list[Any]] = {}
    letters: dict[str, dict[str, str]] = {}
    read = dict.fromkeys((spec.name.lower() for spec in DATA_SHEETS), 0)  # rows, not records
    last: Callable[[], None] | None = None  # the shared sheet's end, once the rest is done
    for spec in DATA_SHEETS:  # Meetings first: the other sheets refer to its IDs
        made[spec.name] = []
        layout = find_layout(spec, raw, findings)
        if layout is None:
            continue
        letters[spec.name] = layout.letters
        body = read_body(layout, findings, stats)
        if shared is not None and layout.raw.name == shared.sheet:
            numbers, resolution = _own_share(layout, body, raw, names, findings)
            last = partial(_shared_rest, layout, body, raw, names, findings, shared, resolution)
        else:
            cells = type_columns(layout, body, raw, findings)
            numbers, resolution = cells.numbers, resolve_columns(layout, cells, names, findings)
            fact_ids_once(layout, resolution.values, numbers, resolution.refused, findings)
        read[spec.name.lower()] = len(numbers)
        if records:
            made[spec.name] = build_records(spec, resolution, numbers)
        if spec is MEETINGS:
            names.meetings = resolution.ids
    if last is not None:
        last()
    stats.update(read)
    report = Report(str(raw.path), findings.sorted(), stats, findings.not_listed)
    workbook = None
    if records and report.ok:
        workbook = Workbook(raw.path, *(made[s.name] for s in DATA_SHEETS),
                            names.vocabularies, letters)
    return Validation(report, workbook)


def share(raw: RawWorkbook, sheet: str, take: Callable[[], int | None], *,
          sources: Collection[str] | None = None,
          fact_ids: Mapping[str, str] | None = None) -> Share:
    """In the second process: the shareable columns of `sheet` it takes (`take()`, as
    Shared), each typed and resolved. What the rest of the workbook holds is the first
    process's to report."""
    spec = spec_of(sheet)
    elsewhere = Findings(SHEET_ORDER)  # found by the first process too
    names = _names(raw, elsewhere, sources, fact_ids)
    layout = find_layout(spec, raw, elsewhere) if spec is not None else None
    findings = Findings(SHEET_ORDER)
    if layout is None or layout.raw.name != sheet:
        return Share(findings, set())
    body = read_body(layout, elsewhere, {"blank_rows_skipped": 0})
    return Share(findings, _taking(layout, body, raw, names, findings, take).refused)


def _own_share(layout: Layout, body: Body, raw: RawWorkbook, names: Names,
               findings: Findings) -> tuple[list[int], Resolution]:
    """The columns of a shared sheet only the first process checks (the ID among them)."""
    spare = shareable(layout.spec)
    own = [c.field for c in layout.spec.columns if c.field not in spare]
    return _check(layout, body, raw, names, findings, own)


def _shared_rest(layout: Layout, body: Body, raw: RawWorkbook, names: Names,
                 findings: Findings, shared: Shared, resolution: Resolution) -> None:
    """Once the other sheets are done: the shareable columns the first process takes, then
    what the second found (or, without it, the columns no process checked)."""
    resolution = _joined(resolution, _taking(layout, body, raw, names, findings, shared.take))
    theirs = shared.theirs()
    if isinstance(theirs, Share):
        findings.merge(theirs.findings)
        resolution.refused |= theirs.refused
    else:  # none, or (a bug) something else: the columns it took are checked here
        left = [f for f in shareable(layout.spec) if f not in resolution.values]
        resolution = _joined(resolution, _check(layout, body, raw, names, findings, left)[1])
    fact_ids_once(layout, resolution.values, body.numbers, resolution.refused, findings)


def _check(layout: Layout, body: Body, raw: RawWorkbook, names: Names, findings: Findings,
           fields: list[str]) -> tuple[list[int], Resolution]:
    cells = type_columns(layout, body, raw, findings, fields)
    return cells.numbers, resolve_columns(layout, cells, names, findings)


def _taking(layout: Layout, body: Body, raw: RawWorkbook, names: Names, findings: Findings,
            take: Callable[[], int | None]) -> Resolution:
    """The shareable columns this process takes, one at a time as it is free, checked."""
    spare = shareable(layout.spec)
    resolution = Resolution({}, set(), {})
    while (k := take()) is not None and k < len(spare):
        resolution = _joined(resolution, _check(layout, body, raw, names, findings,
                                                [spare[k]])[1])
    return resolution


def _joined(a: Resolution, b: Resolution) -> Resolution:
    return Resolution({**a.values, **b.values}, a.refused | b.refused, a.ids or b.ids)


def _names(raw: RawWorkbook, findings: Findings, sources: Collection[str] | None,
           fact_ids: Mapping[str, str] | None) -> Names:
    if sources is None:
        from ..facts import load_sources

        sources = [s.id for s in load_sources()]
    if fact_ids is None:
        from ..facts import load_facts

        fact_ids = load_facts().fact_kinds()
    return Names(read_vocabularies(raw, findings), {s.casefold(): s for s in sources},
                 {k.casefold(): (k, kind) for k, kind in fact_ids.items()})
