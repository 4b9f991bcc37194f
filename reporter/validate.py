"""Validate: check a workbook against the format and turn it into records.

Every problem in the workbook is reported in one run, at the cell the user
must fix, with a stable code. Types are checked in bulk by pydantic (see
`cells.py`); lists, IDs and references are checked here.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import cells
from .cells import INVALID, column_letter, convert, row_adapter
from .models import Agreement, Meeting, Metric, Workbook
from .problems import Problem, Severity, problem
from .quantities import (
    EXACT,
    Quantity,
    QuantityError,
    normalise_qualifier,
    normalise_unit,
    qualifier_aliases,
    unit_aliases,
)
from .read import RawSheet, RawWorkbook, read_workbook
from .schema import (
    AGREEMENTS,
    DATA_SHEETS,
    FOCUS_ALIASES,
    LISTS_SHEET,
    MEETINGS,
    METRICS,
    READ_SHEETS,
    VOCABULARIES,
    Column,
    Kind,
    Sheet,
    header_key,
)
from .text import did_you_mean

HEADER_SEARCH_ROWS = 10
UNIT_HINTS = unit_aliases()
QUALIFIER_HINTS = qualifier_aliases()


@dataclass(slots=True)
class Report:
    """The outcome of validation: every problem, and counts."""

    workbook: str
    problems: list[Problem]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "ok": self.ok,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
            "stats": self.stats,
        }


@dataclass(slots=True)
class Validation:
    report: Report
    #: The records, when the workbook has no errors.
    workbook: Workbook | None


def validate_file(path: Path | str, *, sources: Collection[str] | None = None) -> Validation:
    """Read and validate a workbook file. Raises InputError when it cannot be read."""
    with paused_gc(long_lived=True):
        raw = read_workbook(path, sheets=READ_SHEETS)
        result = validate_workbook(raw, sources=sources)
        del raw  # now, not once the collector is back: it would walk every row first
    return result


@contextmanager
def paused_gc(*, long_lived: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Hundreds of thousands of live records make every collection walk them all;
    none of them form cycles, so pausing costs nothing and saves most of the time.

    With `long_lived` (what the block makes is kept: a workbook's records), what
    survives is filed with the oldest generation at once: freeze and unfreeze move
    lists and walk nothing, where the next young collection would walk every record.
    Nothing stays frozen. Without it (the block's leftovers are garbage, such as a
    rendered file's objects), the next young collection frees them as usual.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if long_lived and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def validate_workbook(raw: RawWorkbook, *, sources: Collection[str] | None = None) -> Validation:
    if sources is None:
        from .facts import load_sources

        sources = [s.id for s in load_sources()]
    run = _Run(raw, {s.casefold(): s for s in sources})
    return run.validate()


class _Run:
    """One validation run: problems accumulate here."""

    def __init__(self, raw: RawWorkbook, sources: dict[str, str]):
        self.raw = raw
        self.sources = sources
        self.problems: list[Problem] = []
        self.columns: dict[str, dict[str, str]] = {}
        self.stats: dict[str, Any] = {"blank_rows_skipped": 0}

    def add(self, code: str, message: str, **where: Any) -> None:
        self.problems.append(problem(code, message, **where))

    # --- the run --------------------------------------------------------------------------

    def validate(self) -> Validation:
        vocab = self._vocabularies()
        sheets = {spec.name: self._sheet(spec) for spec in DATA_SHEETS}
        meetings, ids = self._meetings(sheets[MEETINGS.name], vocab)
        agreements = self._agreements(sheets[AGREEMENTS.name], vocab, ids)
        metrics = self._metrics(sheets[METRICS.name], vocab, ids)
        self.stats.update(meetings=len(meetings), agreements=len(agreements),
                          metrics=len(metrics))
        order = {s.name: i for i, s in enumerate(DATA_SHEETS)}
        self.problems.sort(key=lambda p: (
            order.get(p.sheet or "", -1 if p.sheet is None else 99), p.row or 0,
            _column_order(p.cell)))
        report = Report(str(self.raw.path), self.problems, self.stats)
        workbook = None
        if report.ok:
            workbook = Workbook(self.raw.path, meetings, agreements, metrics, vocab, self.columns)
        return Validation(report, workbook)

    # --- Lists ----------------------------------------------------------------------------

    def _vocabularies(self) -> dict[str, tuple[str, ...]]:
        vocab = dict(VOCABULARIES)
        sheet = self.raw.find(LISTS_SHEET)
        if sheet is None:
            self.add("lists-missing", f"there is no {LISTS_SHEET} sheet, so reporter uses its "
                     "built-in lists. Add the sheet from the template to keep your own lists",
                     sheet=LISTS_SHEET)
            return vocab
        if not sheet.visible:
            self.add("hidden-sheet", f"the {LISTS_SHEET} sheet is hidden; reporter reads it all "
                     "the same", sheet=sheet.name)
        header = sheet.rows[0] if sheet.rows else []
        keys = {header_key(h): j for j, h in enumerate(header) if str(h).strip()}
        for name in VOCABULARIES:
            j = keys.get(header_key(name))
            if j is None:
                self.add("lists-missing", f"the {LISTS_SHEET} sheet has no column '{name}'; "
                         "reporter uses its built-in list", sheet=sheet.name, row=1)
                continue
            values: list[str] = []
            seen: set[str] = set()
            for row in sheet.rows[1:]:
                v = row[j] if j < len(row) else ""
                text = cells.convert(Kind.TEXT, False, v)[0]
                if text in ("", INVALID) or text.casefold() in seen:
                    continue
                seen.add(text.casefold())
                values.append(text)
            if values:
                vocab[name] = tuple(values)
        return vocab

    # --- one data sheet -------------------------------------------------------------------

    def _sheet(self, spec: Sheet) -> _Rows:
        """The sheet's non-blank rows, typed, in the spec's column order."""
        empty = _Rows(spec, [], [], set())
        sheet = self.raw.find(spec.name)
        if sheet is None:
            hint = did_you_mean(spec.name, list(self.raw.sheets))
            fix = (f"rename sheet '{hint}' to '{spec.name}'" if hint else
                   f"add a sheet named '{spec.name}' (copy it from the template: reporter init)")
            self.add("missing-sheet", f"the workbook has no '{spec.name}' sheet; {fix}",
                     sheet=spec.name)
            return empty
        if not sheet.visible:
            self.add("hidden-sheet", f"sheet '{sheet.name}' is hidden; reporter reads it all the "
                     "same. Unhide it (right-click a sheet tab > Unhide) to see what is checked",
                     sheet=spec.name)
        found = self._header(spec, sheet)
        if found is None:
            return empty
        header_row, mapping = found
        self.columns[spec.name] = {f: column_letter(j) for f, j in mapping.items()}
        rows = sheet.rows
        width = max(map(len, rows))
        last = len(rows)
        while last > header_row and _blank(rows[last - 1]):
            last -= 1
        self._structure(spec, sheet, header_row, last)
        idx = [mapping.get(c.field, width) for c in spec.columns]
        body = rows[header_row:last]
        need = max(idx) + 1  # absent optional columns read from one extra blank cell
        shortest = min(map(len, body), default=need)
        if shortest < need:
            for row in body:
                if len(row) < need:
                    row.extend([""] * (need - len(row)))
        pick = itemgetter(*idx)
        first = mapping[spec.id_column.field]
        if "" not in map(itemgetter(first), body):  # the usual case: no blank rows at all
            # The template's own layout: the rows are the records' cells as they stand.
            as_is = idx == list(range(len(idx))) and shortest == width == len(idx)
            return self._typed(spec, sheet, body if as_is else list(map(pick, body)),
                               list(range(header_row + 1, last + 1)))
        picked: list[tuple[Any, ...]] = []
        numbers: list[int] = []
        for i, row in enumerate(body, start=header_row + 1):
            if row[first] == "" and _blank(row):
                self.stats["blank_rows_skipped"] += 1
                continue
            picked.append(pick(row))
            numbers.append(i)
        return self._typed(spec, sheet, picked, numbers)

    def _header(self, spec: Sheet, sheet: RawSheet) -> tuple[int, dict[str, int]] | None:
        """The header row (1-based) and where each known column is (0-based)."""
        lookup: dict[str, Column] = {}
        for c in spec.columns:
            lookup[header_key(c.header)] = c
            for alias in c.aliases:
                lookup.setdefault(header_key(alias), c)
        best: tuple[int, int] | None = None  # (matches, row index)
        for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            matches = len({lookup[k].field for k in map(header_key, row) if k in lookup})
            if matches and (best is None or matches > best[0]):
                best = (matches, i)
            if matches == len(spec.columns):
                break
        required = [c for c in spec.columns if c.required]
        if best is None or best[0] < min(2, len(required)):
            cols = ", ".join(c.header for c in spec.columns)
            self.add("missing-column", f"sheet '{sheet.name}' has no header row; put these "
                     f"headers in row 1: {cols}", sheet=spec.name, row=1, cell="A1")
            return None
        hrow = best[1]
        header = sheet.rows[hrow]
        if hrow > 0:
            self.add("header-moved", f"the header row of '{sheet.name}' is row {hrow + 1}, not "
                     f"row 1; reporter ignores the rows above it", sheet=spec.name, row=hrow + 1,
                     cell=f"A{hrow + 1}")
        mapping: dict[str, tuple[Column, int]] = {}
        for j, h in enumerate(header):
            text = str(h).strip() if h is not None else ""
            if not text:
                continue
            where = {"sheet": spec.name, "row": hrow + 1, "column": text,
                     "cell": f"{column_letter(j)}{hrow + 1}", "value": h}
            col = lookup.get(header_key(text))
            if col is None:
                hint = did_you_mean(text, [c.header for c in spec.columns])
                extra = f" If you meant '{hint}', rename it." if hint and hint not in {
                    m[0].header for m in mapping.values()} else ""
                self.add("extra-column", f"column '{text}' is not part of the {spec.name} "
                         f"format; reporter keeps it but does not check or use it.{extra}",
                         **where)
            elif col.field in mapping:
                first = column_letter(mapping[col.field][1])
                self.add("duplicate-column", f"'{text}' is a second '{col.header}' column "
                         f"(the first is column {first}); delete or rename one of them", **where)
            else:
                mapping[col.field] = (col, j)
        free = column_letter(len(header))
        for c in spec.columns:
            if c.field not in mapping and c.required:
                self.add("missing-column", f"sheet '{sheet.name}' has no '{c.header}' column; "
                         f"add it (any position, e.g. {free}{hrow + 1}). {c.help}",
                         sheet=spec.name, row=hrow + 1, column=c.header,
                         cell=f"{free}{hrow + 1}")
        if any(c.required and c.field not in mapping for c in spec.columns):
            return None
        return hrow + 1, {f: j for f, (_, j) in mapping.items()}

    def _structure(self, spec: Sheet, sheet: RawSheet, first: int, last: int) -> None:
        """Merged cells and hidden rows within the data (rows first..last, 1-based)."""
        for r0, c0, r1, c1 in sorted(sheet.merged):
            if r1 + 1 < first or r0 + 1 > last:
                continue
            ref = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            self.add("merged-cells", f"cells {ref} are merged; unmerge them (Home > Merge & "
                     "Center) and type the value in every row it applies to",
                     sheet=spec.name, row=r0 + 1, cell=f"{column_letter(c0)}{r0 + 1}")
        hidden = [r for r in sheet.hidden_rows if first < r <= last]
        if hidden:
            shown = ", ".join(map(str, hidden[:10])) + (" ..." if len(hidden) > 10 else "")
            self.add("hidden-rows", f"{len(hidden)} hidden row(s) in '{sheet.name}' (rows "
                     f"{shown}); reporter reads them like the others. Unhide them to check",
                     sheet=spec.name, row=hidden[0])

    def _typed(self, spec: Sheet, sheet: RawSheet, picked: list[Sequence[Any]],
               numbers: list[int]) -> _Rows:
        """Type every row in bulk with pydantic; rows it rejects go through the slow path.

        A cell with an error becomes INVALID (its problem is reported) and its row is
        listed in `bad`.
        """
        letters = [self.columns[spec.name].get(c.field) for c in spec.columns]
        # Formula and error cells found in the XML override what the fast reader returned.
        flagged: dict[tuple[int, int], tuple[str, str, str]] = {}
        if sheet.formulas or sheet.errors:
            pos = {n: i for i, n in enumerate(numbers)}
            where = {letter: k for k, letter in enumerate(letters) if letter}
            for ref, text in sheet.errors.items():
                k, i = _split_ref(ref, where, pos)
                if k is not None and i is not None:
                    flagged[(i, k)] = ("error", text, text)
            for ref, (formula, saved) in sheet.formulas.items():
                k, i = _split_ref(ref, where, pos)
                if k is not None and i is not None and (i, k) not in flagged:
                    flagged[(i, k)] = ("formula", formula, saved)
        adapter = row_adapter(tuple((c.kind, c.required) for c in spec.columns), sheet.control)
        slow: set[int] = {i for i, _ in flagged}
        fast = [i for i in range(len(picked)) if i not in slow] if slow else range(len(picked))
        try:
            typed = adapter.validate_python(picked if not slow else [picked[i] for i in fast])
        except ValidationError as exc:
            failing = sorted(_failed_rows(exc, fast))
            # Text with space at either end is the usual reason, and costly on the slow
            # path when a whole column has it: trim such rows and try them once more.
            trimmed = {i: tuple(v.strip() if type(v) is str else v for v in picked[i])
                       for i in failing}
            try:
                adapter.validate_python([trimmed[i] for i in failing])
                still: set[int] = set()
            except ValidationError as again:
                still = _failed_rows(again, failing)
            for i in failing:
                if i not in still:
                    picked[i] = trimmed[i]
            slow |= still
            fast = [i for i in range(len(picked)) if i not in slow]
            typed = adapter.validate_python([picked[i] for i in fast])
        if not slow:
            return _Rows(spec, numbers, typed, set())
        good = iter(typed)
        bad: set[int] = set()
        typed = []
        for i, row in enumerate(picked):
            if i not in slow:
                typed.append(next(good))
                continue
            values: list[Any] = []
            for k, (col, value) in enumerate(zip(spec.columns, row, strict=True)):
                where = {"sheet": spec.name, "row": numbers[i], "column": col.header,
                         "cell": f"{letters[k]}{numbers[i]}" if letters[k] else None,
                         "value": None if value == "" else value}
                flag = flagged.get((i, k))
                if flag is not None:
                    value, keep = self._flagged(flag, value, where)
                    if not keep:
                        values.append(INVALID)
                        continue
                out, findings = convert(col.kind, col.required, value,
                                        date1904=self.raw.date1904, header=col.header)
                for code, message in findings:
                    self.add(code, message, **where)
                values.append(out)
            if INVALID in values:
                bad.add(i)
            typed.append(tuple(values))
        return _Rows(spec, numbers, typed, bad)

    def _flagged(self, flag: tuple[str, str, str], value: Any, where: dict[str, Any]
                 ) -> tuple[Any, bool]:
        """Report a formula or error cell; return the value to use and whether to use it."""
        kind, typed, saved = flag
        where = {**where, "value": typed}
        if kind == "error":
            self.add("error-cell", f"the cell shows the error {saved}; fix the formula or type "
                     "the value", **where)
            return value, False
        if self.raw.recalc_on_load:
            self.add("formula-not-calculated", f"the cell holds the formula {typed}, and the "
                     "program that saved the workbook did not calculate it, so its saved result "
                     f"({saved or 'none'}) cannot be trusted. Open the workbook in Excel or "
                     "LibreOffice and save it, or type the value", **where)
            return value, False
        if saved == "":
            self.add("formula-no-result", f"the cell holds the formula {typed} with no saved "
                     "result; open the workbook in Excel or LibreOffice and save it, or type "
                     "the value", **where)
            return value, False
        self.add("formula-result", f"the cell holds the formula {typed}; reporter uses its "
                 f"saved result ({saved}). Type the value instead if it should not change",
                 **where)
        return value, True

    # --- records --------------------------------------------------------------------------

    def _choice(self, value: Any, vocab: tuple[str, ...], name: str, where: dict[str, Any],
                aliases: dict[str, str] | None = None) -> str | None:
        """The list's own spelling of value, or None (reported) when it is not in the list."""
        if value is INVALID:
            return None
        found = _lookup(vocab).get(value.casefold())
        if found is not None:
            return found
        self.add("not-in-list", f"'{value}' is not in the {name} list"
                 f"{_hint(did_you_mean(value, vocab, aliases))}. Pick a value from the dropdown, "
                 f"or add it to column '{name}' of the {LISTS_SHEET} sheet",
                 **{**where, "value": value})
        return None

    def _source(self, value: str, where: dict[str, Any]) -> str | None:
        found = self.sources.get(value.casefold())
        if found is None:
            known = ", ".join(sorted(self.sources.values()))
            self.add("unknown-source", f"'{value}' is not a source id"
                     f"{_hint(did_you_mean(value, list(self.sources.values())))}. Use one of "
                     f"{known} (see the README sheet), or leave the cell blank",
                     **{**where, "value": value})
        return found

    def _source_cell(self, s: Sheet, n: int, value: Any) -> tuple[str | None, bool]:
        """An optional Source cell: (the registry's id or None, whether it is acceptable)."""
        if value == "":
            return None, True
        if value is INVALID:
            return None, False
        found = self.sources.get(value.casefold())
        if found is None:
            self._source(value, self._where(s, "source", n, value))
        return found, found is not None

    def _ids(self, rows: _Rows) -> dict[str, str]:
        """Report duplicate IDs (marking their rows bad); return the usable IDs by key."""
        spec = rows.spec
        values = list(map(itemgetter(0), rows.values))
        if not rows.bad:  # (only rows in rows.bad hold INVALID)
            keys = list(map(str.casefold, values))
            ids = dict(zip(keys, values, strict=True))
            if len(ids) == len(keys):  # no duplicates: the usual case, checked at once
                return ids
        seen: dict[str, int] = {}
        ids = {}
        for i, (n, t) in enumerate(zip(rows.numbers, rows.values, strict=True)):
            value = t[0]
            if value is INVALID:
                continue
            key = value.casefold()
            first = seen.get(key)
            if first is not None:
                self.add("duplicate-id", f"{spec.id_column.header} '{value}' is already used on "
                         f"row {first}; give this row its own ID",
                         **self._where(spec, spec.id_column.field, n, value))
                rows.bad.add(i)
            else:
                seen[key] = n
                ids[key] = value
        return ids

    def _meeting_ref(self, sheet: Sheet, n: int, value: Any, ids: dict[str, str]) -> str | None:
        if value is INVALID:
            return None
        found = ids.get(value.casefold())
        if found is None:
            self.add("unknown-meeting", f"Meeting ID '{value}' is not on the Meetings sheet"
                     f"{_hint(did_you_mean(value, list(ids.values())))}. Use an ID from the "
                     "Meetings sheet, or add the meeting there",
                     **self._where(sheet, "meeting_id", n, value))
        return found

    def _where(self, sheet: Sheet, field_name: str, n: int, value: Any) -> dict[str, Any]:
        letter = self.columns.get(sheet.name, {}).get(field_name)
        return {"sheet": sheet.name, "row": n, "column": sheet.column(field_name).header,
                "cell": f"{letter}{n}" if letter else None, "value": value}

    def _optional(self, s: Sheet, field_name: str, n: int, value: Any, lookup: dict[str, str],
                  vocab: tuple[str, ...], name: str,
                  aliases: dict[str, str] | None = None) -> tuple[str | None, bool]:
        """An optional list value: (its list spelling or None, whether it is acceptable)."""
        if value == "":
            return None, True
        if value is INVALID:
            return None, False
        found = lookup.get(value) or lookup.get(value.casefold())
        if found is None:
            found = self._choice(value, vocab, name, self._where(s, field_name, n, value),
                                 aliases)
        return found, found is not None

    def _meetings(self, rows: _Rows, vocab: dict[str, tuple[str, ...]]
                  ) -> tuple[list[Meeting], dict[str, str]]:
        s = MEETINGS
        ids = self._ids(rows)
        kinds = vocab["Meeting kinds"]
        lookup = _lookup(kinds)
        out: list[Meeting] = []
        for i, (n, t) in enumerate(zip(rows.numbers, rows.values, strict=True)):
            mid, title, kind, date, location, counterpart, notes = t
            kind, ok = self._optional(s, "kind", n, kind, lookup, kinds, "Meeting kinds")
            if ok and i not in rows.bad:
                out.append(Meeting(mid, title, kind, date or None,  # type: ignore[arg-type]
                                   location or None, counterpart, notes or None, n))
        return out, ids

    def _agreements(self, rows: _Rows, vocab: dict[str, tuple[str, ...]],
                    ids: dict[str, str]) -> list[Agreement]:
        s = AGREEMENTS
        self._ids(rows)
        kinds, statuses = vocab["Agreement kinds"], vocab["Statuses"]
        kind_lookup, status_lookup = _lookup(kinds), _lookup(statuses)
        focus = _FocusReader(self, vocab["Focus areas"])
        out: list[Agreement] = []
        append = out.append
        # The usual row names its meeting, list values and source exactly as listed: one
        # dictionary lookup each. Any other row takes the checks below, which explain.
        meeting_of = {v: v for v in ids.values()}.get
        kind_of, status_of = _exact(kinds).get, _exact(statuses).get
        source_of = _exact(tuple(self.sources.values())).get
        areas_of, areas_cached = focus.known, focus.cache.get
        bad = rows.bad
        new = tuple.__new__
        for i, (n, t) in enumerate(zip(rows.numbers, rows.values, strict=True)):
            (aid, mid, title, party_a, party_b, kind, signed_on, areas, value, status, source,
             notes) = t
            meeting = meeting_of(mid)
            kind_ = kind_of(kind, _MISS)
            status_ = status_of(status, _MISS)
            source_ = source_of(source, _MISS)
            found = areas_cached(areas) or areas_of(areas)
            if (meeting is not None and found is not None and kind_ is not _MISS
                    and status_ is not _MISS and source_ is not _MISS and i not in bad):
                # tuple.__new__ is what NamedTuple._make calls, without a Python frame.
                append(new(Agreement, (aid, meeting, title, party_a, party_b or None, kind_,
                                       signed_on or None, found, None if value == "" else value,
                                       status_, source_, notes or None, n)))
                continue
            meeting = self._meeting_ref(s, n, mid, ids)
            kind, kind_ok = self._optional(s, "kind", n, kind, kind_lookup, kinds,
                                           "Agreement kinds")
            areas, areas_ok = focus.read(n, areas)
            status, status_ok = self._optional(s, "status", n, status, status_lookup, statuses,
                                               "Statuses")
            source, source_ok = self._source_cell(s, n, source)
            if meeting is None or not (kind_ok and areas_ok and status_ok and source_ok) or (
                    i in rows.bad):
                continue
            append(Agreement(aid, meeting, title, party_a, party_b or None, kind,  # type: ignore
                             signed_on or None, areas, None if value == "" else value, status,
                             source or None, notes or None, n))
        return out

    def _metrics(self, rows: _Rows, vocab: dict[str, tuple[str, ...]],
                 ids: dict[str, str]) -> list[Metric]:
        s = METRICS
        self._ids(rows)
        names = vocab["Metrics"]
        lookup = _lookup(names)
        lookups = {name: _lookup(vocab[name]) for name in ("Units", "Qualifiers")}
        out: list[Metric] = []
        for i, (n, t) in enumerate(zip(rows.numbers, rows.values, strict=True)):
            mid, meeting_id, metric, _value, _unit, _qualifier, period, source, notes = t
            meeting = self._meeting_ref(s, n, meeting_id, ids)
            metric, metric_ok = self._optional(s, "metric", n, metric, lookup, names, "Metrics")
            quantity = self._quantity(n, t, vocab, lookups)
            source, source_ok = self._source_cell(s, n, source)
            if meeting is None or not (metric_ok and source_ok) or quantity is None or (
                    i in rows.bad):
                continue
            out.append(Metric(mid, meeting, metric, quantity, period or None,  # type: ignore
                              source or None, notes or None, n))
        return out

    def _quantity(self, n: int, t: tuple[Any, ...], vocab: dict[str, tuple[str, ...]],
                  lookups: dict[str, dict[str, str]]) -> Quantity | None:
        s = METRICS
        value, unit_text, qual_text = t[3], t[4], t[5]
        unit, unit_ok = self._optional(s, "unit", n, unit_text, lookups["Units"],
                                       vocab["Units"], "Units", UNIT_HINTS)
        unit = normalise_unit(unit) if unit else None
        listed, qual_ok = self._optional(s, "qualifier", n, qual_text,
                                         lookups["Qualifiers"], vocab["Qualifiers"],
                                         "Qualifiers", QUALIFIER_HINTS)
        qualifier = normalise_qualifier(listed) if listed else None
        if listed is not None and qualifier is None:
            self.add("not-in-list", f"reporter does not know what the qualifier '{listed}' "
                     "means; use exact, about, more than, at least, at most or less than",
                     **self._where(s, "qualifier", n, listed))
            qual_ok = False
        if not (unit_ok and qual_ok) or value is INVALID:
            return None
        try:
            q = cells.as_quantity(value, unit, qualifier or EXACT)
        except QuantityError as exc:
            self.add("not-a-quantity", f"Value: {exc}", **self._where(s, "value", n, value))
            return None
        if q.unit is not None and unit is not None and q.unit != unit:
            self.add("unit-conflict", f"the Value says {q.unit} but the Unit cell says {unit}; "
                     "make them agree (or leave Unit blank)",
                     **self._where(s, "unit", n, unit_text))
            return None
        if qualifier not in (None, EXACT) and q.qualifier not in (EXACT, qualifier):
            self.add("qualifier-conflict", f"the Value says '{q.qualifier}' but the Qualifier "
                     f"cell says '{qualifier}'; make them agree",
                     **self._where(s, "qualifier", n, qual_text))
            return None
        if qualifier not in (None, EXACT) and q.qualifier == EXACT:
            q = q.with_qualifier(qualifier)  # type: ignore[arg-type]
        if q.unit is None:
            q = q.with_unit(unit)
        if q.unit is None:
            self.add("required", "Unit is required for this figure (count, CNY, USD, percent, "
                     "ratio or years); choose one from the dropdown",
                     **self._where(s, "unit", n, None))
            return None
        finding = cells.negative(q, q.unit, "Value")  # a count or an amount below zero
        if finding:
            self.add(*finding, **self._where(s, "value", n, value))
            return None
        return q


