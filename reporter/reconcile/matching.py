"""Matching: which published item, if any, each meeting and each row is.

Candidates come from indexes: the events and figures of a meeting's cooperation,
and for agreements those that share a party or two title words with the row. A
register of any size is never compared all against all. Evidence (evidence.py)
scores each candidate pair; `assign` pairs them one to one: meetings with events
across the workbook, rows with published items within each meeting (two meetings
may each cite the same item). A Fact ID cell ties its row outright, and `none`
rules it out; neither is second-guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..facts import AgreementFact, FactBase, Figure, name_key
from ..models import NO_FACT, Agreement, Meeting, Metric, Workbook
from ..quantities import convert
from .assign import Edge, assign
from .checks import supports
from .evidence import (
    TOKEN,
    AgreementView,
    DateFit,
    Evidence,
    agreement_evidence,
    content,
    date_fit,
    event_evidence,
    figure_evidence,
    words,
    year_fit,
    years,
)
from .names import PartyKeys
from .scope import meeting_scope


class Pair(NamedTuple):
    """A row (or meeting) and the published item it is, or may be."""

    row: Any  # Meeting, Metric or Agreement
    fact: Any  # Event, Figure or AgreementFact
    evidence: Evidence | None  # None: a Fact ID cell says so


@dataclass(slots=True)
class Matching:
    """What matching decided; checks.py turns it into checks."""

    scopes: dict[str, str | None]
    events: dict[str, str | None]
    meetings: list[Pair] = field(default_factory=list)
    figures: list[Pair] = field(default_factory=list)
    agreements: list[Pair] = field(default_factory=list)
    #: possible pairings the evidence does not settle, of all three kinds
    hints: list[Pair] = field(default_factory=list)
    #: a figure row with a published figure it would be, had another row not taken it
    taken: dict[str, Pair] = field(default_factory=dict)


class _Context:
    """The fact base indexed for one run, and the workbook's meetings as matched so far."""

    def __init__(self, workbook: Workbook, facts: FactBase, party_key: PartyKeys):
        self.facts = facts
        self.agreements, self.metrics = workbook.by_meeting()
        self.party_key = party_key
        self.published = {s.id: s.date.as_date() for s in facts.sources.values()}
        self.figures = {f.id: f for f in facts.figures}
        self.named_agreements = {a.id: a for a in facts.agreements}
        self.by_metric: dict[tuple[str, str], list[Figure]] = {}
        for f in facts.figures:
            self.by_metric.setdefault((f.scope, f.metric.casefold()), []).append(f)
        self.indexes = {s: _AgreementIndex(facts.agreements_in(s), self.party_key)
                        for s in facts.scopes}
        self.events: dict[str, str | None] = {}
        self._fits: dict[tuple[str, str], DateFit] = {}

    def rows(self, meeting_id: str) -> list[Agreement | Metric]:
        return [*self.agreements.get(meeting_id, ()), *self.metrics.get(meeting_id, ())]

    def meeting_fit(self, meeting: Meeting, event_id: str) -> DateFit:
        """How a meeting's date (or the year in its title) fits an event's."""
        key = (meeting.meeting_id, event_id)
        fit = self._fits.get(key)
        if fit is None:
            event = self.facts.events[event_id]
            published = self.published.get(event.source)
            if meeting.date is not None:
                fit = date_fit(meeting.date, event.date, published)
            else:
                fit = year_fit(_title_years(meeting), event, published)
            self._fits[key] = fit
        return fit


def match(workbook: Workbook, facts: FactBase, party_key: PartyKeys) -> Matching:
    """Pair meetings with events, then each meeting's figures and agreements with facts."""
    ctx = _Context(workbook, facts, party_key)
    scopes = {m.meeting_id: meeting_scope(m, ctx.rows(m.meeting_id), facts, ctx.party_key)
              for m in workbook.meetings}
    result = Matching(scopes, {})
    _match_events(ctx, workbook.meetings, result)
    ctx.events = result.events
    for m in workbook.meetings:
        _match_figures(ctx, m, result)
        _match_agreements(ctx, m, result)
    return result


