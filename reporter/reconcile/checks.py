"""The checks: compare each paired row with its published item, and say what is missing.

Each check is plain data with a stable code (reporter.codes.CHECK_CODES); the
words a reader sees are made from it in wording.py, never here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ..dates import PartialDate
from ..facts import AgreementFact, FactBase, Figure
from ..models import NO_FACT, Agreement, Meeting, Metric, Workbook
from ..quantities import EXACT, Quantity, convert, format_quantity
from .result import KINDS, Check
from .wording import joined

if TYPE_CHECKING:
    from .matching import Matching, Pair


def supports(claim: Quantity, fact: Quantity) -> bool:
    """Whether the workbook's claim is what the source supports (README: Figures)."""
    if claim.qualifier == EXACT:
        return claim.interval().overlaps(fact.interval())
    return fact.interval().within(claim.interval())


def all_checks(wb: Workbook, facts: FactBase, matching: Matching,
               party_key: Callable[[str], str]) -> list[Check]:
    """Every check of one reconciliation, in the order they are listed."""
    checks = [_meeting(wb, p) for p in matching.meetings]
    checks += _figures(wb, facts, matching)
    checks += _counts(wb, facts, matching)
    for p in matching.agreements:
        checks += _agreement(wb, p, party_key)
    checks += [_hint(wb, p) for p in matching.hints]
    checks += _missing(facts, matching)
    order = {m.meeting_id: i for i, m in enumerate(wb.meetings)}
    kinds = {k: i for i, k in enumerate(KINDS)}
    checks.sort(key=lambda c: (order.get(c.meeting_id or "", len(order)), kinds[c.kind],
                               c.row or 10**9, c.fact_id or "", c.code))
    return checks


def _stated(date: PartialDate) -> str | None:
    """A source's date as it states it, or None when it states none."""
    return None if date.is_empty() else date.describe()


def _evidence(p: Pair) -> dict[str, Any]:
    return {"fact_id_cell": True} if p.evidence is None else p.evidence.details()


# --- meetings -------------------------------------------------------------------------------

def _meeting(wb: Workbook, p: Pair) -> Check:
    m: Meeting = p.row
    e = p.fact
    where: dict[str, Any] = {"sheet": "Meetings", "row": m.row, "fact_id": e.id,
                             "source": e.source, "paragraph": e.paragraph,
                             "fact_text": e.date.describe()}
    details = {"event_title": e.title, "event_date": _stated(e.date),
               "evidence": _evidence(p)}
    if m.date is not None and not e.date.is_empty() and not e.date.agrees_with(m.date):
        return Check("meeting-date-differs", "meeting", m.meeting_id,
                     cell=wb.cell("Meetings", "date", m.row), workbook_value=m.date.isoformat(),
                     workbook_text=m.date.isoformat(), fact_value=e.date.describe(),
                     details=details, **where)
    return Check("meeting-matches", "meeting", m.meeting_id,
                 cell=wb.cell("Meetings", "meeting_id", m.row), workbook_value=m.title,
                 workbook_text=m.title, fact_value=e.title, details=details, **where)


# --- figures --------------------------------------------------------------------------------

def _figures(wb: Workbook, facts: FactBase, matching: Matching) -> Iterable[Check]:
    tied = {p.row.metric_id: p for p in matching.figures}
    holder = {(p.row.meeting_id, p.fact.id): p.row for p in matching.figures}
    meetings = {m.meeting_id: m for m in wb.meetings}
    for metric in wb.metrics:
        pair = tied.get(metric.metric_id)
        if pair is not None:
            yield _figure(wb, pair)
        else:
            yield _unsourced(wb, facts, matching, meetings[metric.meeting_id], metric, holder)


def _figure_base(wb: Workbook, metric: Metric) -> dict[str, Any]:
    q = metric.value
    return {"metric": metric.metric, "sheet": "Metrics", "row": metric.row,
            "workbook_value": q.as_number(), "workbook_text": format_quantity(q)}


def _figure(wb: Workbook, p: Pair) -> Check:
    metric: Metric = p.row
    fact: Figure = p.fact
    q, fq = metric.value, fact.quantity
    base = {**_figure_base(wb, metric), "fact_id": fact.id, "fact_value": fq.as_number(),
            "fact_text": format_quantity(fq), "unit": fact.unit, "source": fact.source,
            "paragraph": fact.paragraph}
    details: dict[str, Any] = {"as_written": fact.as_written, "evidence": _evidence(p)}
    value_cell = wb.cell("Metrics", "value", metric.row)
    if metric.metric.casefold() != fact.metric.casefold():
        return Check("figure-metric-differs", "figure", metric.meeting_id,
                     cell=wb.cell("Metrics", "metric", metric.row) or value_cell,
                     details={**details, "fact_metric": fact.metric}, **base)
    converted = convert(q, fact.unit)
    if converted is None:
        return Check("figure-unit-differs", "figure", metric.meeting_id,
                     cell=wb.cell("Metrics", "unit", metric.row) or value_cell,
                     details={**details, "workbook_unit": q.unit}, **base)
    agrees = supports(converted, fq)
    if agrees and converted.qualifier != fq.qualifier:
        details["fact_qualifier"] = fq.qualifier
    if metric.source and metric.source != fact.source:
        details["row_source"] = metric.source
    return Check("figure-matches" if agrees else "figure-differs", "figure", metric.meeting_id,
                 cell=value_cell, details=details, **base)


