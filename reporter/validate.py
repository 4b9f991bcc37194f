"""Validate: check a workbook against the format and turn it into records.

Every problem in the workbook is reported in one run, at the cell the user
must fix, with a stable code. Types are checked in bulk by pydantic (see
`cells.py`); lists, IDs and references are checked here.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    wanted = (*(s.name for s in DATA_SHEETS), LISTS_SHEET)
    with paused_gc():
        raw = read_workbook(path, sheets=wanted)
        return validate_workbook(raw, sources=sources)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Hundreds of thousands of live records make every collection walk them all;
    none of them form cycles, so pausing costs nothing and saves most of the time.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
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
        parsed: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for spec in DATA_SHEETS:
            parsed[spec.name] = self._sheet(spec)
        meetings, ids = self._meetings(parsed[MEETINGS.name], vocab)
        agreements = self._agreements(parsed[AGREEMENTS.name], vocab, ids)
        metrics = self._metrics(parsed[METRICS.name], vocab, ids)
        self.stats.update(meetings=len(meetings), agreements=len(agreements),
                          metrics=len(metrics))
        order = {s.name: i for i, s in enumerate((*DATA_SHEETS,))}
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

    def _sheet(self, spec: Sheet) -> list[tuple[int, dict[str, Any]]]:
        """Rows of a sheet as {field: typed value}, with their Excel row numbers."""
        sheet = self.raw.find(spec.name)
        if sheet is None:
            names = list(self.raw.sheets)
            hint = did_you_mean(spec.name, names)
            fix = (f"rename sheet '{hint}' to '{spec.name}'" if hint else
                   f"add a sheet named '{spec.name}' (copy it from the template: reporter init)")
            self.add("missing-sheet", f"the workbook has no '{spec.name}' sheet; {fix}",
                     sheet=spec.name)
            return []
        if not sheet.visible:
            self.add("hidden-sheet", f"sheet '{sheet.name}' is hidden; reporter reads it all the "
                     "same. Unhide it (right-click a sheet tab > Unhide) to see what is checked",
                     sheet=spec.name)
        found = self._header(spec, sheet)
        if found is None:
            return []
        header_row, mapping = found
        self.columns[spec.name] = {c.field: column_letter(j) for c, j in mapping}
        data_start = header_row  # 0-based index of the first data row
        rows = sheet.rows
        last = len(rows)
        while last > data_start and _blank(rows[last - 1]):
            last -= 1
        self._structure(spec, sheet, header_row, last)
        # Gather the mapped cells of every non-blank row, in column order.
        idx = [j for _, j in mapping]
        specs = [c for c, _ in mapping]
        raw_rows: list[list[Any]] = []
        numbers: list[int] = []
        width = max(idx) + 1
        for i in range(data_start, last):
            row = rows[i]
            if _blank(row):
                self.stats["blank_rows_skipped"] += 1
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            raw_rows.append([row[j] for j in idx])
            numbers.append(i + 1)
        typed = self._typed(spec, sheet, specs, raw_rows, numbers)
        fields = [c.field for c in specs]
        return [(n, dict(zip(fields, t, strict=True))) for n, t in zip(numbers, typed, strict=True)]

    def _header(self, spec: Sheet, sheet: RawSheet) -> tuple[int, list[tuple[Column, int]]] | None:
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
        ordered = [mapping[c.field] for c in spec.columns if c.field in mapping]
        return hrow + 1, ordered

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

    def _typed(self, spec: Sheet, sheet: RawSheet, specs: list[Column],
               raw_rows: list[list[Any]], numbers: list[int]) -> list[tuple[Any, ...]]:
        """Typed rows via pydantic, then the slow path; a cell with an error is INVALID."""
        col_letters = [self.columns[spec.name][c.field] for c in specs]
        # Cells the XML scan flagged override what the fast reader returned.
        flagged: dict[tuple[int, int], tuple[str, str, str]] = {}
        if sheet.formulas or sheet.errors:
            pos = {n: i for i, n in enumerate(numbers)}
            where = {letter: k for k, letter in enumerate(col_letters)}
            for ref, text in sheet.errors.items():
                k, i = _split_ref(ref, where, pos)
                if k is not None and i is not None:
                    flagged[(i, k)] = ("error", text, text)
            for ref, (formula, saved) in sheet.formulas.items():
                k, i = _split_ref(ref, where, pos)
                if k is not None and i is not None and (i, k) not in flagged:
                    flagged[(i, k)] = ("formula", formula, saved)
        adapter = row_adapter(tuple((c.kind, c.required) for c in specs))
        bad_rows: set[int] = {i for i, _ in flagged}
        typed: list[Any] = []
        try:
            typed = adapter.validate_python(raw_rows)
        except ValidationError as exc:
            for err in exc.errors(include_url=False, include_context=False, include_input=False):
                bad_rows.add(err["loc"][0])  # type: ignore[arg-type]
        if bad_rows:
            good = [r for i, r in enumerate(raw_rows) if i not in bad_rows]
            good_typed = iter(adapter.validate_python(good))
            typed = []
            for i, row in enumerate(raw_rows):
                if i not in bad_rows:
                    typed.append(next(good_typed))
                    continue
                values: list[Any] = []
                for k, (col, value) in enumerate(zip(specs, row, strict=True)):
                    where = {"sheet": spec.name, "row": numbers[i], "column": col.header,
                             "cell": f"{col_letters[k]}{numbers[i]}",
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
                typed.append(tuple(values))
        return typed

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
                     f"{_hint(did_you_mean(value, list(self.sources.values())))}. Known "
                     f"sources: {known} (see the README sheet)", **{**where, "value": value})
        return found

    def _ids(self, sheet: Sheet, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, str]:
        """Report duplicate IDs; return every usable ID (casefolded -> as typed)."""
        col = sheet.id_column
        seen: dict[str, int] = {}
        ids: dict[str, str] = {}
        for n, r in rows:
            value = r[col.field]
            if value is INVALID:
                continue
            key = value.casefold()
            if key in seen:
                self.add("duplicate-id", f"{col.header} '{value}' is already used on row "
                         f"{seen[key]}; give this row its own ID",
                         **self._where(sheet, col.field, n, value))
                r[col.field] = INVALID
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

    def _cell(self, sheet: Sheet, field_name: str, n: int) -> str | None:
        letter = self.columns.get(sheet.name, {}).get(field_name)
        return f"{letter}{n}" if letter else None

    def _where(self, sheet: Sheet, field_name: str, n: int, value: Any) -> dict[str, Any]:
        return {"sheet": sheet.name, "row": n, "column": sheet.column(field_name).header,
                "cell": self._cell(sheet, field_name, n), "value": value}

    def _optional_choice(self, s: Sheet, field_name: str, n: int, r: dict[str, Any],
                         vocab: tuple[str, ...], name: str,
                         aliases: dict[str, str] | None = None) -> tuple[str | None, bool]:
        value = r.get(field_name) or None
        if value is None:
            return None, True
        found = self._choice(value, vocab, name, self._where(s, field_name, n, value), aliases)
        return found, found is not None

    def _meetings(self, rows: list[tuple[int, dict[str, Any]]],
                  vocab: dict[str, tuple[str, ...]]) -> tuple[list[Meeting], dict[str, str]]:
        s = MEETINGS
        ids = self._ids(s, rows)
        out: list[Meeting] = []
        for n, r in rows:
            kind = self._choice(r["kind"], vocab["Meeting kinds"], "Meeting kinds",
                                self._where(s, "kind", n, r["kind"]))
            if kind is None or _invalid(r):
                continue
            out.append(Meeting(r["meeting_id"], r["title"], kind, r.get("date") or None,
                               r.get("location") or None, r["counterpart"],
                               r.get("notes") or None, n))
        return out, ids

    def _agreements(self, rows: list[tuple[int, dict[str, Any]]],
                    vocab: dict[str, tuple[str, ...]], ids: dict[str, str]) -> list[Agreement]:
        s = AGREEMENTS
        self._ids(s, rows)
        kinds, focus_vocab = vocab["Agreement kinds"], vocab["Focus areas"]
        kind_lookup, focus_lookup = _lookup(kinds), _lookup(focus_vocab)
        out: list[Agreement] = []
        append = out.append
        for n, r in rows:
            meeting = self._meeting_ref(s, n, r["meeting_id"], ids)
            kind = r["kind"]
            kind = (kind_lookup.get(kind.casefold()) if kind is not INVALID else None) or (
                self._choice(kind, kinds, "Agreement kinds", self._where(s, "kind", n, kind)))
            focus, focus_ok = self._focus(s, n, r.get("focus_areas") or "", focus_lookup,
                                          focus_vocab)
            status, status_ok = self._optional_choice(s, "status", n, r, vocab["Statuses"],
                                                      "Statuses")
            source = r.get("source") or None
            if source not in (None, INVALID):
                source = self._source(source, self._where(s, "source", n, source))
            if (meeting is None or kind is None or not focus_ok or not status_ok
                    or (r.get("source") and source is None) or _invalid(r)):
                continue
            value = r.get("value_cny")
            append(Agreement(r["agreement_id"], meeting, r["title"], r["party_a"],
                             r.get("party_b") or None, kind, r.get("signed_on") or None, focus,
                             value if value != "" else None, status, source,
                             r.get("notes") or None, n))
        return out

    def _focus(self, s: Sheet, n: int, text: Any, lookup: dict[str, str],
               vocab: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
        if text is INVALID:
            return (), False
        if not text:
            return (), True
        parts = [p.strip() for p in text.replace("；", ";").split(";") if p.strip()]
        found = [lookup.get(p.casefold()) for p in parts]
        if None not in found:
            return tuple(dict.fromkeys(found)), True  # type: ignore[arg-type]
        where = self._where(s, "focus_areas", n, text)
        if len(parts) == 1 and ("," in text or "，" in text):
            self.add("not-in-list", f"'{text}' is not in the Focus areas list; separate "
                     "several focus areas with ';', not ','", **where)
            return (), False
        for p, f in zip(parts, found, strict=True):
            if f is None:
                self._choice(p, vocab, "Focus areas", where, FOCUS_ALIASES)
        return (), False

    def _metrics(self, rows: list[tuple[int, dict[str, Any]]],
                 vocab: dict[str, tuple[str, ...]], ids: dict[str, str]) -> list[Metric]:
        s = METRICS
        self._ids(s, rows)
        out: list[Metric] = []
        for n, r in rows:
            meeting = self._meeting_ref(s, n, r["meeting_id"], ids)
            metric = self._choice(r["metric"], vocab["Metrics"], "Metrics",
                                  self._where(s, "metric", n, r["metric"]))
            quantity = self._quantity(n, r, vocab)
            source = r.get("source") or None
            if source not in (None, INVALID):
                source = self._source(source, self._where(s, "source", n, source))
            if (meeting is None or metric is None or quantity is None
                    or (r.get("source") and source is None) or _invalid(r)):
                continue
            out.append(Metric(r["metric_id"], meeting, metric, quantity, r.get("period") or None,
                              source, r.get("notes") or None, n))
        return out

    def _quantity(self, n: int, r: dict[str, Any], vocab: dict[str, tuple[str, ...]]
                  ) -> Quantity | None:
        s = METRICS
        unit, unit_ok = self._optional_choice(s, "unit", n, r, vocab["Units"], "Units",
                                              UNIT_HINTS)
        unit = normalise_unit(unit) if unit else None
        listed, qual_ok = self._optional_choice(s, "qualifier", n, r, vocab["Qualifiers"],
                                                "Qualifiers", QUALIFIER_HINTS)
        qualifier = normalise_qualifier(listed) if listed else None
        if listed is not None and qualifier is None:
            self.add("not-in-list", f"reporter does not know what the qualifier '{listed}' "
                     "means; use exact, about, more than, at least, at most or less than",
                     **self._where(s, "qualifier", n, listed))
            qual_ok = False
        value = r["value"]
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
                     **self._where(s, "unit", n, r.get("unit")))
            return None
        if qualifier not in (None, EXACT) and q.qualifier not in (EXACT, qualifier):
            self.add("qualifier-conflict", f"the Value says '{q.qualifier}' but the Qualifier "
                     f"cell says '{qualifier}'; make them agree",
                     **self._where(s, "qualifier", n, r.get("qualifier")))
            return None
        if qualifier not in (None, EXACT) and q.qualifier == EXACT:
            q = q.with_qualifier(qualifier)  # type: ignore[arg-type]
        if q.unit is None:
            q = q.with_unit(unit)
        if q.unit is None:
            self.add("required", "Unit is required for this figure (count, CNY, USD, percent, "
                     "ratio or years); choose one from the dropdown",
                     **self._where(s, "unit", n, ""))
            return None
        return q


def _hint(suggestion: str | None) -> str:
    return f" (did you mean '{suggestion}'?)" if suggestion else ""


def _invalid(r: dict[str, Any]) -> bool:
    return any(v is INVALID for v in r.values())


def _lookup(vocab: tuple[str, ...]) -> dict[str, str]:
    return {v.casefold(): v for v in vocab}


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