# --- meetings and events -------------------------------------------------------------------

def _match_events(ctx: _Context, meetings: list[Meeting], result: Matching) -> None:
    facts = ctx.facts
    edges: list[Edge[Pair]] = []
    hints: list[Edge[Pair]] = []
    event_words = {e.id: words(e.title) for e in facts.events.values()}
    for m in meetings:
        scope = result.scopes[m.meeting_id]
        if scope is None:
            continue
        title = words(m.title)
        rows = ctx.rows(m.meeting_id)
        cited = {r.source for r in rows if r.source}
        named = _named_events(ctx, rows)
        for e in facts.events_in(scope):
            place = bool(m.location and e.place and name_key(e.place) in name_key(m.location))
            ev = event_evidence(title, ctx.meeting_fit(m, e.id), m.kind == e.kind, place,
                                e.source in cited, e.id in named, event_words[e.id])
            if ev is not None:
                (edges if ev.tie else hints).append(Edge(ev.score, m.meeting_id, e.id,
                                                         Pair(m, e, ev)))
    result.events = {m.meeting_id: None for m in meetings}
    for edge in assign(edges):
        result.events[edge.left] = edge.right
        result.meetings.append(edge.payload)
    paired = {mid for mid, e in result.events.items() if e}
    taken = {e for e in result.events.values() if e}
    result.hints += [e.payload for e in assign(hints, taken_left=paired, taken_right=taken)]


def _named_events(ctx: _Context, rows: list[Agreement | Metric]) -> set[str]:
    """The events whose items the rows' Fact ID cells name."""
    out: set[str] = set()
    for r in rows:
        if r.fact_id and r.fact_id != NO_FACT:
            fact = ctx.figures.get(r.fact_id) or ctx.named_agreements.get(r.fact_id)
            if fact is not None:
                out.add(fact.event)
    return out


def _title_years(meeting: Meeting) -> frozenset[int]:
    return years(meeting.title)


# --- within a meeting ----------------------------------------------------------------------

def _settle(result: Matching, outright: list[Pair], edges: list[Edge[Pair]],
            hints: list[Edge[Pair]], key: Callable[[Any], str]) -> list[Pair]:
    """Pair one meeting's rows: Fact ID cells first, then the evidence; return the ties."""
    tied_rows = {key(p.row) for p in outright}
    tied_facts = {p.fact.id for p in outright}
    chosen = assign(edges, taken_left=tied_rows, taken_right=tied_facts)
    ties = outright + [e.payload for e in chosen]
    tied_rows |= {e.left for e in chosen}
    tied_facts |= {e.right for e in chosen}
    result.hints += [e.payload for e in assign(hints, taken_left=tied_rows,
                                               taken_right=tied_facts)]
    return ties


def _match_figures(ctx: _Context, m: Meeting, result: Matching) -> None:
    scope, event = result.scopes[m.meeting_id], ctx.events.get(m.meeting_id)
    outright: list[Pair] = []
    edges: list[Edge[Pair]] = []
    hints: list[Edge[Pair]] = []
    for r in ctx.metrics.get(m.meeting_id, ()):
        if r.fact_id:
            if r.fact_id != NO_FACT:
                outright.append(Pair(r, ctx.figures[r.fact_id], None))
            continue
        for f in ctx.by_metric.get((scope, r.metric.casefold()), ()) if scope else ():
            converted = convert(r.value, f.unit)
            agrees = converted is not None and supports(converted, f.quantity)
            ev = figure_evidence(r, f, converted, agrees, event,
                                 ctx.meeting_fit(m, f.event) if event is None else DateFit(0, 0))
            if ev is not None:
                (edges if ev.tie else hints).append(Edge(ev.score, r.metric_id, f.id,
                                                         Pair(r, f, ev)))
    ties = _settle(result, outright, edges, hints, lambda row: row.metric_id)
    result.figures += ties
    tied = {p.row.metric_id for p in ties}
    for e in sorted(edges, key=lambda e: (-e.score, e.left, e.right)):
        if e.left not in tied:
            result.taken.setdefault(e.left, e.payload)