def _unsourced(wb: Workbook, facts: FactBase, matching: Matching, meeting: Meeting,
               metric: Metric, holder: dict[tuple[str, str], Metric]) -> Check:
    """A figure tied to no published one; `holder`: (meeting, fact) -> the row tied to it."""
    base = {**_figure_base(wb, metric), "cell": wb.cell("Metrics", "value", metric.row),
            "unit": metric.value.unit, "source": metric.source}
    scope = matching.scopes.get(meeting.meeting_id)
    if metric.fact_id == NO_FACT:
        return Check("figure-marked-unpublished", "figure", meeting.meeting_id, **base)
    if scope is None:
        return Check("figure-not-covered", "figure", meeting.meeting_id,
                     details={"counterpart": meeting.counterpart}, **base)
    details: dict[str, Any] = {"scope": facts.scopes[scope].name, "reason": "none"}
    lost = matching.taken.get(metric.metric_id)
    if lost is not None:
        other = holder[(meeting.meeting_id, lost.fact.id)]
        details.update(reason="taken", published=f"{lost.fact.source} paragraph "
                       f"{lost.fact.paragraph}", taken_by=wb.cell("Metrics", "value", other.row))
    elif any(f.metric.casefold() == metric.metric.casefold() for f in facts.figures_in(scope)):
        details["reason"] = "other"
    return Check("figure-unsourced", "figure", meeting.meeting_id, details=details, **base)


def _counts(wb: Workbook, facts: FactBase, matching: Matching) -> Iterable[Check]:
    """Published counts of agreements, beside the agreements the event's meeting lists."""
    home = {e: mid for mid, e in matching.events.items() if e}
    per_meeting: dict[str, int] = {}
    for a in wb.agreements:
        per_meeting[a.meeting_id] = per_meeting.get(a.meeting_id, 0) + 1
    for f in facts.figures:
        mid = home.get(f.event)
        if not f.counts_agreements or mid is None:
            continue  # no meeting is its event: nothing to count against
        listed = per_meeting.get(mid, 0)
        same = f.quantity.interval().overlaps(Quantity(Fraction(listed)).interval())
        yield Check("count-matches" if same else "count-noted", "count", mid, metric=f.metric,
                    workbook_value=listed, workbook_text=str(listed), fact_id=f.id,
                    fact_value=f.quantity.as_number(), fact_text=format_quantity(f.quantity),
                    unit=f.unit, source=f.source, paragraph=f.paragraph,
                    details={"as_written": f.as_written})


# --- agreements -----------------------------------------------------------------------------

def _agreement(wb: Workbook, p: Pair, key: Callable[[str], str]) -> list[Check]:
    """A paired agreement: its parties and date against the source's."""
    a: Agreement = p.row
    fact: AgreementFact = p.fact
    base = {"sheet": "Agreements", "row": a.row, "workbook_value": a.title,
            "workbook_text": joined(a.parties), "fact_id": fact.id, "fact_value": fact.title,
            "fact_text": joined(fact.parties), "source": fact.source,
            "paragraph": fact.paragraph}
    details = {"agreement_id": a.agreement_id, "fact_kind": fact.kind,
               "workbook_parties": list(a.parties), "fact_parties": list(fact.parties),
               "evidence": _evidence(p)}
    if a.source and a.source != fact.source:
        details["row_source"] = a.source
    checks = []
    party = _party_difference(a, fact, key)
    if party is not None:
        field_name, extra = party
        checks.append(Check("agreement-parties-differ", "agreement", a.meeting_id,
                            cell=wb.cell("Agreements", field_name, a.row),
                            details={**details, "extra_party": extra}, **base))
    if a.signed_on is not None and not fact.date.is_empty() and not fact.date.agrees_with(
            a.signed_on):
        checks.append(Check("agreement-date-differs", "agreement", a.meeting_id,
                            cell=wb.cell("Agreements", "signed_on", a.row),
                            details={**details, "workbook_date": a.signed_on.isoformat(),
                                     "fact_date": fact.date.describe()}, **base))
    if not checks:
        checks.append(Check("agreement-matches", "agreement", a.meeting_id,
                            cell=wb.cell("Agreements", "agreement_id", a.row),
                            details=details, **base))
    return checks