@dataclass(slots=True)
class _Rows:
    """A data sheet's non-blank rows, typed, in its spec's column order."""

    spec: Sheet
    numbers: list[int]  # Excel row numbers
    values: list[tuple[Any, ...]]
    bad: set[int]  # indexes of rows with a cell in error (holding INVALID)


class _FocusReader:
    """Focus areas ('AI; biomedicine') read once per distinct text: registers repeat them."""

    def __init__(self, run: _Run, vocab: tuple[str, ...]):
        self.run = run
        self.vocab = vocab
        self.lookup = _lookup(vocab)
        self.cache: dict[str, tuple[str, ...]] = {"": ()}

    def known(self, text: Any) -> tuple[str, ...] | None:
        """The areas a text names, in the list's spelling; None if it names others."""
        cached = self.cache.get(text)
        if cached is not None or text is INVALID:
            return cached
        found = [self.lookup.get(p.casefold()) for p in _focus_parts(text)]
        if None in found:
            return None
        areas = tuple(dict.fromkeys(found))  # type: ignore[arg-type]
        if len(self.cache) < 100_000:
            self.cache[text] = areas
        return areas

    def read(self, n: int, text: Any) -> tuple[tuple[str, ...], bool]:
        areas = self.known(text)
        if areas is not None:
            return areas, True
        if text is INVALID:
            return (), False
        parts = _focus_parts(text)
        found = [self.lookup.get(p.casefold()) for p in parts]
        where = self.run._where(AGREEMENTS, "focus_areas", n, text)
        if len(parts) == 1 and ("," in text or "，" in text):
            self.run.add("not-in-list", f"'{text}' is not in the Focus areas list; separate "
                         "several focus areas with ';', not ','", **where)
            return (), False
        for p, f in zip(parts, found, strict=True):
            if f is None:
                self.run._choice(p, self.vocab, "Focus areas", where, FOCUS_ALIASES)
        return (), False