def _match_agreements(ctx: _Context, m: Meeting, result: Matching) -> None:
    scope = result.scopes[m.meeting_id]
    index = ctx.indexes.get(scope) if scope else None
    event = ctx.events.get(m.meeting_id)
    outright: list[Pair] = []
    edges: list[Edge[Pair]] = []
    hints: list[Edge[Pair]] = []
    fits = ({e.id: ctx.meeting_fit(m, e.id) for e in ctx.facts.events_in(scope)}
            if scope and event is None else {})
    rows = []
    for a in ctx.agreements.get(m.meeting_id, ()):
        if not a.fact_id:
            rows.append(a)
        elif a.fact_id != NO_FACT:
            outright.append(Pair(a, ctx.named_agreements[a.fact_id], None))
    for a, title, candidates in index.candidates(rows) if index is not None else ():
        parties = frozenset(map(ctx.party_key, a.parties))
        view = AgreementView(content(title), parties, a.signed_on, a.kind, a.source, event,
                             fits)
        for j in candidates:
            fact = index.facts[j]  # type: ignore[union-attr]
            ev = agreement_evidence(view, fact, index.words[j],  # type: ignore[union-attr]
                                    index.parties[j],  # type: ignore[union-attr]
                                    ctx.published.get(fact.source))
            if ev is not None:
                (edges if ev.tie else hints).append(Edge(ev.score, a.agreement_id, fact.id,
                                                         Pair(a, fact, ev)))
    result.agreements += _settle(result, outright, edges, hints, lambda row: row.agreement_id)


class _AgreementIndex:
    """A cooperation's published agreements, by party and by title word.

    Each word and party maps to a bit mask of the agreements it appears in (bit j for
    agreement j): a row's candidates are then a few integer operations.
    """

    def __init__(self, named: list[AgreementFact], party_key: Callable[[str], str]):
        self.facts = named
        self.party_key = party_key
        self.words = [words(a.title) for a in named]
        self.parties = [frozenset(map(party_key, a.parties)) for a in named]
        self.by_party: dict[str, int] = {}
        for j, keys in enumerate(self.parties):
            for k in keys:
                self.by_party[k] = self.by_party.get(k, 0) | 1 << j
        # Title words as typed: a plural and a singular both find 'instrument'.
        self.by_token: dict[str, int] = {}
        for j, ws in enumerate(self.words):
            for w in ws:
                for form in (w, w + "s", w + "es"):
                    self.by_token[form] = self.by_token.get(form, 0) | 1 << j

    def candidates(self, rows: list[Agreement]
                   ) -> Iterator[tuple[Agreement, list[str], list[int]]]:
        """Each row that has candidates: its title's tokens, and the published agreements
        that share a title word and a party with it, or two title words. (Titles with no
        word in common can neither tie nor hint: see evidence.py.)

        Every row of a register passes here, so the loop is kept short.
        """
        by_token, by_party = self.by_token, self.by_party
        known = by_token.keys()
        key = self.party_key
        findall = TOKEN.findall
        for a in rows:
            title = findall(a.title.casefold())
            common = known & title
            if not common:
                continue
            seen = twice = 0
            for token in common:
                mask = by_token[token]
                twice |= seen & mask
                seen |= mask
            shared = by_party.get(key(a.party_a), 0)
            if a.party_b:
                shared |= by_party.get(key(a.party_b), 0)
            found = (seen & shared) | twice
            if found:
                yield a, title, [j for j in range(found.bit_length()) if found >> j & 1]