def _party_difference(a: Agreement, fact: AgreementFact, key: Callable[[str], str]
                      ) -> tuple[str, str | None] | None:
    """(the Party cell that disagrees, the party the source does not name or None), or None."""
    have = {key(p) for p in a.parties}
    wanted = {key(p) for p in fact.parties}
    absent = [p for p in fact.parties if key(p) not in have]
    extra = [(f, name) for f, name in (("party_a", a.party_a), ("party_b", a.party_b))
             if name and key(name) not in wanted]
    if absent and (extra or not fact.other_party_unnamed):
        return (extra[0][0] if extra else ("party_b" if a.party_b is None else "party_a"), None)
    if extra and not fact.other_party_unnamed:
        return extra[0]
    return None


# --- hints and what is missing ----------------------------------------------------------------

def _hint(wb: Workbook, p: Pair) -> Check:
    """A possible pairing: the row (or meeting), and the item it may be."""
    details = {"evidence": _evidence(p)}
    if isinstance(p.row, Meeting):
        return _meeting_hint(wb, p.row, p.fact, details)
    sheet, id_field = (("Metrics", "metric_id") if isinstance(p.row, Metric) else
                       ("Agreements", "agreement_id"))
    # Where staff settle it: the row's Fact ID cell (or, without the column, the row).
    fact_id_cell = wb.cell(sheet, "fact_id", p.row.row)
    details["fact_id_column"] = fact_id_cell is not None
    where = {"sheet": sheet, "row": p.row.row, "fact_id": p.fact.id, "source": p.fact.source,
             "paragraph": p.fact.paragraph,
             "cell": fact_id_cell or wb.cell(sheet, id_field, p.row.row)}
    if isinstance(p.row, Metric):
        return _figure_hint(p.row, p.fact, details, where)
    return _agreement_hint(p.row, p.fact, details, where)


def _meeting_hint(wb: Workbook, m: Meeting, e: Any, details: dict[str, Any]) -> Check:
    return Check("meeting-possible", "meeting", m.meeting_id, sheet="Meetings", row=m.row,
                 cell=wb.cell("Meetings", "meeting_id", m.row), workbook_value=m.title,
                 workbook_text=m.title, fact_id=e.id, fact_value=e.title,
                 fact_text=e.date.describe(), source=e.source, paragraph=e.paragraph,
                 details={**details, "fact_title": e.title, "event_date": _stated(e.date)})


def _figure_hint(metric: Metric, fact: Figure, details: dict[str, Any],
                 where: dict[str, Any]) -> Check:
    return Check("figure-possible", "figure", metric.meeting_id, metric=metric.metric,
                 workbook_value=metric.value.as_number(),
                 workbook_text=format_quantity(metric.value),
                 fact_value=fact.quantity.as_number(), fact_text=format_quantity(fact.quantity),
                 unit=fact.unit, details={**details, "metric_id": metric.metric_id,
                                          "as_written": fact.as_written, "period": fact.period},
                 **where)


def _agreement_hint(a: Agreement, fact: AgreementFact, details: dict[str, Any],
                    where: dict[str, Any]) -> Check:
    return Check("agreement-possible", "agreement", a.meeting_id, workbook_value=a.title,
                 workbook_text=joined(a.parties), fact_value=fact.title,
                 fact_text=joined(fact.parties),
                 details={**details, "agreement_id": a.agreement_id, "fact_kind": fact.kind},
                 **where)


def _missing(facts: FactBase, matching: Matching) -> Iterable[Check]:
    """Published events, figures and agreements of the workbook's cooperations that no row
    is. Each is listed with the meeting that is its event, or with no meeting."""
    scopes = {s for s in matching.scopes.values() if s}
    home = {e: mid for mid, e in matching.events.items() if e}
    for e in facts.events.values():
        if e.scope in scopes and e.id not in home:
            yield Check("meeting-missing", "meeting", None, fact_id=e.id, fact_value=e.title,
                        fact_text=e.title, source=e.source, paragraph=e.paragraph,
                        details={"event_title": e.title, "event_date": _stated(e.date)})
    covered = {p.fact.id for p in matching.figures}
    for f in facts.figures:
        if f.scope in scopes and f.id not in covered:
            yield Check("figure-missing", "figure", home.get(f.event), metric=f.metric,
                        fact_id=f.id, fact_value=f.quantity.as_number(),
                        fact_text=format_quantity(f.quantity), unit=f.unit, source=f.source,
                        paragraph=f.paragraph,
                        details={"as_written": f.as_written, "period": f.period,
                                 "event_title": facts.events[f.event].title})
    covered = {p.fact.id for p in matching.agreements}
    for a in facts.agreements:
        if a.scope in scopes and a.id not in covered:
            yield Check("agreement-missing", "agreement", home.get(a.event), fact_id=a.id,
                        fact_value=a.title, fact_text=joined(a.parties), source=a.source,
                        paragraph=a.paragraph,
                        details={"fact_kind": a.kind, "fact_parties": list(a.parties),
                                 "event_title": facts.events[a.event].title})
