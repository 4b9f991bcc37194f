"""Reconcile: compare a validated workbook with the fact base.

Every workbook figure is checked against the published figure for the same
cooperation (scope) and metric, within the source's own precision and
qualifier. Published figures and named agreements the workbook lacks are
reported as missing, agreements whose parties or dates contradict the source
as mismatches, and published counts of agreements next to the workbook's own.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .codes import Status
from .facts import AgreementFact, Event, FactBase, Figure, name_key
from .models import Agreement, Meeting, Metric, Workbook
from .quantities import EXACT, Quantity, convert, format_quantity

MATCH, MISMATCH, UNSOURCED, MISSING, INFO = (
    Status.MATCH, Status.MISMATCH, Status.UNSOURCED, Status.MISSING, Status.INFO)
STATUSES = tuple(Status)
KINDS = ("meeting", "figure", "count", "agreement")


@dataclass(frozen=True, slots=True)
class Check:
    """One comparison between the workbook and the fact base."""

    status: str
    kind: str
    meeting_id: str | None
    message: str
    metric: str | None = None
    sheet: str | None = None
    row: int | None = None
    cell: str | None = None
    workbook_value: Any = None
    workbook_text: str | None = None
    fact_id: str | None = None
    fact_value: Any = None
    fact_text: str | None = None
    unit: str | None = None
    source: str | None = None
    paragraph: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "kind": self.kind, "meeting_id": self.meeting_id,
            "metric": self.metric, "sheet": self.sheet, "row": self.row, "cell": self.cell,
            "workbook_value": self.workbook_value, "workbook_text": self.workbook_text,
            "fact_id": self.fact_id, "fact_value": self.fact_value, "fact_text": self.fact_text,
            "unit": self.unit, "source": self.source, "paragraph": self.paragraph,
            "message": self.message,
        }


@dataclass(slots=True)
class Reconciliation:
    workbook: str
    checks: list[Check]
    facts_version: str
    facts_digest: str
    #: meeting id -> scope id (None when its counterpart is not a known cooperation)
    scopes: dict[str, str | None] = field(default_factory=dict)
    #: meeting id -> the source event it was matched to
    events: dict[str, str | None] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.checks)
        return {s: counts.get(s, 0) for s in STATUSES}

    @property
    def ok(self) -> bool:
        return not any(c.status == MISMATCH for c in self.checks)

    def for_meeting(self, meeting_id: str) -> list[Check]:
        return [c for c in self.checks if c.meeting_id == meeting_id]

    def meeting_summary(self, meeting_id: str) -> dict[str, int]:
        counts = Counter(c.status for c in self.checks if c.meeting_id == meeting_id)
        return {s: counts.get(s, 0) for s in STATUSES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "workbook": self.workbook,
            "ok": self.ok,
            "checks": [c.to_dict() for c in self.checks],
            "summary": self.summary,
            "facts": {"version": self.facts_version, "digest": self.facts_digest},
            "meetings": {m: {"scope": self.scopes.get(m), "event": self.events.get(m)}
                         for m in self.scopes},
        }


def reconcile(workbook: Workbook, facts: FactBase) -> Reconciliation:
    """Compare every figure, agreement and meeting in the workbook with the fact base."""
    return _Run(workbook, facts).run()


_WORD = re.compile(r"[a-z0-9\u4e00-\u9fff]+")
_STOP = frozenset("a an and the of on in for to with at by from between its their s".split())


def words(text: str) -> frozenset[str]:
    return _content(_WORD.findall(text.casefold()))


def _content(tokens: list[str]) -> frozenset[str]:
    """The words that say what a title is about (no 'the', 'of' ...)."""
    return frozenset(tokens) - _STOP


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class _Run:
    def __init__(self, workbook: Workbook, facts: FactBase):
        self.wb = workbook
        self.facts = facts
        self.checks: list[Check] = []
        self.agreements, self.metrics = workbook.by_meeting()
        self.scopes = {m.meeting_id: self._scope(m) for m in workbook.meetings}
        self.in_scope: dict[str, list[Meeting]] = {}
        for m in workbook.meetings:
            scope = self.scopes[m.meeting_id]
            if scope:
                self.in_scope.setdefault(scope, []).append(m)
        self.events = self._match_events()
        self.by_event = {e: mid for mid, e in self.events.items() if e}
        self._party_keys: dict[str, str] = {}

    def _party_key(self, name: str) -> str:
        """The entity a party name stands for, or the name itself made comparable."""
        found = self._party_keys.get(name)
        if found is None:
            entity = self.facts.entities.resolve(name)
            found = entity.id if entity is not None else name_key(name)
            self._party_keys[name] = found
        return found

    def run(self) -> Reconciliation:
        for scope, meetings in self.in_scope.items():
            self._meetings(scope, meetings)
        covered: set[str] = set()
        for m in self.wb.meetings:
            for metric in self.metrics.get(m.meeting_id, []):
                covered.update(self._figure(m, metric))
        for scope in self.in_scope:
            self._missing_figures(scope, covered)
            self._counts(scope)
            self._agreements(scope)
        order = {m.meeting_id: i for i, m in enumerate(self.wb.meetings)}
        kinds = {k: i for i, k in enumerate(KINDS)}
        self.checks.sort(key=lambda c: (order.get(c.meeting_id or "", len(order)),
                                        kinds[c.kind], c.row or 10**9, c.fact_id or ""))
        return Reconciliation(str(self.wb.path), self.checks, self.facts.version,
                              self.facts.digest, self.scopes, self.events)

    # --- which cooperation, which event -----------------------------------------------------

    def _scope(self, meeting: Meeting) -> str | None:
        entity = self.facts.entities.resolve(meeting.counterpart)
        if entity is not None and entity.scope:
            return entity.scope
        key = name_key(meeting.counterpart)
        for scope in self.facts.scopes.values():
            if key in (name_key(scope.id), name_key(scope.name)):
                return scope.id
        # Otherwise: the one cooperation that the sources its rows cite are about.
        cited = {a.source for a in self.agreements.get(meeting.meeting_id, []) if a.source}
        cited |= {f.source for f in self.metrics.get(meeting.meeting_id, []) if f.source}
        scopes = {e.scope for e in self.facts.events.values() if e.source in cited}
        return scopes.pop() if len(scopes) == 1 else None

    def _match_events(self) -> dict[str, str | None]:
        pairs: list[tuple[float, int, int, str, str]] = []
        order = {m.meeting_id: i for i, m in enumerate(self.wb.meetings)}
        for scope, meetings in self.in_scope.items():
            events = self.facts.events_in(scope)
            for m in meetings:
                mw = words(m.title)
                cites = {a.source for a in self.agreements.get(m.meeting_id, [])}
                cites |= {f.source for f in self.metrics.get(m.meeting_id, [])}
                for j, e in enumerate(events):
                    score = 2 * similarity(mw, words(e.title)) + (m.kind == e.kind)
                    if m.date is not None and not e.date.is_empty():
                        score += 3 if e.date.agrees_with(m.date) else -3
                    if m.location and e.place and name_key(e.place) in name_key(m.location):
                        score += 0.5
                    score += 0.5 * (e.source in cites)
                    pairs.append((score, order[m.meeting_id], j, m.meeting_id, e.id))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        out: dict[str, str | None] = {m.meeting_id: None for m in self.wb.meetings}
        taken: set[str] = set()
        for score, _, _, mid, eid in pairs:
            if score > 0 and out[mid] is None and eid not in taken:
                out[mid] = eid
                taken.add(eid)
        return out

    def _home(self, event_id: str, scope: str) -> str:
        """The workbook meeting a fact from this event belongs to."""
        return self.by_event.get(event_id) or self.in_scope[scope][0].meeting_id

    # --- meetings -------------------------------------------------------------------------

    def _meetings(self, scope: str, meetings: list[Meeting]) -> None:
        for m in meetings:
            eid = self.events[m.meeting_id]
            if eid is None:
                continue
            e = self.facts.events[eid]
            where = {"sheet": "Meetings", "row": m.row, "fact_id": e.id, "source": e.source,
                     "paragraph": e.paragraph, "fact_text": e.date.describe()}
            if m.date is not None and not e.date.is_empty() and not e.date.agrees_with(m.date):
                self.checks.append(Check(
                    MISMATCH, "meeting", m.meeting_id,
                    f"{_cell('Meetings', self.wb.cell('Meetings', 'date', m.row))} dates "
                    f"{m.meeting_id} {m.date.isoformat()}, but {_cite(e)} gives "
                    f"{e.date.describe()}", cell=self.wb.cell("Meetings", "date", m.row),
                    workbook_value=m.date.isoformat(), workbook_text=m.date.isoformat(),
                    fact_value=e.date.describe(), **where))
            else:
                self.checks.append(Check(
                    MATCH, "meeting", m.meeting_id,
                    f"{m.meeting_id} is the {e.title} reported by {_cite(e)}",
                    cell=self.wb.cell("Meetings", "meeting_id", m.row),
                    workbook_value=m.title, workbook_text=m.title, fact_value=e.title, **where))
        matched = {self.events[m.meeting_id] for m in meetings}
        for e in self.facts.events_in(scope):
            if e.id not in matched:
                home = meetings[0].meeting_id
                self.checks.append(Check(
                    MISSING, "meeting", home,
                    f"{_cite(e)} reports the {e.title} ({e.date.describe()}), which "
                    "is not on the Meetings sheet", fact_id=e.id, fact_value=e.title,
                    fact_text=e.title, source=e.source, paragraph=e.paragraph))

    # --- figures --------------------------------------------------------------------------

    def _figure(self, meeting: Meeting, metric: Metric) -> list[str]:
        """Check one workbook figure; return the ids of the facts it covers."""
        wb = self.wb
        q = metric.value
        cell = wb.cell("Metrics", "value", metric.row)
        base = {"metric": metric.metric, "sheet": "Metrics", "row": metric.row,
                "workbook_value": q.as_number(), "workbook_text": format_quantity(q)}
        scope = self.scopes.get(meeting.meeting_id)
        if scope is None:
            self.checks.append(Check(
                UNSOURCED, "figure", meeting.meeting_id,
                f"{_cell('Metrics', cell)}: reporter cannot check this figure: the counterpart of "
                f"{meeting.meeting_id} ('{meeting.counterpart}') is not a cooperation the fact "
                "base covers", cell=cell, unit=q.unit, source=metric.source, **base))
            return []
        key = metric.metric.casefold()
        candidates = [f for f in self.facts.figures_in(scope) if f.metric.casefold() == key]
        if not candidates:
            scope_name = self.facts.scopes[scope].name
            self.checks.append(Check(
                UNSOURCED, "figure", meeting.meeting_id,
                f"{_cell('Metrics', cell)}: no published figure for '{metric.metric}' in the "
                f"{scope_name} sources; check where this number comes from",
                cell=cell, unit=q.unit, source=metric.source, **base))
            return []
        comparable = [(f, convert(q, f.unit)) for f in candidates]
        comparable = [(f, c) for f, c in comparable if c is not None]
        if not comparable:
            f = candidates[0]
            unit_cell = wb.cell("Metrics", "unit", metric.row) or cell
            self.checks.append(Check(
                MISMATCH, "figure", meeting.meeting_id,
                f"{_cell('Metrics', unit_cell)} gives this figure in {q.unit}, but "
                f"{_cite(f)} gives it in {f.unit}: {f.as_written}",
                cell=unit_cell, fact_id=f.id, fact_value=f.quantity.as_number(),
                fact_text=format_quantity(f.quantity), unit=f.unit, source=f.source,
                paragraph=f.paragraph, **base))
            return [f.id for f in candidates]
        # Prefer the fact this figure agrees with, then one from the meeting's own event.
        event = self.events.get(meeting.meeting_id)
        comparable.sort(key=lambda fc: (not _agrees(fc[1], fc[0].quantity), fc[0].event != event))
        fact, converted = comparable[0]
        agrees = _agrees(converted, fact.quantity)
        fq = fact.quantity
        notes = []
        if agrees and converted.qualifier != fq.qualifier:
            notes.append(f"the source says '{fq.qualifier}'")
        if metric.source and metric.source != fact.source:
            notes.append(f"the row cites {metric.source}, but the figure is published in "
                         f"{fact.source}")
        tail = f" ({'; '.join(notes)})" if notes else ""
        if agrees:
            message = (f"{_cell('Metrics', cell)} {format_quantity(q)} agrees with "
                       f"{_cite(fact)}: {fact.as_written}{tail}")
        else:
            message = (f"{_cell('Metrics', cell)} says {format_quantity(q)}, but "
                       f"{_cite(fact)} says {fact.as_written}{tail}")
        self.checks.append(Check(
            MATCH if agrees else MISMATCH, "figure", meeting.meeting_id, message, cell=cell,
            fact_id=fact.id, fact_value=fq.as_number(), fact_text=format_quantity(fq),
            unit=fact.unit, source=fact.source, paragraph=fact.paragraph, **base))
        return [fact.id]

    def _missing_figures(self, scope: str, covered: set[str]) -> None:
        for f in self.facts.figures_in(scope):
            if f.id in covered:
                continue
            home = self._home(f.event, scope)
            period = f" ({f.period})" if f.period else ""
            self.checks.append(Check(
                MISSING, "figure", home,
                f"{_cite(f)} gives {f.metric}: {f.as_written}{period}; the workbook "
                f"has no such figure. Add it to the Metrics sheet for {home}",
                metric=f.metric, fact_id=f.id, fact_value=f.quantity.as_number(),
                fact_text=format_quantity(f.quantity), unit=f.unit, source=f.source,
                paragraph=f.paragraph))

    def _counts(self, scope: str) -> None:
        for f in self.facts.figures_in(scope):
            if not f.counts_agreements:
                continue
            home = self._home(f.event, scope)
            listed = len(self.agreements.get(home, []))
            published = f.quantity.as_number()
            same = f.quantity.interval().overlaps(Quantity(Fraction(listed)).interval())
            self.checks.append(Check(
                MATCH if same else INFO, "count", home,
                f"the workbook lists {listed} agreement(s) for {home}; {_cite(f)} "
                f"reports {f.as_written} ({f.metric.lower()})", metric=f.metric,
                workbook_value=listed, workbook_text=str(listed), fact_id=f.id,
                fact_value=published, fact_text=format_quantity(f.quantity), unit=f.unit,
                source=f.source, paragraph=f.paragraph))

    # --- agreements -----------------------------------------------------------------------

    def _agreements(self, scope: str) -> None:
        named = self.facts.agreements_in(scope)
        if not named:
            return
        key = self._party_key
        fact_parties = [frozenset(key(p) for p in a.parties) for a in named]
        fact_words = [words(a.title) for a in named]
        by_party: dict[str, list[int]] = {}
        by_word: dict[str, list[int]] = {}
        for j, (parties, ws) in enumerate(zip(fact_parties, fact_words, strict=True)):
            for k in parties:
                by_party.setdefault(k, []).append(j)
            for k in ws:
                by_word.setdefault(k, []).append(j)
        vocabulary = by_word.keys()
        pairs: list[tuple[float, int, int]] = []
        rows: list[tuple[Agreement, frozenset[str]]] = []
        for m in self.in_scope[scope]:
            event = self.events.get(m.meeting_id)
            for a in self.agreements.get(m.meeting_id, []):
                # Candidates: a shared party, or at least two shared title words. Most rows
                # of a large register have none, so this is kept to the bare minimum.
                ka = key(a.party_a)
                kb = key(a.party_b) if a.party_b else None
                candidates: set[int] = set()
                tokens = _WORD.findall(a.title.casefold())
                common = vocabulary & tokens  # in C, for all rows
                if len(common) >= 2:
                    shared_words: dict[int, int] = {}
                    for k in common:
                        for j in by_word[k]:
                            shared_words[j] = shared_words.get(j, 0) + 1
                    candidates.update(j for j, n in shared_words.items() if n >= 2)
                candidates.update(by_party.get(ka, ()))
                if kb is not None:
                    candidates.update(by_party.get(kb, ()))
                if not candidates:
                    continue
                parties = frozenset((ka,) if kb is None else (ka, kb))
                title = _content(tokens)
                i = len(rows)
                rows.append((a, parties))
                for j in candidates:
                    shared = len(parties & fact_parties[j])
                    sim = similarity(title, fact_words[j])
                    if shared == 0 and sim < 0.5:
                        continue
                    score = (3 * shared + 2 * sim + (a.kind == named[j].kind)
                             + (named[j].event == event))
                    pairs.append((score, i, j))
        pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
        used_rows: set[int] = set()
        used_facts: set[int] = set()
        for _, i, j in pairs:
            if i in used_rows or j in used_facts:
                continue
            used_rows.add(i)
            used_facts.add(j)
            a, parties = rows[i]
            self._compare_agreement(a, parties, named[j], fact_parties[j])
        for j, fact in enumerate(named):
            if j not in used_facts:
                home = self._home(fact.event, scope)
                self.checks.append(Check(
                    MISSING, "agreement", home,
                    f"{_cite(fact)} names the {fact.kind} '{fact.title}' between "
                    f"{_and(fact.parties)}; the Agreements sheet has no row for it",
                    fact_id=fact.id, fact_value=fact.title, fact_text=_and(fact.parties),
                    source=fact.source, paragraph=fact.paragraph))

    def _compare_agreement(self, a: Agreement, parties: frozenset[str], fact: AgreementFact,
                           wanted: frozenset[str]) -> None:
        wb = self.wb
        base = {"sheet": "Agreements", "row": a.row, "workbook_value": a.title,
                "workbook_text": _and(a.parties), "fact_id": fact.id, "fact_value": fact.title,
                "fact_text": _and(fact.parties), "source": fact.source,
                "paragraph": fact.paragraph}
        problems: list[tuple[str | None, str]] = []
        key = self._party_key
        keys = [(key(a.party_a), "party_a", a.party_a)]
        if a.party_b:
            keys.append((key(a.party_b), "party_b", a.party_b))
        absent = [p for p in fact.parties if key(p) not in parties]
        extra = [(field_name, name) for k, field_name, name in keys if k not in wanted]
        if absent and (extra or not fact.other_party_unnamed):
            field_name = extra[0][0] if extra else ("party_b" if a.party_b is None else "party_a")
            problems.append((wb.cell("Agreements", field_name, a.row),
                             f"the source names {_and(fact.parties)} as its parties; the "
                             f"workbook has {_and(a.parties)}"))
        elif extra and not fact.other_party_unnamed:
            problems.append((wb.cell("Agreements", extra[0][0], a.row),
                             f"'{extra[0][1]}' is not a party in the source, which names "
                             f"{_and(fact.parties)}"))
        if a.signed_on is not None and not fact.date.is_empty() and not fact.date.agrees_with(
                a.signed_on):
            problems.append((wb.cell("Agreements", "signed_on", a.row),
                             f"the workbook dates it {a.signed_on.isoformat()}, the source "
                             f"{fact.date.describe()}"))
        label = f"{a.agreement_id} '{a.title}'"
        if problems:
            for cell, text in problems:
                self.checks.append(Check(
                    MISMATCH, "agreement", a.meeting_id,
                    f"{_cell('Agreements', cell)}: {label} is the {fact.kind} reported by "
                    f"{_cite(fact)}, but {text}", cell=cell, **base))
        else:
            cell = wb.cell("Agreements", "agreement_id", a.row)
            self.checks.append(Check(
                MATCH, "agreement", a.meeting_id,
                f"{label} is the {fact.kind} reported by {_cite(fact)}",
                cell=cell, **base))


def _agrees(claim: Quantity, fact: Quantity) -> bool:
    """Whether the workbook's claim is what the source supports (see README: Reconciliation)."""
    if claim.qualifier == EXACT:
        return claim.interval().overlaps(fact.interval())
    return fact.interval().within(claim.interval())


def _cite(item: Figure | AgreementFact | Event) -> str:
    return f"{item.source} paragraph {item.paragraph}"


def _cell(sheet: str, cell: str | None) -> str:
    return f"{sheet}!{cell}" if cell else sheet


def _and(names: tuple[str, ...] | list[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