def _failed_rows(exc: ValidationError, rows: Sequence[int]) -> set[int]:
    """The rows (indexes into `rows`' items) a bulk validation rejected."""
    return {rows[err["loc"][0]]  # type: ignore[index]
            for err in exc.errors(include_url=False, include_context=False, include_input=False)}


def _hint(suggestion: str | None) -> str:
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def _lookup(vocab: tuple[str, ...]) -> dict[str, str]:
    return {v.casefold(): v for v in vocab}


def _focus_parts(text: str) -> list[str]:
    return [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]


_MISS = object()


def _exact(vocab: tuple[str, ...]) -> dict[str, str | None]:
    """A list's values as spelt in it; an empty cell reads as None."""
    return {"": None, **{v: v for v in vocab}}


def _blank(row: list[Any]) -> bool:
    for v in row:
        if v == "" or v is None:
            continue
        if isinstance(v, str) and not v.strip():
            continue
        return False
    return True


def _split_ref(ref: str, where: dict[str, int], pos: dict[int, int]) -> tuple[int | None,
                                                                              int | None]:
    letters = ref.rstrip("0123456789")
    number = int(ref[len(letters):] or 0)
    return where.get(letters), pos.get(number)


def _column_order(cell: str | None) -> int:
    if not cell:
        return -1
    letters = cell.rstrip("0123456789")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
